/**
 * A pure model of Envoy's custom-header original-IP-detection extension
 * (`envoy.http.original_ip_detection.custom_header`): the client address is read from one request
 * header, such as `CF-Connecting-IP` or `X-Azure-SocketIP`.
 *
 * Rules from Envoy's `source/extensions/http/original_ip_detection/custom_header/custom_header.cc`
 * (`CustomHeaderIPDetection::detect`) and the extension's proto
 * (`api/envoy/extensions/http/original_ip_detection/custom_header/v3/custom_header.proto`):
 *
 * - The header is looked up by name (HTTP header names are case-insensitive); of several values
 *   only the first is tried.
 * - The value must parse as an IP address, with the same rules as an `X-Forwarded-For` entry
 *   (no port, no brackets); it is not split on commas, so `"192.0.2.1, 192.0.2.2"` fails.
 * - On success the address is the client; it may count for the internal-request check only with
 *   `allow_extension_to_set_address_as_trusted`.
 * - On failure (absent or unparsable), the request is rejected with `reject_with_status` when set
 *   (a status below 400 or above 511 becomes 403); otherwise the next extension runs, and without
 *   one the TCP peer is the client.
 * - The extension never appends to `X-Forwarded-For`: since Envoy 1.32.2 / 1.33.0 it returns
 *   `skip_xff_append: true` (envoyproxy/envoy PR #37194 reverted an append that PR #31831 had
 *   added by accident).
 *
 * Imports nothing but types: `envoy-xff.ts` passes its own address parser in, so both extensions
 * read addresses exactly alike.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/http/original_ip_detection/custom_header/v3/custom_header.proto
 */

/**
 * The custom-header original-IP-detection extension, configured in
 * `original_ip_detection_extensions`.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/http/original_ip_detection/custom_header/v3/custom_header.proto
 */
export interface EnvoyCustomHeaderDetectionOptions {
  /** `header_name`: the header that carries the client address, e.g. `cf-connecting-ip`. */
  readonly headerName: string;

  /**
   * `allow_extension_to_set_address_as_trusted`: whether the detected address may make the
   * request internal (when `internalAddresses` lists it).
   *
   * @default false
   */
  readonly allowExtensionToSetAddressAsTrusted?: boolean;

  /**
   * `reject_with_status`: the HTTP status of the local reply when the header is absent or not an
   * address (fail closed). Envoy uses 403 for a status below 400 or above 511.
   *
   * @default - no rejection: the request goes on with the TCP peer as the client
   */
  readonly rejectWithStatus?: number;
}

/** What the extension decided for one request. */
export interface CustomHeaderResult<T> {
  /** The detected address, when the header held one. */
  readonly address?: T;
  /** Whether the address may make the request internal. */
  readonly allowTrustedAddressChecks: boolean;
  /** The status of the local reply when the request is rejected, else `undefined`. */
  readonly rejectWithStatus?: number;
  /** Always true: this extension never appends to `X-Forwarded-For`. */
  readonly skipXffAppend: true;
}

/** The status Envoy sends when `reject_with_status` is outside 400–511 (`toErrorCode`). */
const DEFAULT_REJECT_STATUS = 403;

/**
 * The value of `name` among `headers`, compared case-insensitively, or `null` when absent.
 * A list holds several header lines; the first is the one Envoy tries.
 */
export function headerValue(headers: Readonly<Record<string, string | readonly string[]>> | undefined, name: string): string | null {
  if (headers === undefined) {
    return null;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) {
      if (typeof value === 'string') {
        return value;
      }
      return Array.isArray(value) && value.length > 0 && typeof value[0] === 'string' ? value[0] : null;
    }
  }
  return null;
}

/**
 * `CustomHeaderIPDetection::detect`: reads the client address from the configured header.
 *
 * @param parse Envoy's address parser (`parseInternetAddressNoThrow`); returns undefined for text that is not an address
 */
export function detectFromCustomHeader<T>(options: EnvoyCustomHeaderDetectionOptions, value: string | null,
  parse: (text: string) => T | undefined): CustomHeaderResult<T> {
  const address = value === null ? undefined : parse(value);
  if (address !== undefined) {
    return { address, allowTrustedAddressChecks: options.allowExtensionToSetAddressAsTrusted === true, skipXffAppend: true };
  }
  return { allowTrustedAddressChecks: false, rejectWithStatus: rejectStatus(options.rejectWithStatus), skipXffAppend: true };
}

/** The status Envoy replies with when detection fails, or `undefined` when it does not reject. */
export function rejectStatus(configured: number | undefined): number | undefined {
  if (configured === undefined) {
    return undefined;
  }
  return configured < 400 || configured > 511 ? DEFAULT_REJECT_STATUS : configured;
}

/** The problems with the extension's configuration, each starting with the field at fault. */
export function customHeaderConfigProblems(options: EnvoyCustomHeaderDetectionOptions): string[] {
  const problems: string[] = [];
  const field = 'originalIpDetectionCustomHeader';
  if (options === null || typeof options !== 'object') {
    return [`'${field}' must be an object { headerName, ... }, got ${String(options)}. Fix: pass the header name`];
  }
  // The proto's rule: KNOWN_REGEX_HTTP_HEADER_NAME, strict, at least one character (RFC 7230 token).
  if (typeof options.headerName !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(options.headerName)) {
    problems.push(`'${field}.headerName' must be an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(options.headerName)}. `
      + 'Fix: write the header name, e.g. "cf-connecting-ip"');
  }
  if (options.allowExtensionToSetAddressAsTrusted !== undefined && typeof options.allowExtensionToSetAddressAsTrusted !== 'boolean') {
    problems.push(`'${field}.allowExtensionToSetAddressAsTrusted' must be true or false, got ${JSON.stringify(options.allowExtensionToSetAddressAsTrusted)}. Fix: pass a boolean`);
  }
  const status = options.rejectWithStatus;
  if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) {
    problems.push(`'${field}.rejectWithStatus' must be an HTTP status code from 100 to 599, got ${JSON.stringify(status)}. Fix: write e.g. 403`);
  }
  return problems;
}
