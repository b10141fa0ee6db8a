/**
 * Walks one request from a client through the hops in front of an Istio ingress gateway, the
 * gateway, and an application sidecar, and reports what each layer sees of the client's address.
 *
 * Pure: no cdk8s, no I/O. Every Envoy decision is made by `simulateEnvoyXff`; this module only
 * decides what reaches each Envoy (TCP peer, PROXY header, headers). Facts come from
 * `../shared/research/envoy-xff.md` (§2, §6), `istio.md` (§2, §3, §4a) and `peers.md` (table (a),
 * "Worked hop counts"); comments cite them.
 */
import { ExternalTrafficPolicy, GatewayServiceType } from '../gateway-service';
// A type-only import: the enum's module loads cdk8s, and this one stays free of it. Modes are
// compared by their wire values ('REDIRECT', 'TPROXY', 'NONE') below.
import type { InterceptionMode } from '../mesh/interception-mode';
import { AddressSet } from '../private/address-set';
import { firstHole, failIfAny, isPlainObject, mustBe, oneOf, Problem, show, wholeNumber } from '../private/problems';
import { formatIpAddress, formatIpPrefix, IpAddress, maskPrefix, parseIpAddress, parseIpPrefix } from '../private/ip';
import { SourcePreservation } from '../edge/edge-hop';
import { simulateEnvoyXff } from './envoy-xff';

/**
 * How a hop in front of the gateway handles a request.
 *
 * Only L7 hops append to `X-Forwarded-For`; L4 hops count 0 towards `numTrustedProxies`.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export enum ExplainHopKind {
  /**
   * Terminates HTTP (a CDN, an application load balancer): the next layer's TCP peer is the hop's
   * own address, and the hop may append entries to `X-Forwarded-For`.
   */
  L7 = 'l7',
  /**
   * Handles TCP or packets only (a network load balancer, MetalLB): headers pass untouched, and
   * the hop may prepend a PROXY protocol header.
   */
  L4 = 'l4',
}

/**
 * Who can reach a hop directly, skipping the hops in front of it. Edge presets fill it in.
 *
 * The checks assume an attacker on the internet connects to every hop they can reach, with
 * headers of any length; a hop is such an entry point unless it says how it is locked down.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface ExplainHopExposure {
  /**
   * What keeps clients from connecting to this hop directly, in one sentence (an internal load
   * balancer, a firewall that admits only the hop in front). Ignored for the first hop, which
   * every client reaches.
   *
   * @default - nothing: clients on the internet can connect to the hop directly
   */
  readonly lockedDown?: string;

  /**
   * The ranges the hop connects to the next layer from, as its provider publishes them (CIDRs).
   * The gateway's `loadBalancerSourceRanges` lock the next hop down when they lie within them.
   *
   * @default - none published
   */
  readonly sourceRanges?: readonly string[];

  /**
   * Whether the gateway's `loadBalancerSourceRanges` restrict who reaches this hop, when it is the
   * last one (the gateway Service's own load balancer).
   *
   * @default false
   */
  readonly enforcesLoadBalancerSourceRanges?: boolean;

  /**
   * How to let only the hop in front reach this one, for the fix of a bypass finding.
   *
   * @default - 'admit only the hop in front of it (a firewall or security group on it)'
   */
  readonly lockDownHint?: string;
}

/**
 * An HTTP proxy in front of the gateway: a CDN or an application load balancer.
 *
 * Example: `{ kind: ExplainHopKind.L7, name: 'Google Cloud Application LB', appendsXff: 2 }`
 * (GCLB appends the client and its own address, peers.md table (a)).
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
 */
export interface ExplainL7Hop extends ExplainHopExposure {
  /** Always `ExplainHopKind.L7`. */
  readonly kind: ExplainHopKind.L7;

  /** A short name for reports, e.g. `Cloudflare`. */
  readonly name: string;

  /**
   * The address the hop connects to the next layer from, and writes for itself in
   * `X-Forwarded-For`.
   *
   * @default - `192.0.2.<n>` for the nth hop (documentation range, RFC 5737)
   */
  readonly address?: string;

  /**
   * How many entries the hop appends to `X-Forwarded-For`: the first is the address it received
   * the connection from, any further ones are its own `address` (GCLB appends 2:
   * `<client>,<load balancer>`). 0 leaves the header as it came.
   */
  readonly appendsXff: number;

  /**
   * Whether the hop writes the entry it appends as `ip:port` (AWS ALB with
   * `routing.http.xff_client_port.enabled`, Azure Application Gateway), which Envoy cannot parse.
   *
   * @default false
   */
  readonly writesPort?: boolean;
}

/**
 * A TCP or packet load balancer in front of the gateway.
 *
 * Example: `{ kind: ExplainHopKind.L4, name: 'AWS NLB', proxyProtocol: true, sourcePreservation: SourcePreservation.NEVER }`.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/listeners/listener_filters/proxy_protocol
 */
export interface ExplainL4Hop extends ExplainHopExposure {
  /** Always `ExplainHopKind.L4`. */
  readonly kind: ExplainHopKind.L4;

  /** A short name for reports, e.g. `AWS NLB (PROXY v2)`. */
  readonly name: string;

  /**
   * The hop's own address, the source of its packets when it does not keep the source.
   *
   * @default - `192.0.2.<n>` for the nth hop (documentation range, RFC 5737)
   */
  readonly address?: string;

  /**
   * Whether the hop prepends a PROXY protocol header carrying the address it received the
   * connection from. Only the hop directly in front of the gateway can send one.
   */
  readonly proxyProtocol: boolean;

  /** Whether the hop's packets keep the source address they arrived with. */
  readonly sourcePreservation: SourcePreservation;

  /**
   * Whether the hop sends straight to pod IPs (AWS NLB ip targets) rather than to node ports, so
   * no node rewrites the source whatever `externalTrafficPolicy` says.
   *
   * @default - true when `sourcePreservation` is ALWAYS, false otherwise
   */
  readonly deliversToPods?: boolean;
}

/**
 * One hop between the client and the gateway: `ExplainL7Hop` or `ExplainL4Hop`, told apart by `kind`.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export type ExplainHop = ExplainL7Hop | ExplainL4Hop;

/**
 * The ingress gateway's settings that decide the client address.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface ExplainGateway {
  /**
   * A name for reports.
   *
   * @default 'ingress gateway'
   */
  readonly name?: string;

  /** `gatewayTopology.numTrustedProxies` (Envoy `xff_num_trusted_hops`). */
  readonly numTrustedProxies: number;

  /** Whether `gatewayTopology.proxyProtocol` is set, so every connection must start with a PROXY header. */
  readonly proxyProtocol: boolean;

  /**
   * `externalTrafficPolicy` of the gateway Service. With `Cluster`, the node replaces the source
   * of packets that come through a node port (no hop, or an L4 hop that does not deliver to pod IPs).
   *
   * @default - none (a ClusterIP Service: traffic reaches the gateway pods directly)
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /**
   * The gateway pod's address.
   *
   * @default '192.0.2.200'
   */
  readonly address?: string;

  /**
   * The node address that replaces the source with `externalTrafficPolicy: Cluster`.
   *
   * @default '192.0.2.100'
   */
  readonly nodeAddress?: string;

  /**
   * The gateway Service's type. A `NodePort` Service's node ports are an entry point of their
   * own: a client that connects to them skips every hop.
   *
   * @default - not known: the node ports are not taken to be an entry point
   */
  readonly serviceType?: GatewayServiceType;

  /**
   * The gateway Service's `loadBalancerSourceRanges` (CIDRs). They lock the last hop down (when it
   * enforces them) if they lie within the ranges the hop in front of it publishes.
   *
   * @default - none: the Service's load balancer admits every source
   */
  readonly loadBalancerSourceRanges?: readonly string[];
}

