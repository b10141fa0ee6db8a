/**
 * Three ways a gateway's Envoy can decide which address is the client, compared on one path with
 * Envoy's own rules, for the normal request and for a forged one sent to every entry point:
 *
 * - counting trusted hops (`xff_num_trusted_hops` at the edge: Istio's `numTrustedProxies`);
 * - trusting addresses (`xff_trusted_cidrs` of the XFF original-IP-detection extension: walk
 *   `X-Forwarded-For` from the right past addresses inside the trusted CIDRs);
 * - reading one header a proxy writes (the custom-header extension, optionally failing closed).
 *
 * Pure: `explain` walks each request to the gateway (what its Envoy receives: TCP peer, PROXY
 * header, `X-Forwarded-For`), and `simulateEnvoyXff` decides with each way. A hop that writes a
 * client-IP header writes the address it received the connection from, replacing any value the
 * client sent (Cloudflare `CF-Connecting-IP`; Azure Front Door `X-Azure-SocketIP`).
 *
 * Only the first way runs on an Istio 1.30 gateway: Istio hard-codes `use_remote_address: true` for
 * gateways (`pilot/pkg/networking/core/gateway.go`), Envoy refuses detection extensions together
 * with it, and an EnvoyFilter MERGE cannot turn it off (Istio's `pkg/proto/merge` skips a
 * `BoolValue` of `false`; istio/istio#12549, #18169). `ISTIO_GATEWAY_SUPPORT` says so per mode.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/http/original_ip_detection/xff/v3/xff.proto
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/http/original_ip_detection/custom_header/v3/custom_header.proto
 */
import { failIfAny, firstHole, isPlainObject, mustBe, Problem, show } from '../private/problems';
import { EnvoyXffInput, envoyRejection, simulateEnvoyXff } from './envoy-xff';
import { explain, ExplainHop, ExplainLayerRole, ExplainPath, ExplainRun } from './explain';

/** How the gateway's Envoy decides which address is the client. */
export enum ClientIpDetectionMode {
  /** `xff_num_trusted_hops` at the edge: the Nth `X-Forwarded-For` entry from the right (Istio `numTrustedProxies`). */
  HOP_COUNT = 'hop-count',
  /** `xff_trusted_cidrs`: the first entry from the right outside the trusted CIDRs, once the peer is inside them. */
  TRUSTED_CIDRS = 'trusted-cidrs',
  /** The custom-header extension: the address in one request header. */
  CUSTOM_HEADER = 'custom-header',
}

/** Count trusted hops, as an Istio gateway does. */
export interface HopCountDetection {
  /** Always `ClientIpDetectionMode.HOP_COUNT`. */
  readonly mode: ClientIpDetectionMode.HOP_COUNT;
  /** `numTrustedProxies`. */
  readonly numTrustedProxies: number;
}

/** Trust addresses: the XFF extension with `xff_trusted_cidrs` (Envoy 1.32 and later). */
export interface TrustedCidrsDetection {
  /** Always `ClientIpDetectionMode.TRUSTED_CIDRS`. */
  readonly mode: ClientIpDetectionMode.TRUSTED_CIDRS;
  /** The proxies to trust, as CIDRs. */
  readonly trustedCidrs: readonly string[];
}

/** Read one header: the custom-header extension. */
export interface CustomHeaderDetection {
  /** Always `ClientIpDetectionMode.CUSTOM_HEADER`. */
  readonly mode: ClientIpDetectionMode.CUSTOM_HEADER;
  /** The header, e.g. `cf-connecting-ip`. */
  readonly header: string;
  /**
   * Whether a request without the header (or with one that is not an address) is refused with 403.
   *
   * @default false
   */
  readonly failClosed?: boolean;
}

/** One way of deciding the client address; told apart by `mode`. */
export type ClientIpDetection = HopCountDetection | TrustedCidrsDetection | CustomHeaderDetection;

