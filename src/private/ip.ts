/**
 * IP address and prefix parsing, formatting and containment.
 *
 * The rules follow Go's `net/netip` (`ParseAddr`, `ParsePrefix`), which is what istiod uses to
 * validate AuthorizationPolicy `ipBlocks`/`remoteIpBlocks`
 * (https://pkg.go.dev/net/netip#ParseAddr, https://pkg.go.dev/net/netip#ParsePrefix):
 * - IPv4 is exactly four decimal fields 0-255, no leading zeros, no other forms (`0x7f.1`, `127.1`).
 * - IPv6 is RFC 4291 text: up to 8 hex fields of 1-4 digits, at most one `::`, an optional embedded
 *   dotted quad in the last 32 bits, and an optional `%zone` (addresses only, never in a prefix).
 * - A prefix is `address/bits` with `bits` a decimal number without sign or leading zero, 0-32 for
 *   IPv4 and 0-128 for IPv6 (IPv4-mapped IPv6 counts as IPv6).
 *
 * Output is canonical (RFC 5952 for IPv6, as Go's `Addr.String()` writes it): lower case, the
 * longest run of two or more zero fields compressed (the first on a tie), IPv4-mapped addresses
 * written as `::ffff:a.b.c.d`.
 *
 * Errors are returned, not thrown, so callers can phrase them in their own terms.
 */

/** An IPv4 or IPv6 address. */
export interface IpAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6, network order. */
  readonly bytes: readonly number[];
  /** IPv6 zone (the text after `%`), when present. */
  readonly zone?: string;
}

/** An address range: the address (host bits possibly set) and the prefix length. */
export interface IpPrefix {
  readonly address: IpAddress;
  readonly bits: number;
}

/** The result of a parse: the value, or why the text was refused. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function fail<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

/**
 * Parses a dotted-quad IPv4 address into 4 bytes.
 */
export function parseIpv4(text: string): Parsed<number[]> {
  const fields = text.split('.');
  if (fields.length !== 4) {
    return fail(`an IPv4 address has 4 dot-separated fields, found ${fields.length}`);
  }
  const bytes: number[] = [];
  for (const field of fields) {
    if (field.length === 0) {
      return fail('an IPv4 address has an empty field');
    }
    if (!/^[0-9]+$/.test(field)) {
      return fail(`IPv4 field "${field}" is not a decimal number`);
    }
    if (field.length > 1 && field[0] === '0') {
      return fail(`IPv4 field "${field}" has a leading zero`);
    }
    const value = Number(field);
    if (field.length > 3 || value > 255) {
      return fail(`IPv4 field ${field} is above 255`);
    }
    bytes.push(value);
  }
  return { ok: true, value: bytes };
}

/**
 * Parses IPv6 text (without zone) into 16 bytes.
 */
function parseIpv6Body(text: string): Parsed<number[]> {
  if (text.length === 0) {
    return fail('the IPv6 address is empty');
  }
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) {
    return fail('an IPv6 address may contain "::" only once');
  }
  const parseSide = (side: string, allowV4: boolean): Parsed<number[]> => {
    if (side.length === 0) {
      return { ok: true, value: [] };
    }
    const words: number[] = [];
    const fields = side.split(':');
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      if (field.includes('.')) {
        if (!allowV4 || i !== fields.length - 1) {
          return fail('an embedded IPv4 address must be the last part of an IPv6 address');
        }
        const v4 = parseIpv4(field);
        if (!v4.ok) {
          return fail(`embedded IPv4 address "${field}": ${v4.reason}`);
        }
        words.push(v4.value[0] * 256 + v4.value[1], v4.value[2] * 256 + v4.value[3]);
        continue;
      }
      if (field.length === 0) {
        return fail('an IPv6 address has an empty field (a single ":" where "::" or a number belongs)');
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(field)) {
        return fail(`IPv6 field "${field}" is not 1 to 4 hexadecimal digits`);
      }
      words.push(parseInt(field, 16));
    }
    return { ok: true, value: words };
  };

  let words: number[];
  if (doubleColon === -1) {
    const all = parseSide(text, true);
    if (!all.ok) {
      return all;
    }
    if (all.value.length !== 8) {
      return fail(`an IPv6 address without "::" has 8 fields, found ${all.value.length}`);
    }
    words = all.value;
  } else {
    const head = parseSide(text.slice(0, doubleColon), false);
    if (!head.ok) {
      return head;
    }
    const tail = parseSide(text.slice(doubleColon + 2), true);
    if (!tail.ok) {
      return tail;
    }
    const present = head.value.length + tail.value.length;
    if (present > 7) {
      return fail('an IPv6 address with "::" has at most 7 other fields');
    }
    words = [...head.value, ...new Array<number>(8 - present).fill(0), ...tail.value];
  }
  const bytes: number[] = [];
  for (const word of words) {
    bytes.push(word >> 8, word & 0xff);
  }
  return { ok: true, value: bytes };
}

