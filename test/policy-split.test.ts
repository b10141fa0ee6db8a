import * as fc from 'fast-check';
import { parseIpPrefix, prefixContains } from '../src/private/ip';
import { BLOCK_FIELDS, BlockField, entriesBytes, ruleBytes, splitRule, WrittenRule } from '../src/private/policy-split';

// The oracle: a request has a TCP peer (what ipBlocks/notIpBlocks see) and a trusted client
// address (remoteIpBlocks/notRemoteIpBlocks), both taken from a 32-address universe, so every
// request can be tried. A rule matches when every field it has matches (Istio ANDs the fields of a
// source); a set of rules matches when any rule does.

const UNIVERSE = 32;
const address = (i: number) => ({ family: 4 as const, bytes: [10, 0, 0, i] });

/**
 * A block of the universe as text, `10.0.0.<i>/<bits>` (host bits cleared): mostly single
 * addresses, so that losing an entry changes what matches.
 */
const blockText = fc.record({ at: fc.nat(UNIVERSE - 1), bits: fc.oneof({ weight: 6, arbitrary: fc.constant(32) }, { weight: 1, arbitrary: fc.integer({ min: 27, max: 31 }) }) })
  .map(({ at, bits }) => `10.0.0.${at & ~((1 << (32 - bits)) - 1) & 0xff}/${bits}`);
const unionList = fc.uniqueArray(blockText, { minLength: 1, maxLength: 20 });

const rule: fc.Arbitrary<WrittenRule> = fc.record({
  ipBlocks: fc.option(unionList, { nil: undefined }),
  remoteIpBlocks: fc.option(unionList, { nil: undefined }),
  notIpBlocks: fc.option(fc.array(blockText, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  notRemoteIpBlocks: fc.option(fc.array(blockText, { minLength: 1, maxLength: 3 }), { nil: undefined }),
}, { requiredKeys: [] }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as WrittenRule)
  .filter((r) => Object.keys(r).length > 0);

/** The universe addresses a list contains, as a 32-bit mask (bit i: 10.0.0.i). */
function maskOf(list: readonly string[] | undefined, absent: number): number {
  if (list === undefined) {
    return absent;
  }
  let mask = 0;
  for (const text of list) {
    mask |= blockMask(text);
  }
  return mask;
}

const BLOCK_MASKS = new Map<string, number>();

/** The universe addresses one block contains, by containment test on each address (cached). */
function blockMask(text: string): number {
  let mask = BLOCK_MASKS.get(text);
  if (mask === undefined) {
    const parsed = parseIpPrefix(text);
    mask = 0;
    for (let i = 0; i < UNIVERSE; i++) {
      if (parsed.ok && prefixContains(parsed.value, address(i))) {
        mask |= 1 << i;
      }
    }
    BLOCK_MASKS.set(text, mask);
  }
  return mask;
}

/** Every request (peer, client) as a string of 0/1, matched by any of the rules or not. */
function matchTable(rules: readonly WrittenRule[]): string {
  const ALL = -1;
  const masks = rules.map((r) => ({
    peer: maskOf(r.ipBlocks, ALL) & ~maskOf(r.notIpBlocks, 0),
    client: maskOf(r.remoteIpBlocks, ALL) & ~maskOf(r.notRemoteIpBlocks, 0),
  }));
  let table = '';
  for (let peer = 0; peer < UNIVERSE; peer++) {
    for (let client = 0; client < UNIVERSE; client++) {
      table += masks.some((m) => (m.peer >>> peer) & (m.client >>> client) & 1) ? '1' : '0';
    }
  }
  return table;
}

function jsonBytes(r: WrittenRule): number {
  const source = Object.fromEntries(BLOCK_FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]]));
  return Buffer.byteLength(JSON.stringify({ from: [{ source }] }));
}

describe('ruleBytes', () => {
  test('is the length of the rule as compact JSON', () => {
    fc.assert(fc.property(rule, (r) => {
      expect(ruleBytes(r)).toBe(jsonBytes(r));
    }), { numRuns: 300 });
  });

  test('counts an empty list as its brackets', () => {
    expect(ruleBytes({ ipBlocks: [] })).toBe(jsonBytes({ ipBlocks: [] }));
    expect(entriesBytes([])).toBe(0);
  });
});