/**
 * The application behind the gateway, with its Istio sidecar.
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarInterceptionMode
 */
export interface ExplainApp {
  /**
   * A name for reports.
   *
   * @default 'app'
   */
  readonly name?: string;

  /**
   * How the sidecar captures inbound traffic. `REDIRECT`: the app's TCP peer is the sidecar's
   * `127.0.0.6`. `TPROXY`: the app sees the gateway pod's address. `NONE`: the sidecar does not
   * capture inbound traffic and the app receives the gateway's connection itself.
   *
   * @default InterceptionMode.REDIRECT (Istio's default)
   */
  readonly interceptionMode?: InterceptionMode;
}

/**
 * What sits in front of the gateway and behind it: everything about a request's path except the
 * gateway's own settings. Edge presets produce this.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface ExplainEdge {
  /**
   * The client's address.
   *
   * @default '203.0.113.7' (documentation range, RFC 5737)
   */
  readonly client?: string;

  /**
   * The address a client forges in `X-Forwarded-For` and `x-envoy-external-address` in the
   * spoofed run.
   *
   * @default '198.51.100.66' (documentation range, RFC 5737)
   */
  readonly forgedAddress?: string;

  /** The hops from the client inwards; the last one sits directly in front of the gateway. */
  readonly hops: readonly ExplainHop[];

  /**
   * The application behind the gateway.
   *
   * @default - an app named `app` with REDIRECT interception
   */
  readonly app?: ExplainApp;

  /**
   * Whether these hops were guessed from the gateway's settings rather than described; reports
   * then ask for the real path.
   *
   * @default false
   */
  readonly assumed?: boolean;
}

/**
 * One request's whole path: the client, the hops in front of the gateway, the gateway's
 * settings, and the application behind it. `explain` takes it; `assumedPathFor` and
 * `explainPathFor` build it from a gateway construct.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface ExplainPath extends ExplainEdge {
  /** The ingress gateway's settings. */
  readonly gateway: ExplainGateway;
}

/**
 * What a layer of the path is.
 *
 * Istio policies apply at the gateway and the sidecar only.
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 */
export enum ExplainLayerRole {
  /** Where the request starts. */
  CLIENT = 'client',
  /** A hop in front of the gateway. */
  HOP = 'hop',
  /** The ingress gateway's Envoy (`use_remote_address: true`). */
  GATEWAY = 'gateway',
  /** The application's sidecar Envoy (`use_remote_address: false`). */
  SIDECAR = 'sidecar',
  /** The application container. */
  APP = 'app',
}

/**
 * The request as one layer receives it, and what Istio policies at that layer see.
 *
 * The client's row holds what the client sends. `null` means absent (a header) or not
 * applicable (a policy column where no Istio proxy runs, or a refused connection).
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/rbac/v3/rbac.proto
 */
export interface ExplainLayer {
  /** What the layer is. */
  readonly role: ExplainLayerRole;

  /** The layer's name, e.g. `Cloudflare` or `ingress gateway`. */
  readonly name: string;

  /** Source address of the TCP connection the layer accepts (`null` for the client). */
  readonly tcpPeer: string | null;

  /** Source address in the PROXY protocol header the layer receives, or `null` when none arrives. */
  readonly proxyProtocolSource: string | null;

  /** `X-Forwarded-For` as received (the client's row: as sent), or `null` when absent. */
  readonly xff: string | null;

  /** `x-envoy-external-address` as received (the client's row: as sent), or `null` when absent. */
  readonly externalAddress: string | null;

  /** The address AuthorizationPolicy `ipBlocks` matches here (Envoy `direct_remote_ip`: the physical TCP peer). */
  readonly ipBlocks: string | null;

  /** The address AuthorizationPolicy `remoteIpBlocks` matches here (Envoy `remote_ip`: the trusted client address). */
  readonly remoteIpBlocks: string | null;

  /** The address a DestinationRule `consistentHash.useSourceIp` hashes when this proxy picks the next endpoint. */
  readonly sourceIpHash: string | null;
}

/**
 * One request walked through the path.
 *
 * The layers stop at the gateway when it refuses the connection.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
 */
export interface ExplainRun {
  /** Client, hops, gateway, then (when the gateway accepts the connection) sidecar and app. */
  readonly layers: readonly ExplainLayer[];

  /** The address the gateway trusts as the client (`remoteIpBlocks`), or `null` when it refuses the connection. */
  readonly trustedAddress: string | null;

  /** Why the gateway refuses the connection, or `null` when the request reaches the app. */
  readonly refusal: string | null;
}

/**
 * One place a client can connect to: the first hop (the front door), a later hop it can reach
 * directly, or the gateway's node ports.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface ExplainEntryPoint {
  /** Index of the hop the client connects to; the number of hops for the gateway's node ports. */
  readonly hopIndex: number;

  /** The hop's name, or the gateway's name followed by `node ports`. */
  readonly name: string;

  /** Whether a client on the internet can connect here directly. */
  readonly reachable: boolean;

  /** What keeps clients from connecting here directly, or `null` when nothing does. */
  readonly lockedDown: string | null;

  /** How many `X-Forwarded-For` entries the hops from here to the gateway append. */
  readonly entriesAppended: number;

  /**
   * How many forged `X-Forwarded-For` entries a client sends here to choose the trusted address:
   * `numTrustedProxies` minus `entriesAppended`, at least 1. Any number can be sent.
   */
  readonly forgedEntries: number;

  /**
   * Whether a client connecting here makes the gateway trust an address it chose. Decided by
   * counting (the gateway trusts the Nth entry from the right, so any N above `entriesAppended`
   * reaches a forged entry; a forged PROXY header at PROXY-protocol node ports), for any N and
   * any header length, and always false for an entry point that is not reachable.
   */
  readonly spoofable: boolean;

  /**
   * The forged request sent here, walked through the rest of the path, or `null` for an entry
   * point that is not reachable. It carries at most 64 forged entries; when more are needed, the
   * gateway is simulated trusting as many fewer hops, which selects the same (forged) entry.
   */
  readonly run: ExplainRun | null;
}

/**
 * Stable ids of explain findings; they never change meaning.
 *
 * Suitable as warning ids (`Warnings.add(id, message)`).
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export enum ExplainFindingId {
  /** A client can choose the address the gateway trusts by forging `X-Forwarded-For`. */
  XFF_SPOOFABLE = 'xff-spoofable',
  /** For a normal request the gateway trusts a proxy's, load balancer's or node's address instead of the client's. */
  TRUSTS_PROXY_ADDRESS = 'trusts-proxy-address',
  /** The gateway and the hop in front disagree about PROXY protocol, so every connection fails. */
  PROXY_PROTOCOL_MISMATCH = 'proxy-protocol-mismatch',
  /**
   * A client that connects to a later hop (or the gateway's node ports) directly, skipping the
   * hops in front of it, can choose the address the gateway trusts.
   */
  XFF_SPOOFABLE_BY_BYPASS = 'xff-spoofable-by-bypass',
}

/**
 * A problem `explain` found on a path.
 *
 * The message names the addresses and settings involved; the fix is the smallest change to the
 * gateway or the hops that makes the path right.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface ExplainFinding {
  /** Stable id, e.g. `xff-spoofable`. */
  readonly id: ExplainFindingId;
  /** What is wrong, with the addresses and settings involved. */
  readonly message: string;
  /** One line: what to change. */
  readonly fix: string;
  /**
   * What the finding is about, when a path can have several findings of this id (the entry
   * point, for `xff-spoofable-by-bypass`); a warning made from the finding carries it.
   *
   * @default - the path as a whole
   */
  readonly subject?: string;
}

