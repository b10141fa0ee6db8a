/**
 * A pure model of how one Envoy HTTP connection manager picks the client address of a request.
 *
 * Every rule below comes from `../shared/research/envoy-xff.md` (Envoy 1.36 up to main of
 * July 2026, the Envoy that Istio 1.30.3 ships). Where Envoy's documentation and its code
 * disagree, this module follows the code; comments name the Envoy source function each rule
 * comes from.
 */
import { IpAddress, IpPrefix, ipv6Words, longestZeroRun, parseIpAddress, parseIpPrefix, prefixContains } from '../private/ip';
import { firstHole, isPlainObject, show } from '../private/problems';
import { customHeaderConfigProblems, detectFromCustomHeader, EnvoyCustomHeaderDetectionOptions, headerValue } from './custom-header';

/** The largest value of a protobuf `uint32`, such as `xff_num_trusted_hops`. */
const MAX_UINT32 = 4294967295;

/** `getLastNonTrustedAddressFromXFF` gives up on headers with more entries than this. */
const MAX_XFF_ENTRIES_FOR_TRUSTED_CIDRS = 20;

/** What Envoy's access logs print for a value they do not have; used for an empty peer. */
const UNKNOWN_ADDRESS_TEXT = '-';

/**
 * The XFF original-IP-detection extension (`envoy.http.original_ip_detection.xff`), configured
 * explicitly in `original_ip_detection_extensions`.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/http/original_ip_detection/xff/v3/xff.proto
 */
export interface EnvoyXffDetectionOptions {
  /**
   * How many entries at the right end of `X-Forwarded-For` to skip: the client is the
   * (N+1)th entry from the right.
   *
   * Only one of `xffNumTrustedHops` (above 0) and `xffTrustedCidrs` may be set.
   *
   * @default 0
   */
  readonly xffNumTrustedHops?: number;

  /**
   * Proxies to trust, as CIDRs (`192.0.2.0/24`, `2001:db8::/32`).
   *
   * When set, XFF is read only if the peer is inside one of them. The entries are then walked
   * from the right, skipping those inside the ranges, and the first one outside is the client
   * (the leftmost one if all are inside). Private ranges are not skipped unless listed. An
   * empty list is refused: leave the field out to count hops instead.
   *
   * @default - hop-count mode
   */
  readonly xffTrustedCidrs?: readonly string[];

  /**
   * Whether this extension leaves `X-Forwarded-For` as it came.
   *
   * In CIDR mode the peer is appended anyway when the peer is not a trusted proxy.
   *
   * @default true
   */
  readonly skipXffAppend?: boolean;
}

/**
 * One HTTP request arriving at one Envoy, and the parts of that Envoy's connection manager
 * configuration that decide the client address.
 *
 * Header values (`xff`, `externalAddressIn`) and `remoteAddress` may be any string: the
 * simulator never throws because of them. Configuration fields are checked, and a
 * combination Envoy would refuse throws an `EnvoyConfigError`.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto
 */
export interface EnvoyXffInput {
  /**
   * The downstream peer: the TCP source address, or the PROXY-protocol source address when
   * the listener has the `proxy_protocol` filter.
   *
   * An IP address without port or brackets (`192.0.2.5`, `2001:db8::5`, or `fe80::5%2` with a
   * numeric scope). Anything else (a unix socket path, `192.0.2.5:443`, a named scope such as
   * `fe80::5%eth0`) is a non-IP peer: it is never appended to XFF, never internal, never
   * written to `x-envoy-external-address`, and when it is the trusted client its text is
   * reported as given (`-` if empty).
   */
  readonly remoteAddress: string;

  /** The incoming `X-Forwarded-For` value (several header lines joined with `,`), or `null` when absent. */
  readonly xff: string | null;

  /** The connection manager's `use_remote_address`: `true` at the edge (Istio gateways), `false` in sidecars and waypoints. */
  readonly useRemoteAddress: boolean;

  /**
   * The connection manager's `xff_num_trusted_hops` (Istio `gatewayTopology.numTrustedProxies`).
   *
   * A whole number from 0 to 4294967295.
   */
  readonly xffNumTrustedHops: number;

  /**
   * The connection manager's `skip_xff_append`.
   *
   * Read only when `useRemoteAddress` is true; with `false`, appending is decided by the
   * detection extension.
   *
   * @default false
   */
  readonly skipXffAppend?: boolean;