/** Whether an Istio 1.30 ingress gateway can run a mode, and why. */
export interface IstioGatewaySupport {
  /** Whether the mode can be configured on an Istio gateway. */
  readonly supported: boolean;
  /** How, or why not. */
  readonly note: string;
}

/** What an Istio 1.30.3 gateway can run (research/istio.md §2; envoy-xff.md §2 Step B). */
export const ISTIO_GATEWAY_SUPPORT: Readonly<Record<ClientIpDetectionMode, IstioGatewaySupport>> = {
  [ClientIpDetectionMode.HOP_COUNT]: { supported: true, note: 'gatewayTopology.numTrustedProxies in proxy.istio.io/config' },
  [ClientIpDetectionMode.TRUSTED_CIDRS]: {
    supported: false,
    note: 'Istio has no field for it (istio/istio#53185, istio/api#3344 open); an EnvoyFilter cannot add the extension, because Istio sets '
      + 'use_remote_address: true on gateways, Envoy refuses extensions with it, and a MERGE of use_remote_address: false is a no-op (istio/istio#12549)',
  },
  [ClientIpDetectionMode.CUSTOM_HEADER]: {
    supported: false,
    note: 'the custom_header extension has the same use_remote_address conflict (istio/istio#46914); an AuthorizationPolicy can match the header\'s exact value, not a CIDR',
  },
};

/** The headers hops write: hop index → the client-IP header that hop sets to the address it received the connection from. */
export type ClientIpHeaders = Readonly<Record<number, string>>;

/** Options of `compareClientIpDetection`. */
export interface CompareClientIpDetectionOptions {
  /**
   * Which hops write a client-IP header, by index in `path.hops`.
   *
   * @default - none
   */
  readonly headers?: ClientIpHeaders;

  /**
   * Hops (by index, not the first) that clients cannot connect to directly, beyond what the path
   * itself says (`explain`'s entry points: internal load balancers, `lockedDown` hops, the
   * gateway's `loadBalancerSourceRanges` within the published ranges of the hop in front).
   *
   * @default - none: the path's own entry points
   */
  readonly lockedHops?: readonly number[];
}

/** What the gateway decided for one request. */
export interface DetectionOutcome {
  /** Where the request entered: the index of the hop it was sent to (0: the front door). */
  readonly hopIndex: number;
  /** That hop's name. */
  readonly entry: string;
  /** Whether this is an attacker's forged request (true) or a normal one (false). */
  readonly forged: boolean;
  /** The address the gateway trusts, or `null` when it refuses the request. */
  readonly trustedAddress: string | null;
  /** Why the request is refused (PROXY protocol mismatch, a missing header with fail-closed), or `null`. */
  readonly refusal: string | null;
}

/** How one detection fares on one path. */
export interface DetectionComparison {
  /** The detection compared. */
  readonly detection: ClientIpDetection;
  /** Whether an Istio 1.30 gateway can run it. */
  readonly istio: IstioGatewaySupport;
  /** The normal request through the front door. */
  readonly normal: DetectionOutcome;
  /** A forged request at every entry point (the front door first, then each hop that is not locked). */
  readonly forged: readonly DetectionOutcome[];
  /** Whether the normal request yields the client. */
  readonly yieldsClient: boolean;
  /** The entry points where the gateway trusts the forged address. */
  readonly spoofableAt: readonly string[];
  /** `yieldsClient` and no entry point spoofable. */
  readonly sound: boolean;
  /** The client's address in the runs. */
  readonly client: string;
  /** The address the forged requests claim. */
  readonly forgedAddress: string;
}

/**
 * Compares ways of detecting the client on one path: the normal request through the front door,
 * and a client that forges `X-Forwarded-For` and every client-IP header at each entry point.
 *
 * The gateway part of `path` (numTrustedProxies, PROXY protocol, externalTrafficPolicy) describes
 * how requests reach the gateway; `numTrustedProxies` is only read by a HOP_COUNT detection, which
 * carries its own. The forged request sends as many forged entries as a hop count would need
 * (at least one), enough for every mode: with trusted CIDRs the first untrusted entry from the
 * right is the client, so one forged entry is the attacker's best move when fewer than 20 entries
 * reach the gateway.
 *
 * @throws SourceIpValidationError on a malformed detection or option, and as `explain` does on a malformed path
 */