/**
 * Everything `explain` found out about a path.
 *
 * Two runs (normal and spoofed), the verdicts drawn from them, and the findings.
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 */
export interface ExplainResult {
  /** The path as explained, with every default filled in and addresses in canonical form. */
  readonly path: ExplainPath;

  /** Whether the hops were assumed from the gateway's settings rather than described. */
  readonly assumed: boolean;

  /** A request as a well-behaved client sends it: no `X-Forwarded-For`, no `x-envoy-external-address`. */
  readonly normal: ExplainRun;

  /**
   * The same request with a forged `X-Forwarded-For` (the forged address, repeated as often as
   * `numTrustedProxies` exceeds the entries the hops append, at least once; at most 64 copies are
   * shown, see `ExplainEntryPoint.run`) and a forged `x-envoy-external-address`.
   */
  readonly spoofed: ExplainRun;

  /**
   * Whether a client that goes through every hop chooses the address the gateway trusts, with a
   * forged `X-Forwarded-For` of any length (the `spoofed` run shows it).
   */
  readonly spoofable: boolean;

  /**
   * Every place a client can connect to, from the first hop inwards, each with its verdict and
   * (when reachable) its forged request.
   */
  readonly entryPoints: readonly ExplainEntryPoint[];

  /** Whether a client that connects to a later hop (or the node ports) directly chooses the trusted address. */
  readonly bypassable: boolean;

  /** Whether the gateway trusts an address other than the client's in the normal run. */
  readonly trustsProxyAddress: boolean;

  /** Whether `ipBlocks` at the gateway sees the client's address in the normal run. */
  readonly ipBlocksSeesClient: boolean;

  /** Whether `remoteIpBlocks` at the gateway sees the client's address in the normal run. */
  readonly remoteIpBlocksSeesClient: boolean;

  /** Problems found, in the order of `ExplainFindingId`; empty when the path is right. */
  readonly findings: readonly ExplainFinding[];
}

/** Default addresses, all from the documentation ranges of RFC 5737. */
const DEFAULT_CLIENT = '203.0.113.7';
const DEFAULT_FORGED = '198.51.100.66';
const DEFAULT_NODE = '192.0.2.100';
const DEFAULT_GATEWAY = '192.0.2.200';

/**
 * The source address of the sidecar's connections to the app in REDIRECT mode: Istio binds its
 * inbound clusters to `InboundPassthroughBindIpv4` (`::6` on IPv6-only pods), so iptables can tell
 * them from the app's own traffic (istio/istio `pilot/pkg/networking/core/cluster_builder.go`,
 * `buildInboundPassthroughCluster`; constant in `pilot/pkg/networking/util/util.go`).
 */
const INBOUND_PASSTHROUGH_BIND_IPV4 = '127.0.0.6';
const INBOUND_PASSTHROUGH_BIND_IPV6 = '::6';

/** The source port shown when a hop writes `ip:port` into `X-Forwarded-For`. */
const EXAMPLE_SOURCE_PORT = 51234;

/** The most forged `X-Forwarded-For` entries a simulated forged request carries (see `ExplainEntryPoint.run`). */
const MAX_FORGED_ENTRIES = 64;

/** The most hops a path may have (their default addresses are 192.0.2.1 to 192.0.2.64). */
const MAX_HOPS = 64;

/**
 * Walks a normal and a spoofed request through `path` and reports what each layer sees of the
 * client's address, and whether a client can choose the address the gateway trusts.
 *
 * The model, layer by layer:
 *
 * - An L7 hop terminates HTTP: the next layer's TCP peer is the hop's address, and it appends
 *   `appendsXff` entries (the peer it saw, then its own address).
 * - An L4 hop passes headers untouched. Its packets keep their source per `sourcePreservation`;
 *   with PROXY protocol it prepends a header whose source is the address it received the
 *   connection from.
 * - With `externalTrafficPolicy: Cluster`, a connection entering through a node port gets the
 *   node's address as its source (SNAT). An L7 hop in front of the gateway is taken to send to
 *   pod IPs directly (NEG, ALB ip targets).
 * - The gateway's Envoy runs with `use_remote_address: true`, `xff_num_trusted_hops =
 *   numTrustedProxies`, no internal addresses (Istio 1.30 without MeshNetworks), and the PROXY
 *   header's source as the peer when `proxyProtocol` is set. `ipBlocks` sees the physical TCP peer;
 *   `remoteIpBlocks` and a `useSourceIp` hash toward the app see the trusted address.
 * - The sidecar runs with `use_remote_address: false` and 0 trusted hops: `remoteIpBlocks` there
 *   sees the rightmost `X-Forwarded-For` entry. The app's TCP peer is `127.0.0.6` with REDIRECT
 *   and the gateway pod with TPROXY (`original_src`).
 *
 * The spoofed run sends the forged address in both headers. The path is `spoofable` when the
 * gateway then trusts the forged address, and `trustsProxyAddress` when, for a normal request, it
 * trusts anything but the client. Each finding carries a fix found by trying the smallest change
 * to `numTrustedProxies`, `externalTrafficPolicy`, PROXY protocol and ports in XFF entries that
 * makes the path right.
 *
 * @throws SourceIpValidationError listing every problem with `path` (an address that is not an
 *   IP, two layers sharing an address, PROXY protocol on a hop that is not the last, ...)
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/#ip-based-allow-list-and-deny-list
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/rbac/v3/rbac.proto
 */
export function explain(path: ExplainPath): ExplainResult {
  const resolved = resolvePath(path);
  const analysis = analyze(resolved);
  const findings: ExplainFinding[] = [];
  if (analysis.normal.refusal !== null) {
    findings.push(proxyProtocolFinding(resolved));
  } else {
    const fix = analysis.spoofable || analysis.trustsProxyAddress ? suggestFix(resolved) : '';
    if (analysis.spoofable) {
      findings.push({ id: ExplainFindingId.XFF_SPOOFABLE, message: spoofableMessage(resolved), fix });
    }
    if (analysis.trustsProxyAddress) {
      findings.push({
        id: ExplainFindingId.TRUSTS_PROXY_ADDRESS,
        message: trustsProxyMessage(resolved, analysis.normal.trustedAddress ?? ''),
        fix,
      });
    }
    for (const entry of analysis.entryPoints) {
      if (entry.spoofable && entry.hopIndex > 0) {
        findings.push(bypassFinding(resolved, entry));
      }
    }
  }
  const gatewayLayer = analysis.normal.layers.find((layer) => layer.role === ExplainLayerRole.GATEWAY);
  return {
    path: toPublicPath(resolved),
    assumed: resolved.assumed,
    normal: analysis.normal,
    spoofed: analysis.spoofed,
    spoofable: analysis.spoofable,
    entryPoints: analysis.entryPoints,
    bypassable: analysis.entryPoints.some((entry) => entry.spoofable && entry.hopIndex > 0),
    trustsProxyAddress: analysis.trustsProxyAddress,
    ipBlocksSeesClient: gatewayLayer?.ipBlocks === resolved.client,
    remoteIpBlocksSeesClient: gatewayLayer?.remoteIpBlocks === resolved.client,
    findings,
  };
}

/** A hop with every default filled in. */
interface ResolvedHop {
  readonly kind: ExplainHopKind;
  readonly name: string;
  readonly address: string;
  readonly appendsXff: number;
  readonly writesPort: boolean;
  readonly proxyProtocol: boolean;
  readonly sourcePreservation: SourcePreservation;
  readonly deliversToPods: boolean;
  readonly lockedDown?: string;
  readonly sourceRanges: readonly string[];
  readonly enforcesLoadBalancerSourceRanges: boolean;
  readonly lockDownHint?: string;
}

