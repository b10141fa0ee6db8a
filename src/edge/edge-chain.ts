import { ExplainEdge, ExplainHop, ExplainHopKind } from '../analysis/explain';
import { GatewayServiceType } from '../gateway-service';
import { GatewayTopology } from '../gateway-topology';
import { failIfAny, firstHole, mustBe, Problem, show, wholeNumber } from '../private/problems';
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
    const hole = firstHole(hops);
    if (hole !== undefined) {
      failIfAny('EdgeChain.of', [`'hops' must be a list without holes, got a sparse list (index ${hole} is empty). Fix: write every hop`]);
    }
    if (hops.length === 0) {
      problems.push('\'hops\' must list at least one hop, got none. Fix: pass the load balancer in front of the gateway, e.g. EdgeChain.of(EdgeHop.metalLb())');
    }
    hops.forEach((hop, i) => {
      if (!(hop instanceof EdgeHop)) {
        problems.push(`'hops[${i}]' must be an EdgeHop, got ${show(hop)}. Fix: use an EdgeHop factory, or EdgeHop.custom({...})`);
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
    // Follow the client's address hop by hop: on the packet until an L7 hop writes it into
    // X-Forwarded-For (from then on the header carries it) or an L4 hop replaces the source
    // without a PROXY header (then it is gone).
    let carrier: 'packet' | 'header' | 'lost' = 'packet';
    for (const hop of this.hops) {
      if (carrier !== 'packet') {
        continue;
      }
      if (hop.layer === HopLayer.L7) {
        carrier = hop.xffEntriesAppended > 0 ? 'header' : 'lost';
      } else if (hop.proxyProtocol !== undefined) {
        carrier = 'header';
      } else if (hop.sourcePreservation === SourcePreservation.NEVER) {
        carrier = 'lost';
      }
    }
    return carrier !== 'lost';
  }

  /**
   * The hop whose `ip:port` entry is the one a gateway trusting `numTrustedProxies` hops reads
   * (the Nth from the right of `X-Forwarded-For`), or `undefined` when the entry it reads has no
   * port. Envoy cannot parse such an entry and falls back to the TCP peer; an `ip:port` entry
   * anywhere else in the header is skipped and does no harm.
   */
  public hopWritingTrustedPortEntry(numTrustedProxies: number): EdgeHop | undefined {
    failIfAny('EdgeChain.hopWritingTrustedPortEntry', [wholeNumber('numTrustedProxies', numTrustedProxies, 0, 4294967295, 'pass the gateway\'s numTrustedProxies'),
      numTrustedProxies === undefined ? mustBe('numTrustedProxies', 'set', undefined, 'pass the gateway\'s numTrustedProxies') : undefined]);
    // From the right: each L7 hop appends the peer it saw first (with the port, if it writes
    // one), then its own address for any further entry (explain's model, peers.md [G6]).
    let offset = 0;
    for (let i = this.hops.length - 1; i >= 0; i--) {
      const hop = this.hops[i];
      const n = hop.xffEntriesAppended;
      if (numTrustedProxies > offset && numTrustedProxies <= offset + n) {
        return hop.writesPortInXff && numTrustedProxies === offset + n ? hop : undefined;
      }
      offset += n;
    }
    return undefined;
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
      hops: this.hops.map((hop): ExplainHop => {
        const exposure = {
          ...(hop.lockedDown !== undefined ? { lockedDown: hop.lockedDown }
            : hop.publiclyReachable ? {} : { lockedDown: 'an internal load balancer, not reachable from the internet' }),
          ...(hop.sourceRanges.length === 0 ? {} : { sourceRanges: hop.sourceRanges.map(String) }),
          enforcesLoadBalancerSourceRanges: hop.enforcesLoadBalancerSourceRanges,
          lockDownHint: hop.lockDownHint,
        };
        return hop.layer === HopLayer.L7
          ? { kind: ExplainHopKind.L7, name: hop.name, appendsXff: hop.xffEntriesAppended, writesPort: hop.writesPortInXff, ...exposure }
          : {
            kind: ExplainHopKind.L4, name: hop.name, proxyProtocol: hop.proxyProtocol !== undefined,
            sourcePreservation: hop.sourcePreservation, deliversToPods: hop.deliversToPods, ...exposure,
          };
      }),
    };
  }

  /** The hops' names joined with arrows, e.g. `Cloudflare (proxied) → GKE external passthrough NLB`. */
  public toString(): string {
    return this.hops.map((hop) => hop.name).join(' → ');
  }
}
