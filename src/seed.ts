import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IpAccessAction, IpAccessPolicy, PolicyTarget } from './authorization-policy';
import { ClientAffinity, ConsistentHash, LoadBalancer } from './destination-rule';
import { GatewayTopology } from './gateway-topology';
import { ExternalTrafficPolicy } from './gateway-service';
import { IngressGateway } from './ingress-gateway';
import { InterceptionMode, setInterceptionMode } from './interception';
import { IpBlock } from './ip-block';

/**
 * The seed article's setup, written with this library's constructs instead of `kubectl patch`:
 *
 * 1. the ingress gateway Service with `externalTrafficPolicy: Local`;
 * 2. an `echo-server` workload whose sidecar uses TPROXY;
 * 3. `numTrustedProxies: 2` and 4. PROXY protocol, in ONE merged `proxy.istio.io/config`
 *    (the article's two patches each replace the annotation, so the second drops the first);
 * 5. the DENY policy `ingress-policy` for `2.2.2.2/24` on the gateway, and a DestinationRule for
 *    `example-service` hashing on `x-forwarded-for`.
 *
 * The warnings it prints are real findings about the article's choices.
 */
export class SeedScenario extends Chart {
  public readonly gateway: IngressGateway;
  public readonly echoServer: kplus.Deployment;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, ...props });

    this.gateway = new IngressGateway(this, 'ingress-gateway', {
      name: 'istio-ingressgateway',
      namespace: 'istio-system',
      externalTrafficPolicy: ExternalTrafficPolicy.LOCAL,
      topology: GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true }),
    });

    this.echoServer = new kplus.Deployment(this, 'echo-server', {
      metadata: { name: 'echo-server', namespace: 'default' },
      podMetadata: { labels: { app: 'echo-server' } },
      replicas: 1,
      securityContext: { ensureNonRoot: false },
      containers: [{
        name: 'echo-server',
        // The echo server of the Kubernetes "Using Source IP" tutorial: it prints the client address it sees.
        image: 'registry.k8s.io/echoserver:1.10',
        portNumber: 8080,
        securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false },
      }],
    });
    this.echoServer.exposeViaService({ name: 'echo-server', ports: [{ port: 80, targetPort: 8080 }] });
    setInterceptionMode(this.echoServer, InterceptionMode.TPROXY);

    new IpAccessPolicy(this, 'ingress-policy', {
      name: 'ingress-policy',
      target: PolicyTarget.gateway(this.gateway),
      action: IpAccessAction.DENY,
      remoteIpBlocks: [IpBlock.of('2.2.2.2/24')],
    });

    new ClientAffinity(this, 'example-destination-rule', {
      name: 'example-destination-rule',
      namespace: 'default',
      host: 'example-service',
      loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('x-forwarded-for')),
    });
  }
}
