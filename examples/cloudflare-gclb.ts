// Cloudflare in front of a Google Cloud Application Load Balancer: Cloudflare appends the client,
// the load balancer appends Cloudflare's address and its own, so the gateway trusts 3 proxies.
// Session affinity hashes the address the gateway trusts (x-envoy-external-address), not the whole
// X-Forwarded-For header, which changes with every hop.
import { App, Chart } from 'cdk8s';
import {
  ClientAffinity, ConsistentHash, EdgeChain, EdgeHop, HashAlgorithm, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock,
  LoadBalancer, PolicyTarget, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'cloudflare-gclb', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.googleCloudApplicationLoadBalancer()),
});

new IpAccessPolicy(chart, 'partners', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['192.0.2.0/24']),
});

new ClientAffinity(chart, 'sticky-checkout', {
  namespace: 'shop',
  host: 'checkout.shop.svc.cluster.local',
  loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('x-envoy-external-address'), HashAlgorithm.maglev()),
  localityLoadBalancing: false,
});

app.synth();
writeSourceIpReport(app); // source-ip-report.md: what each layer sees of the client
Warnings.print(app);