  /**
   * The connection manager's `internal_address_config`, which decides which trusted client
   * addresses make a request internal.
   *
   * - `'none'`: the field is unset; since Envoy 1.33 nothing is internal.
   * - `'builtin'`: the field is set without `cidr_ranges`; Envoy's own list applies:
   *   10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8, and exactly 127.0.0.1 and ::1.
   * - a list of CIDRs: exactly those ranges (what Istio writes from MeshNetworks `fromCidr`).
   *   An empty list is refused, because Envoy would read it as `'builtin'`.
   *
   * @default 'none'
   */
  readonly internalAddresses?: 'none' | 'builtin' | readonly string[];

  /**
   * The proxy's own address (Envoy's node address), which Envoy appends to XFF instead of
   * the peer when the peer is exactly `127.0.0.1` or `::1`.
   *
   * @default - the loopback peer itself is appended, as Envoy does on a node without any
   * other address
   */
  readonly localAddress?: string;

  /**
   * The incoming `x-envoy-external-address` value, or `null`/absent when the request has none.
   *
   * @default - the request has no such header
   */
  readonly externalAddressIn?: string | null;

  /**
   * An explicit XFF original-IP-detection extension.
   *
   * Envoy refuses it together with `useRemoteAddress: true` or `xffNumTrustedHops` above 0.
   *
   * @default - with `useRemoteAddress: false`, the XFF detector Envoy builds from
   * `xffNumTrustedHops`, which never appends to XFF
   */
  readonly originalIpDetectionXff?: EnvoyXffDetectionOptions;

  /**
   * An explicit custom-header original-IP-detection extension (`custom-header.ts`). It runs
   * before `originalIpDetectionXff` when both are set. Envoy refuses it together with
   * `useRemoteAddress: true` or `xffNumTrustedHops` above 0. When it rejects the request
   * (`rejectWithStatus`), Envoy sends a local reply: `envoyRejection` gives its status, and this
   * function returns the headers as they were, with the peer as the client.
   *
   * @default - no custom-header extension
   */
  readonly originalIpDetectionCustomHeader?: EnvoyCustomHeaderDetectionOptions;

  /**
   * The request's other headers by name (any case; a list for several lines, of which Envoy reads
   * the first), which the custom-header extension reads.
   *
   * @default - none
   */
  readonly requestHeaders?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * What one Envoy decided about one request.
 */
export interface EnvoyXffResult {
  /**
   * The trusted client address (Envoy's `%DOWNSTREAM_REMOTE_ADDRESS%` without port), which
   * RBAC `remote_ip`, Istio `remoteIpBlocks` and source-IP hashing use.
   *
   * Canonical text as Envoy prints it (glibc `inet_ntop`: IPv6 lower case and compressed, plus
   * `%<scope id>` when scoped). For a non-IP peer, the peer text as given, or `-` if empty.
   */
  readonly trustedClientAddress: string;

  /** `X-Forwarded-For` exactly as forwarded upstream, or `null` when absent. */
  readonly xffOut: string | null;

  /** `x-envoy-external-address` as forwarded upstream, or `null` when absent. */
  readonly externalAddress: string | null;

  /** Whether Envoy adds `x-envoy-internal: true` (it never writes `false`; the header is removed otherwise). */
  readonly internal: boolean;
}

/**
 * Thrown when the configuration part of an `EnvoyXffInput` is one that Envoy would refuse to
 * load, or that the simulator cannot read (a malformed CIDR or address).
 *
 * Every problem found is listed, not only the first.
 */
export class EnvoyConfigError extends Error {
  /** One sentence per problem, each starting with the input field at fault. */
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    // Never throw while reporting a problem, whatever a plain-JavaScript caller passes.
    const list = Array.isArray(problems) ? Array.from(problems, (problem) => (typeof problem === 'string' ? problem : show(problem))) : [show(problems)];
    const shown = list.length > 20 ? [...list.slice(0, 20), `… and ${list.length - 20} more (see the error's problems)`] : list;
    super(`simulateEnvoyXff: invalid Envoy configuration:\n${shown.map((problem) => `- ${problem}`).join('\n')}`);
    this.name = 'EnvoyConfigError';
    this.problems = list;
  }
}

