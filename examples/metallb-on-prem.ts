// On premises with MetalLB: packets are routed to the nodes unchanged, so with
// externalTrafficPolicy Local the gateway sees the client directly; MetalLB then announces the
// address only from nodes that run a gateway pod, so the gateway runs on 3 spread nodes.
// Istio profile: minimal or default.
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget, RouteBackend,
  SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'metallb-on-prem');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'intranet', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.metalLb()),
  replicas: 3,
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'intranet' });
new GatewayRoute(chart, 'route', { namespace: 'intranet', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'intranet', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['10.0.0.0/8', '192.168.0.0/16']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
