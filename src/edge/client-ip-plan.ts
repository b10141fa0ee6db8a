import {
  ClientIpDetection, ClientIpDetectionMode, compareClientIpDetection, DetectionComparison,
} from '../analysis/client-ip-detection';
import { explain, ExplainHop, ExplainPath } from '../analysis/explain';
import { ExternalTrafficPolicy, GatewayServiceType } from '../gateway-service';
import { IpBlock } from '../ip-block';
import { formatIpAddress, parseIpAddress } from '../private/ip';
import { failIfAny, isPlainObject, listProblem, mustBe, Problem, requireObject } from '../private/problems';
import { EdgeChain } from './edge-chain';
import { EdgeHop, HopLayer, SourcePreservation } from './edge-hop';
import { ProviderRanges } from './provider-ranges';

/** What trusted CIDRs and custom headers need to know about a preset hop. */
interface PresetFacts {
  /** The ranges the hop connects from, when shipped. */
  readonly ranges?: () => ProviderRanges;
  /** The ranges are the hop's source, but it also writes its own address (a frontend IP the user knows) into `X-Forwarded-For`. */
  readonly ownAddressFromUser?: boolean;
  /** The header the hop sets to the address it received the connection from. */
  readonly header?: string;
}


/** Keyed by the presets' names (`EdgeHop.name`). */
const PRESET_FACTS: Readonly<Record<string, PresetFacts>> = {
  // CF-Connecting-IP: "the client IP address connecting to Cloudflare" (peers.md [CF1]).
  'Cloudflare (proxied)': { ranges: ProviderRanges.cloudflare, header: 'cf-connecting-ip' },
  // X-Azure-SocketIP is the TCP peer Front Door saw; X-Azure-ClientIP may come from a client's
  // X-Forwarded-For ("the client IP can be arbitrarily overwritten by a user", Front Door headers page).
  'Azure Front Door': { header: 'x-azure-socketip' },
  // GCLB appends "<client-ip>,<load-balancer-ip>" (peers.md [G6]): its source is a Google Front End
  // address, its own entry the forwarding rule's address, which only the user knows.
  'Google Cloud Application LB': { ranges: ProviderRanges.googleFrontEnd, ownAddressFromUser: true },
};

/** Options of `EdgeChain`-based client-IP plans. */
export interface ClientIpPlanOptions {
  /**
   * Ranges for hops, by index in the chain: for a hop whose provider's list is not shipped
   * (CloudFront origin-facing, `AzureFrontDoor.Backend`), a load balancer's own addresses (an
   * ALB's subnets, a Google Cloud Application Load Balancer's forwarding-rule address), or a
   * fresher list. The simulation places the hop at the first address of its ranges.
   *
   * @default - the shipped snapshot of each preset hop that has one
   */
  readonly rangesByHop?: Readonly<Record<number, ProviderRanges>>;

  /**
   * Hops (by index, not the first) that clients cannot connect to directly, e.g. the load balancer
   * once `loadBalancerSourceRanges` admit only the hop in front.
   *
   * @default - none
   */
  readonly lockedHops?: readonly number[];

  /**
   * The gateway Service's `loadBalancerSourceRanges`. When the load balancer in front of the
   * gateway enforces them (a cloud firewall or security group; kube-proxy for MetalLB) and they lie
   * within the ranges of the hop in front of it, that load balancer counts as locked.
   *
   * @default - none: the load balancer admits every source
   */
  readonly loadBalancerSourceRanges?: readonly IpBlock[];
}