/**
 * Simulates Envoy's choice of client address for one HTTP request at one proxy.
 *
 * Returns the trusted client address, and the `X-Forwarded-For`, `x-envoy-external-address`
 * and `x-envoy-internal` headers the proxy forwards. The model is the connection manager's
 * `mutateRequestHeaders` (`source/common/http/conn_manager_utility.cc`) with the default or an
 * explicit XFF detection extension:
 *
 * - `useRemoteAddress: true`: the client is the Nth XFF entry from the right when
 *   `xffNumTrustedHops` is N > 0 and that entry parses, otherwise the peer; the peer is appended
 *   to XFF unless `skipXffAppend`.
 * - `useRemoteAddress: false`: the detection extension reads XFF (by default the (N+1)th entry
 *   from the right); without a result the peer is the client.
 * - A request is internal only when Envoy may check the address (no XFF at the edge, a single
 *   XFF entry otherwise) and `internalAddresses` lists it.
 * - Edge requests that are not internal get `x-envoy-external-address`; otherwise the incoming
 *   value passes through.
 *
 * Only the entry Envoy selects is parsed, with the rules of `inet_pton`/`getaddrinfo`: a bare
 * dotted quad without leading zeros, or an RFC 4291 IPv6 literal, after trimming
 * ` \t\f\v\n\r`. Ports and brackets make an entry unparsable. An IPv6 scope is accepted when
 * it is a decimal number; a scope naming a network interface (`fe80::1%eth0`) is treated as
 * unparsable, because whether Envoy accepts it depends on the interfaces of its host.
 *
 * @throws EnvoyConfigError when the configuration is one Envoy refuses (for example the
 * extension mixed with `useRemoteAddress: true`) or holds a malformed CIDR or address; never
 * because of header values or `remoteAddress`
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-envoy-external-address
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-envoy-internal
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/http/original_ip_detection/xff/v3/xff.proto
 */
export function simulateEnvoyXff(input: EnvoyXffInput): EnvoyXffResult {
  const config = checkConfig(input);
  // The peer comes from a socket, not from a header, so it is parsed as given, without trimming.
  const peer = parseEnvoyIp(input.remoteAddress);
  const peerText = peer?.text ?? (input.remoteAddress === '' ? UNKNOWN_ADDRESS_TEXT : input.remoteAddress);
  const appended = addressToAppend(peer, config.localAddress);

  // mutateRequestHeaders: the request starts with no trusted address and no permission to
  // classify it as internal (any incoming x-envoy-internal is dropped at this point).
  let trusted: EnvoyIp | undefined;
  let allowTrustedAddressChecks = false;
  let xffOut = input.xff;

  if (input.useRemoteAddress) {
    // Edge mode. Only a request without any XFF header (an empty one still counts) may be
    // internal, and the Nth entry from the right is read before the peer is appended.
    allowTrustedAddressChecks = input.xff === null;
    if (input.xffNumTrustedHops > 0) {
      trusted = lastAddressFromXff(input.xff, input.xffNumTrustedHops - 1).address;
    }
    // Too short, or the selected entry does not parse: the peer, with no search further left.
    trusted ??= peer;
    if (input.skipXffAppend !== true) {
      xffOut = appendXff(xffOut, appended);
    }
  } else {
    // Non-edge mode: one detection extension, the explicit one or the one the connection
    // manager builds from xff_num_trusted_hops (config.cc). Detection reads the headers before
    // the extension's own append. The HCM skip_xff_append is not read in this branch.
    const byHeader = config.customHeader === undefined ? undefined
      : detectFromCustomHeader(config.customHeader, headerValue(input.requestHeaders, config.customHeader.headerName), parseEnvoyIp);
    const detection = byHeader?.address !== undefined || byHeader?.rejectWithStatus !== undefined || !config.xffDetection
      ? byHeader ?? { allowTrustedAddressChecks: false, skipXffAppend: true }
      : detect(config.detector, input.xff, peer);
    if (!detection.skipXffAppend) {
      xffOut = appendXff(xffOut, appended);
    }
    if (detection.address !== undefined) {
      trusted = detection.address;
      allowTrustedAddressChecks = detection.allowTrustedAddressChecks;
    }
  }

  // A non-IP peer (undefined here) is never internal: Envoy counts unix sockets as internal
  // only with internal_address_config.unix_sockets, which this model does not offer.
  const internal = allowTrustedAddressChecks && trusted !== undefined && config.isInternal(trusted);
  const edge = !internal && input.useRemoteAddress;
  // Envoy sets x-envoy-external-address only for an IP trusted address at the edge; in every
  // other case it neither sets nor removes the header, so a client's value passes through.
  const externalAddress = edge && trusted !== undefined ? trusted.text : (input.externalAddressIn ?? null);

  return {
    trustedClientAddress: trusted?.text ?? peerText,
    xffOut,
    externalAddress,
    internal,
  };
}

