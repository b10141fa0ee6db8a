import * as fc from 'fast-check';
import { EnvoyConfigError, EnvoyXffInput, EnvoyXffResult, simulateEnvoyXff } from '../src/analysis';

/** An edge proxy (Istio gateway defaults): use_remote_address true, no trusted hops, no XFF. */
function atEdge(overrides: Partial<EnvoyXffInput> = {}): EnvoyXffResult {
  return simulateEnvoyXff({ remoteAddress: '192.0.2.5', xff: null, useRemoteAddress: true, xffNumTrustedHops: 0, ...overrides });
}

/** An internal proxy (Istio sidecar defaults): use_remote_address false, no trusted hops, no XFF. */
function inMesh(overrides: Partial<EnvoyXffInput> = {}): EnvoyXffResult {
  return simulateEnvoyXff({ remoteAddress: '10.11.12.13', xff: null, useRemoteAddress: false, xffNumTrustedHops: 0, ...overrides });
}

/** Catches the EnvoyConfigError thrown for `input`, failing the test if nothing is thrown. */
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

describe("Envoy's documented examples (headers.rst, as corrected in envoy-xff.md §5)", () => {
  test('Example 1: an edge proxy with no trusted hops ignores XFF, trusts the peer and appends it', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '192.0.2.5',
      xff: '203.0.113.128, 203.0.113.10, 203.0.113.1',
      useRemoteAddress: true,
      xffNumTrustedHops: 0,
    })).toEqual({
      trustedClientAddress: '192.0.2.5',
      xffOut: '203.0.113.128, 203.0.113.10, 203.0.113.1,192.0.2.5',
      externalAddress: '192.0.2.5',
      internal: false,
    });
  });

  test('Example 2: an internal proxy behind the edge of Example 1 trusts the rightmost XFF entry', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '10.11.12.13',
      xff: '203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5',
      useRemoteAddress: false,
      xffNumTrustedHops: 0,
    })).toEqual({
      trustedClientAddress: '192.0.2.5',
      xffOut: '203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5',
      externalAddress: null,
      internal: false,
    });
  });

  test('Example 3: an edge proxy with two trusted hops trusts the second entry from the right', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '192.0.2.5',
      xff: '203.0.113.128, 203.0.113.10, 203.0.113.1',
      useRemoteAddress: true,
      xffNumTrustedHops: 2,
    })).toEqual({
      trustedClientAddress: '203.0.113.10',
      xffOut: '203.0.113.128, 203.0.113.10, 203.0.113.1,192.0.2.5',
      externalAddress: '203.0.113.10',
      internal: false,
    });
  });

  test('Example 4: an internal proxy with two trusted hops trusts the third entry from the right', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '10.11.12.13',
      xff: '203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5',
      useRemoteAddress: false,
      xffNumTrustedHops: 2,
    })).toEqual({
      trustedClientAddress: '203.0.113.10',
      xffOut: '203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5',
      externalAddress: null,
      internal: false,
    });
  });

  test('Example 4 as Envoy unit-tests it, with use_remote_address true, trusts the second entry from the right', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '10.11.12.13',
      xff: '203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5',
      useRemoteAddress: true,
      xffNumTrustedHops: 2,
    })).toEqual({
      trustedClientAddress: '203.0.113.1',
      xffOut: '203.0.113.128, 203.0.113.10, 203.0.113.1, 192.0.2.5,10.11.12.13',
      externalAddress: '203.0.113.1',
      internal: false,
    });
  });

  test('Example 5: an internal proxy without XFF trusts the peer and never marks the request internal', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '10.20.30.40',
      xff: null,
      useRemoteAddress: false,
      xffNumTrustedHops: 0,
      internalAddresses: 'builtin',
    })).toEqual({
      trustedClientAddress: '10.20.30.40',
      xffOut: null,
      externalAddress: null,
      internal: false,
    });
  });

  test('Example 6: an internal proxy with a single internal XFF entry marks the request internal under the built-in ranges', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '10.20.30.50',
      xff: '10.20.30.40',
      useRemoteAddress: false,
      xffNumTrustedHops: 0,
      internalAddresses: 'builtin',
    })).toEqual({
      trustedClientAddress: '10.20.30.40',
      xffOut: '10.20.30.40',
      externalAddress: null,
      internal: true,
    });
  });

  test('Example 7: the XFF extension with one trusted CIDR skips the trusted entry and appends the peer', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '192.0.2.5',
      xff: '203.0.113.128, 203.0.113.10, 192.0.2.1',
      useRemoteAddress: false,
      xffNumTrustedHops: 0,
      originalIpDetectionXff: { xffTrustedCidrs: ['192.0.2.0/24'], skipXffAppend: false },
    })).toEqual({
      trustedClientAddress: '203.0.113.10',
      xffOut: '203.0.113.128, 203.0.113.10, 192.0.2.1,192.0.2.5',
      externalAddress: null,
      internal: false,
    });
  });

  test('Example 8: the XFF extension with two trusted CIDRs skips the trusted entry and appends the peer', () => {
    expect(simulateEnvoyXff({
      remoteAddress: '192.0.2.5',
      xff: '203.0.113.128, 203.0.113.10, 198.51.100.1',
      useRemoteAddress: false,
      xffNumTrustedHops: 0,
      originalIpDetectionXff: { xffTrustedCidrs: ['192.0.2.0/24', '198.51.100.0/24'], skipXffAppend: false },
    })).toEqual({
      trustedClientAddress: '203.0.113.10',
      xffOut: '203.0.113.128, 203.0.113.10, 198.51.100.1,192.0.2.5',
      externalAddress: null,
      internal: false,
    });
  });
});

