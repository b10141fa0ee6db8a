// An AWS Network Load Balancer (ip targets) that sends PROXY protocol v2: the gateway reads the
// client from the PROXY header (so it must expect one on every listener), the Service gets the
// load balancer controller's annotations, and "the client IP" is matched with remoteIpBlocks.
// Istio profile: minimal or default, 1.27 or later (PROXY headers on the 15021 health port).
import { App, Chart } from 'cdk8s';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget,
  RouteBackend, SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'aws-nlb-proxy-protocol');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
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