/**
 * The HTTP status of the local reply Envoy sends instead of forwarding the request, when the
 * custom-header extension fails to detect an address and has `rejectWithStatus`; `null` when
 * the request goes on.
 *
 * @throws EnvoyConfigError as `simulateEnvoyXff` does
 */
export function envoyRejection(input: EnvoyXffInput): number | null {
  const config = checkConfig(input);
  if (input.useRemoteAddress || config.customHeader === undefined) {
    return null;
  }
  const detection = detectFromCustomHeader(config.customHeader, headerValue(input.requestHeaders, config.customHeader.headerName), parseEnvoyIp);
  return detection.rejectWithStatus ?? null;
}

/** An address as Envoy holds it after parsing: the bytes, the scope id, and its printed text. */
interface EnvoyIp {
  readonly address: IpAddress;
  /** The numeric IPv6 scope id, 0 when none. */
  readonly scopeId: number;
  /** `inet_ntop` text, with `%<scope id>` when the scope id is not 0. */
  readonly text: string;
}

/** The configuration after checking, in the form the simulation reads. */
interface CheckedConfig {
  readonly isInternal: (ip: EnvoyIp) => boolean;
  readonly localAddress?: EnvoyIp;
  readonly detector: XffDetector;
  /** The custom-header extension, when configured; it runs first. */
  readonly customHeader?: EnvoyCustomHeaderDetectionOptions;
  /** Whether an XFF extension runs: an explicit one, or the default one when no extension is configured. */
  readonly xffDetection: boolean;
}

/** One XFF original-IP-detection extension, explicit or built by the connection manager. */
interface XffDetector {
  readonly numTrustedHops: number;
  /** Empty in hop-count mode. */
  readonly trustedCidrs: readonly IpPrefix[];
  readonly skipXffAppend: boolean;
}

/** What a detection extension reports (`OriginalIPDetectionResult`). */
interface Detection {
  readonly address?: EnvoyIp;
  readonly allowTrustedAddressChecks: boolean;
  readonly skipXffAppend: boolean;
}

/** What the XFF helpers in `source/common/http/utility.cc` return (`GetLastAddressFromXffInfo`). */
interface XffLookup {
  readonly address?: EnvoyIp;
  readonly allowTrustedAddressChecks: boolean;
}

const NOTHING_FOUND: XffLookup = { allowTrustedAddressChecks: false };

