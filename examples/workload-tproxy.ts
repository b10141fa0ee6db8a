// East-west: a workload whose sidecar uses TPROXY, so the application sees the caller's address.
// Works on any cdk8s-plus-27 workload and on raw k8s.Kube* workloads.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { InterceptionMode, setInterceptionMode, Warnings } from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'workload-tproxy', { namespace: 'apps' });
// TPROXY only means something in pods that get a sidecar: the namespace is labelled for injection.
new kplus.Namespace(chart, 'apps', { metadata: { name: 'apps', labels: { 'istio-injection': 'enabled' } } });

const echo = new kplus.Deployment(chart, 'echo', {
  containers: [{ image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080, securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false } }],
  securityContext: { ensureNonRoot: false },
});
setInterceptionMode(echo, InterceptionMode.TPROXY);

// The warning that TPROXY runs istio-proxy as root was reviewed for this namespace:
Warnings.of(echo).acknowledge('tproxy-runs-as-root', 'namespace apps runs with Pod Security "privileged"');

app.synth();
Warnings.print(app);
