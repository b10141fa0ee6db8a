// GKE's default passthrough Network Load Balancer routes packets without changing their source;
// with externalTrafficPolicy Local (derived from the edge) the gateway sees the client as its TCP
// peer, so "the client IP" is matched with ipBlocks. Istio profile: minimal or default (the app
// deploys its own gateway in istio-ingress).
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget, RouteBackend,
  SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'gke-nlb-local');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'office-only', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['203.0.113.0/24', '2001:db8:1::/48']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
