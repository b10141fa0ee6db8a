// An L4 load balancer that passes packets through (GKE, Azure Standard LB, MetalLB) in front of
// the gateway: with externalTrafficPolicy Local the packet keeps the client's address, so the
// gateway matches it with ipBlocks.
import { App, Chart } from 'cdk8s';
import {
  IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, Warnings,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'l4-local', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway'); // LoadBalancer, externalTrafficPolicy: Local, 2 replicas

new IpAccessPolicy(chart, 'office-only', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  ipBlocks: IpBlock.ofAll(['203.0.113.0/24', '2001:db8:1::/48']),
});

app.synth();
Warnings.print(app);