/**
 * Parses an IPv4 or IPv6 address, with Go `netip.ParseAddr` rules (an IPv6 zone is allowed).
 */
export function parseIpAddress(text: string): Parsed<IpAddress> {
  if (text.length === 0) {
    return fail('the address is empty');
  }
  if (/\s/.test(text)) {
    return fail('the address contains whitespace');
  }
  if (/^[0-9.]+:[0-9]*$/.test(text) || /^\[.*\]:[0-9]*$/.test(text)) {
    return fail('a port is not part of an address (drop ":<port>")');
  }
  if (text.includes(':')) {
    let body = text;
    let zone: string | undefined;
    const percent = text.indexOf('%');
    if (percent !== -1) {
      body = text.slice(0, percent);
      zone = text.slice(percent + 1);
      if (zone.length === 0) {
        return fail('the IPv6 zone after "%" is empty');
      }
    }
    if (body.startsWith('[') || body.endsWith(']')) {
      return fail('brackets are not part of an address (write 2001:db8::1, not [2001:db8::1])');
    }
    const bytes = parseIpv6Body(body);
    if (!bytes.ok) {
      return bytes;
    }
    return { ok: true, value: zone === undefined ? { family: 6, bytes: bytes.value } : { family: 6, bytes: bytes.value, zone } };
  }
  if (text.includes('%')) {
    return fail('an IPv4 address cannot have a zone');
  }
  const v4 = parseIpv4(text);
  return v4.ok ? { ok: true, value: { family: 4, bytes: v4.value } } : v4;
}

/**
 * Parses `address/bits`, with Go `netip.ParsePrefix` rules: no zone, bits in range, host bits kept.
 */
export function parseIpPrefix(text: string): Parsed<IpPrefix> {
  const slash = text.lastIndexOf('/');
  if (slash === -1) {
    return fail('a prefix needs "/" and a length');
  }
  const addressText = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (addressText.includes('%')) {
    return fail('an IPv6 zone cannot be part of a prefix');
  }
  const address = parseIpAddress(addressText);
  if (!address.ok) {
    return address;
  }
  const max = address.value.family === 4 ? 32 : 128;
  if (!/^[0-9]+$/.test(bitsText)) {
    return fail(`the prefix length "${bitsText}" is not a decimal number`);
  }
  if (bitsText.length > 1 && bitsText[0] === '0') {
    return fail(`the prefix length "${bitsText}" has a leading zero`);
  }
  const bits = Number(bitsText);
  if (bits > max) {
    return fail(`the prefix length ${bitsText} is above ${max}, the most an IPv${address.value.family} prefix allows`);
  }
  return { ok: true, value: { address: address.value, bits } };
}

/**
 * The common case of `parseIpPrefix` (`a.b.c.d/n`) and `parseIpAddress` (`a.b.c.d`, as a /32):
 * four fields of 1-3 digits without a leading zero, at most 255, optionally `/` and a length of 1-2
 * digits without a leading zero, at most 32. The same value those give for a valid IPv4 text, or
 * `undefined` for anything else (then the full parsers decide, and explain a refusal).
 */
export function parseSimpleIpv4(text: string): IpPrefix | undefined {
  // A character loop, not a regular expression: this runs for every IPv4 block a policy is given.
  const bytes = [0, 0, 0, 0];
  let at = 0;
  for (let part = 0; part < 4; part++) {
    const octet = decimalAt(text, at, 3, 255);
    if (octet === undefined) {
      return undefined;
    }
    bytes[part] = octet.value;
    at = octet.end;
    if (part < 3) {
      if (text.charCodeAt(at) !== 0x2e) {
        return undefined;
      }
      at++;
    }
  }
  if (at === text.length) {
    return { address: { family: 4, bytes }, bits: 32 };
  }
  const bits = text.charCodeAt(at) === 0x2f ? decimalAt(text, at + 1, 2, 32) : undefined;
  return bits === undefined || bits.end !== text.length ? undefined : { address: { family: 4, bytes }, bits: bits.value };
}

