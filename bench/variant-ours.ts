/**
 * `ours`: the scenario written with this library, as a user would write it. Per workload a
 * cdk8s-plus-27 Deployment exposed by a Service, TPROXY interception, an `IpAccessPolicy` with 3
 * IP blocks and a `ClientAffinity`; one `IngressGateway` in front. Then `app.synth()`, then the
 * warnings collected and formatted as `Warnings.print` does (not written anywhere).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClientAffinity, ConsistentHash, GatewayTopology, IngressGateway, InterceptionMode, IpAccessAction, IpAccessPolicy, IpBlock,
  LoadBalancer, PolicyTarget, setInterceptionMode, Warnings,
} from '../src/index';
import { childArgs, Clock } from './harness';
import {
  CHART_ID, CONTAINER_PORT, GATEWAY, imageOf, ipBlocksOf, namespaceOf, SERVICE_PORT, workloadName,
} from './recipe';

const clock = new Clock();
const args = childArgs();

const app = new App({ outdir: args.outdir });
const chart = new Chart(app, CHART_ID);
new IngressGateway(chart, 'gw', {
  name: GATEWAY.name,
  namespace: GATEWAY.namespace,
  topology: GatewayTopology.of({ numTrustedProxies: GATEWAY.numTrustedProxies }),
});
for (let i = 0; i < args.workloads; i++) {
  const name = workloadName(i);
  const namespace = namespaceOf(i);
  const deployment = new kplus.Deployment(chart, name, {
    metadata: { name, namespace },
    containers: [{ name: 'app', image: imageOf(i), portNumber: CONTAINER_PORT }],
  });
  deployment.exposeViaService({ name, ports: [{ port: SERVICE_PORT, targetPort: CONTAINER_PORT }] });
  setInterceptionMode(deployment, InterceptionMode.TPROXY);
  new IpAccessPolicy(chart, `p${i}`, {
    name,
    target: PolicyTarget.workload(deployment),
    action: IpAccessAction.ALLOW,
    ipBlocks: IpBlock.ofAll(ipBlocksOf(i)),
  });
  new ClientAffinity(chart, `a${i}`, {
    name,
    namespace,
    host: name,
    loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()),
    localityLoadBalancing: false,
  });
}
clock.mark();

app.synth();
clock.mark();

const warnings = Warnings.collect(app);
if (Warnings.format(warnings).length === 0 && args.workloads > 0) {
  throw new Error('expected one tproxy-runs-as-root warning per workload');
}
clock.mark();

clock.report('ours', args, 6 + 4 * args.workloads);
