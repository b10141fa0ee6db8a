import * as fc from 'fast-check';
import { hostMatches, toFqdn } from '../../../src/validation/analyze/hosts';

// Every name over a tiny alphabet up to length 4: enough to witness any overlap of the hosts below.
const ALPHABET = ['a', 'b', '.'];
const UNIVERSE: string[] = [''];
for (let length = 1; length <= 4; length++) {
  for (const prefix of UNIVERSE.filter((u) => u.length === length - 1)) {
    for (const c of ALPHABET) {
      UNIVERSE.push(prefix + c);
    }
  }
}

/** The names a host denotes: a wildcard `*x` every name ending in x, a plain host itself. */
function denoted(host: string): Set<string> {
  return new Set(host.startsWith('*') ? UNIVERSE.filter((u) => u.endsWith(host.slice(1))) : [host]);
}

const host = fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...ALPHABET), { maxLength: 3 }))
  .map(([wild, chars]) => (wild ? '*' : '') + chars.join(''));

describe('hostMatches', () => {
  test('is true exactly when the two hosts denote overlapping sets of names (brute force)', () => {
    fc.assert(fc.property(host, host, (a, b) => {
      const overlap = [...denoted(a)].some((n) => denoted(b).has(n));
      expect(hostMatches(a, b)).toBe(overlap);
    }), { numRuns: 2000, seed: 9001 });
  });

  test('matches as Istio does on real names', () => {
    expect(hostMatches('*', 'shop.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'shop.example.com')).toBe(true);
    expect(hostMatches('*.example.com', '*.shop.example.com')).toBe(true);
    expect(hostMatches('shop.example.com', 'blog.example.com')).toBe(false);
  });
});

describe('toFqdn', () => {
  test('completes a short name only; a name with a dot stays as written', () => {
    expect(toFqdn('apps', 'echo')).toBe('echo.apps.svc.cluster.local');
    expect(toFqdn('apps', 'echo.shop')).toBe('echo.shop');
    expect(toFqdn('apps', '*')).toBe('*');
  });
});