/** A path with every default filled in and every address canonical. */
interface ResolvedPath {
  readonly client: string;
  readonly forged: string;
  readonly hops: readonly ResolvedHop[];
  readonly gatewayName: string;
  readonly numTrustedProxies: number;
  readonly proxyProtocol: boolean;
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  readonly gatewayAddress: string;
  readonly nodeAddress: string;
  readonly serviceType?: GatewayServiceType;
  readonly loadBalancerSourceRanges: readonly string[];
  readonly appName: string;
  readonly interceptionMode: InterceptionMode;
  readonly assumed: boolean;
}

interface Analysis {
  readonly normal: ExplainRun;
  readonly spoofed: ExplainRun;
  readonly spoofable: boolean;
  readonly trustsProxyAddress: boolean;
  readonly entryPoints: readonly ExplainEntryPoint[];
}

/** Checks the input, reporting every problem at once, and fills in the defaults. */
function resolvePath(path: ExplainPath): ResolvedPath {
  const problems: Problem[] = [];
  const address = (prop: string, value: string | undefined, fallback: string): string => {
    const text = value ?? fallback;
    const parsed = typeof text === 'string' ? parseIpAddress(text) : undefined;
    if (parsed === undefined || !parsed.ok || parsed.value.zone !== undefined) {
      problems.push(mustBe(prop, 'an IP address without port or zone, e.g. "203.0.113.7" or "2001:db8::7"', text,
        'use an address from a documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) or the real one'));
      return show(text);
    }
    return canonical(parsed.value);
  };

  if (!isPlainObject(path)) {
    failIfAny('explain', [mustBe('path', 'an object { hops, gateway, ... }', path, 'pass the path, e.g. explainPathFor(gateway, { hops: [...] })')]);
  }
  const hopsOk = Array.isArray(path.hops) && firstHole(path.hops) === undefined && path.hops.length <= MAX_HOPS;
  const hopsInput = hopsOk ? path.hops : [];
  if (!hopsOk) {
    problems.push(mustBe('hops', `a list of at most ${MAX_HOPS} hops without holes (empty when clients connect to the gateway directly)`, path.hops,
      'pass the hops from the client inwards, e.g. [{ kind: ExplainHopKind.L7, name: "CDN", appendsXff: 1 }]'));
  }
  const client = address('client', path?.client, DEFAULT_CLIENT);
  const forged = address('forgedAddress', path?.forgedAddress, DEFAULT_FORGED);
  const hops: ResolvedHop[] = hopsInput.map((hop, i) => {
    const prop = `hops[${i}]`;
    if (!isPlainObject(hop)) {
      problems.push(mustBe(prop, 'a hop object', hop, 'write { kind: ExplainHopKind.L7, name: "CDN", appendsXff: 1 }'));
      return {
        kind: ExplainHopKind.L7, name: '', address: `192.0.2.${i + 1}`, appendsXff: 0, writesPort: false, proxyProtocol: false,
        sourcePreservation: SourcePreservation.NEVER, deliversToPods: true, sourceRanges: [], enforcesLoadBalancerSourceRanges: false,
      };
    }
    problems.push(hop.kind === undefined ? mustBe(`${prop}.kind`, 'set', undefined, 'use ExplainHopKind.L7 or ExplainHopKind.L4')
      : oneOf(`${prop}.kind`, hop.kind, ExplainHopKind, 'use ExplainHopKind.L7 or ExplainHopKind.L4'));
    const exposure = resolveExposure(prop, hop, problems);
    if (typeof hop?.name !== 'string' || hop.name.trim() === '') {
      problems.push(mustBe(`${prop}.name`, 'a non-empty name', hop?.name, 'name the hop for the report, e.g. "Cloudflare"'));
    }
    const hopAddress = address(`${prop}.address`, hop?.address, `192.0.2.${i + 1}`);
    const name = typeof hop?.name === 'string' ? hop.name : '';
    if (hop?.kind === ExplainHopKind.L4) {
      if (typeof hop.proxyProtocol !== 'boolean') {
        problems.push(mustBe(`${prop}.proxyProtocol`, 'true or false', hop.proxyProtocol, 'say whether the hop sends a PROXY protocol header'));
      }
      problems.push(hop.sourcePreservation === undefined
        ? mustBe(`${prop}.sourcePreservation`, 'set', undefined, 'use an SourcePreservation member')
        : oneOf(`${prop}.sourcePreservation`, hop.sourcePreservation, SourcePreservation, 'use an SourcePreservation member'));
      if (hop.deliversToPods !== undefined && typeof hop.deliversToPods !== 'boolean') {
        problems.push(mustBe(`${prop}.deliversToPods`, 'true or false', hop.deliversToPods, 'say whether the hop sends straight to pod IPs'));
      }
      if (hop.proxyProtocol === true && i !== hopsInput.length - 1) {
        problems.push(mustBe(`${prop}.proxyProtocol`, 'false on a hop that is not directly in front of the gateway', true,
          `only the last hop can send a PROXY header to the gateway; turn it off on ${JSON.stringify(name)}, or describe the hops after it`));
      }
      return {
        kind: ExplainHopKind.L4, name, address: hopAddress, appendsXff: 0, writesPort: false,
        proxyProtocol: hop.proxyProtocol === true, sourcePreservation: hop.sourcePreservation,
        deliversToPods: hop.deliversToPods ?? hop.sourcePreservation === SourcePreservation.ALWAYS, ...exposure,
      };
    }
    const l7 = hop as ExplainL7Hop;
    problems.push(l7?.appendsXff === undefined
      ? mustBe(`${prop}.appendsXff`, 'set', undefined, 'count the X-Forwarded-For entries the hop appends (1 for most proxies, 2 for GCLB)')
      : wholeNumber(`${prop}.appendsXff`, l7.appendsXff, 0, 16, 'count the X-Forwarded-For entries the hop appends (1 for most proxies, 2 for GCLB)'));
    if (l7?.writesPort !== undefined && typeof l7.writesPort !== 'boolean') {
      problems.push(mustBe(`${prop}.writesPort`, 'true or false', l7.writesPort, 'say whether the hop writes ip:port entries'));
    }
    return {
      kind: ExplainHopKind.L7, name, address: hopAddress, appendsXff: typeof l7?.appendsXff === 'number' ? l7.appendsXff : 0,
      writesPort: l7?.writesPort === true, proxyProtocol: false, sourcePreservation: SourcePreservation.NEVER, deliversToPods: true, ...exposure,
    };
  });

  const gateway = isPlainObject(path.gateway) ? path.gateway : undefined;
  if (gateway === undefined) {
    problems.push(mustBe('gateway', 'the gateway settings', path.gateway, 'pass { numTrustedProxies, proxyProtocol }, or use assumedPathFor(gateway)'));
  }
  if (path.app !== undefined && !isPlainObject(path.app)) {
    problems.push(mustBe('app', 'an object { name, interceptionMode }', path.app, 'pass { interceptionMode: InterceptionMode.TPROXY }, or leave it out'));
  }
  for (const [prop, value] of [['gateway.name', gateway?.name], ['app.name', isPlainObject(path.app) ? path.app.name : undefined]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '' || value.length > 200)) {
      problems.push(mustBe(prop, 'a non-empty name of at most 200 characters', value, 'name it for the report, or leave it out'));
    }
  }
  if (path.assumed !== undefined && typeof path.assumed !== 'boolean') {
    problems.push(mustBe('assumed', 'true or false', path.assumed, 'leave it out unless the hops were guessed'));
  }
  problems.push(oneOf('gateway.serviceType', gateway?.serviceType, GatewayServiceType, 'use a GatewayServiceType member'));
  const loadBalancerSourceRanges = cidrList('gateway.loadBalancerSourceRanges', gateway?.loadBalancerSourceRanges, problems);
  problems.push(
    gateway?.numTrustedProxies === undefined
      ? mustBe('gateway.numTrustedProxies', 'set', undefined, 'pass the gateway\'s gatewayTopology.numTrustedProxies (0 when unset)')
      : wholeNumber('gateway.numTrustedProxies', gateway.numTrustedProxies, 0, 4294967295, 'pass the gateway\'s gatewayTopology.numTrustedProxies'),
    gateway !== undefined && gateway !== null && typeof gateway.proxyProtocol !== 'boolean'
      ? mustBe('gateway.proxyProtocol', 'true or false', gateway.proxyProtocol, 'say whether gatewayTopology.proxyProtocol is set')
      : undefined,
    oneOf('gateway.externalTrafficPolicy', gateway?.externalTrafficPolicy, ExternalTrafficPolicy, 'use ExternalTrafficPolicy.LOCAL or CLUSTER'),
    oneOf('app.interceptionMode', isPlainObject(path.app) ? path.app.interceptionMode : undefined, { REDIRECT: 'REDIRECT', TPROXY: 'TPROXY', NONE: 'NONE' },
      'use InterceptionMode.REDIRECT, TPROXY or NONE'),
  );
  const gatewayAddress = address('gateway.address', gateway?.address, DEFAULT_GATEWAY);
  const nodeAddress = address('gateway.nodeAddress', gateway?.nodeAddress, DEFAULT_NODE);

  // Findings name the owner of the trusted address, so no two layers may share one.
  const owners: [string, string][] = [
    ['client', client], ['forgedAddress', forged],
    ...hops.map((hop, i): [string, string] => [`hops[${i}].address`, hop.address]),
    ['gateway.address', gatewayAddress], ['gateway.nodeAddress', nodeAddress],
  ];
  owners.forEach(([prop, value], i) => {
    const first = owners.findIndex(([, other]) => other === value);
    if (first !== i) {
      problems.push(mustBe(prop, `an address no other layer uses (${owners[first][0]} has it)`, value,
        'give every layer its own address, or leave the address out for a default'));
    }
  });
  failIfAny('explain', problems);
  const checked = gateway as ExplainGateway;

  return {
    client,
    forged,
    hops,
    gatewayName: checked.name ?? 'ingress gateway',
    numTrustedProxies: checked.numTrustedProxies,
    proxyProtocol: checked.proxyProtocol,
    externalTrafficPolicy: checked.externalTrafficPolicy,
    gatewayAddress,
    nodeAddress,
    ...(checked.serviceType === undefined ? {} : { serviceType: checked.serviceType }),
    loadBalancerSourceRanges,
    appName: path.app?.name ?? 'app',
    interceptionMode: path.app?.interceptionMode ?? ('REDIRECT' as InterceptionMode),
    assumed: path.assumed === true,
  };
}

