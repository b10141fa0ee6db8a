/**
 * Minimal CIDR covers: the fewest prefixes that cover exactly the addresses of a list of prefixes.
 *
 * Each family is handled on its own (an IPv4 prefix never merges with an IPv6 one). IPv4-mapped
 * IPv6 prefixes (`::ffff:a.b.c.d/n`) are IPv6 prefixes like any other: they are merged with their
 * IPv6 neighbors as 128-bit ranges and never turned into IPv4. That is how Envoy matches them
 * (`CidrRange::isInRange` requires the same IP version and compares all 128 bits), so the set of
 * matching peers stays exactly the same.
 *
 * How: every prefix becomes a range of addresses held as 32-bit words (1 for IPv4, 4 for IPv6);
 * the ranges are sorted by start address and prefix length (an LSD radix sort over 16-bit digits,
 * linear time, for 2,048 entries or more; a comparison sort below), merged in one pass
 * (overlapping, contained and adjacent ranges join), and each merged range is cut into the
 * fewest aligned blocks that tile it. The merged ranges are disjoint and never adjacent, so no CIDR
 * can span two of them, and the greedy largest-aligned-block cut of one range is minimal: together
 * that is the minimal cover. Output order is deterministic: IPv4 first, then IPv6, each by address.
 */
import { formatIpv6Groups, IpPrefix } from './ip';

/** The minimal cover of a list of prefixes, and the exact repeats found on the way. */
export interface CidrCover {
  /** Canonical CIDR texts, IPv4 first, then IPv6, each in ascending address order. */
  readonly cidrs: string[];
  /**
   * Input positions of entries that repeat an earlier entry exactly (same family, address and
   * prefix length after masking), in ascending order. Their addresses are already in `cidrs`.
   */
  readonly duplicates: number[];
}

/**
 * The fewest CIDRs that cover exactly the addresses of `prefixes` (host bits are ignored).
 *
 * Linear in the number of prefixes for long lists, apart from formatting the output (`npm run
 * bench` times it on a million prefixes). `texts`, when given, are
 * the canonical texts of the prefixes (`formatIpPrefix` of the masked prefix): a CIDR of the cover
 * that is one of the input prefixes is written with its text rather than formatted again.
 */
export function minimalCidrCover(prefixes: readonly IpPrefix[], texts?: readonly string[]): CidrCover {
  const v4: number[] = [];
  const v6: number[] = [];
  for (let i = 0; i < prefixes.length; i++) {
    (prefixes[i].address.family === 4 ? v4 : v6).push(i);
  }
  const cidrs: string[] = [];
  const duplicates: number[] = [];
  coverFamily(prefixes, texts, v4, 1, cidrs, duplicates);
  coverFamily(prefixes, texts, v6, 4, cidrs, duplicates);
  // An exact-size copy: an array grown by push keeps spare slots (17 from the first push), which
  // a policy holding the list would keep for its whole life.
  return { cidrs: cidrs.slice(), duplicates: duplicates.sort((a, b) => a - b) };
}

/** Lists up to this long reuse module-level buffers instead of allocating typed arrays per call. */
const KEPT_CAPACITY = 4096;

/** Typed arrays for one call, sized for `n` entries of `w` words (reused when small). */
class Buffers {
  private static kept: Buffers | undefined;

  public static get(n: number, w: number): Buffers {
    if (n > KEPT_CAPACITY) {
      return new Buffers(n, w);
    }
    Buffers.kept ??= new Buffers(KEPT_CAPACITY, 4);
    return Buffers.kept;
  }

  public readonly starts: Uint32Array;
  public readonly lengths: Uint8Array;
  public readonly order: Uint32Array;
  public readonly next: Uint32Array;
  // The current merged range, the range being looked at, and scratch space: 4 words each (IPv6),
  // and 1-word views of the same (IPv4), made once.
  public readonly curStart = new Uint32Array(4);
  public readonly curLast = new Uint32Array(4);
  public readonly last = new Uint32Array(4);
  public readonly scratch = new Uint32Array(4);
  public readonly curStart1 = this.curStart.subarray(0, 1);
  public readonly curLast1 = this.curLast.subarray(0, 1);
  public readonly last1 = this.last.subarray(0, 1);
  public readonly scratch1 = this.scratch.subarray(0, 1);

  private constructor(n: number, w: number) {
    this.starts = new Uint32Array(n * w);
    this.lengths = new Uint8Array(n);
    this.order = new Uint32Array(n);
    this.next = new Uint32Array(n);
  }
}