/**
 * The common case of IPv6 text for `parseIpPrefix` (`2001:db8::/48`) and `parseIpAddress` (`2001:db8::7`,
 * as a /128): groups of 1-4 hex digits separated by `:`, at most one `::`, no embedded dotted quad,
 * zone, bracket or space, optionally `/` and a length of 1-3 digits without a leading zero, at most
 * 128. The same value those give for such a text, or `undefined` for anything else (then the full
 * parsers decide, and explain a refusal). Its bytes are a new array of exactly 16.
 */
export function parseSimpleIpv6(text: string): IpPrefix | undefined {
  // A character loop into 8 groups: the groups after "::" are moved to the end once the count is known.
  const groups = IPV6_GROUPS;
  const n = text.length;
  let count = 0;
  let gap = -1;
  let at = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) {
      return undefined;
    }
    gap = 0;
    at = 2;
  }
  while (at < n && text.charCodeAt(at) !== 0x2f) {
    let value = 0;
    const start = at;
    while (at < n && at - start < 5) {
      const digit = hexDigit(text.charCodeAt(at));
      if (digit < 0) {
        break;
      }
      value = value * 16 + digit;
      at++;
    }
    const digits = at - start;
    if (digits === 0 || digits > 4 || count === 8) {
      return undefined;
    }
    groups[count++] = value;
    if (at === n || text.charCodeAt(at) === 0x2f) {
      break;
    }
    if (text.charCodeAt(at) !== 0x3a) {
      return undefined;
    }
    at++;
    if (text.charCodeAt(at) === 0x3a) {
      if (gap !== -1) {
        return undefined;
      }
      gap = count;
      at++;
    } else if (at === n || text.charCodeAt(at) === 0x2f) {
      // A single ":" ends nothing: a group must follow.
      return undefined;
    }
  }
  if (gap === -1 ? count !== 8 : count > 7) {
    return undefined;
  }
  let bits = 128;
  if (at < n) {
    const length = decimalAt(text, at + 1, 3, 128);
    if (length === undefined || length.end !== n) {
      return undefined;
    }
    bits = length.value;
  }
  const bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const tail = gap === -1 ? 0 : count - gap;
  for (let g = 0; g < count; g++) {
    const to = gap === -1 || g < gap ? g : 8 - tail + (g - gap);
    bytes[2 * to] = groups[g] >> 8;
    bytes[2 * to + 1] = groups[g] & 0xff;
  }
  return { address: { family: 6, bytes }, bits };
}

/** Scratch space for `parseSimpleIpv6` and `formatIpv6Groups` (JavaScript runs one call at a time). */
const IPV6_GROUPS = new Uint16Array(8);

/** The value of a hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) {
    return code - 0x30;
  }
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/**
 * The decimal number of 1 to `maxDigits` digits at `start`, without a leading zero, at most
 * `max`, and where it ends; `undefined` when there is none.
 */
function decimalAt(text: string, start: number, maxDigits: number, max: number): { value: number; end: number } | undefined {
  let value = 0;
  let end = start;
  while (end < text.length && end - start <= maxDigits) {
    const digit = text.charCodeAt(end) - 0x30;
    if (digit < 0 || digit > 9) {
      break;
    }
    value = value * 10 + digit;
    end++;
  }
  const digits = end - start;
  if (digits === 0 || digits > maxDigits || (digits > 1 && text.charCodeAt(start) === 0x30) || value > max) {
    return undefined;
  }
  return { value, end };
}

/** The mask of the first `bits` bits of a byte (`bits` may be below 0 or above 8). */
export function byteMask(bits: number): number {
  return bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
}

/** Zeroes the host bits of `bytes` beyond the first `bits`. */
export function maskBytes(bytes: readonly number[], bits: number): number[] {
  return bytes.map((byte, i) => byte & byteMask(bits - i * 8));
}

/** The prefix with its host bits cleared (`2.2.2.2/24` → `2.2.2.0/24`). */
export function maskPrefix(prefix: IpPrefix): IpPrefix {
  return { address: { family: prefix.address.family, bytes: maskBytes(prefix.address.bytes, prefix.bits) }, bits: prefix.bits };
}

