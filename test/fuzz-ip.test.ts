// Property-based tests of IP blocks, alone and through a policy: only SourceIpValidationError may
// ever escape, and every accepted value reaches the manifest canonicalized as documented
// (docs/bad-input.md). Run counts and helpers: fuzz-support.ts.
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget } from '../src';
import { accepted, check, expectAcceptedShare, expectAllRan } from './fuzz-support';
import { violationsOf } from './schema';

const chart = (): Chart => new Chart(new App(), 'fuzz');
const byte = fc.integer({ min: 0, max: 255 });
const hextet = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const IP_CHARS = '0123456789abcdefABCDEF.:/%[] -x'.split('');
const validIpv4Cidr = fc.tuple(fc.array(byte, { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })).map(([b, n]) => `${b.join('.')}/${n}`);
const validIpv6 = fc.tuple(fc.array(hextet, { minLength: 8, maxLength: 8 }), fc.option(fc.integer({ min: 0, max: 128 })))
  .map(([h, n]) => `${h.map((x) => x.toString(16)).join(':')}${n === null ? '' : `/${n}`}`);
/** A valid address or CIDR with one character inserted, deleted or replaced: text near the IP grammar. */
const nearIp = fc.tuple(fc.oneof(validIpv4Cidr, validIpv6, fc.constantFrom('::', '::1', '::ffff:1.2.3.4', '1.2.3.4')),
  fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'keep'), fc.constantFrom(...IP_CHARS))
  .map(([text, at, op, ch]) => {
    const i = at % (text.length + 1);
    return op === 'insert' ? text.slice(0, i) + ch + text.slice(i)
      : op === 'delete' ? text.slice(0, i) + text.slice(i + 1)
        : op === 'replace' ? text.slice(0, i) + ch + text.slice(i + 1) : text;
  });

function ipv4Text(bytes: readonly number[]): string {
  return bytes.join('.');
}

function maskedIpv4(bytes: readonly number[], bits: number): string {
  const value = bytes.reduce((acc, b) => acc * 256 + b, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const masked = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (masked >>> shift) & 255).join('.')}/${bits}`;
}

/** RFC 5952 text of 8 hextets, as WHATWG URL writes it (a second, independent formatter). */
function urlIpv6(hextets: readonly number[]): string {
  return new URL(`http://[${hextets.map((h) => h.toString(16)).join(':')}]/`).hostname.slice(1, -1);
}

describe('fuzzing IP blocks', () => {
  afterAll(() => {
    expectAllRan(['ipBlockArbitraryText', 'ipBlockNearMiss', 'ipBlockIpv4', 'ipBlockIpv6', 'ipBlocksThroughPolicy']);
  });

  test('IpBlock.of never throws anything but SourceIpValidationError, and what it accepts is canonical and stable', () => {
    check('ipBlockArbitraryText', fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 20 })), (text) => {
      const block = accepted(() => IpBlock.of(text));
      if (block !== undefined) {
        expect(IpBlock.of(block.toString()).toString()).toBe(block.toString());
      }
    });
  });

  test('IpBlock.of accepts text near the IP grammar only when it re-parses to itself', () => {
    check('ipBlockNearMiss', nearIp, (text) => {
      const block = accepted(() => IpBlock.of(text));
      if (block !== undefined) {
        const again = IpBlock.of(block.toString());
        expect(again.toString()).toBe(block.toString());
        expect(again.equals(block) && block.contains(again) && again.contains(block)).toBe(true);
        expect(block.toString()).toMatch(/^[0-9a-f.:]+\/[0-9]+$/);
      }
    });
    expectAcceptedShare('ipBlockNearMiss', 0.2);
  });

  test('IpBlock.of accepts every IPv4 address and CIDR, clearing host bits', () => {
    check('ipBlockIpv4', fc.tuple(fc.array(byte, { minLength: 4, maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 32 }))), ([bytes, bits]) => {
      const text = bits === null ? ipv4Text(bytes) : `${ipv4Text(bytes)}/${bits}`;
      const block = IpBlock.of(text);
      expect(block.toString()).toBe(maskedIpv4(bytes, bits ?? 32));
      expect(block.family).toBe(4);
      expect(block.hostBitsCleared).toBe(block.toString() !== (bits === null ? `${text}/32` : text));
      expect(block.contains(IpBlock.of(ipv4Text(bytes)))).toBe(true);
    });
  });

  test('IpBlock.of accepts every IPv6 address, written as RFC 5952 text', () => {
    check('ipBlockIpv6', fc.tuple(fc.array(hextet, { minLength: 8, maxLength: 8 }), fc.boolean()), ([hextets, upper]) => {
      const written = hextets.map((h) => h.toString(16)).join(':');
      const block = IpBlock.of(upper ? written.toUpperCase() : written);
      const isV4Mapped = hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
      if (!isV4Mapped) {
        // Go writes IPv4-mapped addresses as ::ffff:a.b.c.d, WHATWG URL in hex; elsewhere they agree.
        expect(block.toString()).toBe(`${urlIpv6(hextets)}/128`);
      }
      expect(IpBlock.of(block.toString()).toString()).toBe(block.toString());
      expect(block.family).toBe(6);
    });
  });

  test('blocks given to an IpAccessPolicy appear in the manifest canonicalized, in order, and pass the CRD', () => {
    const blockText = fc.oneof({ weight: 1, arbitrary: nearIp }, { weight: 4, arbitrary: validIpv4Cidr }, { weight: 4, arbitrary: validIpv6 });
    check('ipBlocksThroughPolicy', fc.array(blockText, { minLength: 0, maxLength: 5 }), (texts) => {
      const c = chart();
      const built = accepted(() => new IpAccessPolicy(c, 'p', {
        // Verbatim, so the order is the input's (the minimal cover has its own tests in cidr-set.test.ts).
        target: PolicyTarget.labels({ app: 'fuzz' }), action: IpAccessAction.DENY, remoteIpBlocks: IpBlock.ofAll(texts), reduceIpBlocks: false,
      }));
      if (built !== undefined) {
        const policy = Testing.synth(c)[0];
        expect(policy.spec.rules[0].from[0].source.remoteIpBlocks).toEqual(texts.map((t) => IpBlock.of(t).toString()));
        expect(violationsOf([policy])).toEqual([]);
      }
    });
    expectAcceptedShare('ipBlocksThroughPolicy', 0.2);
  });

});