export function compareClientIpDetection(path: ExplainPath, detections: readonly ClientIpDetection[],
  options: CompareClientIpDetectionOptions = {}): DetectionComparison[] {
  failIfAny('compareClientIpDetection', [
    ...(Array.isArray(detections) ? detections.flatMap((d, i) => detectionProblems(`detections[${i}]`, d)) : [mustBe('detections', 'a list', detections, 'pass [{ mode: ClientIpDetectionMode.HOP_COUNT, numTrustedProxies: 1 }]')]),
    ...optionProblems(options, Array.isArray(path?.hops) ? path.hops.length : 0),
  ]);
  const headers = options.headers ?? {};
  const whole = explain(path);
  const resolved = whole.path;
  const client = resolved.client as string;
  const forgedAddress = resolved.forgedAddress as string;
  // The attacker model decides who can reach what (an internal load balancer, a lock, the
  // gateway's loadBalancerSourceRanges, NodePort node ports); `lockedHops` adds locks of its own.
  const locked = new Set(options.lockedHops ?? []);
  const reachable = whole.entryPoints.length === 0 ? path.hops.map((_, k) => k)
    : whole.entryPoints.filter((entry) => entry.reachable && !locked.has(entry.hopIndex)).map((entry) => entry.hopIndex);
  return detections.map((detection) => {
    const normal = outcome(path, detection, headers, 0, false);
    const forged = reachable.map((k) => (k === path.hops.length ? nodePortOutcome(path, resolved.gateway.proxyProtocol, detection, forgedAddress) : outcome(path, detection, headers, k, true)));
    const spoofableAt = forged.filter((o) => o.trustedAddress === forgedAddress).map((o) => o.entry);
    const yieldsClient = normal.trustedAddress === client;
    return {
      detection, istio: ISTIO_GATEWAY_SUPPORT[detection.mode], normal, forged, yieldsClient, spoofableAt, sound: yieldsClient && spoofableAt.length === 0, client, forgedAddress,
    };
  });
}

/** One request entering at hop `start`, walked to the gateway by `explain`, and decided there with `detection`. */
function outcome(path: ExplainPath, detection: ClientIpDetection, headers: ClientIpHeaders, start: number, forged: boolean): DetectionOutcome {
  const hops = path.hops.slice(start);
  const numTrustedProxies = detection.mode === ClientIpDetectionMode.HOP_COUNT ? detection.numTrustedProxies : 0;
  // The attacker connects from the client's own address to hop `start`, skipping the ones before.
  const subPath: ExplainPath = { ...path, hops: hops.map((hop, i) => withAddress(hop, start + i)), gateway: { ...path.gateway, numTrustedProxies } };
  const result = explain(subPath);
  const run: ExplainRun = forged ? result.spoofed : result.normal;
  const entry = path.hops[start]?.name ?? 'gateway';
  if (run.refusal !== null) {
    return { hopIndex: start, entry, forged, trustedAddress: null, refusal: run.refusal };
  }
  const gateway = run.layers.find((layer) => layer.role === ExplainLayerRole.GATEWAY);
  if (gateway === undefined) {
    throw new Error('compareClientIpDetection: explain returned a run without a gateway layer');
  }
  const input = gatewayInput(detection, {
    remoteAddress: gateway.proxyProtocolSource ?? gateway.tcpPeer ?? '',
    xff: gateway.xff,
    headerValue: headerAtGateway(run, headers, start, forged ? result.path.forgedAddress as string : null, detection),
  });
  const status = envoyRejection(input);
  if (status !== null) {
    return { hopIndex: start, entry, forged, trustedAddress: null, refusal: `the gateway replies ${status}: the request has no ${(detection as CustomHeaderDetection).header} header that holds an address` };
  }
  return { hopIndex: start, entry, forged, trustedAddress: simulateEnvoyXff(input).trustedClientAddress, refusal: null };
}

