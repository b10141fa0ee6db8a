// The GKE passthrough path with a Kubernetes Gateway API gateway: istiod deploys the gateway from
// a Gateway of class istio. The edge gives the same settings as an IngressGateway; they reach the
// Service through the ConfigMap overlays (externalTrafficPolicy Local has no Gateway field) and
// the pods through spec.infrastructure.annotations. Policies attach with targetRefs. Needs the
// Gateway API CRDs (standard channel v1.5.1) and Istio (minimal or default profile).
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, GatewayListener, HttpRoute, IpAccessAction, IpAccessPolicy, IpBlock, KubernetesGateway, MeshNamespace, PolicyTarget,
  RouteBackend, RouteNamespaces, SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'gateway-api-gke-passthrough');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new KubernetesGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()),
  listeners: [GatewayListener.http({ routeNamespaces: RouteNamespaces.named('shop') })],
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new HttpRoute(chart, 'route', { gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'office-only', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['203.0.113.0/24', '2001:db8:1::/48']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
