// Without presets: the same knobs set by hand, for a path no preset describes (here, one HTTP
// proxy that appends one X-Forwarded-For entry, in front of a NodePort Service). Name the policy
// field yourself: remoteIpBlocks, because the client arrives in X-Forwarded-For.
import { App, Chart } from 'cdk8s';
import {
  ExternalTrafficPolicy, GatewayServiceType, GatewayTopology, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock,
  PolicyTarget, Warnings, writeSourceIpReport,
} from 'cdk8s-istio-source-ip';

const app = new App();
const chart = new Chart(app, 'manual-topology', { namespace: 'istio-ingress' });

const gateway = new IngressGateway(chart, 'gateway', {
  serviceType: GatewayServiceType.NODE_PORT,
  externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER,
  topology: GatewayTopology.of({ numTrustedProxies: 1 }),
});

new IpAccessPolicy(chart, 'partners', {
  target: PolicyTarget.gateway(gateway),
  action: IpAccessAction.ALLOW,
  remoteIpBlocks: IpBlock.ofAll(['192.0.2.0/24']),
});

app.synth();
writeSourceIpReport(app); // source-ip-report.md: what each layer sees of the client
Warnings.print(app);
