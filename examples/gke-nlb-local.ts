// GKE's default passthrough Network Load Balancer routes packets without changing their source;
// with externalTrafficPolicy Local (derived from the edge) the gateway sees the client as its TCP
// peer, so "the client IP" is matched with ipBlocks.
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'gke-nlb-local', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()),
});

new IpAccessPolicy(chart, 'office-only', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['203.0.113.0/24', '2001:db8:1::/48']),
});

app.synth();
writeSourceIpReport(app); // source-ip-report.md: what each layer sees of the client
Warnings.print(app);