/** Checks the configuration fields and turns them into a `CheckedConfig`, or throws every problem at once. */
function checkConfig(input: EnvoyXffInput): CheckedConfig {
  if (!isPlainObject(input)) {
    throw new EnvoyConfigError([`'input' must be an object { remoteAddress, xff, useRemoteAddress, xffNumTrustedHops, ... }, got ${show(input)}. `
      + 'Fix: pass one request and the proxy\'s settings']);
  }
  const problems: string[] = [];
  // Plain-JavaScript callers: wrong types are refused, never coerced ("false" is not false).
  const types: [string, unknown, string][] = [
    ['remoteAddress', typeof input.remoteAddress === 'string' ? undefined : input.remoteAddress, 'a string (the TCP peer or PROXY source)'],
    ['xff', input.xff === null || typeof input.xff === 'string' ? undefined : input.xff, 'a string, or null when absent'],
    ['useRemoteAddress', typeof input.useRemoteAddress === 'boolean' ? undefined : input.useRemoteAddress, 'true or false'],
    ['skipXffAppend', input.skipXffAppend === undefined || typeof input.skipXffAppend === 'boolean' ? undefined : input.skipXffAppend, 'true or false'],
    ['localAddress', input.localAddress === undefined || typeof input.localAddress === 'string' ? undefined : input.localAddress, 'a string'],
    ['externalAddressIn', input.externalAddressIn === undefined || input.externalAddressIn === null || typeof input.externalAddressIn === 'string'
      ? undefined : input.externalAddressIn, 'a string, or null when absent'],
    ['originalIpDetectionXff', input.originalIpDetectionXff === undefined || isPlainObject(input.originalIpDetectionXff) ? undefined
      : input.originalIpDetectionXff, 'an object'],
    ['originalIpDetectionCustomHeader', input.originalIpDetectionCustomHeader === undefined || isPlainObject(input.originalIpDetectionCustomHeader) ? undefined
      : input.originalIpDetectionCustomHeader, 'an object'],
    ['requestHeaders', input.requestHeaders === undefined || isPlainObject(input.requestHeaders) ? undefined : input.requestHeaders, 'an object of header values'],
  ];
  const optional = ['skipXffAppend', 'localAddress', 'externalAddressIn', 'originalIpDetectionXff', 'originalIpDetectionCustomHeader', 'requestHeaders'];
  for (const [field, bad, allowed] of types) {
    if (bad !== undefined || (!optional.includes(field)
      && (input as unknown as Record<string, unknown>)[field] === undefined)) {
      problems.push(`'${field}' must be ${allowed}, got ${show((input as unknown as Record<string, unknown>)[field])}. Fix: pass the right type`);
    }
  }
  const extensionInput = isPlainObject(input.originalIpDetectionXff) ? input.originalIpDetectionXff : undefined;
  if (extensionInput !== undefined) {
    if (extensionInput.skipXffAppend !== undefined && typeof extensionInput.skipXffAppend !== 'boolean') {
      problems.push(`'originalIpDetectionXff.skipXffAppend' must be true or false, got ${show(extensionInput.skipXffAppend)}. Fix: pass a boolean`);
    }
    if (extensionInput.xffTrustedCidrs !== undefined && (!Array.isArray(extensionInput.xffTrustedCidrs) || firstHole(extensionInput.xffTrustedCidrs) !== undefined)) {
      problems.push(`'originalIpDetectionXff.xffTrustedCidrs' must be a list of CIDRs without holes, got ${show(extensionInput.xffTrustedCidrs)}. Fix: write e.g. ["10.0.0.0/8"]`);
    }
  }
  if (problems.length > 0) {
    throw new EnvoyConfigError(problems);
  }
  checkUint32('xffNumTrustedHops', input.xffNumTrustedHops, problems);

  const isInternal = internalClassifier(input.internalAddresses, problems);

  let localAddress: EnvoyIp | undefined;
  if (input.localAddress !== undefined) {
    localAddress = parseEnvoyIp(input.localAddress);
    if (localAddress === undefined) {
      problems.push(`'localAddress' must be the proxy's own IP address, got ${show(input.localAddress)}; ` +
        'write a bare address such as "10.0.0.5" or "2001:db8::5", with no port and at most a numeric IPv6 scope');
    }
  }

  let detector: XffDetector = { numTrustedHops: input.xffNumTrustedHops, trustedCidrs: [], skipXffAppend: true };
  const extension = input.originalIpDetectionXff;
  if (extension !== undefined) {
    // http_connection_manager/config.cc refuses these listeners ("... may not be mixed").
    if (input.useRemoteAddress) {
      problems.push("'originalIpDetectionXff' may not be mixed with 'useRemoteAddress: true' (Envoy refuses the listener); " +
        'set useRemoteAddress to false, or drop originalIpDetectionXff');
    }
    if (input.xffNumTrustedHops > 0) {
      problems.push(`'originalIpDetectionXff' may not be mixed with 'xffNumTrustedHops' ${input.xffNumTrustedHops} ` +
        '(Envoy refuses the listener); set xffNumTrustedHops to 0 and count hops in originalIpDetectionXff.xffNumTrustedHops');
    }
    const hops = extension.xffNumTrustedHops ?? 0;
    checkUint32('originalIpDetectionXff.xffNumTrustedHops', hops, problems);
    let trustedCidrs: readonly IpPrefix[] = [];
    if (extension.xffTrustedCidrs !== undefined) {
      if (extension.xffTrustedCidrs.length === 0) {
        problems.push("'originalIpDetectionXff.xffTrustedCidrs' is an empty list; list at least one CIDR, " +
          'or leave the field out to count hops with xffNumTrustedHops');
      }
      trustedCidrs = parseCidrList('originalIpDetectionXff.xffTrustedCidrs', extension.xffTrustedCidrs, problems);
      // XffIPDetection::create refuses both ways of trusting proxies at once.
      if (hops > 0) {
        problems.push(`'originalIpDetectionXff' sets both 'xffNumTrustedHops' (${hops}) and 'xffTrustedCidrs'; ` +
          'Envoy allows only one of them, so drop one');
      }
    }
    // The extension's own skip_xff_append defaults to true, unlike the connection manager's.
    detector = { numTrustedHops: hops, trustedCidrs, skipXffAppend: extension.skipXffAppend ?? true };
  }

  const customHeader = input.originalIpDetectionCustomHeader;
  if (customHeader !== undefined) {
    problems.push(...customHeaderConfigProblems(customHeader));
    if (input.useRemoteAddress) {
      problems.push("'originalIpDetectionCustomHeader' may not be mixed with 'useRemoteAddress: true' (Envoy refuses the listener); "
        + 'set useRemoteAddress to false, or drop originalIpDetectionCustomHeader');
    }
    if (typeof input.xffNumTrustedHops === 'number' && input.xffNumTrustedHops > 0 && extension === undefined) {
      problems.push(`'originalIpDetectionCustomHeader' may not be mixed with 'xffNumTrustedHops' ${input.xffNumTrustedHops} (Envoy refuses the listener); `
        + 'set xffNumTrustedHops to 0');
    }
  }

  if (problems.length > 0) {
    throw new EnvoyConfigError(problems);
  }
  // Without any extension the HCM builds the XFF detector; with only a custom header, none runs.
  return { isInternal, localAddress, detector, customHeader, xffDetection: extension !== undefined || customHeader === undefined };
}

