import { SourceIpValidationError } from './errors';
import { firstHole, show } from './private/problems';
import {
  formatIpPrefix, hasHostBits, IpPrefix, maskPrefix, maskPrefixInPlace, parseIpAddress, parseIpPrefix, parseSimpleIpv4, parseSimpleIpv6, prefixContainsPrefix,
} from './private/ip';

const ALLOWED = 'an IPv4 or IPv6 address (203.0.113.7, 2001:db8::7) or CIDR (203.0.113.0/24, 2001:db8::/48)';

/**
 * An address range used in AuthorizationPolicy `ipBlocks` and `remoteIpBlocks`.
 *
 * Accepts what istiod's validation accepts (Go `netip.ParseAddr` for a bare address,
 * `netip.ParsePrefix` for a CIDR) and refuses the rest with a clear error: bad or leading-zero
 * octets, prefix lengths out of range, whitespace, ports, brackets and IPv6 zones. Held in
 * canonical form: a bare address becomes a /32 or /128, and host bits are cleared
 * (`2.2.2.2/24` → `2.2.2.0/24`), which is how Envoy matches it anyway. Constructs that take an
 * `IpBlock` warn (`ip-block-host-bits`) when host bits were dropped, because the author may have
 * meant a single address.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 */
export class IpBlock {
  /** Every IPv4 address, `0.0.0.0/0`. */
  public static anyIpv4(): IpBlock {
    return IpBlock.of('0.0.0.0/0');
  }

  /** Every IPv6 address, `::/0`. */
  public static anyIpv6(): IpBlock {
    return IpBlock.of('::/0');
  }

  /**
   * Parses an IPv4/IPv6 address or CIDR, e.g. `203.0.113.0/24`, `198.51.100.7` or `2001:db8::/48`.
   *
   * @throws SourceIpValidationError if Istio would reject the text
   */
  public static of(text: string): IpBlock {
    const parsed = IpBlock.parse(text);
    if (typeof parsed === 'string') {
      throw new SourceIpValidationError('IpBlock.of', [parsed]);
    }
    return parsed;
  }

  /**
   * Parses several blocks, reporting every bad entry at once.
   *
   * @throws SourceIpValidationError naming each bad entry by its index
   */
  public static ofAll(texts: readonly string[]): IpBlock[] {
    if (!Array.isArray(texts)) {
      throw new SourceIpValidationError('IpBlock.ofAll', [`'texts' must be a list of strings, got ${show(texts)}. Fix: write IpBlock.ofAll(["203.0.113.0/24"])`]);
    }
    const hole = firstHole(texts);
    if (hole !== undefined) {
      throw new SourceIpValidationError('IpBlock.ofAll', [`'texts' must be a list without holes, got a sparse list (index ${hole} is empty). `
        + 'Fix: write every entry, or remove the extra comma']);
    }
    let problems: string[] | undefined;
    const blocks: IpBlock[] = [];
    for (let i = 0; i < texts.length; i++) {
      const parsed = IpBlock.parse(texts[i], i);
      if (typeof parsed === 'string') {
        (problems ??= []).push(parsed);
      } else {
        blocks.push(parsed);
      }
    }
    if (problems !== undefined) {
      throw new SourceIpValidationError('IpBlock.ofAll', problems);
    }
    return blocks;
  }

  /** The parsed block, or the problem as a sentence (`index`: the entry's position in a list). */
  private static parse(text: unknown, index?: number): IpBlock | string {
    if (typeof text === 'string') {
      // Most lists are IPv4 dotted quads or plain IPv6 text: character loops, the same values as
      // the full parsers, in new arrays of their own.
      const v4 = parseSimpleIpv4(text);
      if (v4 !== undefined) {
        // Canonical already when it has a length and no host bits (no leading zeros, by the parser).
        return new IpBlock(text, v4, true, text.includes('/'));
      }
      const v6 = parseSimpleIpv6(text);
      if (v6 !== undefined) {
        return new IpBlock(text, v6, true, false);
      }
    }
    return IpBlock.parseOrRefuse(text, index);
  }

  /** What the full parsers make of `text`, with the reason when they refuse it. */
  private static parseOrRefuse(text: unknown, index: number | undefined): IpBlock | string {
    const refuse = (why: string, fix: string) =>
      `${index === undefined ? '' : `entry [${index}] `}${show(text)} is not ${ALLOWED}: ${why}. Fix: ${fix}`;
    if (typeof text !== 'string') {
      return refuse(`got ${describeType(text)}`, 'pass the block as a string');
    }
    if (text.length === 0) {
      return refuse('it is empty', 'remove the entry or write an address');
    }
    if (text.trim() !== text || /\s/.test(text)) {
      return refuse('it contains whitespace', `write ${JSON.stringify(text.replace(/\s+/g, ''))}`);
    }
    if (text.includes('/')) {
      const prefix = parseIpPrefix(text);
      if (!prefix.ok) {
        return refuse(prefix.reason, fixFor(text));
      }
      return new IpBlock(text, prefix.value, false, false);
    }
    const address = parseIpAddress(text);
    if (!address.ok) {
      return refuse(address.reason, fixFor(text));
    }
    if (address.value.zone !== undefined) {
      return refuse(`the IPv6 zone "%${address.value.zone}" cannot be matched by Envoy`, `write ${JSON.stringify(text.slice(0, text.indexOf('%')))}`);
    }
    return new IpBlock(text, { address: address.value, bits: address.value.family === 4 ? 32 : 128 }, false, false);
  }

