// An AWS Network Load Balancer (ip targets) that sends PROXY protocol v2: the gateway reads the
// client from the PROXY header (so it must expect one on every listener), the Service gets the
// load balancer controller's annotations, and "the client IP" is matched with remoteIpBlocks.
import { App, Chart } from 'cdk8s';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'aws-nlb-proxy-protocol', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
});

new IpAccessPolicy(chart, 'block-abusers', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.DENY,
  clientIpBlocks: IpBlock.ofAll(['198.51.100.0/24']),
});

app.synth();
writeSourceIpReport(app); // source-ip-report.md: what each layer sees of the client
Warnings.print(app);
