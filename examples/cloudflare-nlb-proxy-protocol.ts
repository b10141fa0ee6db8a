// Cloudflare in front of an AWS NLB that sends PROXY protocol v2: Cloudflare appends the client to
// X-Forwarded-For, the NLB appends nothing and carries Cloudflare's address in the PROXY header.
// So the gateway needs both of the seed article's patches in ONE proxy.istio.io/config:
// numTrustedProxies 1 (not 2: istio/istio#31704) and proxyProtocol. The NLB admits only
// Cloudflare's published ranges: anyone who reached it directly could otherwise write the
// X-Forwarded-For entry the gateway trusts. Istio profile: minimal or default, 1.27 or later.
import { App, Chart } from 'cdk8s';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget,
  RouteBackend, SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'cloudflare-nlb-proxy-protocol');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const cloudflare = EdgeHop.cloudflare();
const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(cloudflare, EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
  // Cloudflare's IPv4 ranges: the NLB has IPv4 addresses, so Cloudflare connects to it over IPv4.
  loadBalancerSourceRanges: cloudflare.sourceRanges.filter((range) => range.family === 4),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'block-abusers', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['198.51.100.0/24']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
