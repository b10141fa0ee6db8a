/**
 * `kplus`: the same manifests without this library. The workloads are the same cdk8s-plus-27
 * Deployments and Services (the interception annotation added with `podMetadata.addAnnotation`);
 * the gateway and the Istio objects are `ApiObject`s built from the plain JSON. `ours` minus
 * `kplus` is what this library adds for a cdk8s-plus user.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { childArgs, Clock } from './harness';
import { gatewayManifests, istioManifests } from './plain';
import {
  CHART_ID, CONTAINER_PORT, imageOf, namespaceOf, SERVICE_PORT, workloadName,
} from './recipe';

const clock = new Clock();
const args = childArgs();

const app = new App({ outdir: args.outdir });
const chart = new Chart(app, CHART_ID);
gatewayManifests().forEach((manifest, k) => new ApiObject(chart, `gw${k}`, manifest));
for (let i = 0; i < args.workloads; i++) {
  const name = workloadName(i);
  const deployment = new kplus.Deployment(chart, name, {
    metadata: { name, namespace: namespaceOf(i) },
    containers: [{ name: 'app', image: imageOf(i), portNumber: CONTAINER_PORT }],
  });
  deployment.exposeViaService({ name, ports: [{ port: SERVICE_PORT, targetPort: CONTAINER_PORT }] });
  deployment.podMetadata.addAnnotation('sidecar.istio.io/interceptionMode', 'TPROXY');
  const { policy, rule } = istioManifests(i, deployment.matchLabels['cdk8s.io/metadata.addr']);
  new ApiObject(chart, `p${i}`, policy);
  new ApiObject(chart, `a${i}`, rule);
}
clock.mark();

app.synth();
clock.mark();

clock.report('kplus', args, 6 + 4 * args.workloads);
