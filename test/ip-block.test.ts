import * as fc from 'fast-check';
import { validBlockText } from './arbitraries';
import { SourceIpValidationError } from '../src/errors';
import { IpBlock } from '../src/ip-block';
import { formatIpPrefix, hasHostBits, maskPrefix, parseIpAddress, parseIpPrefix } from '../src/private/ip';
import { validationErrorOf } from './util';

const RUNS = { numRuns: 2000 };

describe('IpBlock.of', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7/32', 4, 32, false],
    ['203.0.113.0/24', '203.0.113.0/24', 4, 24, false],
    ['2.2.2.2/24', '2.2.2.0/24', 4, 24, true],
    ['10.0.0.0/8', '10.0.0.0/8', 4, 8, false],
    ['0.0.0.0/0', '0.0.0.0/0', 4, 0, false],
    ['255.255.255.255/32', '255.255.255.255/32', 4, 32, false],
    ['2001:db8::7', '2001:db8::7/128', 6, 128, false],
    ['2001:DB8:0::1/64', '2001:db8::/64', 6, 64, true],
    ['2001:0DB8:0000:0000::/48', '2001:db8::/48', 6, 48, false],
    ['::1', '::1/128', 6, 128, false],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1/128', 6, 128, false],
    ['::ffff:192.0.2.1/120', '::ffff:192.0.2.0/120', 6, 120, true],
  ])('reads %j as %s (IPv%d, length %d, host bits cleared: %s)', (text, canonical, family, prefixLength, hostBitsCleared) => {
    const block = IpBlock.of(text);
    expect({ canonical: block.toString(), family: block.family, prefixLength: block.prefixLength, hostBitsCleared: block.hostBitsCleared })
      .toEqual({ canonical, family, prefixLength, hostBitsCleared });
  });

  test('keeps the input text verbatim next to the canonical form', () => {
    const block = IpBlock.of('2001:DB8:0::1/64');
    expect([block.input, block.toString()]).toEqual(['2001:DB8:0::1/64', '2001:db8::/64']);
  });

  test.each([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.0.0.0/8', '10.1.2.3', true],
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.1.0.0/16', '10.0.0.0/8', false],
    ['10.0.0.0/8', '11.0.0.0/16', false],
    ['2.2.2.2/24', '2.2.2.9', true],
    ['2001:db8::/32', '2001:db8:1::/48', true],
    ['2001:db8::/32', '2001:db9::/48', false],
    ['0.0.0.0/0', '::ffff:1.2.3.4', false],
    ['::/0', '1.2.3.4', false],
  ])('says whether %s contains %s (%s)', (outer, inner, contained) => {
    expect(IpBlock.of(outer).contains(IpBlock.of(inner))).toBe(contained);
  });

  test.each([
    ['2.2.2.2/24', '2.2.2.0/24', true],
    ['10.0.0.1', '10.0.0.1/32', true],
    ['2001:DB8::/32', '2001:db8:0::/32', true],
    ['10.0.0.0/8', '10.0.0.0/16', false],
    ['::ffff:1.2.3.4', '1.2.3.4', false],
  ])('says whether %s equals %s (%s)', (a, b, equal) => {
    expect([IpBlock.of(a).equals(IpBlock.of(b)), IpBlock.of(b).equals(IpBlock.of(a))]).toEqual([equal, equal]);
  });

  test('offers every IPv4 address as 0.0.0.0/0, which holds no IPv6 address', () => {
    const any = IpBlock.anyIpv4();
    expect([any.toString(), any.family, any.contains(IpBlock.of('198.51.100.1')), any.contains(IpBlock.of('::1'))])
      .toEqual(['0.0.0.0/0', 4, true, false]);
  });

  test('offers every IPv6 address as ::/0, which holds no IPv4 address', () => {
    const any = IpBlock.anyIpv6();
    expect([any.toString(), any.family, any.contains(IpBlock.of('2001:db8::1')), any.contains(IpBlock.of('198.51.100.1'))])
      .toEqual(['::/0', 6, true, false]);
  });

  test('fails if the text is empty', () => {
    expect(() => IpBlock.of('')).toThrow(/^IpBlock\.of: "" is not an IPv4 or IPv6 address .* it is empty\. Fix: remove the entry or write an address$/);
  });

  test.each([
    ['leading', ' 10.0.0.0/8', /" 10\.0\.0\.0\/8" is not .*: it contains whitespace\. Fix: write "10\.0\.0\.0\/8"/],
    ['trailing', '10.0.0.0/8\n', /"10\.0\.0\.0\/8\\n" is not .*: it contains whitespace\. Fix: write "10\.0\.0\.0\/8"/],
    ['inner', '10.0.0.0 /8', /"10\.0\.0\.0 \/8" is not .*: it contains whitespace\. Fix: write "10\.0\.0\.0\/8"/],
    ['a tab inside an IPv6', '2001:db8::\t1', /"2001:db8::\\t1" is not .*: it contains whitespace\. Fix: write "2001:db8::1"/],
  ])('fails if the text has %s whitespace', (_where, text, message) => {
    expect(() => IpBlock.of(text)).toThrow(message);
  });

  test('fails if an octet is above 255', () => {
    expect(() => IpBlock.of('10.0.0.300/24'))
      .toThrow(/"10\.0\.0\.300\/24" is not .*: IPv4 field 300 is above 255\. Fix: write the address in dotted-quad \(IPv4\) or RFC 4291 \(IPv6\) form/);
  });

  test('fails if an octet has a leading zero, which some parsers read as octal', () => {
    expect(() => IpBlock.of('10.0.0.07')).toThrow(/"10\.0\.0\.07" is not .*: IPv4 field "07" has a leading zero\. Fix: /);
  });

  test('fails if an IPv4 prefix length is above 32', () => {
    expect(() => IpBlock.of('10.0.0.0/33')).toThrow(/"10\.0\.0\.0\/33" is not .*: the prefix length 33 is above 32, .*\. Fix: /);
  });

  test('fails if an IPv6 prefix length is above 128', () => {
    expect(() => IpBlock.of('2001:db8::/129')).toThrow(/"2001:db8::\/129" is not .*: the prefix length 129 is above 128, .*\. Fix: /);
  });

  test('fails if the prefix length has a leading zero', () => {
    expect(() => IpBlock.of('10.0.0.0/08')).toThrow(/"10\.0\.0\.0\/08" is not .*: the prefix length "08" has a leading zero\. Fix: /);
  });

  test('fails if the prefix length is missing after "/"', () => {
    expect(() => IpBlock.of('10.0.0.0/')).toThrow(/"10\.0\.0\.0\/" is not .*: the prefix length "" is not a decimal number\. Fix: /);
  });

  test('fails if the text has a port, and suggests the text without it', () => {
    expect(() => IpBlock.of('1.2.3.4:80')).toThrow(/"1\.2\.3\.4:80" is not .*: a port is not part of an address .*\. Fix: drop the port: write "1\.2\.3\.4"$/);
  });

  test.each(['[::1]', '[2001:db8::]/64', '[::1]:443'])('fails if the text %j has brackets', (text) => {
    expect(() => IpBlock.of(text)).toThrow(/is not .*\. Fix: drop the brackets$/);
  });

  test('fails if an address has an IPv6 zone, and suggests the address without it', () => {
    expect(() => IpBlock.of('fe80::1%eth0')).toThrow(/"fe80::1%eth0" is not .*: the IPv6 zone "%eth0" cannot be matched by Envoy\. Fix: write "fe80::1"$/);
  });

  test('fails if a CIDR has an IPv6 zone', () => {
    expect(() => IpBlock.of('fe80::1%eth0/64')).toThrow(/"fe80::1%eth0\/64" is not .*: an IPv6 zone cannot be part of a prefix\. Fix: /);
  });

  test.each([
    [42, /^IpBlock\.of: 42 is not .*: got a number\. Fix: pass the block as a string$/],
    [null, /^IpBlock\.of: null is not .*: got null\. Fix: pass the block as a string$/],
    [undefined, /: got undefined\. Fix: pass the block as a string$/],
    [['10.0.0.0/8'], /^IpBlock\.of: \["10\.0\.0\.0\/8"\] is not .*: got a list\. Fix: pass the block as a string$/],
  ])('fails if the block is not a string (%p)', (value, message) => {
    expect(() => IpBlock.of(value as unknown as string)).toThrow(message);
  });

  // JSON.stringify throws on these; the message must still be our own error.
  test.each([
    ['a BigInt', 10n],
    ['a cyclic object', (() => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    })()],
  ])('fails with a SourceIpValidationError if the block is %s', (_what, value) => {
    expect(() => IpBlock.of(value as unknown as string)).toThrow(SourceIpValidationError);
  });

  test.each(['not-an-ip', 'localhost', '10.0.0', '0x0a.0.0.1', '1.2.3.4.5', '2001:db8:::1', '::g'])('fails if the text %j is not an address', (text) => {
    expect(() => IpBlock.of(text)).toThrow(/is not an IPv4 or IPv6 address .*\. Fix: write the address in dotted-quad \(IPv4\) or RFC 4291 \(IPv6\) form/);
  });

  test('fails with a SourceIpValidationError holding one problem and no construct path', () => {
    const error = validationErrorOf(() => IpBlock.of('10.0.0.300'));
    expect({ name: error.name, problems: error.problems.length, constructPath: error.constructPath })
      .toEqual({ name: 'SourceIpValidationError', problems: 1, constructPath: undefined });
  });
});