describe('use_remote_address true: the edge', () => {
  test('creates XFF holding only the peer when the request has none', () => {
    expect(atEdge({ remoteAddress: '198.51.100.7' }).xffOut).toBe('198.51.100.7');
  });

  test('turns an empty XFF header into just the peer address, without a leading comma', () => {
    expect(atEdge({ xff: '' }).xffOut).toBe('192.0.2.5');
  });

  test('appends to the existing XFF with a comma and no space, keeping the incoming bytes', () => {
    expect(atEdge({ xff: '203.0.113.9 ,  garbage' }).xffOut).toBe('203.0.113.9 ,  garbage,192.0.2.5');
  });

  test('takes the Nth entry from the right when xffNumTrustedHops is N', () => {
    expect(atEdge({ xff: '203.0.113.1, 203.0.113.2, 203.0.113.3', xffNumTrustedHops: 3 }).trustedClientAddress).toBe('203.0.113.1');
  });

  test('falls back to the peer when XFF has fewer than N entries', () => {
    expect(atEdge({ xff: '203.0.113.2, 203.0.113.3', xffNumTrustedHops: 3 }).trustedClientAddress).toBe('192.0.2.5');
  });

  test('falls back to the peer when N is above 0 but the request has no XFF', () => {
    expect(atEdge({ xffNumTrustedHops: 1 }).trustedClientAddress).toBe('192.0.2.5');
  });

  test('falls back to the peer when the selected entry does not parse, without searching further left', () => {
    expect(atEdge({ xff: '203.0.113.1, unknown, 203.0.113.3', xffNumTrustedHops: 2 }).trustedClientAddress).toBe('192.0.2.5');
  });

  test('ignores garbage to the left of the selected entry', () => {
    expect(atEdge({ xff: 'not-an-ip, [::1]:80, 203.0.113.3', xffNumTrustedHops: 1 }).trustedClientAddress).toBe('203.0.113.3');
  });

  test('falls back to the peer when XFF ends with a comma, because the candidate is then the whole string', () => {
    expect(atEdge({ xff: '203.0.113.3,', xffNumTrustedHops: 1 }).trustedClientAddress).toBe('192.0.2.5');
  });

  test('counts a trailing empty entry as one hop', () => {
    expect(atEdge({ xff: '203.0.113.2,203.0.113.3,', xffNumTrustedHops: 2 }).trustedClientAddress).toBe('203.0.113.3');
  });

  test('accepts the largest uint32 hop count and falls back to the peer', () => {
    expect(atEdge({ xff: '203.0.113.3', xffNumTrustedHops: 4294967295 }).trustedClientAddress).toBe('192.0.2.5');
  });
});

describe('skip_xff_append on the connection manager', () => {
  test('leaves XFF untouched at the edge when skipXffAppend is true', () => {
    expect(atEdge({ xff: '203.0.113.3', skipXffAppend: true }).xffOut).toBe('203.0.113.3');
  });

  test('leaves an absent XFF absent at the edge when skipXffAppend is true', () => {
    expect(atEdge({ skipXffAppend: true }).xffOut).toBeNull();
  });

  test('still trusts the Nth entry when skipXffAppend is true', () => {
    expect(atEdge({ xff: '203.0.113.2, 203.0.113.3', xffNumTrustedHops: 2, skipXffAppend: true }).trustedClientAddress).toBe('203.0.113.2');
  });

  test('is not read when useRemoteAddress is false, so skipXffAppend false does not append', () => {
    expect(inMesh({ xff: '203.0.113.3', skipXffAppend: false }).xffOut).toBe('203.0.113.3');
  });
});

