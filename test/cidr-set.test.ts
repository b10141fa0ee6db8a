import * as fc from 'fast-check';
import { minimalCidrCover } from '../src/private/cidr-set';
import { formatIpPrefix, IpPrefix, parseIpPrefix } from '../src/private/ip';

// The oracle: a universe small enough to list every address (a /20 or /24 of IPv4, a /116 or
// /120 of IPv6), the set of addresses the input covers as a bitmap, and the minimal cover found by
// the definition rather than by merging: a CIDR of the cover is a block that is entirely in the
// set while its parent is not, so walk the binary tree of aligned blocks from the universe down.

/** A universe: `family`, the bytes of its first address, and its size as host bits (8 or 12). */
interface Universe {
  readonly family: 4 | 6;
  readonly base: readonly number[];
  readonly hostBits: number;
}

/** Bytes of the address `offset` places after the universe's first address. */
function addressAt(u: Universe, offset: number): number[] {
  const bytes = [...u.base];
  let carry = offset;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = bytes[i] + carry;
    bytes[i] = sum & 0xff;
    carry = Math.floor(sum / 256);
  }
  return bytes;
}

/** The prefix of `length` host bits starting at `offset` in the universe. */
function prefixAt(u: Universe, offset: number, hostBits: number): IpPrefix {
  return { address: { family: u.family, bytes: addressAt(u, offset) }, bits: u.base.length * 8 - hostBits };
}

/** Which addresses of the universe some prefix of the list contains, by brute force. */
function members(u: Universe, blocks: readonly { offset: number; hostBits: number }[]): boolean[] {
  const set = new Array<boolean>(2 ** u.hostBits).fill(false);
  for (const { offset, hostBits } of blocks) {
    const start = offset - (offset % 2 ** hostBits);
    set.fill(true, start, start + 2 ** hostBits);
  }
  return set;
}

/** The minimal cover of a bitmap, by definition: the largest aligned blocks entirely in the set. */
function coverByDefinition(u: Universe, set: readonly boolean[]): string[] {
  // ones[i]: how many of the first i addresses are in the set.
  const ones = [0];
  set.forEach((inSet, i) => ones.push(ones[i] + (inSet ? 1 : 0)));
  const walk = (start: number, hostBits: number): string[] => {
    const count = ones[start + 2 ** hostBits] - ones[start];
    if (count === 2 ** hostBits) {
      return [formatIpPrefix(prefixAt(u, start, hostBits))];
    }
    return count === 0 ? [] : [...walk(start, hostBits - 1), ...walk(start + 2 ** (hostBits - 1), hostBits - 1)];
  };
  return walk(0, u.hostBits);
}

/**
 * Which addresses of the universe the CIDRs cover, from their parsed text; fails when a CIDR is
 * not canonical, of another family, or reaches outside the universe.
 */
function coveredBy(u: Universe, cidrs: readonly string[]): boolean[] {
  const set = new Array<boolean>(2 ** u.hostBits).fill(false);
  const universeBits = u.base.length * 8 - u.hostBits;
  for (const cidr of cidrs) {
    const parsed = parseIpPrefix(cidr);
    if (!parsed.ok || parsed.value.address.family !== u.family || parsed.value.bits < universeBits || formatIpPrefix(parsed.value) !== cidr) {
      throw new Error(`${cidr} is not a canonical ${u.family} CIDR inside the universe`);
    }
    const bytes = parsed.value.address.bytes;
    let offset = 0;
    for (let i = 0; i < bytes.length; i++) {
      const inUniverse = i >= bytes.length - 2;
      if (!inUniverse && bytes[i] !== u.base[i]) {
        throw new Error(`${cidr} is outside the universe`);
      }
      offset = inUniverse ? offset * 256 + bytes[i] : 0;
    }
    offset -= u.base[u.base.length - 2] * 256;
    if (offset < 0 || offset >= set.length) {
      throw new Error(`${cidr} is outside the universe`);
    }
    set.fill(true, offset, offset + 2 ** (u.base.length * 8 - parsed.value.bits));
  }
  return set;
}

const bitmap = (set: readonly boolean[]): string => set.map((b) => (b ? '1' : '0')).join('');

const v4Base = fc.oneof(
  fc.constant([0, 0, 0, 0]),
  fc.constant([255, 255, 240, 0]),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => [a, b, c & 0xf0, 0]),
);
const v6Base = fc.oneof(
  fc.constant(new Array<number>(16).fill(0)),
  fc.constant([...new Array<number>(14).fill(0xff), 0xf0, 0]),
  // IPv4-mapped: ::ffff:a.b.c.0
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => [...new Array<number>(10).fill(0), 0xff, 0xff, a, b, c & 0xf0, 0]),
  fc.array(fc.nat(255), { minLength: 15, maxLength: 15 }).map((head) => [...head.slice(0, 14), head[14] & 0xf0, 0]),
);