  /** The text exactly as it was given. */
  public readonly input: string;

  private readonly prefix: IpPrefix;

  /** `formatIpPrefix(prefix)`, computed once: validation, rendering and `equals` all need it. */
  private readonly canonical: string;

  /** Whether the input had host bits set that were cleared (`2.2.2.2/24` → `2.2.2.0/24`). */
  public readonly hostBitsCleared: boolean;

  /**
   * `owned`: `prefix` was made for this block alone (by a fast parser: its bytes are an exact-size
   * array nothing else holds), so it is masked in place; otherwise it is masked into a copy.
   * `canonicalUnlessHostBits`: the input is written as `formatIpPrefix` writes it, if it has no host bits.
   */
  private constructor(input: string, prefix: IpPrefix, owned: boolean, canonicalUnlessHostBits: boolean) {
    this.input = input;
    let hostBits: boolean;
    if (owned) {
      hostBits = maskPrefixInPlace(prefix);
      this.prefix = prefix;
    } else {
      // A copy: parsed bytes may sit in an array with room to grow (or be shared), the copy is exact.
      hostBits = hasHostBits(prefix);
      this.prefix = maskPrefix(prefix);
    }
    this.hostBitsCleared = hostBits;
    const canonical = canonicalUnlessHostBits && !hostBits ? input : formatIpPrefix(this.prefix);
    // Most blocks are written in canonical form: keep one string, not two equal ones.
    this.canonical = canonical === input ? input : canonical;
  }

  /** 4 or 6. */
  public get family(): 4 | 6 {
    return this.prefix.address.family;
  }

  /** The prefix length: 32 or 128 for a single address. */
  public get prefixLength(): number {
    return this.prefix.bits;
  }

  /**
   * The parsed prefix, host bits cleared (for the CIDR-set math).
   *
   * @internal
   */
  public get _prefix(): IpPrefix {
    return this.prefix;
  }

  /** Whether `other` lies entirely inside this block. */
  public contains(other: IpBlock): boolean {
    requireBlock('IpBlock.contains', other);
    return prefixContainsPrefix(this.prefix, other.prefix);
  }

  /** Canonical CIDR text, exactly as written to manifests. */
  public toString(): string {
    return this.canonical;
  }

  /** The canonical text, so blocks print as CIDRs in messages and JSON. */
  public toJSON(): string {
    return this.canonical;
  }

  /** Whether both blocks cover the same range. */
  public equals(other: IpBlock): boolean {
    requireBlock('IpBlock.equals', other);
    return this.toString() === other.toString();
  }
}

function requireBlock(subject: string, value: unknown): void {
  if (!(value instanceof IpBlock)) {
    throw new SourceIpValidationError(subject, [`'other' must be an IpBlock, got ${show(value)}. Fix: write IpBlock.of("203.0.113.0/24")`]);
  }
}

function fixFor(text: string): string {
  const withPort = /^(\[?)([^\]]*)\]?:([0-9]+)$/.exec(text);
  if (withPort && /^[0-9.]+$/.test(withPort[2])) {
    return `drop the port: write "${withPort[2]}"`;
  }
  if (text.startsWith('[')) {
    return 'drop the brackets';
  }
  return 'write the address in dotted-quad (IPv4) or RFC 4291 (IPv6) form, optionally followed by /<prefix length>';
}

/** `null`, `undefined`, `a list`, `an object`, `a number`, ... for messages about a wrong type. */
function describeType(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The `ip-block-host-bits` warning text for a block given in `field`, naming the block as typed.
 */
export function hostBitsMessage(field: string, block: IpBlock): string {
  requireBlock('hostBitsMessage', block);
  if (typeof field !== 'string') {
    throw new SourceIpValidationError('hostBitsMessage', [`'field' must be the name of the field, got ${show(field)}. Fix: pass e.g. "remoteIpBlocks"`]);
  }
  return `${field} entry ${JSON.stringify(block.input)} has host bits set; it is written as ${block} (the whole range). `
    + `Fix: write ${JSON.stringify(block.toString())}, or ${JSON.stringify(block.input.split('/')[0])} alone for one address`;
}
