/**
 * Walks one request from a client through the hops in front of an Istio ingress gateway, the
 * gateway, and an application sidecar, and reports what each layer sees of the client's address.
 *
 * Pure: no cdk8s, no I/O. Every Envoy decision is made by `simulateEnvoyXff`; this module only
 * decides what reaches each Envoy (TCP peer, PROXY header, headers). Facts come from
 * `../shared/research/envoy-xff.md` (§2, §6), `istio.md` (§2, §3, §4a) and `peers.md` (table (a),
 * "Worked hop counts"); comments cite them.
 */
import { ExternalTrafficPolicy } from '../gateway-service';
// A type-only import: the enum's module loads cdk8s, and this one stays free of it. Modes are
// compared by their wire values ('REDIRECT', 'TPROXY', 'NONE') below.
import type { InterceptionMode } from '../mesh/interception-mode';
import { failIfAny, mustBe, oneOf, Problem, wholeNumber } from '../private/problems';
import { formatIpAddress, IpAddress, parseIpAddress } from '../private/ip';
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
 * An HTTP proxy in front of the gateway: a CDN or an application load balancer.
 *
 * Example: `{ kind: ExplainHopKind.L7, name: 'Google Cloud Application LB', appendsXff: 2 }`
 * (GCLB appends the client and its own address, peers.md table (a)).
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
 */
export interface ExplainL7Hop {
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
export interface ExplainL4Hop {
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
   * `numTrustedProxies` exceeds the entries the hops append, at least once and at most 64 times)
   * and a forged `x-envoy-external-address`.
   */
  readonly spoofed: ExplainRun;

  /** Whether the gateway trusts the forged address in the spoofed run: a client chooses what `remoteIpBlocks` sees. */
  readonly spoofable: boolean;

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

/** The most forged `X-Forwarded-For` entries the spoofed run sends. */
const MAX_FORGED_ENTRIES = 64;

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
  }
  const gatewayLayer = analysis.normal.layers.find((layer) => layer.role === ExplainLayerRole.GATEWAY);
  return {
    path: toPublicPath(resolved),
    assumed: resolved.assumed,
    normal: analysis.normal,
    spoofed: analysis.spoofed,
    spoofable: analysis.spoofable,
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
  readonly appName: string;
  readonly interceptionMode: InterceptionMode;
  readonly assumed: boolean;
}