describe('splitRule', () => {
  const budget = fc.integer({ min: 60, max: 600 });

  test('cuts a rule into rules that each fit and together match the same requests', () => {
    fc.assert(fc.property(rule, budget, (r, maxBytes) => {
      const outcome = splitRule(r, maxBytes);
      if (!outcome.ok) {
        return;
      }
      for (const piece of outcome.rules) {
        expect(ruleBytes(piece)).toBeLessThanOrEqual(maxBytes);
      }
      expect(matchTable(outcome.rules)).toBe(matchTable([r]));
    }), { numRuns: 250 });
  });

  test('never cuts notIpBlocks or notRemoteIpBlocks, and keeps the fields each piece has', () => {
    fc.assert(fc.property(rule, budget, (r, maxBytes) => {
      const outcome = splitRule(r, maxBytes);
      if (!outcome.ok) {
        return;
      }
      for (const piece of outcome.rules) {
        expect(piece.notIpBlocks).toEqual(r.notIpBlocks);
        expect(piece.notRemoteIpBlocks).toEqual(r.notRemoteIpBlocks);
        expect(Object.keys(piece).sort()).toEqual(Object.keys(r).sort());
      }
    }), { numRuns: 250 });
  });

  test('refuses only when the smallest possible piece does not fit, and says how big it is', () => {
    fc.assert(fc.property(rule, budget, (r, maxBytes) => {
      const smallest: WrittenRule = { ...r };
      for (const field of ['ipBlocks', 'remoteIpBlocks'] as BlockField[]) {
        const list = r[field];
        if (list !== undefined) {
          smallest[field] = [list.reduce((a, b) => (b.length > a.length ? b : a))];
        }
      }
      const outcome = splitRule(r, maxBytes);
      expect(outcome.ok).toBe(ruleBytes(smallest) <= maxBytes);
      if (!outcome.ok) {
        expect(outcome.smallest).toBe(ruleBytes(smallest));
      }
    }), { numRuns: 250 });
  });

  test('packs one long list into the fewest pieces, in order', () => {
    fc.assert(fc.property(fc.array(blockText, { minLength: 1, maxLength: 60 }), fc.option(fc.array(blockText, { maxLength: 2 }), { nil: undefined }), budget,
      (ipBlocks, notIpBlocks, maxBytes) => {
        const r: WrittenRule = notIpBlocks === undefined || notIpBlocks.length === 0 ? { ipBlocks } : { ipBlocks, notIpBlocks };
        const outcome = splitRule(r, maxBytes);
        if (!outcome.ok) {
          return;
        }
        // In order: the pieces' lists, one after the other, are the list.
        expect(outcome.rules.flatMap((piece) => piece.ipBlocks ?? [])).toEqual(ipBlocks);
        // Fewest: no piece could have taken the next piece's first entry.
        outcome.rules.slice(0, -1).forEach((piece, i) => {
          const next = outcome.rules[i + 1].ipBlocks ?? [];
          expect(ruleBytes({ ...piece, ipBlocks: [...(piece.ipBlocks ?? []), next[0]] })).toBeGreaterThan(maxBytes);
        });
      }), { numRuns: 250 });
  });

  test('returns a rule that fits unchanged', () => {
    const r: WrittenRule = { ipBlocks: ['10.0.0.0/24'], notIpBlocks: ['10.0.0.7/32'] };
    expect(splitRule(r, 1000)).toEqual({ ok: true, rules: [r] });
  });

  test('cuts two long lists so that every piece fits', () => {
    const ipBlocks = Array.from({ length: 40 }, (_, i) => `10.0.${i}.0/24`);
    const remoteIpBlocks = Array.from({ length: 40 }, (_, i) => `192.168.${i}.0/24`);
    const outcome = splitRule({ ipBlocks, remoteIpBlocks }, 400);
    expect(outcome.ok).toBe(true);
    const rules = outcome.ok ? outcome.rules : [];
    expect(rules.every((piece) => ruleBytes(piece) <= 400)).toBe(true);
    // Every (ipBlocks entry, remoteIpBlocks entry) pair is in exactly one piece.
    const pairs = rules.flatMap((piece) => (piece.ipBlocks ?? []).flatMap((a) => (piece.remoteIpBlocks ?? []).map((b) => `${a} ${b}`)));
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs.length).toBe(40 * 40);
  });

  test('fails for a notIpBlocks list that does not fit on its own', () => {
    const notIpBlocks = Array.from({ length: 50 }, (_, i) => `10.0.${i}.0/24`);
    expect(splitRule({ ipBlocks: ['192.0.2.0/24', '198.51.100.0/24'], notIpBlocks }, 500)).toEqual({ ok: false, smallest: ruleBytes({ ipBlocks: ['198.51.100.0/24'], notIpBlocks }) });
  });
});