describe('the loopback rule for the appended address', () => {
  test('appends localAddress instead of a 127.0.0.1 peer, but still trusts the peer', () => {
    expect(atEdge({ remoteAddress: '127.0.0.1', localAddress: '10.1.2.3', xff: '203.0.113.3' })).toEqual({
      trustedClientAddress: '127.0.0.1',
      xffOut: '203.0.113.3,10.1.2.3',
      externalAddress: '127.0.0.1',
      internal: false,
    });
  });

  test('appends localAddress instead of a ::1 peer', () => {
    expect(atEdge({ remoteAddress: '::1', localAddress: '10.1.2.3' }).xffOut).toBe('10.1.2.3');
  });

  test('appends localAddress in canonical form', () => {
    expect(atEdge({ remoteAddress: '127.0.0.1', localAddress: '2001:DB8:0:0:0:0:0:A' }).xffOut).toBe('2001:db8::a');
  });

  test('appends the loopback peer itself when localAddress is not given', () => {
    expect(atEdge({ remoteAddress: '::1', xff: '203.0.113.3' }).xffOut).toBe('203.0.113.3,::1');
  });

  test('appends a 127.0.0.2 peer itself, because only 127.0.0.1 counts as loopback', () => {
    expect(atEdge({ remoteAddress: '127.0.0.2', localAddress: '10.1.2.3' }).xffOut).toBe('127.0.0.2');
  });

  test('appends an IPv4-mapped loopback peer itself', () => {
    expect(atEdge({ remoteAddress: '::ffff:127.0.0.1', localAddress: '10.1.2.3' }).xffOut).toBe('::ffff:127.0.0.1');
  });

  test('applies the loopback rule to the forced append of the XFF extension', () => {
    const result = inMesh({
      remoteAddress: '127.0.0.1',
      localAddress: '10.1.2.3',
      xff: '203.0.113.3',
      originalIpDetectionXff: { xffTrustedCidrs: ['192.0.2.0/24'] },
    });
    expect(result.xffOut).toBe('203.0.113.3,10.1.2.3');
  });
});

