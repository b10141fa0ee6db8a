// East-west: a workload whose sidecar uses TPROXY, so the application sees the caller's address.
// Works on any cdk8s-plus workload (cdk8s-plus-27 to 33) and on raw Kube* workloads.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { InterceptionMode, MeshNamespace, setInterceptionMode, SidecarInjection, Warnings } from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'workload-tproxy', { namespace: 'apps' });
// TPROXY only means something in pods that get a sidecar: the namespace is labelled for injection
// (setInterceptionMode checks it at synth). Pod Security lets TPROXY's root sidecar run there.
new MeshNamespace(chart, 'apps', {
  name: 'apps',
  injection: SidecarInjection.enabled(),
  labels: { 'pod-security.kubernetes.io/enforce': 'privileged' },
});

const echo = new kplus.Deployment(chart, 'echo', {
  containers: [{ image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080, securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false } }],
  securityContext: { ensureNonRoot: false },
});
setInterceptionMode(echo, InterceptionMode.TPROXY);

// The warning that TPROXY runs istio-proxy as root was reviewed for this namespace:
Warnings.of(echo).acknowledge('tproxy-runs-as-root', 'namespace apps runs with Pod Security "privileged"');

app.synth();
Warnings.print(app);