/** A universe of 256 or 4096 addresses somewhere in IPv4 or IPv6, edges included. */
const universe: fc.Arbitrary<Universe> = fc.record({
  v6: fc.boolean(),
  v4Base,
  v6Base,
  wide: fc.boolean(),
}).map(({ v6, v4Base: b4, v6Base: b6, wide }) => ({ family: v6 ? 6 : 4, base: v6 ? b6 : b4, hostBits: wide ? 12 : 8 }));

/** A universe and a list of blocks inside it (offset anywhere, host bits set or not). */
const blocksIn = (u: Universe, maxLength = 40) => fc.array(fc.record({
  offset: fc.nat(2 ** u.hostBits - 1),
  // Biased to small blocks, so lists are full of neighbors and overlaps but not one big block.
  hostBits: fc.oneof({ weight: 4, arbitrary: fc.nat(3) }, { weight: 1, arbitrary: fc.nat(u.hostBits) }),
}), { minLength: 1, maxLength });

const scenario = universe.chain((u) => blocksIn(u).map((blocks) => ({ u, blocks })));

/** The input prefixes, with the host bits of `offset` left in (the cover must ignore them). */
function inputOf(u: Universe, blocks: readonly { offset: number; hostBits: number }[]): IpPrefix[] {
  return blocks.map(({ offset, hostBits }) => prefixAt(u, offset, hostBits));
}

const RUNS = { numRuns: 400 };