/** A chain prepared for comparing detections: the path with realistic addresses, and each mode's settings. */
export interface ClientIpPlan {
  /** The path, each hop at an address inside its ranges where they are known. */
  readonly path: ExplainPath;
  /** The CIDRs a trusted-CIDRs detection trusts: the ranges of every hop that has them. */
  readonly trustedCidrs: readonly string[];
  /** The client-IP header the front hop writes, when it writes one. */
  readonly header?: string;
  /** The hops that write a client-IP header, by index. */
  readonly headers: Readonly<Record<number, string>>;
  /** The detections to compare: hop count (the chain's), trusted CIDRs when any hop has ranges, the header when the front hop writes one. */
  readonly detections: readonly ClientIpDetection[];
  /** Hops whose address the next hop sees but whose ranges are not known (for trusted CIDRs, pass them in `rangesByHop`). */
  readonly hopsWithoutRanges: readonly string[];
}

/**
 * Prepares `chain` for `compareClientIpDetection`: places each hop inside its published (or given)
 * ranges, collects the CIDRs to trust and the header the front hop writes, and lists the three
 * detections.
 *
 * @throws SourceIpValidationError on a chain that is not an EdgeChain or malformed options
 */
export function clientIpPlan(chain: EdgeChain, options: ClientIpPlanOptions = {}): ClientIpPlan {
  requireObject('clientIpPlan', 'options', options, 'pass { rangesByHop, lockedHops, loadBalancerSourceRanges }, or nothing');
  failIfAny('clientIpPlan', [
    listProblem('lockedHops', options.lockedHops, 'write lockedHops: [1]'),
    ...(Array.isArray(options.lockedHops) ? options.lockedHops : []).map((k, i) => (typeof k === 'number' ? undefined
      : mustBe(`lockedHops[${i}]`, 'a hop index', k, 'write the index of the hop in the chain, e.g. 1'))),
    chain instanceof EdgeChain ? undefined : mustBe('chain', 'an EdgeChain', chain, 'pass EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough())'),
    ...rangesProblems(options.rangesByHop, chain instanceof EdgeChain ? chain.hops.length : 0),
    options.loadBalancerSourceRanges === undefined || (Array.isArray(options.loadBalancerSourceRanges) && listProblem('loadBalancerSourceRanges', options.loadBalancerSourceRanges, '') === undefined
      && options.loadBalancerSourceRanges.every((b) => b instanceof IpBlock))
      ? undefined : mustBe('loadBalancerSourceRanges', 'a list of IpBlock', options.loadBalancerSourceRanges, 'write ProviderRanges.cloudflare().blocks'),
  ]);
  const edge = chain.explainEdge();
  const trusted: IpBlock[] = [];
  const headers: Record<number, string> = {};
  const withoutRanges: string[] = [];
  const hops = edge.hops.map((hop, i): ExplainHop => {
    const facts = factsOf(chain.hops[i]);
    const given = options.rangesByHop?.[i];
    const shipped = facts.ranges?.();
    if (facts.header !== undefined) {
      headers[i] = facts.header;
    }
    trusted.push(...(shipped?.blocks ?? []), ...(given?.blocks ?? []));
    const placeIn = given ?? (facts.ownAddressFromUser ? undefined : shipped);
    if (placeIn === undefined) {
      // Only a hop whose own address reaches the next one (an HTTP proxy, or an L4 hop that replaces
      // the source without a PROXY header) needs ranges; a passthrough or PROXY hop is never seen.
      const seen = chain.hops[i].layer === HopLayer.L7 || (chain.hops[i].sourcePreservation === SourcePreservation.NEVER && chain.hops[i].proxyProtocol === undefined);
      if (seen) {
        withoutRanges.push(chain.hops[i].name);
      }
      return hop;
    }
    return { ...hop, address: firstAddress(placeIn) };
  });
  const trustedCidrs = unique(trusted.map(String));
  const header = headers[0];
  const detections: ClientIpDetection[] = [
    { mode: ClientIpDetectionMode.HOP_COUNT, numTrustedProxies: chain.gatewaySettings().numTrustedProxies },
    ...(trustedCidrs.length > 0 ? [{ mode: ClientIpDetectionMode.TRUSTED_CIDRS, trustedCidrs } as const] : []),
    ...(header !== undefined ? [{ mode: ClientIpDetectionMode.CUSTOM_HEADER, header, failClosed: true } as const] : []),
  ];
  const settings = chain.gatewaySettings();
  return {
    path: {
      ...edge,
      hops,
      gateway: {
        numTrustedProxies: settings.numTrustedProxies,
        proxyProtocol: settings.proxyProtocol,
        serviceType: chain.serviceType,
        ...(options.loadBalancerSourceRanges === undefined || options.loadBalancerSourceRanges.length === 0 ? {}
          : { loadBalancerSourceRanges: options.loadBalancerSourceRanges.map(String) }),
        ...(chain.serviceType === GatewayServiceType.CLUSTER_IP ? {} : {
          externalTrafficPolicy: settings.externalTrafficPolicy === 'Local' ? ExternalTrafficPolicy.LOCAL : ExternalTrafficPolicy.CLUSTER,
        }),
      },
    },
    trustedCidrs,
    ...(header === undefined ? {} : { header }),
    headers,
    detections,
    hopsWithoutRanges: withoutRanges,
  };
}