function checkUint32(field: string, value: number, problems: string[]): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_UINT32) {
    problems.push(`'${field}' must be a whole number from 0 to ${MAX_UINT32} (a uint32), got ${show(value)}. Fix: count the trusted hops (0 when none)`);
  }
}

/** Builds the internal-address test of `internal_address_config`, or records why it cannot. */
function internalClassifier(setting: EnvoyXffInput['internalAddresses'], problems: string[]): (ip: EnvoyIp) => boolean {
  if (setting === undefined || setting === 'none') {
    // DefaultInternalAddressConfig (conn_manager_config.h): nothing is internal since 1.33.
    return () => false;
  }
  if (setting === 'builtin') {
    return isBuiltinInternal;
  }
  if (!Array.isArray(setting) || firstHole(setting) !== undefined) {
    problems.push(`'internalAddresses' must be 'none', 'builtin' or a list of CIDRs, got ${show(setting)}. Fix: write 'none' (Envoy's default) or e.g. ['10.0.0.0/8']`);
    return () => false;
  }
  if (setting.length === 0) {
    // createInternalAddressConfig (config.cc) reads empty cidr_ranges as "use the built-in list",
    // which is easy to set by accident when a computed list comes out empty.
    problems.push("'internalAddresses' is an empty list, which Envoy reads as its built-in private ranges; " +
      "write 'builtin' for those, or 'none' for nothing internal");
    return () => false;
  }
  const ranges = parseCidrList('internalAddresses', setting, problems);
  return (ip) => ranges.some((range) => prefixContains(range, ip.address));
}

/** Parses CIDR texts, recording a problem for each one that is not `address/bits`. */
function parseCidrList(field: string, texts: readonly string[], problems: string[]): readonly IpPrefix[] {
  const ranges: IpPrefix[] = [];
  texts.forEach((text, i) => {
    const name = `'${field}[${i}]'`;
    if (typeof text !== 'string') {
      problems.push(`${name} must be a CIDR string, got ${show(text)}. Fix: write it as text, e.g. "10.0.0.0/8"`);
      return;
    }
    if (!text.includes('/')) {
      // Refused rather than read as a /32 or /128: Envoy's CidrRange takes the length as a
      // separate field, and guessing it would change which addresses are trusted.
      const address = parseIpAddress(text);
      const hint = address.ok && address.value.zone === undefined ? `; did you mean "${text}/${address.value.family === 4 ? 32 : 128}"?` : '';
      problems.push(`${name} must be a CIDR such as "10.0.0.0/8", got ${show(text)} with no prefix length${hint}`);
      return;
    }
    const prefix = parseIpPrefix(text);
    if (!prefix.ok) {
      problems.push(`${name} must be a CIDR such as "10.0.0.0/8", got ${show(text)}: ${prefix.reason}`);
      return;
    }
    ranges.push(prefix.value);
  });
  return ranges;
}

