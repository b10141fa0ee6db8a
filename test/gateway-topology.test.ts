import { ForwardClientCertDetails, GatewayTopology } from '../src/gateway-topology';
import { validationErrorOf } from './util';

describe('GatewayTopology', () => {
  test('trusts no proxy and expects no PROXY protocol header by default', () => {
    const topology = GatewayTopology.direct();
    expect({ n: topology.numTrustedProxies, proxy: topology.proxyProtocol, xfcc: topology.forwardClientCertDetails })
      .toEqual({ n: 0, proxy: false, xfcc: undefined });
  });

  test('reads an empty props object the same as direct()', () => {
    expect(GatewayTopology.of({})._render()).toEqual(GatewayTopology.direct()._render());
  });

  test('keeps the fields it is given', () => {
    const topology = GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true, forwardClientCertDetails: ForwardClientCertDetails.SANITIZE });
    expect({ n: topology.numTrustedProxies, proxy: topology.proxyProtocol, xfcc: topology.forwardClientCertDetails })
      .toEqual({ n: 2, proxy: true, xfcc: 'SANITIZE' });
  });

  test.each([0, 1, 4294967295])('accepts %d trusted proxies', (n) => {
    expect(GatewayTopology.of({ numTrustedProxies: n }).numTrustedProxies).toBe(n);
  });

  describe('_render', () => {
    test('always writes numTrustedProxies, even when it is 0', () => {
      expect(GatewayTopology.direct()._render()).toStrictEqual({ numTrustedProxies: 0 });
    });

    test('writes proxyProtocol true as an empty object, the message whose presence turns it on', () => {
      expect(GatewayTopology.of({ proxyProtocol: true })._render()).toStrictEqual({ numTrustedProxies: 0, proxyProtocol: {} });
    });

    test('leaves proxyProtocol out when it is false', () => {
      const rendered = GatewayTopology.of({ numTrustedProxies: 1, proxyProtocol: false })._render();
      expect([rendered, 'proxyProtocol' in rendered]).toStrictEqual([{ numTrustedProxies: 1 }, false]);
    });

    test('writes forwardClientCertDetails only when it is set', () => {
      const withIt = GatewayTopology.of({ numTrustedProxies: 2, forwardClientCertDetails: ForwardClientCertDetails.APPEND_FORWARD })._render();
      const without = GatewayTopology.of({ numTrustedProxies: 2 })._render();
      expect([withIt, 'forwardClientCertDetails' in without]).toStrictEqual([{ numTrustedProxies: 2, forwardClientCertDetails: 'APPEND_FORWARD' }, false]);
    });

    test('renders JSON that names every field with Istio\'s camelCase keys', () => {
      const topology = GatewayTopology.of({ numTrustedProxies: 1, proxyProtocol: true, forwardClientCertDetails: ForwardClientCertDetails.SANITIZE_SET });
      expect(JSON.stringify(topology._render())).toBe('{"numTrustedProxies":1,"proxyProtocol":{},"forwardClientCertDetails":"SANITIZE_SET"}');
    });
  });

  describe('with', () => {
    test('changes only the fields it is given', () => {
      // GIVEN
      const base = GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true, forwardClientCertDetails: ForwardClientCertDetails.SANITIZE });
      // WHEN
      const changed = base.with({ numTrustedProxies: 1 });
      // THEN
      expect(changed._render()).toEqual({ numTrustedProxies: 1, proxyProtocol: {}, forwardClientCertDetails: 'SANITIZE' });
    });

    test('can turn proxyProtocol off, and back on', () => {
      const on = GatewayTopology.of({ proxyProtocol: true });
      expect([on.with({ proxyProtocol: false })._render(), on.with({ proxyProtocol: false }).with({ proxyProtocol: true })._render()])
        .toEqual([{ numTrustedProxies: 0 }, { numTrustedProxies: 0, proxyProtocol: {} }]);
    });

    test('can set numTrustedProxies back to 0', () => {
      expect(GatewayTopology.of({ numTrustedProxies: 3 }).with({ numTrustedProxies: 0 }).numTrustedProxies).toBe(0);
    });

    test('leaves the original unchanged', () => {
      // GIVEN
      const base = GatewayTopology.of({ numTrustedProxies: 2 });
      // WHEN
      base.with({ numTrustedProxies: 5, proxyProtocol: true, forwardClientCertDetails: ForwardClientCertDetails.FORWARD_ONLY });
      // THEN
      expect(base._render()).toEqual({ numTrustedProxies: 2 });
    });

    test('fails if a changed field is bad', () => {
      expect(() => GatewayTopology.direct().with({ numTrustedProxies: -1 }))
        .toThrow(/^GatewayTopology: 'numTrustedProxies' must be a whole number from 0 to 4294967295, got -1\. Fix: /);
    });
  });

  describe('validation', () => {
    test.each([
      ['negative', -1, '-1'],
      ['fractional', 1.5, '1\\.5'],
      ['NaN', NaN, 'NaN'],
      ['Infinity', Infinity, 'Infinity'],
      ['above the uint32 range', 4294967296, '4294967296'],
    ])('fails if numTrustedProxies is %s', (_what, n, shown) => {
      expect(() => GatewayTopology.of({ numTrustedProxies: n })).toThrow(new RegExp(
        `^GatewayTopology: 'numTrustedProxies' must be a whole number from 0 to 4294967295, got ${shown}\\. `
        + 'Fix: count the HTTP proxies that append to X-Forwarded-For in front of the gateway \\(0 when none\\)$'));
    });

    test('fails if numTrustedProxies is a string (from plain JavaScript)', () => {
      expect(() => GatewayTopology.of({ numTrustedProxies: '2' as unknown as number }))
        .toThrow(/'numTrustedProxies' must be a whole number from 0 to 4294967295, got "2"\. Fix: /);
    });

    test.each([
      ['a string', 'yes', '"yes"'],
      ['a number', 1, '1'],
      ['an object', {}, '\\{\\}'],
      ['null', null, 'null'],
    ])('fails if proxyProtocol is %s, not a boolean', (_what, value, shown) => {
      expect(() => GatewayTopology.of({ proxyProtocol: value as unknown as boolean }))
        .toThrow(new RegExp(`^GatewayTopology: 'proxyProtocol' must be true or false, got ${shown}\\. Fix: pass a boolean$`));
    });

    test('fails if forwardClientCertDetails is not a ForwardClientCertDetails member', () => {
      expect(() => GatewayTopology.of({ forwardClientCertDetails: 'sanitize' as ForwardClientCertDetails })).toThrow(
        /^GatewayTopology: 'forwardClientCertDetails' must be one of SANITIZE, FORWARD_ONLY, APPEND_FORWARD, SANITIZE_SET, ALWAYS_FORWARD_ONLY, got "sanitize"\. Fix: use a ForwardClientCertDetails member$/);
    });

    test('fails with every bad field in one error', () => {
      // WHEN
      const error = validationErrorOf(() => GatewayTopology.of({
        numTrustedProxies: -2,
        proxyProtocol: 'true' as unknown as boolean,
        forwardClientCertDetails: 'NONE' as ForwardClientCertDetails,
      }));
      // THEN
      expect(error.problems.length).toBe(3);
      expect(error.problems).toEqual([
        expect.stringMatching(/^'numTrustedProxies' .*got -2\./),
        expect.stringMatching(/^'proxyProtocol' .*got "true"\./),
        expect.stringMatching(/^'forwardClientCertDetails' .*got "NONE"\./),
      ]);
      expect(error.message).toMatch(/^GatewayTopology: 3 problems:\n {2}- 'numTrustedProxies'/);
    });

    test('fails without a construct path, since a topology is a value', () => {
      expect(validationErrorOf(() => GatewayTopology.of({ numTrustedProxies: -1 })).constructPath).toBeUndefined();
    });
  });
});