/** Envoy's text for an address, so that addresses compare equal to what the simulator reports. */
function canonical(address: IpAddress): string {
  // The simulator prints a trusted peer exactly as Envoy does (inet_ntop); reusing it keeps one
  // formatter for both sides of every comparison.
  return simulateEnvoyXff({ remoteAddress: formatIpAddress(address), xff: null, useRemoteAddress: true, xffNumTrustedHops: 0 })
    .trustedClientAddress;
}

function toPublicPath(resolved: ResolvedPath): ExplainPath {
  return {
    client: resolved.client,
    forgedAddress: resolved.forged,
    hops: resolved.hops.map((hop): ExplainHop => {
      const exposure: ExplainHopExposure = {
        ...(hop.lockedDown === undefined ? {} : { lockedDown: hop.lockedDown }),
        ...(hop.sourceRanges.length === 0 ? {} : { sourceRanges: hop.sourceRanges }),
        enforcesLoadBalancerSourceRanges: hop.enforcesLoadBalancerSourceRanges,
        ...(hop.lockDownHint === undefined ? {} : { lockDownHint: hop.lockDownHint }),
      };
      return hop.kind === ExplainHopKind.L7
        ? { kind: ExplainHopKind.L7, name: hop.name, address: hop.address, appendsXff: hop.appendsXff, writesPort: hop.writesPort, ...exposure }
        : {
          kind: ExplainHopKind.L4, name: hop.name, address: hop.address, proxyProtocol: hop.proxyProtocol,
          sourcePreservation: hop.sourcePreservation, deliversToPods: hop.deliversToPods, ...exposure,
        };
    }),
    gateway: {
      name: resolved.gatewayName,
      numTrustedProxies: resolved.numTrustedProxies,
      proxyProtocol: resolved.proxyProtocol,
      ...(resolved.externalTrafficPolicy === undefined ? {} : { externalTrafficPolicy: resolved.externalTrafficPolicy }),
      address: resolved.gatewayAddress,
      nodeAddress: resolved.nodeAddress,
      ...(resolved.serviceType === undefined ? {} : { serviceType: resolved.serviceType }),
      ...(resolved.loadBalancerSourceRanges.length === 0 ? {} : { loadBalancerSourceRanges: resolved.loadBalancerSourceRanges }),
    },
    app: { name: resolved.appName, interceptionMode: resolved.interceptionMode },
    assumed: resolved.assumed,
  };
}

/** Both runs, the two verdicts, and every entry point with its own forged request. */
function analyze(path: ResolvedPath): Analysis {
  const normal = walk(path, null);
  const front = forgedRun(path, 0);
  const refused = normal.refusal !== null;
  const entryPoints = refused ? [] : entryPointsOf(path, front.run);
  return {
    normal,
    spoofed: front.run,
    spoofable: !refused && path.numTrustedProxies > appendedEntries(path),
    trustsProxyAddress: normal.refusal === null && normal.trustedAddress !== path.client,
    entryPoints,
  };
}

/** How many `X-Forwarded-For` entries the hops append in all. */
function appendedEntries(path: ResolvedPath): number {
  return appendedFrom(path, 0);
}

/** How many `X-Forwarded-For` entries the hops from index `start` on append. */
function appendedFrom(path: ResolvedPath, start: number): number {
  return path.hops.slice(start).reduce((sum, hop) => sum + hop.appendsXff, 0);
}

/**
 * The forged request of a client that connects at hop `start` (the number of hops: the gateway's
 * node ports). The gateway trusts the Nth entry from the right, so a client choosing it sends
 * N minus the entries appended after it (envoy-xff.md §2 Step A2); at most 64 are sent here, and a
 * gateway trusting as many fewer hops selects the same, leftmost, forged entry. At the node ports
 * of a PROXY-protocol gateway the client also writes its own PROXY header.
 */
function forgedRun(path: ResolvedPath, start: number): { readonly run: ExplainRun; readonly needed: number } {
  const needed = Math.max(1, path.numTrustedProxies - appendedFrom(path, start));
  const copies = Math.min(MAX_FORGED_ENTRIES, needed);
  const header = Array.from({ length: copies }, () => path.forged).join(',');
  const run = walk(path, header, {
    start,
    trustedHops: path.numTrustedProxies - (needed - copies),
    forgedProxySource: start === path.hops.length && start > 0 && path.proxyProtocol ? path.forged : undefined,
  });
  return { run, needed };
}