/**
 * Compares hop counts, trusted CIDRs and the front hop's client-IP header on `chain`, with Envoy's
 * rules, for the normal request and a forged one at every hop that is not locked.
 *
 * @throws SourceIpValidationError as `clientIpPlan` does
 */
export function compareClientIpDetectionOn(chain: EdgeChain, options: ClientIpPlanOptions = {}): DetectionComparison[] {
  const plan = clientIpPlan(chain, options);
  return compareClientIpDetection(plan.path, plan.detections, { headers: plan.headers, lockedHops: options.lockedHops ?? [] });
}

/**
 * Whether `loadBalancerSourceRanges` lock the load balancer in front of the gateway, as the
 * attacker model (`explain`) decides: that load balancer enforces them, and they lie within the
 * published ranges of the hop in front (or that hop publishes none, and they are taken as its).
 */
export function sourceRangesLock(chain: EdgeChain, loadBalancerSourceRanges: readonly IpBlock[] | undefined,
  rangesByHop?: Readonly<Record<number, ProviderRanges>>): boolean {
  const last = chain.hops.length - 1;
  if (last < 1 || loadBalancerSourceRanges === undefined || loadBalancerSourceRanges.length === 0) {
    return false;
  }
  const plan = clientIpPlan(chain, { loadBalancerSourceRanges, ...(rangesByHop === undefined ? {} : { rangesByHop }) });
  const entry = explain(plan.path).entryPoints.find((e) => e.hopIndex === last);
  return entry !== undefined && !entry.reachable && /loadBalancerSourceRanges/.test(entry.lockedDown ?? '');
}

/** The ranges of the hop in front of the gateway's load balancer: given, or shipped. */
function frontRangesOf(chain: EdgeChain, rangesByHop?: Readonly<Record<number, ProviderRanges>>): ProviderRanges | undefined {
  const index = chain.hops.length - 2;
  if (index < 0) {
    return undefined;
  }
  const hop = chain.hops[index];
  return rangesByHop?.[index] ?? factsOf(hop).ranges?.()
    ?? (hop.sourceRanges.length === 0 ? undefined : ProviderRanges.custom(hop.name, hop.sourceRanges, hop.source));
}

/** What to run on a chain: the comparison, and the choice. */
export interface ClientIpRecommendation {
  /** Every detection, with no hop locked. */
  readonly comparisons: readonly DetectionComparison[];
  /**
   * The front hop's ranges, as `loadBalancerSourceRanges` for the gateway Service, when they lock the
   * load balancer in front of the gateway (it enforces them, and the hop in front publishes ranges).
   */
  readonly loadBalancerSourceRanges?: readonly IpBlock[];
  /** Every detection with that load balancer locked, when it can be. */
  readonly withLock?: readonly DetectionComparison[];
  /**
   * The choice: hop count with the load balancer locked when that is sound (what an Istio 1.30
   * gateway can run), else the first sound detection without a lock (trusted CIDRs, then the
   * header), else the first sound one with the lock; `undefined` when nothing is sound.
   */
  readonly chosen?: DetectionComparison;
  /** Whether `chosen` needs `loadBalancerSourceRanges`. */
  readonly needsLock: boolean;
}

