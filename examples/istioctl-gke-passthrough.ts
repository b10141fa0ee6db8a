// The seed article's own gateway: the istio-ingressgateway that `istioctl install` (default
// profile) put in istio-system, behind GKE's default passthrough Network Load Balancer. The app
// deploys no gateway: it describes the installed one, routes and guards traffic through it, and
// writes the change in istioctl's own form (installers/istioctl/ingress-gateways.yaml, for
// `istioctl install -f`): the article's kubectl patches as one IstioOperator overlay, which the
// next `istioctl install` keeps instead of taking back. Namespaces: istio-system exists (istioctl
// created it, without an injection label): declared; the app creates its own.
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, GatewayRoute, InstalledGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget, RouteBackend,
  RouteListener, SidecarInjection, SourceIpEcho, Warnings, writeInstallerChanges, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'istioctl-gke-passthrough');
MeshNamespace.fromExisting(chart, 'gateway-namespace', { name: 'istio-system', injection: SidecarInjection.none() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

// istio-ingressgateway in istio-system, labels app: istio-ingressgateway, istio: ingressgateway.
const gateway = InstalledGateway.istioctl(chart, 'gateway', {
  edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
// Gateway servers name the port the gateway pods listen on: istioctl's Service sends 80 to 8080.
new GatewayRoute(chart, 'route', {
  namespace: 'shop', gateway, backend: RouteBackend.service(echo.service), listeners: [RouteListener.http({ port: 8080 })],
});

new IpAccessPolicy(chart, 'block-abusers', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['2.2.2.0/24']),
});

app.synth();
writeInstallerChanges(app); // installers/: the IstioOperator overlay and the command that applies it
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