describe('IpBlock.ofAll', () => {
  test('reads every entry in order', () => {
    expect(IpBlock.ofAll(['10.0.0.7', '2001:DB8::/32', '2.2.2.2/24']).map(String)).toEqual(['10.0.0.7/32', '2001:db8::/32', '2.2.2.0/24']);
  });

  test('reads an empty list as no blocks', () => {
    expect(IpBlock.ofAll([])).toEqual([]);
  });

  test('fails with every bad entry at once, each named by its index', () => {
    // WHEN
    const error = validationErrorOf(() => IpBlock.ofAll(['10.0.0.0/8', '10.0.0.300', '', 'fe80::1%eth0', '192.0.2.0/24']));
    // THEN
    expect(error.message).toMatch(/^IpBlock\.ofAll: 3 problems:\n {2}- entry \[1\] /);
    expect(error.problems).toEqual([
      expect.stringMatching(/^entry \[1\] "10\.0\.0\.300" is not .*above 255\. Fix: /),
      expect.stringMatching(/^entry \[2\] "" is not .*it is empty\. Fix: /),
      expect.stringMatching(/^entry \[3\] "fe80::1%eth0" is not .*zone.*\. Fix: write "fe80::1"$/),
    ]);
  });

  test('fails with a single bad entry on one line, named by its index', () => {
    expect(() => IpBlock.ofAll(['10.0.0.0/8', '10.0.0.0/33'])).toThrow(/^IpBlock\.ofAll: entry \[1\] "10\.0\.0\.0\/33" is not .*above 32/);
  });
});

