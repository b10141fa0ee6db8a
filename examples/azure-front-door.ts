// Azure Front Door in front of the AKS Standard Load Balancer: Front Door appends the client to
// X-Forwarded-For and the load balancer routes packets, so the gateway trusts 1 proxy and keeps
// externalTrafficPolicy Local (then ipBlocks can also pin traffic to Front Door's own ranges).
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'azure-front-door', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  edge: EdgeChain.of(EdgeHop.azureFrontDoor(), EdgeHop.azureLoadBalancer()),
});

new IpAccessPolicy(chart, 'deny-listed', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['198.51.100.0/24', '2001:db8:bad::/48']),
});

app.synth();
writeSourceIpReport(app); // source-ip-report.md: what each layer sees of the client
Warnings.print(app);