describe('use_remote_address false: the default XFF detector', () => {
  test('trusts the rightmost entry when xffNumTrustedHops is 0', () => {
    expect(inMesh({ xff: '203.0.113.1, 203.0.113.2' }).trustedClientAddress).toBe('203.0.113.2');
  });

  test('trusts the (N+1)th entry from the right when xffNumTrustedHops is N', () => {
    expect(inMesh({ xff: '203.0.113.1, 203.0.113.2, 203.0.113.3', xffNumTrustedHops: 1 }).trustedClientAddress).toBe('203.0.113.2');
  });

  test('falls back to the peer when XFF has only N entries', () => {
    expect(inMesh({ xff: '203.0.113.2, 203.0.113.3', xffNumTrustedHops: 2 }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('falls back to the peer when the rightmost entry is garbage, whatever lies further left', () => {
    expect(inMesh({ xff: '203.0.113.9, garbage' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('falls back to the peer and leaves XFF absent when the request has none', () => {
    expect(inMesh({ remoteAddress: '10.20.30.40' })).toEqual({
      trustedClientAddress: '10.20.30.40',
      xffOut: null,
      externalAddress: null,
      internal: false,
    });
  });

  test('leaves an empty XFF header empty', () => {
    expect(inMesh({ xff: '' }).xffOut).toBe('');
  });
});

describe('internal_address_config and the internal decision', () => {
  test('treats nothing as internal when internalAddresses is left unset', () => {
    expect(atEdge({ remoteAddress: '10.0.0.1' })).toEqual({
      trustedClientAddress: '10.0.0.1',
      xffOut: '10.0.0.1',
      externalAddress: '10.0.0.1',
      internal: false,
    });
  });

  test("treats nothing as internal with 'none'", () => {
    expect(atEdge({ remoteAddress: '127.0.0.1', internalAddresses: 'none' }).internal).toBe(false);
  });

  test('marks an edge request without XFF from an RFC 1918 peer internal and passes the external address through', () => {
    expect(atEdge({ remoteAddress: '10.1.2.3', internalAddresses: 'builtin', externalAddressIn: '198.51.100.9' })).toEqual({
      trustedClientAddress: '10.1.2.3',
      xffOut: '10.1.2.3',
      externalAddress: '198.51.100.9',
      internal: true,
    });
  });

  test('classifies 172.31.255.255 as built-in internal but not 172.32.0.1', () => {
    const inside = atEdge({ remoteAddress: '172.31.255.255', internalAddresses: 'builtin' }).internal;
    const outside = atEdge({ remoteAddress: '172.32.0.1', internalAddresses: 'builtin' }).internal;
    expect([inside, outside]).toEqual([true, false]);
  });

  test('classifies 192.168.0.1 as built-in internal but not 192.169.0.1', () => {
    const inside = atEdge({ remoteAddress: '192.168.0.1', internalAddresses: 'builtin' }).internal;
    const outside = atEdge({ remoteAddress: '192.169.0.1', internalAddresses: 'builtin' }).internal;
    expect([inside, outside]).toEqual([true, false]);
  });

  test('classifies exactly 127.0.0.1 as built-in internal, but not the rest of 127.0.0.0/8', () => {
    const exact = atEdge({ remoteAddress: '127.0.0.1', internalAddresses: 'builtin' }).internal;
    const other = atEdge({ remoteAddress: '127.0.0.2', internalAddresses: 'builtin' }).internal;
    expect([exact, other]).toEqual([true, false]);
  });

  test('classifies fd00::/8 as built-in internal but not fc00::/8', () => {
    const fd = atEdge({ remoteAddress: 'fd12::1', internalAddresses: 'builtin' }).internal;
    const fc = atEdge({ remoteAddress: 'fc00::1', internalAddresses: 'builtin' }).internal;
    expect([fd, fc]).toEqual([true, false]);
  });

  test('classifies exactly ::1 as built-in internal', () => {
    expect(atEdge({ remoteAddress: '::1', internalAddresses: 'builtin' }).internal).toBe(true);
  });

  test('does not classify an IPv4-mapped RFC 1918 address as built-in internal', () => {
    expect(atEdge({ remoteAddress: '::ffff:10.0.0.1', internalAddresses: 'builtin' }).internal).toBe(false);
  });

  test('uses only the listed CIDRs when internalAddresses is a list', () => {
    const listed = atEdge({ remoteAddress: '100.64.1.1', internalAddresses: ['100.64.0.0/10'] }).internal;
    const rfc1918 = atEdge({ remoteAddress: '10.0.0.1', internalAddresses: ['100.64.0.0/10'] }).internal;
    expect([listed, rfc1918]).toEqual([true, false]);
  });

  test('matches IPv6 CIDRs, with host bits in the configured range ignored', () => {
    expect(atEdge({ remoteAddress: '2001:db8:1::5', internalAddresses: ['2001:db8:1::ffff/48'] }).internal).toBe(true);
  });

  test('never marks an edge request internal when it carries any XFF, even an empty one', () => {
    expect(atEdge({ remoteAddress: '10.0.0.1', xff: '', internalAddresses: 'builtin' }).internal).toBe(false);
  });

  test('never marks an edge request internal when the trusted hop is internal but XFF is present', () => {
    expect(atEdge({ remoteAddress: '10.0.0.1', xff: '10.0.0.2', xffNumTrustedHops: 1, internalAddresses: 'builtin' }).internal).toBe(false);
  });

  test('does not mark a non-edge request with two internal XFF entries internal', () => {
    expect(inMesh({ xff: '10.0.0.1, 10.0.0.2', internalAddresses: 'builtin' }).internal).toBe(false);
  });

  test('does not mark a non-edge request internal when hops are trusted, even for a single-hop pick', () => {
    expect(inMesh({ xff: '10.0.0.1, 10.0.0.2', xffNumTrustedHops: 1, internalAddresses: 'builtin' }).internal).toBe(false);
  });

  test('does not mark a non-edge request without XFF internal, even from an internal peer', () => {
    expect(inMesh({ remoteAddress: '10.0.0.1', internalAddresses: 'builtin' }).internal).toBe(false);
  });

  test('does not mark a non-edge request internal when its single XFF entry is external', () => {
    expect(inMesh({ xff: '203.0.113.7', internalAddresses: 'builtin' }).internal).toBe(false);
  });
});

describe('x-envoy-external-address', () => {
  test('overwrites a client-supplied value at the edge', () => {
    expect(atEdge({ externalAddressIn: '1.1.1.1' }).externalAddress).toBe('192.0.2.5');
  });

  test('is written as compressed lower-case IPv6 text', () => {
    expect(atEdge({ remoteAddress: '2001:0DB8:0000:0000:0000:0000:0000:0001' }).externalAddress).toBe('2001:db8::1');
  });

  test('compresses the first of two equally long zero runs', () => {
    expect(atEdge({ remoteAddress: '2001:db8:0:0:1:0:0:1' }).externalAddress).toBe('2001:db8::1:0:0:1');
  });

  test('does not compress a single zero group', () => {
    expect(atEdge({ remoteAddress: '2001:db8:0:1:1:1:1:1' }).externalAddress).toBe('2001:db8:0:1:1:1:1:1');
  });

  test('writes an IPv4-mapped address with a dotted tail', () => {
    expect(atEdge({ remoteAddress: '::FFFF:C000:0205' }).externalAddress).toBe('::ffff:192.0.2.5');
  });

  test('writes an IPv4-compatible address with a dotted tail, as glibc inet_ntop does', () => {
    expect(atEdge({ remoteAddress: '0:0:0:0:0:0:c000:205' }).externalAddress).toBe('::192.0.2.5');
  });

  test('passes a client-supplied value through untouched when useRemoteAddress is false', () => {
    expect(inMesh({ xff: '203.0.113.3', externalAddressIn: ' spoofed ' }).externalAddress).toBe(' spoofed ');
  });

  test('is not set at the edge when the trusted address is a non-IP peer', () => {
    expect(atEdge({ remoteAddress: '/var/run/envoy.sock', externalAddressIn: null }).externalAddress).toBeNull();
  });
});

describe('parsing the selected XFF entry', () => {
  test('fails over to the peer when the entry carries a port', () => {
    expect(inMesh({ xff: '203.0.113.9:8080' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('fails over to the peer when the entry is a bracketed IPv6 address', () => {
    expect(inMesh({ xff: '[2001:db8::9]' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('fails over to the peer when an IPv4 octet has a leading zero', () => {
    expect(inMesh({ xff: '203.0.113.09' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('trims spaces, tabs, form feeds, vertical tabs and line breaks around the entry', () => {
    expect(inMesh({ xff: '203.0.113.1,\t\v\f 203.0.113.9 \r\n' }).trustedClientAddress).toBe('203.0.113.9');
  });

  test('fails over to the peer when the entry is padded with a non-ASCII space', () => {
    expect(inMesh({ xff: '\u00a0203.0.113.9' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('canonicalizes an IPv6 entry', () => {
    expect(inMesh({ xff: '2001:DB8::0:9' }).trustedClientAddress).toBe('2001:db8::9');
  });

  test('accepts a numeric scope on a link-local address and keeps it', () => {
    expect(inMesh({ xff: 'fe80::1%2' }).trustedClientAddress).toBe('fe80::1%2');
  });

  test('accepts a numeric scope on a global address', () => {
    expect(inMesh({ xff: '2001:db8::1%7' }).trustedClientAddress).toBe('2001:db8::1%7');
  });

  test('prints a numeric scope without leading zeros, and drops scope 0', () => {
    const padded = inMesh({ xff: 'fe80::1%007' }).trustedClientAddress;
    const zero = inMesh({ xff: 'fe80::1%0' }).trustedClientAddress;
    expect([padded, zero]).toEqual(['fe80::1%7', 'fe80::1']);
  });

  test('fails over to the peer when the scope names an interface', () => {
    expect(inMesh({ xff: 'fe80::1%eth0' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('fails over to the peer when the numeric scope exceeds a uint32', () => {
    expect(inMesh({ xff: 'fe80::1%4294967296' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('fails over to the peer when an IPv4 entry carries a scope', () => {
    expect(inMesh({ xff: '203.0.113.9%1' }).trustedClientAddress).toBe('10.11.12.13');
  });

  test('fails over to the peer when the scope is empty', () => {
    expect(inMesh({ xff: 'fe80::1%' }).trustedClientAddress).toBe('10.11.12.13');
  });
});

describe('a peer that is not an IP address', () => {
  test('reports a unix socket path as the client, and neither appends it nor sets the external address', () => {
    expect(atEdge({ remoteAddress: '/var/run/envoy.sock', xff: '203.0.113.3', internalAddresses: 'builtin' })).toEqual({
      trustedClientAddress: '/var/run/envoy.sock',
      xffOut: '203.0.113.3',
      externalAddress: null,
      internal: false,
    });
  });

  test('reports an empty peer as "-"', () => {
    expect(atEdge({ remoteAddress: '' }).trustedClientAddress).toBe('-');
  });

  test('treats a peer with a port as not an IP address', () => {
    expect(atEdge({ remoteAddress: '192.0.2.5:443' }).xffOut).toBeNull();
  });

  test('treats a peer with a named scope as not an IP address', () => {
    expect(atEdge({ remoteAddress: 'fe80::5%eth0' }).externalAddress).toBeNull();
  });

  test('still lets the default detector read XFF behind a non-IP peer', () => {
    expect(inMesh({ remoteAddress: '@envoy-admin', xff: '203.0.113.3' }).trustedClientAddress).toBe('203.0.113.3');
  });
});

describe('the XFF original-IP-detection extension in hop-count mode', () => {
  test('does not append by default, because its skipXffAppend defaults to true', () => {
    expect(inMesh({ xff: '203.0.113.3', originalIpDetectionXff: {} }).xffOut).toBe('203.0.113.3');
  });

  test('appends the peer after detecting when skipXffAppend is false', () => {
    expect(inMesh({ xff: '203.0.113.3', originalIpDetectionXff: { skipXffAppend: false } })).toEqual({
      trustedClientAddress: '203.0.113.3',
      xffOut: '203.0.113.3,10.11.12.13',
      externalAddress: null,
      internal: false,
    });
  });

  test('appends the peer even when it detects nothing and skipXffAppend is false', () => {
    expect(inMesh({ originalIpDetectionXff: { skipXffAppend: false } }).xffOut).toBe('10.11.12.13');
  });

  test('trusts the (N+1)th entry from the right with its own xffNumTrustedHops', () => {
    const result = inMesh({ xff: '203.0.113.1, 203.0.113.2, 203.0.113.3', originalIpDetectionXff: { xffNumTrustedHops: 2 } });
    expect(result.trustedClientAddress).toBe('203.0.113.1');
  });

  test('marks a single internal XFF entry internal when no hops are trusted', () => {
    expect(inMesh({ xff: 'fd00::7', internalAddresses: 'builtin', originalIpDetectionXff: {} }).internal).toBe(true);
  });
});

describe('the XFF original-IP-detection extension with trusted CIDRs', () => {
  const cidrs = ['192.0.2.0/24', '2001:db8:7e57:1::/64'];

  test('trusts an untrusted peer and appends it although skipXffAppend defaults to true', () => {
    expect(inMesh({ remoteAddress: '10.10.11.11', xff: '203.0.113.1,198.51.100.2', originalIpDetectionXff: { xffTrustedCidrs: cidrs } })).toEqual({
      trustedClientAddress: '10.10.11.11',
      xffOut: '203.0.113.1,198.51.100.2,10.10.11.11',
      externalAddress: null,
      internal: false,
    });
  });

  test('reads XFF behind a trusted IPv4 peer and leaves XFF untouched by default', () => {
    expect(inMesh({ remoteAddress: '192.0.2.11', xff: '203.0.113.1,198.51.100.2', originalIpDetectionXff: { xffTrustedCidrs: cidrs } })).toEqual({
      trustedClientAddress: '198.51.100.2',
      xffOut: '203.0.113.1,198.51.100.2',
      externalAddress: null,
      internal: false,
    });
  });

  test('reads XFF behind a trusted IPv6 peer', () => {
    const result = inMesh({ remoteAddress: '2001:db8:7e57:1::1', xff: '203.0.113.1,198.51.100.2', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('198.51.100.2');
  });

  test('skips every trusted entry from the right, however many there are', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: '203.0.113.1,198.51.100.2,192.0.2.5, 192.0.2.6', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('198.51.100.2');
  });

  test('trusts the leftmost entry when every entry is trusted', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: '192.0.2.4,192.0.2.5, 2001:db8:7e57:1::9', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('192.0.2.4');
  });

  test('reads a header of exactly 20 entries, down to the leftmost one', () => {
    const xff = ['203.0.113.7', ...Array.from({ length: 19 }, (_, i) => `192.0.2.${i + 1}`)].join(', ');
    expect(inMesh({ remoteAddress: '192.0.2.200', xff, originalIpDetectionXff: { xffTrustedCidrs: cidrs } }).trustedClientAddress).toBe('203.0.113.7');
  });

  test('fails over to the peer when the header has 21 entries', () => {
    const xff = Array.from({ length: 21 }, (_, i) => `198.51.100.${i + 1}`).join(',');
    expect(inMesh({ remoteAddress: '192.0.2.200', xff, originalIpDetectionXff: { xffTrustedCidrs: cidrs } }).trustedClientAddress).toBe('192.0.2.200');
  });

  test('still appends after giving up on a long header when skipXffAppend is false', () => {
    const xff = Array.from({ length: 21 }, (_, i) => `198.51.100.${i + 1}`).join(',');
    const result = inMesh({ remoteAddress: '192.0.2.200', xff, originalIpDetectionXff: { xffTrustedCidrs: cidrs, skipXffAppend: false } });
    expect(result.xffOut).toBe(`${xff},192.0.2.200`);
  });

  test('fails over to the peer when the walk reaches an unparsable entry', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: '203.0.113.7, unknown, 192.0.2.1', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('192.0.2.11');
  });

  test('fails over to the peer when the walk reaches an empty entry', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: '203.0.113.7,,192.0.2.1', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('192.0.2.11');
  });

  test('never reads garbage to the left of the first untrusted entry', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: 'garbage, 203.0.113.7, 192.0.2.1', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('203.0.113.7');
  });

  test('does not skip private addresses that are not listed', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: '203.0.113.7, 10.0.0.1', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('10.0.0.1');
  });

  test('does not match an IPv4-mapped entry against an IPv4 range', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: '203.0.113.7, ::ffff:192.0.2.1', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.trustedClientAddress).toBe('::ffff:192.0.2.1');
  });

  test('marks a single internal entry behind a trusted peer internal', () => {
    const result = inMesh({ remoteAddress: '192.0.2.11', xff: '10.0.0.1', internalAddresses: 'builtin', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect(result.internal).toBe(true);
  });

  test('does not mark a request internal when all of several entries are trusted', () => {
    const result = inMesh({
      remoteAddress: '192.0.2.11',
      xff: '10.0.0.1, 10.0.0.2',
      internalAddresses: 'builtin',
      originalIpDetectionXff: { xffTrustedCidrs: ['10.0.0.0/8', '192.0.2.0/24'] },
    });
    expect([result.trustedClientAddress, result.internal]).toEqual(['10.0.0.1', false]);
  });

  test('treats a non-IP peer as untrusted and appends nothing for it', () => {
    const result = inMesh({ remoteAddress: '/run/lb.sock', xff: '203.0.113.7', originalIpDetectionXff: { xffTrustedCidrs: cidrs } });
    expect([result.trustedClientAddress, result.xffOut]).toEqual(['/run/lb.sock', '203.0.113.7']);
  });

  test('falls back to the peer and leaves XFF absent when a trusted peer sends none', () => {
    expect(inMesh({ remoteAddress: '192.0.2.11', originalIpDetectionXff: { xffTrustedCidrs: cidrs } })).toEqual({
      trustedClientAddress: '192.0.2.11',
      xffOut: null,
      externalAddress: null,
      internal: false,
    });
  });
});

describe('configuration errors', () => {
  test('fails when the XFF extension is mixed with useRemoteAddress true', () => {
    expect(() => atEdge({ originalIpDetectionXff: {} })).toThrow(/'originalIpDetectionXff' may not be mixed with 'useRemoteAddress: true'/);
  });

  test('fails when the XFF extension is mixed with xffNumTrustedHops above 0', () => {
    expect(() => inMesh({ xffNumTrustedHops: 1, originalIpDetectionXff: {} })).toThrow(/'originalIpDetectionXff' may not be mixed with 'xffNumTrustedHops' 1/);
  });

  test('fails when the XFF extension sets both a hop count and trusted CIDRs', () => {
    expect(() => inMesh({ originalIpDetectionXff: { xffNumTrustedHops: 1, xffTrustedCidrs: ['192.0.2.0/24'] } }))
      .toThrow(/sets both 'xffNumTrustedHops' \(1\) and 'xffTrustedCidrs'/);
  });

  test('fails when xffNumTrustedHops is negative', () => {
    expect(() => atEdge({ xffNumTrustedHops: -1 })).toThrow(/'xffNumTrustedHops' must be a whole number from 0 to 4294967295 \(a uint32\), got -1/);
  });

  test('fails when xffNumTrustedHops is not a whole number', () => {
    expect(() => atEdge({ xffNumTrustedHops: 1.5 })).toThrow(/'xffNumTrustedHops' must be a whole number .*, got 1.5/);
  });

  test('fails when xffNumTrustedHops exceeds a uint32', () => {
    expect(() => atEdge({ xffNumTrustedHops: 4294967296 })).toThrow(/got 4294967296/);
  });

  test('fails when the extension hop count is negative', () => {
    expect(() => inMesh({ originalIpDetectionXff: { xffNumTrustedHops: -2 } })).toThrow(/'originalIpDetectionXff.xffNumTrustedHops' must be a whole number/);
  });

  test('fails on an internal range with an out-of-range prefix length', () => {
    expect(() => atEdge({ internalAddresses: ['10.0.0.0/33'] })).toThrow(/'internalAddresses\[0\]' must be a CIDR such as "10.0.0.0\/8", got "10.0.0.0\/33"/);
  });

  test('fails on a bare address among the internal ranges, suggesting a /32', () => {
    expect(() => atEdge({ internalAddresses: ['10.0.0.0/8', '10.0.0.7'] })).toThrow(/'internalAddresses\[1\]' .* no prefix length; did you mean "10.0.0.7\/32"\?/);
  });

  test('fails on a bare IPv6 address among the trusted CIDRs, suggesting a /128', () => {
    expect(() => inMesh({ originalIpDetectionXff: { xffTrustedCidrs: ['2001:db8::1'] } })).toThrow(/did you mean "2001:db8::1\/128"\?/);
  });

  test('fails on a trusted CIDR with a zone', () => {
    expect(() => inMesh({ originalIpDetectionXff: { xffTrustedCidrs: ['fe80::%1/64'] } })).toThrow(/'originalIpDetectionXff.xffTrustedCidrs\[0\]' must be a CIDR/);
  });

  test('fails on an empty internalAddresses list, which Envoy would read as the built-in ranges', () => {
    expect(() => atEdge({ internalAddresses: [] })).toThrow(/'internalAddresses' is an empty list.*write 'builtin' for those, or 'none'/);
  });

  test('fails on an empty xffTrustedCidrs list', () => {
    expect(() => inMesh({ originalIpDetectionXff: { xffTrustedCidrs: [] } })).toThrow(/'originalIpDetectionXff.xffTrustedCidrs' is an empty list/);
  });

  test('fails on an unknown internalAddresses keyword', () => {
    const keyword = 'private' as unknown as 'builtin';
    expect(() => atEdge({ internalAddresses: keyword })).toThrow(/'internalAddresses' must be 'none', 'builtin' or a list of CIDRs, got "private"/);
  });

  test('fails when localAddress is not an IP address', () => {
    expect(() => atEdge({ localAddress: 'node-1.example' })).toThrow(/'localAddress' must be the proxy's own IP address, got "node-1.example"/);
  });

  test('fails when localAddress has a named scope', () => {
    expect(() => atEdge({ localAddress: 'fe80::1%eth0' })).toThrow(/'localAddress' must be the proxy's own IP address/);
  });

  test('fails with every problem listed at once, in an EnvoyConfigError', () => {
    const error = configErrorOf({
      remoteAddress: '192.0.2.5',
      xff: null,
      useRemoteAddress: true,
      xffNumTrustedHops: -1,
      internalAddresses: ['10.0.0.7'],
      originalIpDetectionXff: {},
    });
    expect([error.name, error.problems.length]).toEqual(['EnvoyConfigError', 3]);
  });
});

describe('properties', () => {
  const RUNS = { numRuns: 2000 };

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
  const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((words) => words.map((w) => w.toString(16)).join(':'));
  const addressLikeChar = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''), 't', 'h', 'x', '.', ':', '%', '/', '[', ']', ',', ' ', '\t', '\u00a0');
  const addressLike = fc.string({ unit: addressLikeChar, maxLength: 24 });
  const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), addressLike, ipv4, ipv6);
  const xffList = fc.array(fc.tuple(fc.oneof(ipv4, ipv6, addressLike), fc.constantFrom(',', ', ', ' ,', ',\t')), { maxLength: 24 })
    .map((parts) => parts.map(([entry, separator], i) => (i === 0 ? entry : separator + entry)).join(''));
  const header = fc.option(fc.oneof(anyText, xffList), { nil: null });

  const edgeConfig = fc.record({
    useRemoteAddress: fc.constant(true),
    xffNumTrustedHops: fc.nat(4),
    skipXffAppend: fc.boolean(),
  });
  const meshConfig = fc.record({
    useRemoteAddress: fc.constant(false),
    xffNumTrustedHops: fc.nat(4),
  });
  const extensionConfig = fc.record({
    useRemoteAddress: fc.constant(false),
    xffNumTrustedHops: fc.constant(0),
    originalIpDetectionXff: fc.oneof(
      fc.record({ xffNumTrustedHops: fc.nat(4), skipXffAppend: fc.boolean() }),
      fc.record({ xffTrustedCidrs: fc.constant(['192.0.2.0/24', '10.0.0.0/8', '2001:db8::/32']), skipXffAppend: fc.boolean() }),
    ),
  });
  const sharedConfig = fc.record({
    internalAddresses: fc.constantFrom<EnvoyXffInput['internalAddresses']>(undefined, 'none', 'builtin', ['10.0.0.0/8', 'fd00::/8']),
    localAddress: fc.constantFrom(undefined, '10.1.2.3', '2001:db8::53'),
  });
  const anyConfig = fc.tuple(fc.oneof(edgeConfig, meshConfig, extensionConfig), sharedConfig).map(([a, b]) => ({ ...a, ...b }));

  test('never throws on arbitrary header values and peers, and always names a client', () => {
    fc.assert(fc.property(anyConfig, fc.oneof(anyText, fc.constantFrom('127.0.0.1', '::1', '192.0.2.9')), header, fc.option(anyText, { nil: null }),
      (config, remoteAddress, xff, externalAddressIn) => {
        const result = simulateEnvoyXff({ ...config, remoteAddress, xff, externalAddressIn });
        expect(typeof result.trustedClientAddress).toBe('string');
        expect(result.trustedClientAddress.length).toBeGreaterThan(0);
        expect(typeof result.internal).toBe('boolean');
      }), RUNS);
  });

  test('ignores XFF at the edge with no trusted hops: the client is always the peer in canonical form', () => {
    fc.assert(fc.property(fc.oneof(ipv4, ipv6), header, (peer, xff) => {
      const withoutXff = atEdge({ remoteAddress: peer });
      const result = atEdge({ remoteAddress: peer, xff });
      expect(result.trustedClientAddress).toBe(withoutXff.trustedClientAddress);
      expect(result.externalAddress).toBe(result.trustedClientAddress);
      // Canonical text is a fixed point: parsing it again gives the same text.
      expect(atEdge({ remoteAddress: result.trustedClientAddress }).trustedClientAddress).toBe(result.trustedClientAddress);
    }), RUNS);
  });

  test('appends exactly ",<peer>" to the incoming XFF at the edge for non-loopback IPv4 peers', () => {
    fc.assert(fc.property(ipv4.filter((p) => p !== '127.0.0.1'), header, fc.nat(4), (peer, xff, hops) => {
      const result = atEdge({ remoteAddress: peer, xff, xffNumTrustedHops: hops });
      expect(result.xffOut).toBe(xff === null || xff === '' ? peer : `${xff},${peer}`);
    }), RUNS);
  });

  test('trusts the Nth entry from the right at the edge when it parses, and the peer otherwise', () => {
    const valid = ipv4;
    const garbage = fc.constantFrom('', 'unknown', '203.0.113.9:80', '[::1]', '010.1.1.1', 'fe80::1%eth0', '1.2.3');
    const padding = fc.string({ unit: fc.constantFrom(' ', '\t', '\v', '\f', '\r', '\n'), maxLength: 2 });
    const entry = fc.tuple(padding, fc.oneof(valid.map((ip) => ({ ip, ok: true })), garbage.map((ip) => ({ ip, ok: false }))), padding);
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 9 }), (entries, hops) => {
      const xff = entries.map(([before, { ip }, after]) => before + ip + after).join(',');
      const selected = entries.length >= hops ? entries[entries.length - hops][1] : undefined;
      const expected = selected?.ok ? selected.ip : '198.51.100.77';
      expect(atEdge({ remoteAddress: '198.51.100.77', xff, xffNumTrustedHops: hops }).trustedClientAddress).toBe(expected);
    }), RUNS);
  });

  test('never changes XFF or x-envoy-external-address with the default detector of a non-edge proxy', () => {
    fc.assert(fc.property(fc.nat(4), anyText, header, fc.option(anyText, { nil: null }), (hops, remoteAddress, xff, externalAddressIn) => {
      const result = inMesh({ xffNumTrustedHops: hops, remoteAddress, xff, externalAddressIn });
      expect([result.xffOut, result.externalAddress]).toEqual([xff, externalAddressIn]);
    }), RUNS);
  });

  test('trusts and appends an untrusted peer in CIDR mode, whatever XFF says', () => {
    fc.assert(fc.property(ipv4.filter((p) => !p.startsWith('192.0.2.') && p !== '127.0.0.1'), header, (peer, xff) => {
      const result = inMesh({ remoteAddress: peer, xff, originalIpDetectionXff: { xffTrustedCidrs: ['192.0.2.0/24'] } });
      expect(result.trustedClientAddress).toBe(peer);
      expect(result.xffOut).toBe(xff === null || xff === '' ? peer : `${xff},${peer}`);
    }), RUNS);
  });
});