describe('properties', () => {
  const validBlock = validBlockText;

  test('writes a canonical text that reads back to itself, for any valid address or CIDR', () => {
    fc.assert(fc.property(validBlock, (text) => {
      const block = IpBlock.of(text);
      const again = IpBlock.of(block.toString());
      expect(again.toString()).toBe(block.toString());
      expect([again.family, again.prefixLength, again.hostBitsCleared, again.equals(block)]).toEqual([block.family, block.prefixLength, false, true]);
      expect(block.contains(again) && again.contains(block)).toBe(true);
      expect(block.toString()).toMatch(block.family === 4 ? /^[0-9.]+\/[0-9]+$/ : /^[0-9a-f:.]+\/[0-9]+$/);
    }), RUNS);
  });

  test('writes what formatting the masked prefix writes, whichever way the text was parsed', () => {
    // Dotted quads take a shorter path (one regular expression, and the text kept when canonical).
    fc.assert(fc.property(validBlock, (text) => {
      const parsed = text.includes('/') ? parseIpPrefix(text) : parseIpAddress(text);
      const prefix = !parsed.ok ? undefined : 'bits' in parsed.value ? parsed.value : { address: parsed.value, bits: parsed.value.family === 4 ? 32 : 128 };
      expect(prefix).toBeDefined();
      const block = IpBlock.of(text);
      expect(block.toString()).toBe(formatIpPrefix(maskPrefix(prefix!)));
      expect(block.hostBitsCleared).toBe(hasHostBits(prefix!));
    }), RUNS);
  });

  test('either reads any string or throws a SourceIpValidationError, never another error', () => {
    const addressChar = fc.constantFrom(...'0123456789abcdefABCDEF.:/%[] '.split(''), 'x', '\t', '\u00a0', '\u0664');
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: addressChar, maxLength: 30 }),
      validBlock,
      fc.tuple(validBlock, fc.string({ unit: addressChar, maxLength: 3 })).map(([a, b]) => a + b),
      fc.tuple(fc.string({ unit: addressChar, maxLength: 3 }), validBlock).map(([a, b]) => a + b),
    );
    fc.assert(fc.property(text, (t) => {
      let outcome: unknown;
      try {
        outcome = IpBlock.of(t);
      } catch (e) {
        outcome = e;
      }
      if (outcome instanceof IpBlock) {
        expect(outcome.input).toBe(t);
      } else {
        expect(outcome).toBeInstanceOf(SourceIpValidationError);
        expect((outcome as Error).message).toMatch(/^IpBlock\.of: .* is not an IPv4 or IPv6 address .*\. Fix: /s);
      }
    }), { numRuns: 5000 });
  });
});
