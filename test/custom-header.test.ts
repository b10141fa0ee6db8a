import * as fc from 'fast-check';
import { EnvoyConfigError, EnvoyXffInput, envoyRejection, simulateEnvoyXff } from '../src/analysis';
import { detectFromCustomHeader, headerValue, rejectStatus } from '../src/analysis/custom-header';
import { validIpv4Text, validIpv6Text } from './arbitraries';

/** A gateway that reads the client from `cf-connecting-ip` (use_remote_address false, as Envoy requires with an extension). */
function byHeader(overrides: Partial<EnvoyXffInput> = {}): EnvoyXffInput {
  return {
    remoteAddress: '173.245.48.1',
    xff: '203.0.113.7',
    useRemoteAddress: false,
    xffNumTrustedHops: 0,
    originalIpDetectionCustomHeader: { headerName: 'cf-connecting-ip' },
    requestHeaders: { 'CF-Connecting-IP': '203.0.113.7' },
    ...overrides,
  };
}

function configErrorOf(input: EnvoyXffInput): EnvoyConfigError {
  try {
    simulateEnvoyXff(input);
  } catch (error) {
    if (error instanceof EnvoyConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an EnvoyConfigError, but simulateEnvoyXff returned');
}

describe('the custom-header original-IP-detection extension', () => {
  test('trusts the address in the header (any case of its name) and leaves X-Forwarded-For and x-envoy-external-address alone', () => {
    expect(simulateEnvoyXff(byHeader({ externalAddressIn: '198.51.100.66' }))).toEqual({
      trustedClientAddress: '203.0.113.7',
      xffOut: '203.0.113.7',
      externalAddress: '198.51.100.66',
      internal: false,
    });
  });

  test('reads only the first of several header lines', () => {
    expect(simulateEnvoyXff(byHeader({ requestHeaders: { 'cf-connecting-ip': ['2001:DB8::7', '198.51.100.66'] } })).trustedClientAddress).toBe('2001:db8::7');
  });

  test.each([
    ['absent', {}],
    ['a list of addresses (the value is not split)', { 'cf-connecting-ip': '203.0.113.7, 198.51.100.1' }],
    ['an address with a port', { 'cf-connecting-ip': '203.0.113.7:51234' }],
    ['padded with spaces (the codec would have trimmed them; the extension does not)', { 'cf-connecting-ip': ' 203.0.113.7' }],
    ['empty', { 'cf-connecting-ip': '' }],
  ])('falls back to the TCP peer when the header is %s, and replies nothing without rejectWithStatus', (_, requestHeaders) => {
    const input = byHeader({ requestHeaders });
    expect(simulateEnvoyXff(input).trustedClientAddress).toBe('173.245.48.1');
    expect(envoyRejection(input)).toBeNull();
  });

  test('fails closed: without a usable header the request is refused with the configured status, 403 outside 400-511', () => {
    const closed = (rejectWithStatus: number) => byHeader({ requestHeaders: {}, originalIpDetectionCustomHeader: { headerName: 'cf-connecting-ip', rejectWithStatus } });
    expect(envoyRejection(closed(403))).toBe(403);
    expect(envoyRejection(closed(421))).toBe(421);
    expect(envoyRejection(closed(302))).toBe(403);
    expect(envoyRejection(closed(599))).toBe(403);
    expect(envoyRejection({ ...closed(403), requestHeaders: { 'cf-connecting-ip': '203.0.113.7' } })).toBeNull();
  });

  test('never appends to X-Forwarded-For, whether it detects or not (Envoy 1.32.2 and later, envoy#37194)', () => {
    expect(simulateEnvoyXff(byHeader({ requestHeaders: {} })).xffOut).toBe('203.0.113.7');
    expect(simulateEnvoyXff(byHeader({ xff: null })).xffOut).toBeNull();
  });

  test('lets the detected address make the request internal only with allowExtensionToSetAddressAsTrusted', () => {
    const input = byHeader({ internalAddresses: ['10.0.0.0/8'], requestHeaders: { 'cf-connecting-ip': '10.1.2.3' } });
    expect(simulateEnvoyXff(input).internal).toBe(false);
    expect(simulateEnvoyXff({ ...input, originalIpDetectionCustomHeader: { headerName: 'cf-connecting-ip', allowExtensionToSetAddressAsTrusted: true } }).internal).toBe(true);
  });

  test('runs before the XFF extension, which decides when the header is absent', () => {
    const both = byHeader({ originalIpDetectionXff: { xffTrustedCidrs: ['173.245.48.0/20'] }, xff: '198.51.100.9' });
    expect(simulateEnvoyXff(both).trustedClientAddress).toBe('203.0.113.7');
    expect(simulateEnvoyXff({ ...both, requestHeaders: {} }).trustedClientAddress).toBe('198.51.100.9');
  });

  test('fails if mixed with use_remote_address or xff_num_trusted_hops, or with a header name Envoy refuses', () => {
    const error = configErrorOf(byHeader({ useRemoteAddress: true, originalIpDetectionCustomHeader: { headerName: 'cf connecting ip', rejectWithStatus: 42 } }));
    expect(error.problems).toEqual([
      expect.stringMatching(/^'originalIpDetectionCustomHeader.headerName' must be an HTTP header name .*got "cf connecting ip"/),
      expect.stringMatching(/^'originalIpDetectionCustomHeader.rejectWithStatus' must be an HTTP status code from 100 to 599, got 42/),
      expect.stringMatching(/^'originalIpDetectionCustomHeader' may not be mixed with 'useRemoteAddress: true'/),
    ]);
    expect(configErrorOf(byHeader({ xffNumTrustedHops: 2 })).problems).toEqual([expect.stringMatching(/may not be mixed with 'xffNumTrustedHops' 2/)]);
  });

  test('the helpers: header lookup ignores case, and a status outside 400-511 becomes 403', () => {
    expect(headerValue({ 'X-Azure-SocketIP': '203.0.113.7' }, 'x-azure-socketip')).toBe('203.0.113.7');
    expect(headerValue({ other: 'x' }, 'x-azure-socketip')).toBeNull();
    expect(headerValue(undefined, 'x')).toBeNull();
    expect([rejectStatus(undefined), rejectStatus(400), rejectStatus(511), rejectStatus(512)]).toEqual([undefined, 400, 511, 403]);
    expect(detectFromCustomHeader({ headerName: 'h' }, '1', () => undefined)).toEqual({ allowTrustedAddressChecks: false, rejectWithStatus: undefined, skipXffAppend: true });
  });

  test('reads an address exactly as Envoy reads a one-entry X-Forwarded-For at an internal proxy (oracle), for any value without commas or spaces', () => {
    const value = fc.oneof(validIpv4Text, validIpv6Text, fc.string(), validIpv4Text.map((a) => `${a}:80`), validIpv6Text.map((a) => `${a}%3`))
      .filter((v) => v !== '' && !/[,\s]/.test(v));
    fc.assert(fc.property(value, (v) => {
      const viaHeader = simulateEnvoyXff(byHeader({ requestHeaders: { 'cf-connecting-ip': v }, xff: null })).trustedClientAddress;
      const viaXff = simulateEnvoyXff({ remoteAddress: '173.245.48.1', xff: v, useRemoteAddress: false, xffNumTrustedHops: 0 }).trustedClientAddress;
      expect(viaHeader).toBe(viaXff);
    }), { numRuns: 500 });
  });
});
