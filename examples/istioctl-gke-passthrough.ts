// The seed article's own gateway: the istio-ingressgateway that `istioctl install` (default
// profile) put in istio-system, behind GKE's default passthrough Network Load Balancer. The app
// deploys no gateway: it describes the installed one, routes and guards traffic through it, and
// writes the change in istioctl's own form (installers/istioctl/ingress-gateways.yaml, for
// `istioctl install -f`): the article's kubectl patches as one IstioOperator overlay, which the
// next `istioctl install` keeps instead of taking back. Namespaces: istio-system exists (istioctl
// created it); the app creates its own.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  EdgeChain, EdgeHop, GatewayRoute, InstalledGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, RouteBackend, SourceIpEcho,
  Warnings, writeInstallerChanges, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'istioctl-gke-passthrough');
new kplus.Namespace(chart, 'app-namespace', { metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });

// istio-ingressgateway in istio-system, labels app: istio-ingressgateway, istio: ingressgateway.
const gateway = InstalledGateway.istioctl(chart, 'gateway', {
  edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'block-abusers', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['2.2.2.0/24']),
});

app.synth();
writeInstallerChanges(app); // installers/: the IstioOperator overlay and the command that applies it
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