interface Analysis {
  readonly normal: ExplainRun;
  readonly spoofed: ExplainRun;
  readonly spoofable: boolean;
  readonly trustsProxyAddress: boolean;
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
      return String(text);
    }
    return canonical(parsed.value);
  };

  const hopsInput = Array.isArray(path?.hops) ? path.hops : [];
  if (!Array.isArray(path?.hops)) {
    problems.push(mustBe('hops', 'a list of hops (empty when clients connect to the gateway directly)', path?.hops,
      'pass the hops from the client inwards, e.g. [{ kind: ExplainHopKind.L7, name: "CDN", appendsXff: 1 }]'));
  }
  const client = address('client', path?.client, DEFAULT_CLIENT);
  const forged = address('forgedAddress', path?.forgedAddress, DEFAULT_FORGED);
  const hops: ResolvedHop[] = hopsInput.map((hop, i) => {
    const prop = `hops[${i}]`;
    problems.push(oneOf(`${prop}.kind`, hop?.kind, ExplainHopKind, 'use ExplainHopKind.L7 or ExplainHopKind.L4'));
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
        deliversToPods: hop.deliversToPods ?? hop.sourcePreservation === SourcePreservation.ALWAYS,
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
      writesPort: l7?.writesPort === true, proxyProtocol: false, sourcePreservation: SourcePreservation.NEVER, deliversToPods: true,
    };
  });

  const gateway = path?.gateway;
  if (typeof gateway !== 'object' || gateway === null) {
    problems.push(mustBe('gateway', 'the gateway settings', gateway, 'pass { numTrustedProxies, proxyProtocol }, or use assumedPathFor(gateway)'));
  }
  problems.push(
    gateway?.numTrustedProxies === undefined
      ? mustBe('gateway.numTrustedProxies', 'set', undefined, 'pass the gateway\'s gatewayTopology.numTrustedProxies (0 when unset)')
      : wholeNumber('gateway.numTrustedProxies', gateway.numTrustedProxies, 0, 4294967295, 'pass the gateway\'s gatewayTopology.numTrustedProxies'),
    gateway !== undefined && gateway !== null && typeof gateway.proxyProtocol !== 'boolean'
      ? mustBe('gateway.proxyProtocol', 'true or false', gateway.proxyProtocol, 'say whether gatewayTopology.proxyProtocol is set')
      : undefined,
    oneOf('gateway.externalTrafficPolicy', gateway?.externalTrafficPolicy, ExternalTrafficPolicy, 'use ExternalTrafficPolicy.LOCAL or CLUSTER'),
    oneOf('app.interceptionMode', path?.app?.interceptionMode, { REDIRECT: 'REDIRECT', TPROXY: 'TPROXY', NONE: 'NONE' },
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

  return {
    client,
    forged,
    hops,
    gatewayName: gateway.name ?? 'ingress gateway',
    numTrustedProxies: gateway.numTrustedProxies,
    proxyProtocol: gateway.proxyProtocol,
    externalTrafficPolicy: gateway.externalTrafficPolicy,
    gatewayAddress,
    nodeAddress,
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
    hops: resolved.hops.map((hop): ExplainHop => (hop.kind === ExplainHopKind.L7
      ? { kind: ExplainHopKind.L7, name: hop.name, address: hop.address, appendsXff: hop.appendsXff, writesPort: hop.writesPort }
      : {
        kind: ExplainHopKind.L4, name: hop.name, address: hop.address, proxyProtocol: hop.proxyProtocol,
        sourcePreservation: hop.sourcePreservation, deliversToPods: hop.deliversToPods,
      })),
    gateway: {
      name: resolved.gatewayName,
      numTrustedProxies: resolved.numTrustedProxies,
      proxyProtocol: resolved.proxyProtocol,
      ...(resolved.externalTrafficPolicy === undefined ? {} : { externalTrafficPolicy: resolved.externalTrafficPolicy }),
      address: resolved.gatewayAddress,
      nodeAddress: resolved.nodeAddress,
    },
    app: { name: resolved.appName, interceptionMode: resolved.interceptionMode },
    assumed: resolved.assumed,
  };
}

/** Both runs and the two verdicts. */
function analyze(path: ResolvedPath): Analysis {
  const normal = walk(path, null);
  const appended = appendedEntries(path);
  // A client can send any number of entries; as many as numTrustedProxies reaches past the
  // hops' own entries lands the gateway's pick on a forged one (envoy-xff.md §2 Step A2).
  const copies = Math.min(MAX_FORGED_ENTRIES, Math.max(1, path.numTrustedProxies - appended));
  const spoofed = walk(path, Array.from({ length: copies }, () => path.forged).join(','));
  return {
    normal,
    spoofed,
    spoofable: spoofed.trustedAddress === path.forged,
    trustsProxyAddress: normal.refusal === null && normal.trustedAddress !== path.client,
  };
}

/** How many `X-Forwarded-For` entries the hops append in all. */
function appendedEntries(path: ResolvedPath): number {
  return path.hops.reduce((sum, hop) => sum + hop.appendsXff, 0);
}

/** Walks one request; `forged` is the client's forged `X-Forwarded-For`, `null` for a normal request. */
function walk(path: ResolvedPath, forged: string | null): ExplainRun {
  const layers: ExplainLayer[] = [];
  const externalSent = forged === null ? null : path.forged;
  layers.push(layer(ExplainLayerRole.CLIENT, 'client', { xff: forged, externalAddress: externalSent }));

  // What travels towards the next layer.
  let source = path.client;
  let proxySource: string | null = null;
  let xff = forged;
  const externalAddress = externalSent;

  path.hops.forEach((hop, i) => {
    layers.push(layer(ExplainLayerRole.HOP, hop.name, { tcpPeer: source, xff, externalAddress }));
    const last = i === path.hops.length - 1;
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
  const lastHop = path.hops.length === 0 ? undefined : path.hops[path.hops.length - 1];
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
    xffNumTrustedHops: path.numTrustedProxies,
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
