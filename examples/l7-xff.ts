// An HTTP load balancer that appends to X-Forwarded-For (Google Cloud Application Load Balancer
// appends two entries: the client and the load balancer). The gateway trusts 2 proxies, matches
// the client with remoteIpBlocks, and keeps a client on one backend by hashing the address it
// trusts (x-envoy-external-address), not the whole X-Forwarded-For header.
import { App, Chart } from 'cdk8s';
import {
  ClientAffinity, ConsistentHash, ExternalTrafficPolicy, GatewayTopology, HashAlgorithm, IngressGateway,
  IpAccessAction, IpAccessPolicy, IpBlock, LoadBalancer, PolicyTarget, Warnings,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'l7-xff', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  topology: GatewayTopology.of({ numTrustedProxies: 2 }),
  // The load balancer sends to pods directly; the packet source is the proxy anyway.
  externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER,
});

new IpAccessPolicy(chart, 'partners', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  remoteIpBlocks: IpBlock.ofAll(['192.0.2.0/24']),
});

new ClientAffinity(chart, 'sticky-checkout', {
  namespace: 'shop',
  host: 'checkout.shop.svc.cluster.local',
  loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('x-envoy-external-address'), HashAlgorithm.maglev()),
  localityLoadBalancing: false,
});

app.synth();
Warnings.print(app);
