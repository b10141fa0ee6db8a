import * as fc from 'fast-check';
import { IpBlock } from '../src/ip-block';
import {
  CoverageBound, externalOnlyBlocksWarning, ipv4MappedWarnings, matchesEveryoneWarning, prefixLengthIn, RuleIpFields, whyRuleNeverMatches,
} from '../src/policy/rule-coverage';
import { prefixOfCidr } from '../src/private/address-set';
import { validBlockText } from './arbitraries';

describe('whyRuleNeverMatches', () => {
  test('finds the same range in ipBlocks and notIpBlocks', () => {
    expect(whyRuleNeverMatches({ ipBlocks: ['10.0.0.0/8'], notIpBlocks: ['10.0.0.0/8'] }))
      .toBe('every range in ipBlocks is also excluded by notIpBlocks (10.0.0.0/8 is in both), so no peer address is left');
  });

  test('finds ranges inside the excluded ones, for the client address too', () => {
    expect(whyRuleNeverMatches({ remoteIpBlocks: ['10.1.0.0/16'], notRemoteIpBlocks: ['10.0.0.0/8'] }))
      .toBe('every range in remoteIpBlocks is also excluded by notRemoteIpBlocks (10.1.0.0/16 lies inside 10.0.0.0/8), so no client address is left');
  });

  test('finds a not* of every address of both families', () => {
    expect(whyRuleNeverMatches({ notIpBlocks: ['0.0.0.0/0', '::/0'] })).toBe('notIpBlocks 0.0.0.0/0, ::/0 exclude every IPv4 and IPv6 address, so no peer address is left');
    expect(whyRuleNeverMatches({ notRemoteIpBlocks: ['0.0.0.0/1', '128.0.0.0/1', '::/0'] })).toMatch(/^notRemoteIpBlocks .* exclude every IPv4 and IPv6 address/);
  });

  test('stays quiet for a range with a hole in it, a not* of one family, and unrelated not* ranges', () => {
    expect(whyRuleNeverMatches({ ipBlocks: ['10.0.0.0/8'], notIpBlocks: ['10.1.0.0/16'] })).toBeUndefined();
    expect(whyRuleNeverMatches({ notIpBlocks: ['0.0.0.0/0'] })).toBeUndefined();
    expect(whyRuleNeverMatches({ ipBlocks: ['10.0.0.0/8'], notRemoteIpBlocks: ['10.0.0.0/8'] })).toBeUndefined();
  });
});

describe('matchesEveryoneWarning', () => {
  test('fires for an ALLOW of every IPv4 address, also split over rules', () => {
    expect(matchesEveryoneWarning('ALLOW', [{ ipBlocks: ['0.0.0.0/0'] }])?.message)
      .toMatch(/^this ALLOW policy matches every IPv4 client: it allows everyone who connects over IPv4, an allow-all that does not say so\. Fix: .*allowAll/);
    expect(matchesEveryoneWarning('ALLOW', [{ remoteIpBlocks: ['0.0.0.0/1'] }, { remoteIpBlocks: ['128.0.0.0/1', '::/0'] }])?.message)
      .toMatch(/matches every client: it allows everyone,/);
  });

  test('fires for an ALLOW whose not* leaves a whole family open', () => {
    expect(matchesEveryoneWarning('ALLOW', [{ notIpBlocks: ['10.0.0.0/8'] }])?.message).toMatch(/matches every IPv6 client/);
  });

  test('fires for an unnamed DENY of every address of a family its ranges name', () => {
    expect(matchesEveryoneWarning('DENY', [{ ipBlocks: ['0.0.0.0/0'] }])?.message).toMatch(/^this DENY policy matches every IPv4 client: .*denyAll/);
  });

  test('stays quiet for a DENY of everyone outside a range of one family (it denies the other family, as written)', () => {
    expect(matchesEveryoneWarning('DENY', [{ notIpBlocks: ['10.0.0.0/8'] }])).toBeUndefined();
  });

  test('stays quiet for ordinary allow-lists, and for rules that constrain both addresses', () => {
    expect(matchesEveryoneWarning('ALLOW', [{ ipBlocks: ['203.0.113.0/24'] }, { remoteIpBlocks: ['198.51.100.0/24'] }])).toBeUndefined();
    expect(matchesEveryoneWarning('ALLOW', [{ ipBlocks: ['0.0.0.0/0'], remoteIpBlocks: ['10.0.0.0/8'] }])).toBeUndefined();
  });

  test('covers the whole square when two-address rules fill what one-address rules leave', () => {
    const rules: RuleIpFields[] = [
      { ipBlocks: ['0.0.0.0/1'] },
      { ipBlocks: ['128.0.0.0/1'], remoteIpBlocks: ['0.0.0.0/1'] },
      { ipBlocks: ['128.0.0.0/1'], remoteIpBlocks: ['128.0.0.0/1'] },
    ];
    expect(matchesEveryoneWarning('ALLOW', rules)?.message).toMatch(/every IPv4 client/);
    expect(matchesEveryoneWarning('ALLOW', rules.slice(0, 2))).toBeUndefined();
  });
});

