// A TCP load balancer that sends PROXY protocol (AWS NLB with PROXY v2, for example): the gateway
// reads the client address from the PROXY header, so policies match it with remoteIpBlocks.
import { App, Chart } from 'cdk8s';
import {
  GatewayTopology, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, Warnings,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'proxy-protocol', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  topology: GatewayTopology.of({ proxyProtocol: true }),
  serviceAnnotations: {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*',
  },
});

new IpAccessPolicy(chart, 'block-abusers', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  remoteIpBlocks: IpBlock.ofAll(['198.51.100.0/24']),
});

app.synth();
Warnings.print(app);
