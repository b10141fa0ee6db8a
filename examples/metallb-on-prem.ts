// On premises with MetalLB: packets are routed to the nodes unchanged, so with
// externalTrafficPolicy Local the gateway sees the client directly; MetalLB then announces the
// address only from nodes that run a gateway pod, so the gateway runs on 3 spread nodes.
import { App, Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'metallb-on-prem', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  edge: EdgeChain.of(EdgeHop.metalLb()),
  replicas: 3,
});

new IpAccessPolicy(chart, 'intranet', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  clientIpBlocks: IpBlock.ofAll(['10.0.0.0/8', '192.168.0.0/16']),
});

app.synth();
writeSourceIpReport(app); // source-ip-report.md: what each layer sees of the client
Warnings.print(app);