/**
 * A client that connects to the gateway's node ports (a NodePort Service), past every hop: its
 * own address is the peer, or, when the gateway expects PROXY protocol, the source it writes into
 * its own PROXY header, which it picks inside the trusted CIDRs when that helps it.
 */
function nodePortOutcome(path: ExplainPath, proxyProtocol: boolean, detection: ClientIpDetection, forgedAddress: string): DetectionOutcome {
  const attacker = path.client ?? '203.0.113.7';
  const proxySource = !proxyProtocol ? attacker
    : detection.mode === ClientIpDetectionMode.TRUSTED_CIDRS ? firstHostOf(detection.trustedCidrs[0]) ?? forgedAddress : forgedAddress;
  const input = gatewayInput(detection, { remoteAddress: proxySource, xff: forgedAddress, headerValue: forgedAddress });
  return { hopIndex: path.hops.length, entry: 'gateway node ports', forged: true, trustedAddress: simulateEnvoyXff(input).trustedClientAddress, refusal: null };
}

/** The first host of an IPv4 CIDR (its address + 1, unless a /31 or /32), or undefined for anything else. */
function firstHostOf(cidr: string | undefined): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr ?? '');
  if (match === null) {
    return undefined;
  }
  const octets = match.slice(1, 5).map(Number);
  if (Number(match[5]) < 31) {
    octets[3] += 1;
  }
  return octets.join('.');
}

/** A hop of a shortened path keeps the default address it has on the whole path. */
function withAddress(hop: ExplainHop, index: number): ExplainHop {
  return hop.address !== undefined ? hop : { ...hop, address: `192.0.2.${index + 1}` };
}

/**
 * The value of the detection's header when the request reaches the gateway: written by the last
 * hop (from where the request entered) that writes it, with the address that hop received the
 * connection from; otherwise what the client sent (the forged address, or nothing).
 */
function headerAtGateway(run: ExplainRun, headers: ClientIpHeaders, start: number, clientValue: string | null,
  detection: ClientIpDetection): string | null {
  if (detection.mode !== ClientIpDetectionMode.CUSTOM_HEADER) {
    return null;
  }
  const hopLayers = run.layers.filter((layer) => layer.role === ExplainLayerRole.HOP);
  let value = clientValue;
  hopLayers.forEach((layer, i) => {
    if (headers[start + i]?.toLowerCase() === detection.header.toLowerCase()) {
      value = layer.tcpPeer;
    }
  });
  return value;
}

/** The gateway Envoy's configuration for a detection, with one request. */
export function gatewayInput(detection: ClientIpDetection, request: { readonly remoteAddress: string; readonly xff: string | null; readonly headerValue?: string | null }): EnvoyXffInput {
  const base = { remoteAddress: request.remoteAddress, xff: request.xff, internalAddresses: 'none' as const };
  switch (detection.mode) {
    case ClientIpDetectionMode.HOP_COUNT:
      return { ...base, useRemoteAddress: true, xffNumTrustedHops: detection.numTrustedProxies };
    case ClientIpDetectionMode.TRUSTED_CIDRS:
      // skip_xff_append false: the peer is appended, as an edge Envoy does (the extension's default is true).
      return { ...base, useRemoteAddress: false, xffNumTrustedHops: 0, originalIpDetectionXff: { xffTrustedCidrs: detection.trustedCidrs, skipXffAppend: false } };
    default:
      return {
        ...base,
        useRemoteAddress: false,
        xffNumTrustedHops: 0,
        originalIpDetectionCustomHeader: { headerName: detection.header, ...(detection.failClosed === true ? { rejectWithStatus: 403 } : {}) },
        requestHeaders: request.headerValue === null || request.headerValue === undefined ? {} : { [detection.header]: request.headerValue },
      };
  }
}