/** Every place a client can connect to, with what keeps it out and what it gets there. */
function entryPointsOf(path: ResolvedPath, frontRun: ExplainRun): ExplainEntryPoint[] {
  const n = path.hops.length;
  const entries: ExplainEntryPoint[] = [];
  for (let k = 0; k <= n; k++) {
    const isNodePorts = k === n;
    if (isNodePorts && n === 0) {
      break; // no hops: the node ports are the front door, already run
    }
    const lockedDown = k === 0 ? null : isNodePorts ? nodePortsLockedDown(path) : hopLockedDown(path, k);
    const appended = appendedFrom(path, k);
    const reachable = lockedDown === null;
    const spoofable = reachable && (isNodePorts
      ? path.numTrustedProxies > 0 || path.proxyProtocol
      : path.numTrustedProxies > appended);
    const forged = k === 0 ? { run: frontRun, needed: Math.max(1, path.numTrustedProxies - appended) }
      : reachable ? forgedRun(path, k) : { run: null, needed: Math.max(1, path.numTrustedProxies - appended) };
    entries.push({
      hopIndex: k,
      name: isNodePorts ? `${path.gatewayName} node ports` : path.hops[k].name,
      reachable,
      lockedDown,
      entriesAppended: appended,
      forgedEntries: forged.needed,
      spoofable,
      run: forged.run,
    });
  }
  return entries;
}

/** What keeps clients from connecting to hop `k` (not the first) directly, or `null`. */
function hopLockedDown(path: ResolvedPath, k: number): string | null {
  const hop = path.hops[k];
  if (hop.lockedDown !== undefined) {
    return hop.lockedDown;
  }
  const ranges = path.loadBalancerSourceRanges;
  if (k !== path.hops.length - 1 || ranges.length === 0 || !hop.enforcesLoadBalancerSourceRanges) {
    return null;
  }
  const admitted = AddressSet.ofCidrs(ranges);
  if (admitted.covers(AddressSet.ALL_IPV4) || admitted.covers(AddressSet.ALL_IPV6)) {
    return null; // every IPv4 (or IPv6) source is admitted: no lock at all
  }
  const front = path.hops[k - 1];
  if (front.sourceRanges.length === 0) {
    return `loadBalancerSourceRanges admit only ${ranges.join(', ')} (${JSON.stringify(front.name)} publishes no fixed ranges, so they are taken as its)`;
  }
  return AddressSet.ofCidrs(front.sourceRanges).covers(admitted)
    ? `loadBalancerSourceRanges admit only ${JSON.stringify(front.name)}'s published ranges`
    : null;
}

/** What keeps clients from the gateway's node ports, or `null` for a NodePort Service. */
function nodePortsLockedDown(path: ResolvedPath): string | null {
  switch (path.serviceType) {
    case GatewayServiceType.NODE_PORT:
      return null;
    case GatewayServiceType.CLUSTER_IP:
      return 'a ClusterIP Service: no node port to connect to';
    case GatewayServiceType.LOAD_BALANCER:
      return 'a LoadBalancer Service: its node ports are taken to be closed to the internet (cloud firewalls admit the load balancer only)';
    default:
      return 'the Service type is not given, so its node ports are not taken to be an entry point';
  }
}

/** Options of one walk: where the client connects, and what the gateway is simulated with. */
interface WalkOptions {
  /** The hop the client connects to (the number of hops: the gateway itself). */
  readonly start?: number;
  /** `xff_num_trusted_hops` for the simulation. */
  readonly trustedHops?: number;
  /** A PROXY header the client writes itself, connecting straight to the gateway. */
  readonly forgedProxySource?: string;
}

/** Walks one request; `forged` is the client's forged `X-Forwarded-For`, `null` for a normal request. */
function walk(path: ResolvedPath, forged: string | null, options: WalkOptions = {}): ExplainRun {
  const start = options.start ?? 0;
  const hops = path.hops.slice(start);
  const layers: ExplainLayer[] = [];
  const externalSent = forged === null ? null : path.forged;
  layers.push(layer(ExplainLayerRole.CLIENT, 'client', { xff: forged, externalAddress: externalSent }));

  // What travels towards the next layer.
  let source = path.client;
  let proxySource: string | null = options.forgedProxySource ?? null;
  let xff = forged;
  const externalAddress = externalSent;

  hops.forEach((hop, i) => {
    layers.push(layer(ExplainLayerRole.HOP, hop.name, { tcpPeer: source, xff, externalAddress }));
    const last = i === hops.length - 1;
    if (hop.kind === ExplainHopKind.L7) {
      // An HTTP proxy appends the peer it saw, then its own address for any further entry
      // (GCLB: "<client-ip>,<load-balancer-ip>", peers.md table (a) [G6]); unknown headers such as
      // x-envoy-external-address pass through.
      const entries = Array.from({ length: hop.appendsXff }, (_, k) => (k === 0 ? withPort(source, hop.writesPort) : hop.address));
      if (entries.length > 0) {
        xff = xff === null || xff === '' ? entries.join(',') : `${xff},${entries.join(',')}`;
      }
      source = hop.address;
      return;
    }
    if (last && hop.proxyProtocol) {
      // The PROXY header carries the address the load balancer received the connection from.
      proxySource = source;
    }
    if (hop.sourcePreservation === SourcePreservation.NEVER) {
      source = hop.address;
    }
  });

  // kube-proxy SNATs connections that enter through a node port under externalTrafficPolicy
  // Cluster (peers.md [G5]); an L4 hop that delivers to pod IPs (ip targets, or one that keeps
  // the source ALWAYS) skips the node, and an L7 hop is taken to do so too (NEG, ALB ip targets).
  const lastHop = hops.length === 0 ? undefined : hops[hops.length - 1];
  const throughNodePort = lastHop === undefined
    || (lastHop.kind === ExplainHopKind.L4 && !lastHop.deliversToPods);
  if (throughNodePort && path.externalTrafficPolicy === ExternalTrafficPolicy.CLUSTER) {
    source = path.nodeAddress;
  }

  const refusal = proxyProtocolRefusal(path, proxySource !== null);
  if (refusal !== null) {
    layers.push(layer(ExplainLayerRole.GATEWAY, path.gatewayName, { tcpPeer: source, proxyProtocolSource: proxySource, xff, externalAddress }));
    return { layers, trustedAddress: null, refusal };
  }

  // The gateway: use_remote_address true, xff_num_trusted_hops = numTrustedProxies, no
  // internal_address_config without MeshNetworks (envoy-xff.md §6). With the proxy_protocol
  // listener filter the PROXY source replaces the peer for everything but RBAC direct_remote_ip,
  // which stays the physical peer (istio.md §4a, envoy rbac.proto).
  const gateway = simulateEnvoyXff({
    remoteAddress: proxySource ?? source,
    xff,
    useRemoteAddress: true,
    xffNumTrustedHops: options.trustedHops ?? path.numTrustedProxies,
    internalAddresses: 'none',
    localAddress: path.gatewayAddress,
    externalAddressIn: externalAddress,
  });
  layers.push(layer(ExplainLayerRole.GATEWAY, path.gatewayName, {
    tcpPeer: source,
    proxyProtocolSource: proxySource,
    xff,
    externalAddress,
    ipBlocks: source,
    remoteIpBlocks: gateway.trustedClientAddress,
    // The gateway's HCM replaces the stream's downstream address with the trusted one, which the
    // source-IP hash toward the app reads (istio.md §2, an inference).
    sourceIpHash: gateway.trustedClientAddress,
  }));

  const mode = String(path.interceptionMode);
  if (mode === 'NONE') {
    layers.push(layer(ExplainLayerRole.APP, path.appName, { tcpPeer: path.gatewayAddress, xff: gateway.xffOut, externalAddress: gateway.externalAddress }));
    return { layers, trustedAddress: gateway.trustedClientAddress, refusal: null };
  }

  // The sidecar's inbound listener: use_remote_address false, no trusted hops, so its client is
  // the rightmost XFF entry; XFF and x-envoy-external-address pass unchanged (envoy-xff.md §6).
  const sidecar = simulateEnvoyXff({
    remoteAddress: path.gatewayAddress,
    xff: gateway.xffOut,
    useRemoteAddress: false,
    xffNumTrustedHops: 0,
    internalAddresses: 'none',
    externalAddressIn: gateway.externalAddress,
  });
  layers.push(layer(ExplainLayerRole.SIDECAR, `${path.appName} sidecar`, {
    tcpPeer: path.gatewayAddress,
    xff: gateway.xffOut,
    externalAddress: gateway.externalAddress,
    ipBlocks: path.gatewayAddress,
    remoteIpBlocks: sidecar.trustedClientAddress,
  }));

  // TPROXY keeps the original source with the original_src listener filter; REDIRECT connects
  // from the inbound passthrough bind address (istio.md §3).
  const appPeer = mode === 'TPROXY' ? path.gatewayAddress
    : path.gatewayAddress.includes(':') ? INBOUND_PASSTHROUGH_BIND_IPV6 : INBOUND_PASSTHROUGH_BIND_IPV4;
  layers.push(layer(ExplainLayerRole.APP, path.appName, { tcpPeer: appPeer, xff: sidecar.xffOut, externalAddress: sidecar.externalAddress }));
  return { layers, trustedAddress: gateway.trustedClientAddress, refusal: null };
}

