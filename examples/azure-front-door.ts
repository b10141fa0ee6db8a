// Azure Front Door in front of the AKS Standard Load Balancer: Front Door appends the client to
// X-Forwarded-For and the load balancer routes packets, so the gateway trusts 1 proxy and keeps
// externalTrafficPolicy Local (then ipBlocks can also pin traffic to Front Door's own ranges).
// Istio profile: minimal or default.
// The load balancer admits only Front Door (service tag AzureFrontDoor.Backend): anyone who
// reached it directly could otherwise write the X-Forwarded-For entry the gateway trusts.
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget, RouteBackend,
  SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'azure-front-door');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.azureFrontDoor(), EdgeHop.azureLoadBalancer({ allowedServiceTags: ['AzureFrontDoor.Backend'] })),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'deny-listed', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['198.51.100.0/24', '2001:db8:bad::/48']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