/** A detection in a few words, e.g. `trusted CIDRs (24)`. */
export function describeDetection(detection: ClientIpDetection): string {
  switch (detection.mode) {
    case ClientIpDetectionMode.HOP_COUNT:
      return `hop count ${detection.numTrustedProxies}`;
    case ClientIpDetectionMode.TRUSTED_CIDRS:
      return `trusted CIDRs (${detection.trustedCidrs.length})`;
    default:
      return `header ${detection.header}${detection.failClosed === true ? ', fail closed' : ''}`;
  }
}

function detectionProblems(prop: string, detection: ClientIpDetection): Problem[] {
  if (detection === null || typeof detection !== 'object') {
    return [mustBe(prop, 'a detection object', detection, 'write { mode: ClientIpDetectionMode.HOP_COUNT, numTrustedProxies: 1 }')];
  }
  switch (detection.mode) {
    case ClientIpDetectionMode.HOP_COUNT:
      return [Number.isInteger(detection.numTrustedProxies) && detection.numTrustedProxies >= 0 && detection.numTrustedProxies <= 4294967295 ? undefined
        : mustBe(`${prop}.numTrustedProxies`, 'a whole number from 0 to 4294967295', detection.numTrustedProxies, 'count the X-Forwarded-For entries the hops append')];
    case ClientIpDetectionMode.TRUSTED_CIDRS:
      return [Array.isArray(detection.trustedCidrs) && detection.trustedCidrs.length > 0 && detection.trustedCidrs.every((c) => typeof c === 'string') ? undefined
        : mustBe(`${prop}.trustedCidrs`, 'a non-empty list of CIDR strings', detection.trustedCidrs, 'list the proxies\' ranges, e.g. ProviderRanges.cloudflare().blocks.map(String)')];
    case ClientIpDetectionMode.CUSTOM_HEADER:
      return [
        typeof detection.header === 'string' && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(detection.header) ? undefined
          : mustBe(`${prop}.header`, 'an HTTP header name', detection.header, 'write e.g. "cf-connecting-ip"'),
        detection.failClosed === undefined || typeof detection.failClosed === 'boolean' ? undefined : mustBe(`${prop}.failClosed`, 'true or false', detection.failClosed, 'pass a boolean'),
      ];
    default:
      return [mustBe(`${prop}.mode`, `one of ${Object.values(ClientIpDetectionMode).join(', ')}`, (detection as { mode?: unknown }).mode, 'use a ClientIpDetectionMode member')];
  }
}

function optionProblems(options: CompareClientIpDetectionOptions, hopCount: number): Problem[] {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return [mustBe('options', 'an object', options, 'pass { headers, lockedHops }, or nothing')];
  }
  const problems: Problem[] = [];
  if (options.lockedHops !== undefined && (!Array.isArray(options.lockedHops) || firstHole(options.lockedHops) !== undefined)) {
    return [mustBe('lockedHops', 'a list of hop indexes', options.lockedHops, 'write lockedHops: [1]')];
  }
  if (options.headers !== undefined && !isPlainObject(options.headers)) {
    return [mustBe('headers', 'a map from hop index to header name', options.headers, 'write headers: { 0: "cf-connecting-ip" }')];
  }
  for (const k of options.lockedHops ?? []) {
    if (!Number.isInteger(k) || k < 1 || k >= hopCount) {
      problems.push(`'lockedHops' entries must be hop indexes from 1 to ${hopCount - 1} (the front door cannot be locked), got ${show(k)}. Fix: name the hops clients cannot reach`);
    }
  }
  for (const [k, header] of Object.entries(options.headers ?? {})) {
    if (!/^[0-9]+$/.test(k) || Number(k) >= hopCount || typeof header !== 'string' || header === '') {
      problems.push(`'headers' maps hop indexes below ${hopCount} to header names, got ${show(k)}: ${show(header)}. Fix: write e.g. { 0: "cf-connecting-ip" }`);
    }
  }
  return problems;
}
