// Without presets: the same knobs set by hand, for a path no preset describes (here, one HTTP
// proxy that appends one X-Forwarded-For entry, in front of a NodePort Service). Name the policy
// field yourself: remoteIpBlocks, because the client arrives in X-Forwarded-For. Nothing checks a
// path nobody described: the report says so (edge-not-described). Istio profile: minimal or default.
import { App, Chart } from 'cdk8s';
import {
  ExternalTrafficPolicy, GatewayRoute, GatewayServiceType, GatewayTopology, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock,
  MeshNamespace, PolicyTarget, RouteBackend, SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'manual-topology');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'partners', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  serviceType: GatewayServiceType.NODE_PORT,
  externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER,
  topology: GatewayTopology.of({ numTrustedProxies: 1 }),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'partners' });
new GatewayRoute(chart, 'route', { namespace: 'partners', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'partners', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  remoteIpBlocks: IpBlock.ofAll(['192.0.2.0/24']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