describe('rule coverage against a brute-force oracle', () => {
  // Blocks of prefix length 0-3 (IPv4) and 0-2 (IPv6) are unions of 8 and 4 classes of addresses,
  // so one address per class decides every question exactly.
  const v4 = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat()).map(([bits, n]) => `${bits === 0 ? 0 : (n % (1 << bits)) << (8 - bits)}.0.0.0/${bits}`);
  const v6 = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat()).map(([bits, n]) => `${(bits === 0 ? 0 : (n % (1 << bits)) << (16 - bits)).toString(16)}::/${bits}`);
  const blocks = fc.option(fc.array(fc.oneof(v4, v4, v6), { minLength: 1, maxLength: 3 }), { nil: undefined });
  const rule = fc.record({ ipBlocks: blocks, remoteIpBlocks: blocks, notIpBlocks: blocks, notRemoteIpBlocks: blocks })
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as RuleIpFields);

  /** One address per class: [family, class]. */
  const classes: [4 | 6, number][] = [...Array.from({ length: 8 }, (_, c): [4, number] => [4, c]), ...Array.from({ length: 4 }, (_, c): [6, number] => [6, c])];
  const inBlock = ([family, c]: [4 | 6, number], block: string): boolean => {
    const [base, bitsText] = block.split('/');
    const bits = Number(bitsText);
    const blockFamily = base.includes(':') ? 6 : 4;
    if (blockFamily !== family) {
      return false;
    }
    const width = family === 4 ? 3 : 2;
    const first = family === 4 ? Number(base.split('.')[0]) >> 5 : parseInt(base.split(':')[0] || '0', 16) >> 14;
    return bits === 0 || (c >> (width - bits)) === (first >> (width - bits));
  };
  // The rules here hold texts (RuleIpFields also takes parsed IpBlocks).
  const axis = (address: [4 | 6, number], listed?: readonly unknown[], excluded?: readonly unknown[]) =>
    (listed === undefined || listed.some((b) => inBlock(address, String(b)))) && !(excluded ?? []).some((b) => inBlock(address, String(b)));
  const matches = (r: RuleIpFields, peer: [4 | 6, number], client: [4 | 6, number]) =>
    axis(peer, r.ipBlocks, r.notIpBlocks) && axis(client, r.remoteIpBlocks, r.notRemoteIpBlocks);

  test('a rule is reported dead exactly when it matches no pair of addresses', () => {
    const seen = { dead: 0, live: 0 };
    fc.assert(fc.property(rule, (r) => {
      const dead = classes.every((peer) => classes.every((client) => !matches(r, peer, client)));
      expect(whyRuleNeverMatches(r) !== undefined).toBe(dead);
      seen[dead ? 'dead' : 'live']++;
    }), { numRuns: 600, seed: 7 });
    expect(Math.min(seen.dead, seen.live)).toBeGreaterThan(30);
  });

  test('an ALLOW is reported as matching everyone exactly when its rules cover every IPv4 pair or every IPv6 pair', () => {
    const seen = { everyone: 0, some: 0 };
    fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 4 }), (rules) => {
      const covers = (family: 4 | 6) => {
        const own = classes.filter(([f]) => f === family);
        return own.every((peer) => own.every((client) => rules.some((r) => matches(r, peer, client))));
      };
      const everyone = covers(4) || covers(6);
      expect(matchesEveryoneWarning('ALLOW', rules) !== undefined).toBe(everyone);
      seen[everyone ? 'everyone' : 'some']++;
    }), { numRuns: 600, seed: 8 });
    expect(Math.min(seen.everyone, seen.some)).toBeGreaterThan(30);
  });

  test('rules of parsed IpBlocks give exactly what the same rules as texts give', () => {
    // IpAccessPolicy passes its blocks (parsed once); these are the same ranges, texts and
    // IPv4-mapped or external blocks mixed in.
    const extra = fc.constantFrom('::ffff:10.0.0.0/104', '::ffff:203.0.113.7/128', '203.0.113.0/24', '10.1.0.0/16', '2001:db8::/32', 'fd00::/8');
    const more = fc.option(fc.array(fc.oneof(v4, v6, extra), { minLength: 1, maxLength: 4 }), { nil: undefined });
    const textRule = fc.record({ ipBlocks: more, remoteIpBlocks: more, notIpBlocks: more, notRemoteIpBlocks: more })
      // In canonical form, as the texts are given (the generators above write `0::/0` for `::/0`).
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => [k, (v ?? []).map((t) => IpBlock.of(t).toString())])) as Record<string, string[]>);
    const parsed = (r: Record<string, string[]>): RuleIpFields => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, IpBlock.ofAll(v)]));
    fc.assert(fc.property(fc.array(textRule, { minLength: 1, maxLength: 3 }), fc.constantFrom('ALLOW' as const, 'DENY' as const), (rules, action) => {
      const blocks = rules.map(parsed);
      expect(blocks.map(whyRuleNeverMatches)).toEqual(rules.map(whyRuleNeverMatches));
      expect(matchesEveryoneWarning(action, blocks)).toEqual(matchesEveryoneWarning(action, rules));
      expect(blocks.map((r) => ipv4MappedWarnings(r, 'x.'))).toEqual(rules.map((r) => ipv4MappedWarnings(r, 'x.')));
      expect(externalOnlyBlocksWarning('w', blocks)).toEqual(externalOnlyBlocksWarning('w', rules));
    }), { numRuns: 400, seed: 9 });
  });
});