/** Appends the cover of `prefixes[at[...]]` (all of one family, `w` words per address) to `out`. */
function coverFamily(prefixes: readonly IpPrefix[], texts: readonly string[] | undefined, at: readonly number[], w: 1 | 4,
  out: string[], duplicates: number[]): void {
  const n = at.length;
  if (n === 0) {
    return;
  }
  const totalBits = w * 32;
  const buffers = Buffers.get(n, w);
  // Start addresses (masked), w words each, most significant first; and prefix lengths.
  const starts = buffers.starts;
  const lengths = buffers.lengths;
  for (let i = 0; i < n; i++) {
    const prefix = prefixes[at[i]];
    const bytes = prefix.address.bytes;
    const bits = Math.max(0, Math.min(totalBits, prefix.bits));
    lengths[i] = bits;
    for (let k = 0; k < w; k++) {
      const word = ((bytes[4 * k] << 24) | (bytes[4 * k + 1] << 16) | (bytes[4 * k + 2] << 8) | bytes[4 * k + 3]) >>> 0;
      starts[i * w + k] = word & wordMask(bits - 32 * k);
    }
  }
  const order = radixOrder(buffers, n, w);
  const curStart = w === 4 ? buffers.curStart : buffers.curStart1;
  const curLast = w === 4 ? buffers.curLast : buffers.curLast1;
  const last = w === 4 ? buffers.last : buffers.last1;
  const scratch = w === 4 ? buffers.scratch : buffers.scratch1;
  // The merged range so far is exactly its first prefix (the lowest, and the largest at that
  // start) while nothing reaches past that prefix's end: then its text can be reused.
  let first = -1;
  let single = true;
  let prev = -1;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    const o = i * w;
    if (prev !== -1 && lengths[i] === lengths[prev] && sameWords(starts, o, starts, prev * w, w)) {
      duplicates.push(at[i]);
      continue;
    }
    for (let k = 0; k < w; k++) {
      last[k] = (starts[o + k] | ~wordMask(lengths[i] - 32 * k)) >>> 0;
    }
    if (prev === -1) {
      copyWords(starts, o, curStart, w);
      curLast.set(last);
      first = i;
    } else if (compareWords(starts, o, curLast, 0, w) <= 0 || isSuccessor(starts, o, curLast, scratch, w)) {
      // Overlaps, lies inside, or starts right after the current range: extend it.
      if (compareWords(last, 0, curLast, 0, w) > 0) {
        curLast.set(last);
        single = false;
      }
    } else {
      emitRange(single && texts !== undefined ? texts[at[first]] : undefined, curStart, curLast, scratch, totalBits, out);
      copyWords(starts, o, curStart, w);
      curLast.set(last);
      first = i;
      single = true;
    }
    prev = i;
  }
  emitRange(single && texts !== undefined ? texts[at[first]] : undefined, curStart, curLast, scratch, totalBits, out);
}

/** Appends one merged range: its text when it is exactly one of the input prefixes, else its blocks. */
function emitRange(text: string | undefined, start: Uint32Array, last: Uint32Array, scratch: Uint32Array, totalBits: number, out: string[]): void {
  if (text !== undefined) {
    out.push(text);
  } else {
    cutIntoBlocks(start, last, scratch, totalBits, out);
  }
}

function copyWords(from: Uint32Array, at: number, to: Uint32Array, w: number): void {
  for (let k = 0; k < w; k++) {
    to[k] = from[at + k];
  }
}

/** The mask of the first `bits` bits of a 32-bit word (`bits` may be below 0 or above 32). */
function wordMask(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/** Up to this many entries, `radixOrder` uses an insertion sort. */
const TINY_LIST = 16;

/** Below this many entries, `radixOrder` uses a comparison sort. */
const SMALL_LIST = 2048;

/**
 * Positions 0..n-1 ordered by start address, then by prefix length: an LSD radix sort over 16-bit
 * digits (stable, so exact repeats keep their input order). Digits that are the same for every
 * entry (common: the low words of IPv6 /48s) cost one counting pass and no move.
 */
function radixOrder(buffers: Buffers, n: number, w: number): Uint32Array {
  const { starts, lengths } = buffers;
  let order = buffers.order;
  let next = buffers.next;
  for (let i = 0; i < n; i++) {
    order[i] = i;
  }
  if (n <= TINY_LIST) {
    // A policy's few blocks (the most common case): an insertion sort, stable, nothing allocated.
    for (let r = 1; r < n; r++) {
      const i = order[r];
      let q = r;
      while (q > 0 && (compareWords(starts, order[q - 1] * w, starts, i * w, w) || lengths[order[q - 1]] - lengths[i]) > 0) {
        order[q] = order[q - 1];
        q--;
      }
      order[q] = i;
    }
    return order;
  }
  if (n < SMALL_LIST) {
    // Short lists: a comparison sort beats clearing 65,536 counters per digit.
    // Ties broken by position, so it is stable like the radix sort.
    return order.subarray(0, n).sort((a, b) => compareWords(starts, a * w, starts, b * w, w) || lengths[a] - lengths[b] || a - b);
  }
  const keys = new Uint16Array(n);
  const counts = new Uint32Array(65536);
  // One stable counting-sort pass of `order` by `keys` (filled by the caller for this digit).
  const pass = (): void => {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      counts[keys[i]]++;
    }
    if (counts[keys[0]] === n) {
      return;
    }
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let r = 0; r < n; r++) {
      const i = order[r];
      next[counts[keys[i]]++] = i;
    }
    [order, next] = [next, order];
  };
  keys.set(lengths.subarray(0, n));
  pass();
  for (let k = w - 1; k >= 0; k--) {
    for (let i = 0; i < n; i++) {
      keys[i] = starts[i * w + k] & 0xffff;
    }
    pass();
    for (let i = 0; i < n; i++) {
      keys[i] = starts[i * w + k] >>> 16;
    }
    pass();
  }
  return order;
}