function layer(role: ExplainLayerRole, name: string, fields: Partial<Omit<ExplainLayer, 'role' | 'name'>>): ExplainLayer {
  return {
    role,
    name,
    tcpPeer: fields.tcpPeer ?? null,
    proxyProtocolSource: fields.proxyProtocolSource ?? null,
    xff: fields.xff ?? null,
    externalAddress: fields.externalAddress ?? null,
    ipBlocks: fields.ipBlocks ?? null,
    remoteIpBlocks: fields.remoteIpBlocks ?? null,
    sourceIpHash: fields.sourceIpHash ?? null,
  };
}

function withPort(address: string, writesPort: boolean): string {
  if (!writesPort) {
    return address;
  }
  return address.includes(':') ? `[${address}]:${EXAMPLE_SOURCE_PORT}` : `${address}:${EXAMPLE_SOURCE_PORT}`;
}

/** Why the gateway refuses the connection over PROXY protocol, or `null`. */
function proxyProtocolRefusal(path: ResolvedPath, headerSent: boolean): string | null {
  if (path.proxyProtocol && !headerSent) {
    // Istio's proxy_protocol listener filter has an empty config, so the header is mandatory
    // (envoy-xff.md §6: allow_requests_without_proxy_protocol defaults to false).
    return 'the gateway expects a PROXY header and none arrives, so it closes the connection';
  }
  if (!path.proxyProtocol && headerSent) {
    return 'a PROXY header arrives but the gateway does not expect one, so it reads it as a malformed HTTP request and fails it';
  }
  return null;
}

function proxyProtocolFinding(path: ResolvedPath): ExplainFinding {
  const last = path.hops.length === 0 ? undefined : path.hops[path.hops.length - 1];
  const front = last === undefined ? 'the client' : JSON.stringify(last.name);
  if (path.proxyProtocol) {
    return {
      id: ExplainFindingId.PROXY_PROTOCOL_MISMATCH,
      message: `the gateway has proxyProtocol set, but ${front} in front of it sends no PROXY header, so the gateway refuses every connection`,
      fix: last?.kind === ExplainHopKind.L4
        ? `turn on PROXY protocol on ${front}, or unset proxyProtocol on the gateway`
        : 'unset proxyProtocol on the gateway (only an L4 load balancer directly in front can send PROXY headers)',
    };
  }
  return {
    id: ExplainFindingId.PROXY_PROTOCOL_MISMATCH,
    message: `${front} sends a PROXY header, but the gateway does not have proxyProtocol set, so it fails every request`,
    fix: `set proxyProtocol on the gateway, or turn off PROXY protocol on ${front}`,
  };
}

function spoofableMessage(path: ResolvedPath): string {
  const appended = appendedEntries(path);
  const sendsProxy = path.hops.some((hop) => hop.proxyProtocol);
  const why = appended === 0 && sendsProxy
    ? 'but nothing in front appends to X-Forwarded-For (a PROXY protocol load balancer writes no entry)'
    : `but the hops in front append only ${entries(appended)}`;
  return `a client that sends X-Forwarded-For: ${path.forged} makes the gateway trust ${path.forged}, an address the client chose: `
    + `numTrustedProxies is ${path.numTrustedProxies}, ${why}, so the gateway reads an entry the client wrote`;
}

function trustsProxyMessage(path: ResolvedPath, trusted: string): string {
  const appended = appendedEntries(path);
  const owner = ownerOf(path, trusted);
  const head = `the gateway trusts ${trusted}, ${owner}, instead of the client's ${path.client}`;
  if (path.numTrustedProxies > appended) {
    return `${head}: numTrustedProxies is ${path.numTrustedProxies} but the hops append only ${entries(appended)}, `
      + `so X-Forwarded-For is too short and Envoy falls back to ${path.proxyProtocol ? 'the PROXY header\'s source' : 'the connection\'s source'}`;
  }
  if (path.numTrustedProxies === 0 && appended > 0) {
    return `${head}: numTrustedProxies 0 makes Envoy ignore X-Forwarded-For, where the hops carry the client's address, and use the connection's source`;
  }
  if (path.numTrustedProxies < appended) {
    return `${head}: numTrustedProxies is ${path.numTrustedProxies} but the hops append ${entries(appended)}, so Envoy reads an entry a proxy appended`;
  }
  if (trusted === path.nodeAddress) {
    return `${head}: with externalTrafficPolicy Cluster the node replaces the packet's source address (SNAT)`;
  }
  const porting = path.hops.find((hop) => hop.writesPort);
  if (porting !== undefined) {
    return `${head}: ${JSON.stringify(porting.name)} writes its X-Forwarded-For entry as ip:port, which Envoy cannot parse, so it falls back to the connection's source`;
  }
  const hider = path.hops.find((hop) => hop.kind === ExplainHopKind.L4 && hop.sourcePreservation === SourcePreservation.NEVER && !hop.proxyProtocol);
  const where = hider === undefined ? 'before the gateway' : `at ${JSON.stringify(hider.name)}, which opens its own connection and passes nothing that carries it`;
  return `${head}: the client's address is lost ${where}`;
}

function entries(n: number): string {
  return `${n} X-Forwarded-For ${n === 1 ? 'entry' : 'entries'}`;
}

/** Whose address `address` is, for messages. */
function ownerOf(path: ResolvedPath, address: string): string {
  const hop = path.hops.find((h) => h.address === address);
  if (hop !== undefined) {
    return `the address of ${JSON.stringify(hop.name)}`;
  }
  if (address === path.nodeAddress) {
    return 'the node\'s address';
  }
  if (address === path.gatewayAddress) {
    return 'the gateway pod\'s own address';
  }
  return 'an address that is not the client\'s';
}

/** One change `suggestFix` may propose. */
interface Change {
  readonly applies: boolean;
  readonly text: string;
  readonly apply: (path: ResolvedPath) => ResolvedPath;
}

/**
 * The smallest set of changes that makes the path right (the normal request trusts the client,
 * the spoofed one does not trust the forged address), as one line.
 */