/**
 * Compares the detections on `chain` with and without locking the load balancer in front of the
 * gateway to the front hop's ranges, and picks one (see `ClientIpRecommendation.chosen`).
 *
 * @throws SourceIpValidationError as `clientIpPlan` does
 */
export function recommendClientIpDetection(chain: EdgeChain, options: ClientIpPlanOptions = {}): ClientIpRecommendation {
  clientIpPlan(chain, options); // checks the arguments, every problem at once
  const compare = (extra: ClientIpPlanOptions) => compareClientIpDetectionOn(chain, { ...options, ...extra });
  const comparisons = compare({});
  const frontRanges = frontRangesOf(chain, options.rangesByHop);
  const alreadyLocked = sourceRangesLock(chain, options.loadBalancerSourceRanges, options.rangesByHop);
  const lockable = frontRanges !== undefined && chain.hops.length >= 2 && chain.gatewayHop.enforcesLoadBalancerSourceRanges && !alreadyLocked
    && !(options.lockedHops ?? []).includes(chain.hops.length - 1);
  const withLock = lockable ? compare({ loadBalancerSourceRanges: frontRanges.blocks }) : undefined;
  const hopCountLocked = withLock?.find((c) => c.detection.mode === ClientIpDetectionMode.HOP_COUNT && c.sound);
  const hopCountAlready = comparisons.find((c) => c.detection.mode === ClientIpDetectionMode.HOP_COUNT && c.sound);
  const chosen = hopCountAlready ?? hopCountLocked ?? comparisons.find((c) => c.sound) ?? withLock?.find((c) => c.sound);
  const needsLock = chosen !== undefined && withLock?.includes(chosen) === true;
  return {
    comparisons,
    ...(lockable ? { loadBalancerSourceRanges: frontRanges.blocks, withLock } : {}),
    ...(chosen === undefined ? {} : { chosen }),
    needsLock,
  };
}

function factsOf(hop: EdgeHop): PresetFacts {
  return PRESET_FACTS[hop.name] ?? {};
}

