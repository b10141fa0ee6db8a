// A gateway installed with Istio's Helm chart (`helm install istio-ingress istio/gateway -n
// istio-ingress`, as istio.io's install guide does) behind an AWS Network Load Balancer (ip
// targets) that sends PROXY protocol v2. The release name decides the labels (app: istio-ingress,
// istio: ingress), so routes and policies select those; the change is chart values
// (installers/helm/istio-ingress/istio-ingress.values.yaml, for `helm upgrade --reuse-values -f`).
// Namespaces: istio-ingress exists (the release lives there; the chart's pods ask for injection by
// label, so the namespace has none): declared; the app creates its own.
import { App, Chart } from 'cdk8s';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, GatewayRoute, InstalledGateway, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget,
  RouteBackend, SidecarInjection, SourceIpEcho, Warnings, writeInstallerChanges, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'helm-aws-nlb-proxy-protocol');
MeshNamespace.fromExisting(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.none() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = InstalledGateway.helm(chart, 'gateway', {
  releaseName: 'istio-ingress',
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

new IpAccessPolicy(chart, 'office-only', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['203.0.113.0/24']),
});

app.synth();
writeInstallerChanges(app); // installers/: the chart values and the command that applies them
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