function suggestFix(path: ResolvedPath): string {
  const appended = appendedEntries(path);
  const last = path.hops.length === 0 ? undefined : path.hops[path.hops.length - 1];
  const changes: Change[] = [
    {
      applies: path.numTrustedProxies !== appended,
      text: `set numTrustedProxies to ${appended} (the X-Forwarded-For entries the hops append; L4 hops count 0)`,
      apply: (p) => ({ ...p, numTrustedProxies: appended }),
    },
    {
      applies: path.externalTrafficPolicy === ExternalTrafficPolicy.CLUSTER,
      text: 'set externalTrafficPolicy to Local (no SNAT at the node)',
      apply: (p) => ({ ...p, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL }),
    },
    {
      applies: last !== undefined && last.kind === ExplainHopKind.L4 && !last.proxyProtocol,
      text: `turn on PROXY protocol on ${JSON.stringify(last?.name)} and set proxyProtocol on the gateway`,
      apply: (p) => ({ ...p, proxyProtocol: true, hops: p.hops.map((h, i) => (i === p.hops.length - 1 ? { ...h, proxyProtocol: true } : h)) }),
    },
    {
      applies: path.hops.some((hop) => hop.writesPort),
      text: `make ${path.hops.filter((hop) => hop.writesPort).map((hop) => JSON.stringify(hop.name)).join(', ')} write X-Forwarded-For entries without a port`,
      apply: (p) => ({ ...p, hops: p.hops.map((h) => ({ ...h, writesPort: false })) }),
    },
  ];
  const candidates = changes.filter((change) => change.applies);
  // Subsets by size, then in the order above: at most 2^4 simulations of a short path.
  const subsets: Change[][] = [];
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    subsets.push(candidates.filter((_, i) => (mask & (1 << i)) !== 0));
  }
  subsets.sort((a, b) => a.length - b.length);
  for (const subset of subsets) {
    const changed = subset.reduce((p, change) => change.apply(p), path);
    const result = analyze(changed);
    if (result.normal.refusal === null && !result.spoofable && !result.trustsProxyAddress) {
      return subset.map((change) => change.text).join(', and ');
    }
  }
  const hider = path.hops.find((hop) => hop.kind === ExplainHopKind.L4 && hop.sourcePreservation === SourcePreservation.NEVER && !hop.proxyProtocol);
  return hider === undefined
    ? 'no gateway setting recovers the client\'s address on this path; describe the hops again and check what each one passes on'
    : `no gateway setting recovers the client's address: ${JSON.stringify(hider.name)} replaces it; send PROXY protocol from it directly to the gateway, `
      + 'or put an L7 hop that appends X-Forwarded-For in front of it';
}

/** Checks a hop's exposure fields and fills in their defaults. */
function resolveExposure(prop: string, hop: ExplainHopExposure, problems: Problem[]): Pick<ResolvedHop,
'lockedDown' | 'sourceRanges' | 'enforcesLoadBalancerSourceRanges' | 'lockDownHint'> {
  for (const field of ['lockedDown', 'lockDownHint'] as const) {
    const value = hop[field];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      problems.push(mustBe(`${prop}.${field}`, 'a sentence', value, field === 'lockedDown' ? 'say what keeps other clients out, or leave it out' : 'say how to lock the hop down, or leave it out'));
    }
  }
  if (hop.enforcesLoadBalancerSourceRanges !== undefined && typeof hop.enforcesLoadBalancerSourceRanges !== 'boolean') {
    problems.push(mustBe(`${prop}.enforcesLoadBalancerSourceRanges`, 'true or false', hop.enforcesLoadBalancerSourceRanges,
      'say whether the Service\'s loadBalancerSourceRanges restrict who reaches the hop'));
  }
  return {
    ...(typeof hop.lockedDown === 'string' ? { lockedDown: hop.lockedDown } : {}),
    sourceRanges: cidrList(`${prop}.sourceRanges`, hop.sourceRanges, problems),
    enforcesLoadBalancerSourceRanges: hop.enforcesLoadBalancerSourceRanges === true,
    ...(typeof hop.lockDownHint === 'string' ? { lockDownHint: hop.lockDownHint } : {}),
  };
}

/** A list of CIDR texts, canonical; problems for anything else. */
function cidrList(prop: string, value: readonly string[] | undefined, problems: Problem[]): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || firstHole(value) !== undefined) {
    problems.push(mustBe(prop, 'a list of CIDRs without holes', value, 'write e.g. ["192.0.2.0/24", "2001:db8::/32"]'));
    return [];
  }
  const out: string[] = [];
  value.forEach((text, i) => {
    const parsed = typeof text === 'string' ? parseIpPrefix(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`) : undefined;
    if (parsed === undefined || !parsed.ok) {
      problems.push(mustBe(`${prop}[${i}]`, 'a CIDR such as "192.0.2.0/24"', text, parsed?.ok === false ? `${parsed.reason}; fix the range` : 'write the range as a string'));
    } else {
      out.push(formatIpPrefix(maskPrefix(parsed.value)));
    }
  });
  return out;
}

/** The finding for a reachable entry point past the first hop that lets a client choose the trusted address. */
function bypassFinding(path: ResolvedPath, entry: ExplainEntryPoint): ExplainFinding {
  const n = path.hops.length;
  const skipped = path.hops.slice(0, entry.hopIndex).map((hop) => JSON.stringify(hop.name)).join(', ');
  const nodePorts = entry.hopIndex === n;
  const front = path.hops[entry.hopIndex - 1];
  const where = nodePorts ? `the gateway's node ports (a NodePort Service)` : JSON.stringify(entry.name);
  const how = nodePorts && path.proxyProtocol && path.numTrustedProxies === 0
    ? `writes its own PROXY header with source ${path.forged}`
    : `sends X-Forwarded-For with ${entry.forgedEntries === 1 ? path.forged : `${entry.forgedEntries} copies of ${path.forged}`}${nodePorts && path.proxyProtocol ? ' (and its own PROXY header)' : ''}`;
  const why = nodePorts
    ? `nothing in front of the node ports appends to X-Forwarded-For${path.proxyProtocol ? ' or writes the PROXY header' : ''}`
    : `numTrustedProxies is ${path.numTrustedProxies}, but from ${JSON.stringify(entry.name)} on the hops append only ${entries(entry.entriesAppended)}`;
  const ranges = path.loadBalancerSourceRanges;
  const unchecked = !nodePorts && entry.hopIndex === n - 1 && ranges.length > 0
    ? path.hops[entry.hopIndex].enforcesLoadBalancerSourceRanges
      ? `; loadBalancerSourceRanges ${ranges.join(', ')} admit more than ${JSON.stringify(front.name)}'s published ranges`
      : `; ${JSON.stringify(entry.name)} is not known to enforce loadBalancerSourceRanges`
    : '';
  const message = `a client that connects to ${where} directly, skipping ${skipped}, and ${how} makes the gateway trust ${path.forged}, `
    + `an address the client chose: ${why}, so the gateway reads an entry the client wrote${unchecked}`;
  const frontRanges = front.sourceRanges.length === 0 ? '' : ` (${JSON.stringify(front.name)} sends from ${front.sourceRanges.join(', ')})`;
  const fix = nodePorts
    ? `admit only ${JSON.stringify(front.name)} to the node ports (a firewall on the nodes), or use a LoadBalancer or ClusterIP Service; `
      + 'or, once this library supports it, detect the client by trusted CIDRs instead of a hop count'
    : `let only ${JSON.stringify(front.name)} reach ${JSON.stringify(entry.name)}: ${path.hops[entry.hopIndex].lockDownHint ?? 'admit only the hop in front of it (a firewall or security group on it)'}`
      + `${frontRanges}, and say how with lockDown(...) on the hop unless loadBalancerSourceRanges do it; `
      + 'or, once this library supports it, detect the client by trusted CIDRs instead of a hop count';
  return { id: ExplainFindingId.XFF_SPOOFABLE_BY_BYPASS, message, fix, subject: `entry point ${entry.name}` };
}