describe('ipv4MappedWarnings', () => {
  test('fires for every IPv4-mapped block, naming the IPv4 range to write', () => {
    expect(ipv4MappedWarnings({ ipBlocks: ['::ffff:1.2.3.0/120'], notRemoteIpBlocks: ['::ffff:10.0.0.1/128'] }, 'rules[1].')).toEqual([
      {
        id: 'ip-block-ipv4-mapped', subject: 'rules[1].ipBlocks ::ffff:1.2.3.0/120',
        message: expect.stringMatching(/^rules\[1\]\.ipBlocks entry ::ffff:1\.2\.3\.0\/120 is an IPv4-mapped IPv6 range: Envoy compares address families.*never matches an IPv4 client\. Fix: write the IPv4 range 1\.2\.3\.0\/24$/),
      },
      expect.objectContaining({ subject: 'rules[1].notRemoteIpBlocks ::ffff:10.0.0.1/128', message: expect.stringMatching(/\(and excludes none\)\. Fix: write the IPv4 range 10\.0\.0\.1\/32$/) }),
    ]);
  });

  test('stays quiet for IPv6 ranges that only contain IPv4-mapped space, and for IPv4', () => {
    expect(ipv4MappedWarnings({ ipBlocks: ['::/64', '2001:db8::/32', '10.0.0.0/8'] }, '')).toEqual([]);
  });
});

describe('externalOnlyBlocksWarning', () => {
  test('fires for ranges outside private, CGNAT and link-local space', () => {
    expect(externalOnlyBlocksWarning('test/echo', [{ ipBlocks: ['203.0.113.0/24', '10.0.0.0/8'] }, { notIpBlocks: ['2001:db8::/32'] }])?.message)
      .toMatch(/^ipBlocks on test\/echo, which is not an ingress gateway: .*so 203\.0\.113\.0\/24, 2001:db8::\/32 \(outside private, CGNAT and link-local space\) never match there/);
  });

  test('stays quiet for pod, node, CGNAT, link-local and unique-local ranges, and for ranges that include them', () => {
    expect(externalOnlyBlocksWarning('x', [{ ipBlocks: ['10.4.0.0/14', '172.20.0.0/16', '192.168.0.0/24', '100.64.0.0/10', '169.254.0.0/16', 'fd00::/8', 'fe80::/10', '0.0.0.0/0'] }])).toBeUndefined();
  });

  test('ignores remoteIpBlocks, which remote-ip-blocks-on-sidecar covers', () => {
    expect(externalOnlyBlocksWarning('x', [{ remoteIpBlocks: ['203.0.113.0/24'] }])).toBeUndefined();
  });
});

