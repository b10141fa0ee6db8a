import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { IpAccessAction, IpAccessPolicy, PolicyTarget } from './authorization-policy';
import { ClientAffinity, ConsistentHash, LoadBalancer } from './destination-rule';
import { SourceIpEcho } from './demo/source-ip-echo';
import { EdgeChain } from './edge/edge-chain';
import { EdgeHop } from './edge/edge-hop';
import { IngressGateway } from './gateway/ingress-gateway';
import { InterceptionMode, MeshNamespace, SidecarInjection } from './mesh';
import { IpBlock } from './ip-block';
import { IstioVersion } from './istio-version';
import { ClientIpAccessLog } from './policy/access-log';
import { ClientRateLimit } from './policy/client-rate-limit';
import { GatewayRoute, RouteBackend } from './routing/gateway-route';

/** The namespace of the seed's gateway. */
export const SEED_GATEWAY_NAMESPACE = 'istio-ingress';
/** The meshed namespace of the seed's echo server and curl client. */
export const SEED_APP_NAMESPACE = 'demo';

/**
 * The seed article's cluster as it really is: GKE, with the default passthrough Network Load
 * Balancer in front of the ingress gateway, and curl from the internet. Each of the article's
 * patches is kept where this path makes it right:
 *
 * 1. the gateway Service has `externalTrafficPolicy: Local`, derived from the described edge
 *    (`EdgeHop.gkeExternalPassthrough()`: Local, `numTrustedProxies` 0, no PROXY protocol, because
 *    GKE's load balancer cannot send it);
 * 2. `echo-server` runs with TPROXY interception in a meshed namespace, with a `sleep` (curl)
 *    client beside it for the east-west case;
 * 3. a `Gateway` and `VirtualService` route `/` to echo-server;
 * 4. the DENY policy for `2.2.2.2/24` sits at the gateway, on the field that sees the client there;
 * 5. the DestinationRule targets echo-server's real host and hashes on the client address the
 *    gateway trusts.
 *
 * The article's other patches (`numTrustedProxies: 2`, PROXY protocol) need other paths; they live
 * in the examples (`examples/gclb-two-proxies.ts`, `examples/aws-nlb-proxy-protocol.ts`,
 * `examples/cloudflare-nlb-proxy-protocol.ts`).
 */
export class SeedScenario extends Chart {
  /** The ingress gateway. */
  public readonly gateway: IngressGateway;
  /** The echo server and curl client. */
  public readonly echo: SourceIpEcho;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, ...props });

    // Both labelled for injection: istioctl analyze (IST0102) asks for it, and gateway pods ask for injection by their own label.
    new MeshNamespace(this, 'gateway-namespace', { name: SEED_GATEWAY_NAMESPACE, injection: SidecarInjection.enabled() });
    new MeshNamespace(this, 'app-namespace', { name: SEED_APP_NAMESPACE, injection: SidecarInjection.enabled() });

    this.gateway = new IngressGateway(this, 'ingress-gateway', {
      namespace: SEED_GATEWAY_NAMESPACE,
      edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()),
    });

    this.echo = new SourceIpEcho(this, 'echo', { namespace: SEED_APP_NAMESPACE, interceptionMode: InterceptionMode.TPROXY });

    new GatewayRoute(this, 'echo-route', {
      name: 'echo',
      namespace: SEED_APP_NAMESPACE,
      gateway: this.gateway,
      backend: RouteBackend.service(this.echo.service),
    });

    new IpAccessPolicy(this, 'ingress-policy', {
      name: 'ingress-policy',
      target: PolicyTarget.gateway(this.gateway),
      action: IpAccessAction.DENY,
      clientIpBlocks: [IpBlock.of('2.2.2.2/24')],
    });

    new ClientAffinity(this, 'echo-affinity', {
      name: 'echo-server',
      namespace: SEED_APP_NAMESPACE,
      host: this.echo.host,
      loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()),
    });

    // Who the client is, where teams look for it: access logs at the gateway and echo-server's
    // sidecar (the provider is in dist/mesh-config/), and a per-client limit at the gateway (on
    // targets whose proxies have per-client buckets, Istio 1.26 and later).
    new ClientIpAccessLog(this, 'client-ip-log', {
      name: 'client-ip-log',
      target: PolicyTarget.gateway(this.gateway),
      workloads: [PolicyTarget.workload(this.echo.deployment)],
    });
    if (ClientRateLimit.isSupportedOn(IstioVersion.targetOf(this))) {
      new ClientRateLimit(this, 'client-rate-limit', {
        name: 'client-rate-limit',
        target: PolicyTarget.gateway(this.gateway),
        requestsPerInterval: 100,
        interval: Duration.minutes(1),
      });
    }
  }
}
