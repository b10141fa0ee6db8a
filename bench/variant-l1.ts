/**
 * `l1`: the same manifests as `ApiObject`s built from the plain JSON (`plain.ts`), then
 * `app.synth()`. Loads `cdk8s` only: neither this library, nor cdk8s-plus-27, nor the generated
 * imports (typed L1 classes such as `KubeDeployment` end in the same `ApiObject`, plus a
 * props-to-JSON conversion; this is the cheapest way to get these bytes out of cdk8s).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { childArgs, Clock } from './harness';
import { gatewayManifests, workloadManifests } from './plain';
import { CHART_ID } from './recipe';

const clock = new Clock();
const args = childArgs();

const app = new App({ outdir: args.outdir });
const chart = new Chart(app, CHART_ID);
gatewayManifests().forEach((manifest, k) => new ApiObject(chart, `gw${k}`, manifest));
for (let i = 0; i < args.workloads; i++) {
  const { deployment, service, policy, rule } = workloadManifests(i);
  new ApiObject(chart, `d${i}`, deployment);
  new ApiObject(chart, `s${i}`, service);
  new ApiObject(chart, `p${i}`, policy);
  new ApiObject(chart, `a${i}`, rule);
}
clock.mark();

app.synth();
clock.mark();

clock.report('l1', args, 6 + 4 * args.workloads);
