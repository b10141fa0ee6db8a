/**
 * Paths for `explain` built from a gateway construct's settings.
 *
 * Type-only imports keep this module free of cdk8s, like the rest of `analysis/`.
 */
import { GatewayServiceType } from '../gateway-service';
import type { IIngressGateway } from '../gateway/gateway';
import { failIfAny, requireGateway, wholeNumber } from '../private/problems';
import { SourcePreservation } from '../edge/edge-hop';
import { explain, ExplainApp, ExplainEdge, ExplainGateway, ExplainHop, ExplainHopKind, ExplainPath, ExplainResult } from './explain';

/** More HTTP proxies than this are not assumed (their default addresses would run out). */
const MAX_ASSUMED_PROXIES = 64;

/**
 * Options for `assumedPathFor`.
 *
 * The hops come from the gateway; only the app behind it can be chosen.
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarInterceptionMode
 */
export interface AssumedPathOptions {
  /**
   * The application behind the gateway.
   *
   * @default - an app named `app` with REDIRECT interception (Istio's default)
   */
  readonly app?: ExplainApp;
}

/**
 * The gateway settings `explain` needs, read from a gateway construct.
 *
 * The name is the construct id; `numTrustedProxies` and `proxyProtocol` come from its
 * `topology`, and `externalTrafficPolicy` from its Service.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#Topology
 */
export function explainGatewayOf(gateway: IIngressGateway): ExplainGateway {
  requireGateway('explainGatewayOf', gateway);
  return {
    name: gateway.node.id,
    numTrustedProxies: gateway.topology.numTrustedProxies,
    proxyProtocol: gateway.topology.proxyProtocol,
    ...(gateway.externalTrafficPolicy === undefined ? {} : { externalTrafficPolicy: gateway.externalTrafficPolicy }),
    serviceType: gateway.serviceType,
    ...(gateway.loadBalancerSourceRanges === undefined ? {} : { loadBalancerSourceRanges: gateway.loadBalancerSourceRanges.map(String) }),
  };
}

/**
 * The path of a request through `edge` to `gateway`: the described hops and app, and the
 * gateway's own settings.
 *
 * Use it to check a gateway against the real network in front of it:
 * `explain(explainPathFor(gateway, { hops: [...] }))`.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function explainPathFor(gateway: IIngressGateway, edge: ExplainEdge): ExplainPath {
  return { ...edge, gateway: explainGatewayOf(gateway) };
}

/**
 * The path a gateway's settings are right for, for when nobody described the real one.
 *
 * - `numTrustedProxies` N becomes N HTTP proxies, each appending one `X-Forwarded-For` entry;
 * - `proxyProtocol` becomes an L4 load balancer with PROXY protocol directly in front of the
 *   gateway, opening its own connections (Classic ELB, DigitalOcean, Hetzner and OCI load
 *   balancers work this way);
 * - otherwise a LoadBalancer Service gets a passthrough L4 load balancer that keeps the source
 *   address with `externalTrafficPolicy: Local` (GKE, Azure, MetalLB); a NodePort or ClusterIP
 *   Service gets no L4 hop;
 * - `externalTrafficPolicy` is the gateway's.
 *
 * The result is marked `assumed`, so a report can ask for the real path. Findings on it still
 * mean something: a setting no path makes right (`externalTrafficPolicy: Cluster` with no proxy
 * and no PROXY protocol) shows up as `trusts-proxy-address`.
 *
 * @throws SourceIpValidationError when `numTrustedProxies` is above 64
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function assumedPathFor(gateway: IIngressGateway, options: AssumedPathOptions = {}): ExplainPath {
  requireGateway('assumedPathFor', gateway, options);
  const n = gateway.topology.numTrustedProxies;
  failIfAny('assumedPathFor', [wholeNumber(`numTrustedProxies of ${gateway.node.path}`, n, 0, MAX_ASSUMED_PROXIES,
    'describe the real path with explainPathFor(gateway, { hops }) instead of assuming one proxy per trusted hop')]);
  const hops: ExplainHop[] = [];
  for (let i = 1; i <= n; i++) {
    hops.push({ kind: ExplainHopKind.L7, name: `HTTP proxy ${i}`, appendsXff: 1 });
  }
  if (gateway.topology.proxyProtocol) {
    hops.push({
      kind: ExplainHopKind.L4,
      name: 'L4 load balancer',
      proxyProtocol: true,
      sourcePreservation: SourcePreservation.NEVER,
    });
  } else if (gateway.serviceType === GatewayServiceType.LOAD_BALANCER) {
    hops.push({
      kind: ExplainHopKind.L4,
      name: 'L4 load balancer',
      proxyProtocol: false,
      sourcePreservation: SourcePreservation.WITH_LOCAL,
    });
  }
  return explainPathFor(gateway, { hops, ...(options.app === undefined ? {} : { app: options.app }), assumed: true });
}

const describedResults = new WeakMap<IIngressGateway, ExplainResult>();

/**
 * What `explain` finds for a gateway's described `edge`, or `undefined` when it has none. Computed
 * once per gateway (a gateway's settings do not change after construction).
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function explainDescribedEdge(gateway: IIngressGateway): ExplainResult | undefined {
  requireGateway('explainDescribedEdge', gateway);
  if (gateway.edge === undefined) {
    return undefined;
  }
  let result = describedResults.get(gateway);
  if (result === undefined) {
    result = explain(explainPathFor(gateway, gateway.edge.explainEdge()));
    describedResults.set(gateway, result);
  }
  return result;
}