/** Whether any host bit beyond the prefix length is set. */
export function hasHostBits(prefix: IpPrefix): boolean {
  const bytes = prefix.address.bytes;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] & byteMask(prefix.bits - 8 * i)) !== bytes[i]) {
      return true;
    }
  }
  return false;
}

/**
 * Clears the host bits of `prefix` in its own bytes (only for a prefix whose byte array nothing
 * else holds, as the fast parsers make them); whether there were any.
 */
export function maskPrefixInPlace(prefix: IpPrefix): boolean {
  if (!hasHostBits(prefix)) {
    return false;
  }
  const bytes = prefix.address.bytes as number[];
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] &= byteMask(prefix.bits - 8 * i);
  }
  return true;
}

/** Whether `address` lies inside `prefix` (same family only; the zone is ignored). */
export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  if (prefix.address.family !== address.family) {
    return false;
  }
  // The first `bits` bits must be equal: whole bytes, then the leading bits of the next one.
  const a = prefix.address.bytes;
  const b = address.bytes;
  const whole = prefix.bits >> 3;
  for (let i = 0; i < whole; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  const rest = prefix.bits & 7;
  const mask = (0xff << (8 - rest)) & 0xff;
  return rest === 0 || (a[whole] & mask) === (b[whole] & mask);
}

/** Whether `inner` lies entirely inside `outer`. */
export function prefixContainsPrefix(outer: IpPrefix, inner: IpPrefix): boolean {
  return inner.bits >= outer.bits && prefixContains(outer, inner.address);
}

/** The 8 16-bit groups of an IPv6 address. */
export function ipv6Words(bytes: readonly number[]): number[] {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    words.push(bytes[i] * 256 + bytes[i + 1]);
  }
  return words;
}

/**
 * The run of zero groups that `::` replaces: the longest run of two or more, the first one on a tie
 * (RFC 5952 §4.2); `{ start: -1, length: 0 }` when there is none.
 */
export function longestZeroRun(words: readonly number[]): { readonly start: number; readonly length: number } {
  let start = -1;
  let length = 0;
  for (let i = 0; i < words.length;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < words.length && words[j] === 0) {
      j++;
    }
    if (j - i > length) {
      start = i;
      length = j - i;
    }
    i = j;
  }
  return length >= 2 ? { start, length } : { start: -1, length: 0 };
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6 (Go `Addr.String()`), with its zone. */
export function formatIpAddress(address: IpAddress): string {
  const b = address.bytes;
  if (address.family === 4) {
    return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  }
  const zone = address.zone === undefined ? '' : `%${address.zone}`;
  const groups = IPV6_GROUPS;
  for (let g = 0; g < 8; g++) {
    groups[g] = (b[2 * g] << 8) | b[2 * g + 1];
  }
  return formatIpv6Groups(groups) + zone;
}

/**
 * RFC 5952 text of an IPv6 address given as its 8 groups (Go `Addr.String()`): lower-case hex
 * without leading zeros, the longest run of two or more zero groups written `::` (the first on a
 * tie), IPv4-mapped addresses as `::ffff:a.b.c.d`. Built without intermediate arrays: it runs for
 * every IPv6 block and every IPv6 CIDR of a minimal cover.
 */
export function formatIpv6Groups(groups: ArrayLike<number>): string {
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  let runStart = -1;
  let runLength = 1;
  for (let g = 0; g < 8;) {
    if (groups[g] !== 0) {
      g++;
      continue;
    }
    let end = g + 1;
    while (end < 8 && groups[end] === 0) {
      end++;
    }
    if (end - g > runLength) {
      runStart = g;
      runLength = end - g;
    }
    g = end;
  }
  let text = '';
  for (let g = 0; g < 8; g++) {
    if (g === runStart) {
      text += '::';
      g += runLength - 1;
      continue;
    }
    text += g === 0 || g === runStart + runLength ? groups[g].toString(16) : `:${groups[g].toString(16)}`;
  }
  return text;
}

/** Canonical text of a prefix, host bits as given (mask first with `maskPrefix` for the canonical range). */
export function formatIpPrefix(prefix: IpPrefix): string {
  return `${formatIpAddress({ family: prefix.address.family, bytes: prefix.address.bytes })}/${prefix.bits}`;
}
