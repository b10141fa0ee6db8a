// A Google Cloud Application Load Balancer in front of the gateway: it terminates HTTP and appends
// two X-Forwarded-For entries (the client, then its own address), so the gateway trusts 2 proxies:
// the seed article's numTrustedProxies 2, on the path that calls for it. The load balancer sends
// to pod IPs through a NEG, so the gateway Service is ClusterIP. Istio profile: minimal or default.
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget, RouteBackend,
  SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'gclb-two-proxies');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'block-abusers', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['2.2.2.0/24']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
