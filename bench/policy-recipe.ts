/**
 * The policy benchmark's input, as data, and its own minimal-cover computation.
 *
 * Two kinds of IPv4 lists, generated from a fixed seed so every run sees the same list:
 * - `random`: distinct prefixes at random addresses, shaped like an abuse or country list: 70%
 *   single addresses (half of them written without `/32`), 20% /24s, 8% /20-/23, 2% /16-/19. Some
 *   fall inside others, a few touch.
 * - `adjacent`: consecutive /24s from 10.1.3.0 up, shuffled: they merge into a few dozen CIDRs.
 *
 * `siblingMergeCover` computes the minimal cover with a different algorithm from the library's
 * (which sorts, merges intervals and cuts them into blocks): drop every prefix that lies inside
 * another one (hash lookups of its ancestors), then, from /32 up to /1, replace every pair of
 * sibling prefixes by their parent. The bench checks that the library writes exactly this set.
 * Imports nothing.
 */

/** The kinds of list the benchmark builds. */
export const POLICY_KINDS = ['random', 'adjacent'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** One IPv4 prefix: its first address as an unsigned 32-bit number, and its length. */
export interface Range {
  readonly start: number;
  readonly bits: number;
}

/** A 32-bit xor-shift generator from a seed: deterministic, good enough to spread addresses. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** The mask of the first `bits` bits, unsigned. */
function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** `count` distinct ranges of the kind (the same ones every time). */
export function rangesOf(kind: PolicyKind, count: number): Range[] {
  const next = random(kind === 'random' ? 0x9e3779b9 ^ count : 0x85ebca6b ^ count);
  const ranges: Range[] = [];
  if (kind === 'adjacent') {
    const base = ((10 << 24) | (1 << 16) | (3 << 8)) >>> 0;
    for (let i = 0; i < count; i++) {
      ranges.push({ start: base + i * 256, bits: 24 });
    }
    // Fisher-Yates, so the library has to sort.
    for (let i = count - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [ranges[i], ranges[j]] = [ranges[j], ranges[i]];
    }
    return ranges;
  }
  const seen = new Set<number>();
  while (ranges.length < count) {
    const roll = next() % 100;
    const bits = roll < 70 ? 32 : roll < 90 ? 24 : roll < 98 ? 20 + (next() % 4) : 16 + (next() % 4);
    const start = (next() & mask(bits)) >>> 0;
    const key = start * 64 + bits;
    if (!seen.has(key)) {
      seen.add(key);
      ranges.push({ start, bits });
    }
  }
  return ranges;
}

/** Dotted-quad text of an address. */
export function ipv4(start: number): string {
  return `${start >>> 24}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.${start & 255}`;
}

/** The ranges as a user would write them: every other single address without `/32`. */
export function textsOf(ranges: readonly Range[]): string[] {
  return ranges.map((r, i) => (r.bits === 32 && i % 2 === 0 ? ipv4(r.start) : `${ipv4(r.start)}/${r.bits}`));
}

/** The minimal cover of the ranges, as canonical CIDR texts (unordered), by sibling merging. */
export function siblingMergeCover(ranges: readonly Range[]): Set<string> {
  // 1. Drop every range inside another one: look up its ancestors at the lengths that occur.
  const byLength: number[][] = Array.from({ length: 33 }, () => []);
  for (const r of ranges) {
    byLength[r.bits].push(r.start);
  }
  const kept = new Set<number>();
  const lengths: number[] = [];
  for (let bits = 0; bits <= 32; bits++) {
    for (const start of byLength[bits]) {
      if (!lengths.some((a) => kept.has(((start & mask(a)) >>> 0) * 64 + a))) {
        kept.add(start * 64 + bits);
      }
    }
    if (byLength[bits].length > 0) {
      lengths.push(bits);
    }
  }
  // 2. From the longest prefixes up, replace each pair of siblings by their parent.
  const levels: Set<number>[] = Array.from({ length: 33 }, () => new Set<number>());
  for (const key of kept) {
    levels[key % 64].add(Math.floor(key / 64));
  }
  for (let bits = 32; bits >= 1; bits--) {
    const level = levels[bits];
    const bit = 2 ** (32 - bits);
    for (const start of [...level]) {
      const sibling = (start ^ bit) >>> 0;
      if (level.has(start) && level.has(sibling)) {
        level.delete(start);
        level.delete(sibling);
        levels[bits - 1].add(Math.min(start, sibling));
      }
    }
  }
  const cover = new Set<string>();
  levels.forEach((level, bits) => level.forEach((start) => cover.add(`${ipv4(start)}/${bits}`)));
  return cover;
}
