// Access logs that say who the client is, and a per-client rate limit, on a gateway behind an AWS
// Network Load Balancer that sends PROXY protocol v2: the gateway's TCP peer is the load balancer,
// the client arrives in the PROXY header. The log records both; the limit counts the client.
// Install the provider in mesh-config/ (istioctl or the istiod chart) before applying the manifests.
import { App, Chart, Duration } from 'cdk8s';
import {
  AwsNlbTargetType, ClientIpAccessLog, ClientRateLimit, EdgeChain, EdgeHop, GatewayRoute, IngressGateway, IpBlock, MeshNamespace, PolicyTarget,
  RouteBackend, SidecarInjection, SourceIpEcho, Warnings, writeMeshConfig, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'client-ip-logs-rate-limit');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
});
const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { name: 'echo', namespace: 'shop', gateway, backend: RouteBackend.service(echo.service) });

// One JSON line per request at the gateway and at echo-server's sidecar, with client_ip, peer_ip,
// x_forwarded_for and x_envoy_external_address as separate fields.
new ClientIpAccessLog(chart, 'client-ip-log', {
  target: PolicyTarget.gateway(gateway),
  workloads: [PolicyTarget.workload(echo.deployment)],
});

// 60 requests a minute per client address, per gateway pod; the office is exempt.
new ClientRateLimit(chart, 'per-client-limit', {
  target: PolicyTarget.gateway(gateway),
  requestsPerInterval: 60,
  interval: Duration.minutes(1),
  exempt: IpBlock.ofAll(['198.51.100.0/24']),
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each log field and the rate-limit key hold
writeMeshConfig(app); // mesh-config/: the access log provider, for istioctl and the istiod chart
Warnings.print(app);