function sameWords(a: Uint32Array, ao: number, b: Uint32Array, bo: number, w: number): boolean {
  for (let k = 0; k < w; k++) {
    if (a[ao + k] !== b[bo + k]) {
      return false;
    }
  }
  return true;
}

function compareWords(a: Uint32Array, ao: number, b: Uint32Array, bo: number, w: number): number {
  for (let k = 0; k < w; k++) {
    if (a[ao + k] !== b[bo + k]) {
      return a[ao + k] < b[bo + k] ? -1 : 1;
    }
  }
  return 0;
}

/** Whether `a[ao..]` is `b + 1` (so the two ranges touch). `scratch` receives `b + 1`. */
function isSuccessor(a: Uint32Array, ao: number, b: Uint32Array, scratch: Uint32Array, w: number): boolean {
  copyWords(b, 0, scratch, w);
  return !increment(scratch) && sameWords(a, ao, scratch, 0, w);
}

/** Adds 1 in place; returns true when it wrapped around (the value was all ones). */
function increment(x: Uint32Array): boolean {
  for (let k = x.length - 1; k >= 0; k--) {
    x[k] = (x[k] + 1) >>> 0;
    if (x[k] !== 0) {
      return false;
    }
  }
  return true;
}

/** Number of trailing zero bits of the whole value (`totalBits` for 0). */
function trailingZeros(x: Uint32Array): number {
  let zeros = 0;
  for (let k = x.length - 1; k >= 0; k--) {
    if (x[k] !== 0) {
      return zeros + 31 - Math.clz32(x[k] & -x[k]);
    }
    zeros += 32;
  }
  return zeros;
}

/** `x` with its lowest `hostBits` bits set, into `out`. */
function withHostBits(x: Uint32Array, hostBits: number, out: Uint32Array): void {
  const w = x.length;
  for (let k = 0; k < w; k++) {
    out[k] = (x[k] | ~wordMask(32 * w - hostBits - 32 * k)) >>> 0;
  }
}

/**
 * Emits the fewest aligned blocks that tile [start, last] (inclusive), lowest first: at each step
 * the largest block that starts at `start` (as aligned as `start` allows) and ends by `last`.
 * `start` is consumed; `end` is scratch space. Appends the blocks' texts to `out`.
 */
function cutIntoBlocks(start: Uint32Array, last: Uint32Array, end: Uint32Array, totalBits: number, out: string[]): void {
  const w = start.length;
  for (;;) {
    let host = Math.min(trailingZeros(start), totalBits);
    withHostBits(start, host, end);
    while (compareWords(end, 0, last, 0, w) > 0) {
      host--;
      withHostBits(start, host, end);
    }
    out.push(w === 1 ? formatIpv4(start[0], totalBits - host) : formatIpv6(start, totalBits - host));
    if (sameWords(end, 0, last, 0, w)) {
      return;
    }
    copyWords(end, 0, start, w);
    increment(start);
  }
}

function formatIpv4(word: number, bits: number): string {
  return `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}/${bits}`;
}

/** RFC 5952 text, as `formatIpAddress` writes it, without building a byte array first. */
function formatIpv6(words: Uint32Array, bits: number): string {
  const groups = GROUPS;
  for (let g = 0; g < 8; g++) {
    groups[g] = (g & 1) === 0 ? words[g >> 1] >>> 16 : words[g >> 1] & 0xffff;
  }
  return `${formatIpv6Groups(groups)}/${bits}`;
}

const GROUPS = new Uint16Array(8);
