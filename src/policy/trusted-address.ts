/**
 * Whether the address a gateway trusts as the client really is the client, on its described edge:
 * the one check every feature keyed on that address shares (`remoteIpBlocks` policies, per-client
 * rate limits), so they can never disagree.
 */
import { explainDescribedEdge } from '../analysis/assumed-path';
import { ExplainFindingId } from '../analysis/explain';
import type { IIngressGateway } from '../gateway/gateway';

/** What is wrong with the address a gateway trusts, on its described edge. */
export interface TrustedAddressProblem {
  /**
   * `spoofable`: a client chooses the trusted address with a forged `X-Forwarded-For`;
   * `sees-proxy`: for a normal request the gateway trusts a proxy's, load balancer's or node's
   * address instead of the client's.
   */
  readonly kind: 'spoofable' | 'sees-proxy';
  /**
   * For `spoofable`: whether only a client that connects past the first hop (straight to a
   * publicly reachable load balancer, or to node ports) can do it.
   */
  readonly bypass: boolean;
  /** The described edge, as text (`EdgeChain.toString()`). */
  readonly edge: string;
  /** The address the gateway trusts for a normal request (`null`: it refuses the connection). */
  readonly trusted: string | null;
  /** The simulator's fix. */
  readonly fix: string;
}

/**
 * What the Envoy simulator finds wrong with the address `gateway` trusts on its described edge, or
 * `undefined` when that address is the client's (or no edge is described: then nothing is known).
 */
export function trustedAddressProblem(gateway: IIngressGateway): TrustedAddressProblem | undefined {
  const described = explainDescribedEdge(gateway);
  if (described === undefined) {
    return undefined;
  }
  const edge = String(gateway.edge);
  if (described.spoofable || described.bypassable) {
    const id = described.spoofable ? ExplainFindingId.XFF_SPOOFABLE : ExplainFindingId.XFF_SPOOFABLE_BY_BYPASS;
    return {
      kind: 'spoofable', bypass: !described.spoofable, edge, trusted: described.normal.trustedAddress,
      fix: described.findings.find((f) => f.id === id)?.fix ?? 'correct numTrustedProxies',
    };
  }
  if (!described.remoteIpBlocksSeesClient) {
    return {
      kind: 'sees-proxy', bypass: false, edge, trusted: described.normal.trustedAddress,
      fix: described.findings.find((f) => f.id === ExplainFindingId.TRUSTS_PROXY_ADDRESS)?.fix ?? 'correct numTrustedProxies',
    };
  }
  return undefined;
}
