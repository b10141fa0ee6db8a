/**
 * Sets of IP addresses as sorted, disjoint ranges, one list per address family.
 *
 * Envoy matches a CIDR only against addresses of its own family (`CidrRange::isInRange` compares
 * `ip()->version()` first), so IPv4 and IPv6 are two separate spaces here too: `0.0.0.0/0` is
 * every IPv4 address and no IPv6 one, and `::ffff:0:0/96` (IPv4-mapped IPv6) holds no IPv4
 * address. Every operation is O(n log n) or better in the number of ranges.
 */
import { IpPrefix, parseIpPrefix } from './ip';

/**
 * A CIDR as the analyses take it: canonical text (as `IpBlock.toString()` writes it), or a block
 * parsed already (an `IpBlock`: its text and its prefix), so no address is parsed twice.
 */
export type Cidr = string | { readonly _prefix: IpPrefix; toString(): string };

/** The prefix of a CIDR: the block's own, or the text parsed; `undefined` for unparsable text. */
export function prefixOfCidr(cidr: Cidr): IpPrefix | undefined {
  if (typeof cidr !== 'string') {
    return cidr._prefix;
  }
  const parsed = parseIpPrefix(cidr);
  return parsed.ok ? parsed.value : undefined;
}

/** One inclusive range of addresses of one family, as integers. */
interface Range {
  readonly start: bigint;
  readonly end: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;
const LAST = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;

/** The addresses of `prefix` as a range. */
function rangeOf(prefix: IpPrefix): Range {
  const family = prefix.address.family;
  const value = prefix.address.bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const hostBits = BigInt(BITS[family] - prefix.bits);
  const start = (value >> hostBits) << hostBits;
  return { start, end: start + (1n << hostBits) - 1n };
}

/** Sorts and merges ranges (touching ranges merge too). */
function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && range.start <= last.end + 1n) {
      if (range.end > last.end) {
        out[out.length - 1] = { start: last.start, end: range.end };
      }
    } else {
      out.push(range);
    }
  }
  return out;
}

/** `a` without `b`; both normalized. */
function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (const range of a) {
    let start = range.start;
    while (j < b.length && b[j].end < start) {
      j++;
    }
    let k = j;
    while (k < b.length && b[k].start <= range.end) {
      if (b[k].start > start) {
        out.push({ start, end: b[k].start - 1n });
      }
      start = b[k].end + 1n;
      k++;
    }
    if (start <= range.end) {
      out.push({ start, end: range.end });
    }
  }
  return out;
}

/** An immutable set of IPv4 and IPv6 addresses. */
export class AddressSet {
  /** No address. */
  public static readonly EMPTY = new AddressSet([], []);

  /** Every IPv4 and every IPv6 address. */
  public static readonly ALL = new AddressSet([{ start: 0n, end: LAST[4] }], [{ start: 0n, end: LAST[6] }]);

  /** Every IPv4 address. */
  public static readonly ALL_IPV4 = new AddressSet([{ start: 0n, end: LAST[4] }], []);

  /** Every IPv6 address. */
  public static readonly ALL_IPV6 = new AddressSet([], [{ start: 0n, end: LAST[6] }]);

  /**
   * The addresses of CIDRs: texts in canonical form (as `IpBlock.toString()` writes them), or
   * parsed blocks; unparsable texts are skipped.
   */
  public static ofCidrs(cidrs: Iterable<Cidr>): AddressSet {
    const prefixes: IpPrefix[] = [];
    for (const cidr of cidrs) {
      const prefix = prefixOfCidr(cidr);
      if (prefix !== undefined) {
        prefixes.push(prefix);
      }
    }
    return AddressSet.ofPrefixes(prefixes);
  }

  /** The addresses of parsed prefixes (host bits, if any, are ignored). */
  public static ofPrefixes(prefixes: Iterable<IpPrefix>): AddressSet {
    const v4: Range[] = [];
    const v6: Range[] = [];
    for (const prefix of prefixes) {
      (prefix.address.family === 4 ? v4 : v6).push(rangeOf(prefix));
    }
    return new AddressSet(normalize(v4), normalize(v6));
  }

  private constructor(private readonly v4: readonly Range[], private readonly v6: readonly Range[]) {}

  /** Whether the set holds no address. */
  public get isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** The addresses in either set. */
  public union(other: AddressSet): AddressSet {
    return new AddressSet(normalize([...this.v4, ...other.v4]), normalize([...this.v6, ...other.v6]));
  }

  /** The addresses of this set that are not in `other`. */
  public minus(other: AddressSet): AddressSet {
    return new AddressSet(subtractRanges(this.v4, other.v4), subtractRanges(this.v6, other.v6));
  }

  /** The addresses in both sets. */
  public intersect(other: AddressSet): AddressSet {
    return this.minus(this.minus(other));
  }

  /** Whether every address of `other` is in this set. */
  public covers(other: AddressSet): boolean {
    return other.minus(this).isEmpty;
  }

  /** Whether the two sets share an address. */
  public overlaps(other: AddressSet): boolean {
    return !this.intersect(other).isEmpty;
  }
}
