import { ExplainEdge, ExplainHop, ExplainHopKind } from '../analysis/explain';
import { GatewayServiceType } from '../gateway-service';
import { GatewayTopology } from '../gateway-topology';
import { failIfAny, Problem } from '../private/problems';
import { EdgeHop, HopLayer, SourcePreservation } from './edge-hop';

/**
 * The gateway settings a chain of hops calls for. A contract: the names and shape stay.
 */
export interface GatewaySettings {
  /** How many `X-Forwarded-For` entries the hops append in front of the gateway. */
  readonly numTrustedProxies: number;
  /** Whether the hop directly in front of the gateway sends PROXY protocol. */
  readonly proxyProtocol: boolean;
  /** `Local` when that hop is an L4 passthrough that keeps the source only without SNAT. */
  readonly externalTrafficPolicy: 'Local' | 'Cluster';
  /** The Service annotations that create and configure the hop in front of the gateway. */
  readonly serviceAnnotations: Record<string, string>;
  /** The AuthorizationPolicy field that sees the client at the gateway. */
  readonly clientIpField: 'ipBlocks' | 'remoteIpBlocks';
}

/**
 * The hops between the client and the ingress gateway, ordered from the client inwards.
 *
 * `gatewaySettings()` derives every gateway knob from the hops: `numTrustedProxies` counts only
 * hops that append to `X-Forwarded-For` (an L4 or PROXY-protocol hop appends nothing, so
 * Cloudflare → NLB with PROXY → gateway is 1, not 2, as in istio/istio#31704); PROXY protocol comes
 * only from the hop directly in front of the gateway; `externalTrafficPolicy: Local` when that hop
 * is an L4 passthrough that keeps the source only without SNAT.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export class EdgeChain {
  /**
   * A chain of hops, from the client inwards; the last hop sits directly in front of the gateway.
   *
   * @throws SourceIpValidationError if the chain is empty, if the last hop cannot front a
   *   Kubernetes Service, or if a hop other than the last sends PROXY protocol
   */
  public static of(...hops: EdgeHop[]): EdgeChain {
    return new EdgeChain(hops);
  }

  /** The hops, from the client inwards. */
  public readonly hops: readonly EdgeHop[];

  private constructor(hops: readonly EdgeHop[]) {
    const problems: Problem[] = [];
    if (hops.length === 0) {
      problems.push('\'hops\' must list at least one hop, got none. Fix: pass the load balancer in front of the gateway, e.g. EdgeChain.of(EdgeHop.metalLb())');
    }
    hops.forEach((hop, i) => {
      if (!(hop instanceof EdgeHop)) {
        problems.push(`'hops[${i}]' must be an EdgeHop, got ${JSON.stringify(hop)}. Fix: use an EdgeHop factory, or EdgeHop.custom({...})`);
      }
    });
    if (problems.length === 0) {
      const last = hops[hops.length - 1];
      if (last.serviceType === undefined) {
        problems.push(`'hops[${hops.length - 1}]' (${last.name}) cannot sit directly in front of a Kubernetes Service. `
          + `Fix: add the load balancer between ${last.name} and the gateway, e.g. EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough())`);
      }
      hops.slice(0, -1).forEach((hop, i) => {
        if (hop.proxyProtocol !== undefined) {
          problems.push(`'hops[${i}]' (${hop.name}) sends PROXY protocol, but only the hop directly in front of the gateway can send it to the gateway; `
            + `${hops[i + 1].name} comes next. Fix: turn PROXY protocol off on ${hop.name}, or describe the hops between it and the gateway correctly`);
        }
      });
    }
    failIfAny('EdgeChain.of', problems);
    this.hops = [...hops];
  }

  /** The hop directly in front of the gateway. */
  public get gatewayHop(): EdgeHop {
    return this.hops[this.hops.length - 1];
  }

  /** The gateway Service type the hop in front of the gateway needs. */
  public get serviceType(): GatewayServiceType {
    return this.gatewayHop.serviceType ?? GatewayServiceType.LOAD_BALANCER;
  }

  /**
   * Whether any layer carries the client's address to the gateway: an `X-Forwarded-For` entry, a
   * PROXY header, or the packet source.
   */
  public get carriesClientAddress(): boolean {
    const s = this.gatewaySettings();
    return s.clientIpField === 'remoteIpBlocks' || this.gatewayHop.sourcePreservation !== SourcePreservation.NEVER;
  }

  /** The gateway settings this chain calls for. */
  public gatewaySettings(): GatewaySettings {
    const last = this.gatewayHop;
    const numTrustedProxies = this.hops.reduce((sum, hop) => sum + hop.xffEntriesAppended, 0);
    const proxyProtocol = last.proxyProtocol !== undefined;
    const local = last.layer !== HopLayer.L7 && !proxyProtocol && last.sourcePreservation === SourcePreservation.WITH_LOCAL;
    return {
      numTrustedProxies,
      proxyProtocol,
      externalTrafficPolicy: local || last.requiresLocal ? 'Local' : 'Cluster',
      serviceAnnotations: { ...last.serviceAnnotations },
      clientIpField: GatewayTopology.clientIpFieldFor(numTrustedProxies, proxyProtocol),
    };
  }

  /**
   * The hops as `explain` takes them, with documentation-range addresses, so the simulator can
   * walk a request (and a forged one) through this chain.
   */
  public explainEdge(): ExplainEdge {
    return {
      hops: this.hops.map((hop): ExplainHop => (hop.layer === HopLayer.L7
        ? { kind: ExplainHopKind.L7, name: hop.name, appendsXff: hop.xffEntriesAppended, writesPort: hop.writesPortInXff }
        : {
          kind: ExplainHopKind.L4, name: hop.name, proxyProtocol: hop.proxyProtocol !== undefined,
          sourcePreservation: hop.sourcePreservation, deliversToPods: hop.deliversToPods,
        })),
    };
  }

  /** The hops' names joined with arrows, e.g. `Cloudflare (proxied) → GKE external passthrough NLB`. */
  public toString(): string {
    return this.hops.map((hop) => hop.name).join(' → ');
  }
}
