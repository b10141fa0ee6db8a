// An AWS NLB (ip targets) sending PROXY protocol v2 to a Kubernetes Gateway API gateway. The load
// balancer controller's annotations and the merged proxy.istio.io/config travel in
// spec.infrastructure.annotations (istiod copies them to the Service and the pods); the ConfigMap
// overlays add ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL (health checks send PROXY headers too) and
// externalTrafficPolicy Cluster. Needs the Gateway API CRDs (standard channel v1.5.1) and Istio
// 1.27 or later (minimal or default profile).
import { App, Chart } from 'cdk8s';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, GatewayListener, HttpRoute, IpAccessAction, IpAccessPolicy, IpBlock, KubernetesGateway, MeshNamespace,
  PolicyTarget, RouteBackend, RouteNamespaces, SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'gateway-api-aws-nlb-proxy-protocol');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new KubernetesGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
  listeners: [GatewayListener.http({ routeNamespaces: RouteNamespaces.named('shop') })],
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new HttpRoute(chart, 'route', { gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'block-abusers', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['198.51.100.0/24']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