/**
 * `Network::Utility::isInternalAddress` (source/common/network/utility.cc): RFC 1918, fd00::/8,
 * and the two loopback addresses exactly. Not 127.0.0.0/8, not fc00::/8, and not IPv4-mapped
 * IPv6, whose family is IPv6.
 */
function isBuiltinInternal(ip: EnvoyIp): boolean {
  const b = ip.address.bytes;
  if (ip.address.family === 4) {
    return b[0] === 10 || (b[0] === 172 && b[1] >= 16 && b[1] <= 31) || (b[0] === 192 && b[1] === 168) || isLoopback(ip);
  }
  return b[0] === 0xfd || isLoopback(ip);
}

/** `Network::Utility::isLoopbackAddress`: exactly 127.0.0.1 or ::1 (the scope is not compared). */
function isLoopback(ip: EnvoyIp): boolean {
  const b = ip.address.bytes;
  if (ip.address.family === 4) {
    return b[0] === 127 && b[1] === 0 && b[2] === 0 && b[3] === 1;
  }
  return b.every((byte, i) => byte === (i === 15 ? 1 : 0));
}

/**
 * The text Envoy appends for this peer (the `appendXff` helper in conn_manager_utility.cc), or
 * undefined when it appends nothing.
 */
function addressToAppend(peer: EnvoyIp | undefined, localAddress: EnvoyIp | undefined): string | undefined {
  if (peer === undefined) {
    // Utility::appendXff skips addresses that are not IP (unix sockets, internal listeners).
    return undefined;
  }
  if (isLoopback(peer)) {
    // A loopback peer says nothing about the client's network, so Envoy writes its own node
    // address. Without one given, write the peer: Envoy's node address falls back to loopback
    // when the host has no other address.
    return localAddress?.text ?? peer.text;
  }
  return peer.text;
}

/** `appendForwardedFor(address, ",")`: a comma and no space; an absent or empty header becomes the address. */
function appendXff(xff: string | null, address: string | undefined): string | null {
  if (address === undefined) {
    return xff;
  }
  return xff === null || xff === '' ? address : `${xff},${address}`;
}

/** Runs one XFF detection extension (`XffIPDetection::detect`, xff.cc). */
function detect(detector: XffDetector, xff: string | null, peer: EnvoyIp | undefined): Detection {
  if (detector.trustedCidrs.length === 0) {
    // Hop-count mode: the (N+1)th entry from the right. Only a one-entry header with N = 0
    // allows the internal check.
    return { ...lastAddressFromXff(xff, detector.numTrustedHops), skipXffAppend: detector.skipXffAppend };
  }
  const peerIsTrusted = peer !== undefined && detector.trustedCidrs.some((range) => prefixContains(range, peer.address));
  if (!peerIsTrusted) {
    // remoteAddressIsTrustedProxy failed: no detection, and the result forces the append even
    // when skip_xff_append is set, so the next hop sees who really connected.
    return { allowTrustedAddressChecks: false, skipXffAppend: false };
  }
  return { ...lastNonTrustedAddressFromXff(xff, detector.trustedCidrs), skipXffAppend: detector.skipXffAppend };
}

/**
 * `Utility::getLastAddressFromXFF`: skip `skip` entries from the right by cutting at the last
 * comma each time, then parse the text after the last remaining comma.
 */
function lastAddressFromXff(xff: string | null, skip: number): XffLookup {
  if (xff === null) {
    return NOTHING_FOUND;
  }
  let rest = xff;
  // Bounded by the number of commas, whatever `skip` is.
  for (let i = 0; i < skip; i++) {
    const comma = rest.lastIndexOf(',');
    if (comma === -1) {
      return NOTHING_FOUND;
    }
    rest = rest.slice(0, comma);
  }
  const comma = rest.lastIndexOf(',');
  // With a trailing comma Envoy keeps the whole remaining string as the candidate; it then
  // fails to parse, and the caller falls back to the peer.
  const candidate = comma !== -1 && comma + 1 < rest.length ? rest.slice(comma + 1) : rest;
  const address = parseEnvoyIp(trimXffWhitespace(candidate));
  if (address === undefined) {
    return NOTHING_FOUND;
  }
  return { address, allowTrustedAddressChecks: comma === -1 && skip === 0 };
}