/** The first host of the first IPv4 range (the network address itself for a /31, /32, /127 or /128), else of the first range. */
function firstAddress(ranges: ProviderRanges): string {
  const block = ranges.blocks.find((b) => b.family === 4) ?? ranges.blocks[0];
  const parsed = parseIpAddress(block.toString().split('/')[0]);
  if (!parsed.ok) {
    throw new Error(`clientIpPlan: ${block} has no address part`); // cannot happen: IpBlock holds a canonical CIDR
  }
  const bytes = [...parsed.value.bytes];
  if (block.prefixLength < bytes.length * 8 - 1) {
    bytes[bytes.length - 1] += 1; // the network address has host bits 0, so the last byte cannot overflow
  }
  return formatIpAddress({ family: parsed.value.family, bytes });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function rangesProblems(rangesByHop: Readonly<Record<number, ProviderRanges>> | undefined, hopCount: number): Problem[] {
  if (rangesByHop === undefined) {
    return [];
  }
  if (!isPlainObject(rangesByHop)) {
    return [mustBe('rangesByHop', 'a map from hop index to ProviderRanges', rangesByHop, 'write { 1: ProviderRanges.custom("my ALB", IpBlock.ofAll(["10.0.0.0/16"])) }')];
  }
  return Object.entries(rangesByHop).map(([k, v]) => (/^[0-9]+$/.test(k) && Number(k) < hopCount && v instanceof ProviderRanges ? undefined
    : mustBe(`rangesByHop[${k}]`, `ProviderRanges for a hop index below ${hopCount}`, v, 'use ProviderRanges.custom(...) and the hop\'s index in the chain')));
}

/** One row group of the README's detection table: a chain, and what to pass for it. */
interface TableCase {
  readonly chain: EdgeChain;
  readonly title: string;
  readonly options: ClientIpPlanOptions;
}

function tableCases(): TableCase[] {
  const frontDoorRanges = ProviderRanges.custom('AzureFrontDoor.Backend (given)', [IpBlock.of('192.0.2.1/32')]);
  return [
    {
      title: 'Cloudflare → GKE passthrough NLB',
      chain: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()),
      options: {},
    },
    {
      title: 'Cloudflare → GKE passthrough NLB, `loadBalancerSourceRanges` = Cloudflare\'s ranges',
      chain: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()),
      options: { loadBalancerSourceRanges: ProviderRanges.cloudflare().blocks },
    },
    {
      title: 'Cloudflare → Google Cloud Application LB (its forwarding rule 203.0.113.10 given)',
      chain: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.googleCloudApplicationLoadBalancer()),
      options: { rangesByHop: { 1: ProviderRanges.custom('forwarding rule', [IpBlock.of('203.0.113.10')]) } },
    },
    {
      title: 'Azure Front Door → Azure Standard LB (Front Door\'s ranges given)',
      chain: EdgeChain.of(EdgeHop.azureFrontDoor(), EdgeHop.azureLoadBalancer()),
      options: { rangesByHop: { 0: frontDoorRanges } },
    },
  ];
}

function cellFor(outcome: { readonly trustedAddress: string | null; readonly refusal: string | null }, client: string, forged: string): string {
  if (outcome.trustedAddress === null) {
    return 'refused';
  }
  if (outcome.trustedAddress === client) {
    return `${outcome.trustedAddress} (the client)`;
  }
  return outcome.trustedAddress === forged ? `**${outcome.trustedAddress} (forged)**` : `${outcome.trustedAddress} (a proxy)`;
}

/**
 * The README's table of hop counts vs. trusted CIDRs vs. custom headers, rendered from the
 * simulator: per path and detection, the address the gateway trusts for the normal request and
 * for a forged one sent to the load balancer directly, and whether an Istio 1.30 gateway can run it.
 */
export function renderClientIpDetectionTable(): string {
  const header = '| Path | Detection | Istio 1.30 gateway | Normal request | Forged, sent to the load balancer directly | Sound |\n|---|---|---|---|---|---|\n';
  const rows = tableCases().flatMap(({ chain, title, options }) => {
    const plan = clientIpPlan(chain, options);
    const client = plan.path.client ?? '203.0.113.7';
    const forged = plan.path.forgedAddress ?? '198.51.100.66';
    return compareClientIpDetectionOn(chain, options).map((result) => {
      const bypass = result.forged.find((o) => o.hopIndex === chain.hops.length - 1);
      return `| ${title} | ${describeDetectionCell(result.detection)} | ${result.istio.supported ? 'yes' : 'no'} | ${cellFor(result.normal, client, forged)} | `
        + `${bypass === undefined ? 'locked: not reachable' : cellFor(bypass, client, forged)} | ${result.sound ? 'yes' : 'no'} |`;
    });
  });
  return `${header}${rows.join('\n')}\n`;
}

function describeDetectionCell(detection: ClientIpDetection): string {
  switch (detection.mode) {
    case ClientIpDetectionMode.HOP_COUNT:
      return `hop count (\`numTrustedProxies: ${detection.numTrustedProxies}\`)`;
    case ClientIpDetectionMode.TRUSTED_CIDRS:
      return `trusted CIDRs (${detection.trustedCidrs.length})`;
    default:
      return `header \`${detection.header}\`${detection.failClosed === true ? ', fail closed' : ''}`;
  }
}