describe('minimalCidrCover', () => {
  test('covers exactly the addresses of the input, checked address by address', () => {
    fc.assert(fc.property(scenario, ({ u, blocks }) => {
      const { cidrs } = minimalCidrCover(inputOf(u, blocks));
      expect(bitmap(coveredBy(u, cidrs))).toBe(bitmap(members(u, blocks)));
    }), RUNS);
  });

  test('is the minimal cover, in address order', () => {
    fc.assert(fc.property(scenario, ({ u, blocks }) => {
      expect(minimalCidrCover(inputOf(u, blocks)).cidrs).toEqual(coverByDefinition(u, members(u, blocks)));
    }), RUNS);
  });

  test('gives the same CIDRs when it may reuse the input texts', () => {
    fc.assert(fc.property(scenario, ({ u, blocks }) => {
      const input = inputOf(u, blocks);
      const texts = input.map((prefix) => formatIpPrefix({ address: { family: prefix.address.family, bytes: maskedBytes(prefix) }, bits: prefix.bits }));
      expect(minimalCidrCover(input, texts)).toEqual(minimalCidrCover(input));
    }), RUNS);
  });

  test('does not depend on the order of the input', () => {
    fc.assert(fc.property(scenario.chain(({ u, blocks }) => fc.shuffledSubarray(blocks, { minLength: blocks.length }).map((shuffled) => ({ u, blocks, shuffled }))),
      ({ u, blocks, shuffled }) => {
        const a = minimalCidrCover(inputOf(u, blocks));
        const b = minimalCidrCover(inputOf(u, shuffled));
        expect(b.cidrs).toEqual(a.cidrs);
        expect(b.duplicates.length).toBe(a.duplicates.length);
      }), RUNS);
  });

  test('reports every exact repeat (after masking) by its position, and only those', () => {
    fc.assert(fc.property(universe.chain((u) => blocksIn(u, 12).map((blocks) => ({ u, blocks: [...blocks, ...blocks.slice(0, 3)] }))), ({ u, blocks }) => {
      const input = inputOf(u, blocks);
      expect(minimalCidrCover(input).duplicates).toEqual(repeatsOf(input));
    }), RUNS);
  });

  test('gives the same answers for lists long enough to be radix-sorted', () => {
    const wide = universe.map((u) => ({ ...u, hostBits: 12 }));
    // One number per block (offset and size packed), so generating 3,000 of them stays cheap.
    const long = wide.chain((u) => fc.array(fc.nat(4096 * 64 - 1), { minLength: 2048, maxLength: 3000 })
      .map((packed) => ({ u, blocks: packed.map((p) => ({ offset: p >> 6, hostBits: (p & 63) < 56 ? 0 : (p & 63) - 56 })) })));
    fc.assert(fc.property(long, ({ u, blocks }) => {
      const input = inputOf(u, blocks);
      const texts = input.map((prefix) => formatIpPrefix({ address: { family: prefix.address.family, bytes: maskedBytes(prefix) }, bits: prefix.bits }));
      const cover = minimalCidrCover(input, texts);
      expect(cover.cidrs).toEqual(coverByDefinition(u, members(u, blocks)));
      expect(cover.duplicates).toEqual(repeatsOf(input));
    }), { numRuns: 10 });
  });

  test('keeps the families apart: IPv4 first, then IPv6, each covered on its own', () => {
    const v4 = universe.filter((u) => u.family === 4);
    const v6 = universe.filter((u) => u.family === 6);
    fc.assert(fc.property(v4.chain((u) => blocksIn(u).map((blocks) => ({ u, blocks }))), v6.chain((u) => blocksIn(u).map((blocks) => ({ u, blocks }))), fc.nat(),
      (a, b, seed) => {
        // Interleave the two lists in an order chosen by the seed.
        const mixed = [...inputOf(a.u, a.blocks), ...inputOf(b.u, b.blocks)].map((p, i) => ({ p, k: (i * 2654435761 + seed) % 4294967296 }))
          .sort((x, y) => x.k - y.k).map((x) => x.p);
        expect(minimalCidrCover(mixed).cidrs).toEqual([...coverByDefinition(a.u, members(a.u, a.blocks)), ...coverByDefinition(b.u, members(b.u, b.blocks))]);
      }), RUNS);
  });

  test.each([
    ['merges the two halves of the address space', ['0.0.0.0/1', '128.0.0.0/1'], ['0.0.0.0/0']],
    ['keeps the whole space when it is listed with anything', ['10.0.0.0/8', '0.0.0.0/0', '192.0.2.7/32'], ['0.0.0.0/0']],
    ['merges ranges that touch at the top of IPv4', ['255.255.255.254/32', '255.255.255.255/32', '255.255.255.252/31'], ['255.255.255.252/30']],
    ['merges ranges that touch at the top of IPv6', ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128'],
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127']],
    ['cuts a merged range that is not one block into the fewest blocks', ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8/32'],
      ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8/32']],
    ['merges 256 adjacent /24s into one /16', Array.from({ length: 256 }, (_, i) => `10.7.${255 - i}.0/24`), ['10.7.0.0/16']],
    ['never merges IPv4 with IPv4-mapped IPv6', ['10.0.0.0/25', '10.0.0.128/25', '::ffff:10.0.0.0/121', '::ffff:10.0.0.128/121'],
      ['10.0.0.0/24', '::ffff:10.0.0.0/120']],
    ['merges IPv4-mapped IPv6 with its IPv6 neighbors as 128-bit ranges', ['::ffff:0.0.0.0/97', '::ffff:128.0.0.0/97', '::fffe:0:0/96'],
      ['::fffe:0:0/95']],
    ['writes IPv6 in RFC 5952 form', ['2001:DB8:0:0:1::/80', '2001:db8:0:0:1:1::/96'], ['2001:db8:0:0:1::/80']],
    ['keeps ::/0 and 0.0.0.0/0 apart', ['::/0', '0.0.0.0/0'], ['0.0.0.0/0', '::/0']],
  ])('%s', (_name, input, expected) => {
    const prefixes = input.map((text) => {
      const parsed = parseIpPrefix(text);
      if (!parsed.ok) {
        throw new Error(parsed.reason);
      }
      return parsed.value;
    });
    expect(minimalCidrCover(prefixes)).toEqual({ cidrs: expected, duplicates: [] });
  });

  test('writes IPv6 exactly as formatIpPrefix does', () => {
    const word = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(0xffff) }, { weight: 3, arbitrary: fc.nat(0xffff) });
    fc.assert(fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
      const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
      // A /128 never merges with anything, so the cover is the address itself.
      expect(minimalCidrCover([{ address: { family: 6, bytes }, bits: 128 }]).cidrs).toEqual([formatIpPrefix({ address: { family: 6, bytes }, bits: 128 })]);
    }), { numRuns: 1000 });
  });

  test('returns nothing for nothing', () => {
    expect(minimalCidrCover([])).toEqual({ cidrs: [], duplicates: [] });
  });
});

/** Positions of entries whose masked text appeared earlier in the list, by brute force. */
function repeatsOf(input: readonly IpPrefix[]): number[] {
  const seen = new Set<string>();
  const repeats: number[] = [];
  input.forEach((prefix, i) => {
    const key = formatIpPrefix({ address: { family: prefix.address.family, bytes: maskedBytes(prefix) }, bits: prefix.bits });
    if (seen.has(key)) {
      repeats.push(i);
    }
    seen.add(key);
  });
  return repeats;
}

function maskedBytes(prefix: IpPrefix): number[] {
  return prefix.address.bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix.bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}