/**
 * `Utility::getLastNonTrustedAddressFromXFF`: walk the entries right to left, skip those in
 * `trustedCidrs`, and return the first one outside them, or the leftmost when all are inside.
 */
function lastNonTrustedAddressFromXff(xff: string | null, trustedCidrs: readonly IpPrefix[]): XffLookup {
  if (xff === null) {
    return NOTHING_FOUND;
  }
  const entries = xff.split(',');
  // A cap on the work a client can cause; longer headers are not read at all.
  if (entries.length > MAX_XFF_ENTRIES_FOR_TRUSTED_CIDRS) {
    return NOTHING_FOUND;
  }
  const single = entries.length === 1;
  let leftmost: EnvoyIp | undefined;
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = parseEnvoyIp(trimXffWhitespace(entries[i]));
    if (address === undefined) {
      // Every entry on the way must parse: a garbled hop makes the whole chain untrustworthy.
      return NOTHING_FOUND;
    }
    if (!trustedCidrs.some((range) => prefixContains(range, address.address))) {
      return { address, allowTrustedAddressChecks: single };
    }
    leftmost = address;
  }
  return { address: leftmost, allowTrustedAddressChecks: single };
}

/** `StringUtil::ltrim`/`rtrim`: exactly these six ASCII characters, not Unicode spaces. */
function trimXffWhitespace(text: string): string {
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\n' || c === '\r';
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text[start])) {
    start++;
  }
  while (end > start && isSpace(text[end - 1])) {
    end--;
  }
  return text.slice(start, end);
}

/**
 * Parses an address the way `Network::Utility::parseInternetAddressNoThrow` does
 * (source/common/network/ip_address_parsing.cc), or returns undefined.
 *
 * IPv4 goes through `inet_pton` and IPv6 through glibc `getaddrinfo` with `AI_NUMERICHOST`;
 * both agree with `parseIpAddress` on the address itself. The scope is where they differ:
 * glibc accepts a decimal scope id up to 4294967295 on any IPv6 address, and an interface
 * name only if the host has that interface. The simulator cannot know the host, so a named
 * scope is unparsable here.
 */
function parseEnvoyIp(text: string): EnvoyIp | undefined {
  const parsed = parseIpAddress(text);
  if (!parsed.ok) {
    return undefined;
  }
  let scopeId = 0;
  const zone = parsed.value.zone;
  if (zone !== undefined) {
    if (!/^[0-9]+$/.test(zone)) {
      return undefined;
    }
    const digits = zone.replace(/^0+(?=[0-9])/, '');
    if (digits.length > 10 || Number(digits) > MAX_UINT32) {
      return undefined;
    }
    scopeId = Number(digits);
  }
  const address: IpAddress = { family: parsed.value.family, bytes: parsed.value.bytes };
  // Ipv6Helper::makeFriendlyAddress (address_impl.cc) adds the scope only when it is not 0.
  const formatted = formatInetNtop(address) + (scopeId === 0 ? '' : `%${scopeId}`);
  return { address, scopeId, text: formatted };
}

/**
 * Address text as glibc `inet_ntop` writes it, which is what Envoy puts in headers.
 *
 * IPv6 differs from RFC 5952 (and from `formatIpAddress`) in one case: glibc writes the last 32
 * bits as a dotted quad not only for IPv4-mapped addresses (`::ffff:192.0.2.5`) but also for
 * the deprecated IPv4-compatible form, when exactly the first six groups are zero
 * (`::192.0.2.5` rather than `::c000:205`).
 */
function formatInetNtop(address: IpAddress): string {
  const b = address.bytes;
  if (address.family === 4) {
    return b.join('.');
  }
  const words = ipv6Words(b);
  const { start: runStart, length: runLength } = longestZeroRun(words);
  const embedsIpv4 = runStart === 0 && (runLength === 6 || (runLength === 5 && words[5] === 0xffff));
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (runStart !== -1 && i >= runStart && i < runStart + runLength) {
      if (i === runStart) {
        text += ':';
      }
      continue;
    }
    if (i !== 0) {
      text += ':';
    }
    if (i === 6 && embedsIpv4) {
      text += b.slice(12).join('.');
      break;
    }
    text += words[i].toString(16);
  }
  if (runStart !== -1 && runStart + runLength === 8) {
    text += ':';
  }
  return text;
}
