// Cloudflare in front of an AWS NLB that keeps the client's address: the gateway trusts 1 proxy
// (Cloudflare's X-Forwarded-For entry). A hop count trusts a position, so anyone who connects to
// the NLB directly and sends their own X-Forwarded-For would choose the address the gateway trusts.
// loadBalancerSourceRanges set to Cloudflare's published ranges (a dated snapshot) lets only
// Cloudflare reach the NLB, which closes that bypass without an EnvoyFilter.
// Istio profile: minimal or default.
import { App, Chart } from 'cdk8s';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget,
  ProviderRanges, RouteBackend, SidecarInjection, SourceIpEcho, Warnings, writeClientIpDetectionReport, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'cloudflare-nlb-locked');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true })),
  loadBalancerSourceRanges: ProviderRanges.cloudflare().blocks,
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'office-only', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['203.0.113.0/24']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
writeClientIpDetectionReport(app); // report/client-ip-detection.md: hop count vs. trusted CIDRs vs. header, at every entry point
Warnings.print(app);