describe('CoverageBound', () => {
  /** The exact count of addresses the lists name in `family` (overlaps counted twice), by bigint. */
  function exactSum(lists: readonly (readonly string[])[], family: 4 | 6): bigint {
    const width = family === 4 ? 32 : 128;
    let sum = 0n;
    for (const list of lists) {
      for (const cidr of list) {
        const [address, bits] = cidr.split('/');
        if (address.includes(':') === (family === 6)) {
          sum += 1n << BigInt(width - Number(bits));
        }
      }
    }
    return sum;
  }

  /**
   * Prefix lengths that tile a family exactly: start from /0 and split one prefix into its two
   * halves per step (the last one mostly, to reach long prefixes), so the sizes add up to the
   * family's size in exact arithmetic, from terms of very different magnitude.
   */
  const tiling = (width: number) => fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 150 }).map((steps) => {
    const bits = [0];
    for (const [last, pick] of steps) {
      const at = last ? bits.length - 1 : pick % bits.length;
      if (bits[at] < width) {
        bits.splice(at, 1, bits[at] + 1, bits[at] + 1);
      }
    }
    return bits;
  });
  /** A list for one axis: a tiling of IPv4 or IPv6 (maybe one prefix short of it), or a few random prefixes. */
  const list = fc.oneof(
    fc.tuple(tiling(32), fc.boolean()).map(([bits, short]) => (short ? bits.slice(1) : bits).map((b) => `0.0.0.0/${b}`)),
    fc.tuple(tiling(128), fc.boolean()).map(([bits, short]) => (short ? bits.slice(1) : bits).map((b) => `::/${b}`)),
    fc.array(fc.oneof(fc.integer({ min: 0, max: 32 }).map((b) => `0.0.0.0/${b}`), fc.integer({ min: 0, max: 128 }).map((b) => `::/${b}`)), { maxLength: 4 }),
  );

  test('never says a family is certainly not covered when the exact sums reach its size (bigint oracle)', () => {
    let reached = 0;
    fc.assert(fc.property(fc.array(fc.tuple(list, list), { minLength: 1, maxLength: 3 }), (rules) => {
      const bound = new CoverageBound();
      rules.forEach(([ipBlocks, remoteIpBlocks]) => bound.add({ ipBlocks, remoteIpBlocks }));
      for (const family of [4, 6] as const) {
        const all = 1n << BigInt(family === 4 ? 32 : 128);
        const exact = exactSum(rules.map(([ip]) => ip), family) >= all && exactSum(rules.map(([, remote]) => remote), family) >= all;
        if (exact) {
          reached++;
          expect(bound.mayCover(family)).toBe(true);
        }
      }
    }), { numRuns: 1000, seed: 29 });
    expect(reached).toBeGreaterThan(20);
  });

  test('says may cover where doubles round the exact sum down: /1 to /52 and four /54s tile IPv6', () => {
    // 2^128 - 2^76 is exact; each 2^74 added to it is a tie that rounds back down (to even).
    const tiles = [...Array.from({ length: 52 }, (_, i) => `::/${i + 1}`), '::/54', '::/54', '::/54', '::/54'];
    expect(exactSum([tiles], 6)).toBe(1n << 128n);
    expect(tiles.reduce((sum, cidr) => sum + 2 ** (128 - Number(cidr.slice(3))), 0)).toBeLessThan(2 ** 128);
    const bound = new CoverageBound();
    bound.add({ ipBlocks: tiles, remoteIpBlocks: tiles });
    expect(bound.mayCover(6)).toBe(true);
  });

  test('reads the family and length of a CIDR text as the parser does, for every valid block and its canonical form', () => {
    fc.assert(fc.property(validBlockText, (text) => {
      for (const cidr of [text, IpBlock.of(text).toString()]) {
        const parsed = prefixOfCidr(cidr);
        for (const family of [4, 6] as const) {
          expect(prefixLengthIn(cidr, family)).toBe(parsed?.address.family === family ? parsed.bits : undefined);
        }
      }
    }), { numRuns: 3000, seed: 31 });
  });

  test('says certainly not covered for small lists, and counts a missing list as every address', () => {
    const bound = new CoverageBound();
    bound.add({ ipBlocks: ['10.0.0.0/8'], remoteIpBlocks: ['0.0.0.0/1', '128.0.0.0/1'] });
    expect([bound.mayCover(4), bound.mayCover(6)]).toEqual([false, false]);
    bound.add({ ipBlocks: ['::/0'] });
    expect([bound.mayCover(4), bound.mayCover(6)]).toEqual([false, true]);
  });
});
