// Cloudflare in front of a Google Cloud Application Load Balancer: Cloudflare appends the client,
// the load balancer appends Cloudflare's address and its own, so the gateway trusts 3 proxies.
// Session affinity hashes the address the gateway trusts (x-envoy-external-address), not the whole
// X-Forwarded-For header, which changes with every hop. The load balancer must admit only Cloudflare
// (a Cloud Armor policy on its backend service): anyone who reached it directly could otherwise
// write the X-Forwarded-For entry the gateway trusts. lockDown() says so to the checks.
// Istio profile: minimal or default.
import { App, Chart } from 'cdk8s';
import {
  ClientAffinity, ConsistentHash, EdgeChain, EdgeHop, GatewayRoute, HashAlgorithm, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock,
  LoadBalancer, MeshNamespace, PolicyTarget, RouteBackend, SidecarInjection, SourceIpEcho, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App({ recordConstructMetadata: false });
const chart = new Chart(app, 'cloudflare-gclb');
new MeshNamespace(chart, 'gateway-namespace', { name: 'istio-ingress', injection: SidecarInjection.enabled() });
new MeshNamespace(chart, 'app-namespace', { name: 'shop', injection: SidecarInjection.enabled() });

const gateway = new IngressGateway(chart, 'gateway', {
  namespace: 'istio-ingress',
  edge: EdgeChain.of(
    EdgeHop.cloudflare(),
    EdgeHop.googleCloudApplicationLoadBalancer().lockDown('a Cloud Armor policy on its backend service admits only Cloudflare\'s ranges'),
  ),
});
const checkout = new SourceIpEcho(chart, 'checkout', { namespace: 'shop' });
new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend: RouteBackend.service(checkout.service) });

new IpAccessPolicy(chart, 'partners', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['192.0.2.0/24']),
});

new ClientAffinity(chart, 'sticky-checkout', {
  namespace: 'shop',
  host: checkout.host,
  loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('x-envoy-external-address'), HashAlgorithm.maglev()),
  localityLoadBalancing: false,
});

app.synth();
writeSourceIpReport(app); // report/source-ip-report.md: what each layer sees of the client
Warnings.print(app);
