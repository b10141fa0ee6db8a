import {
  ClientIpDetection, ClientIpDetectionMode, compareClientIpDetection, ExplainHopKind, ExplainPath, ExternalTrafficPolicy, GatewayServiceType, ISTIO_GATEWAY_SUPPORT, simulateEnvoyXff, SourcePreservation,
} from '../src';
import { describeDetection, gatewayInput } from '../src/analysis/client-ip-detection';
import { EnvoyConfigError } from '../src/analysis';
import { validationErrorOf } from './util';

/**
 * Istio's EnvoyFilter MERGE (pkg/proto/merge/merge.go, Istio 1.30): fields set in the patch are
 * copied, messages merged field by field, lists appended; a proto3 scalar at its zero value is not
 * "set", so a BoolValue wrapper holding false (and a uint32 of 0) copies nothing.
 */
function istioMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (Array.isArray(value)) {
      out[key] = [...((out[key] as unknown[] | undefined) ?? []), ...value];
    } else if (value !== null && typeof value === 'object') {
      out[key] = istioMerge((out[key] as Record<string, unknown> | undefined) ?? {}, value as Record<string, unknown>);
    } else if (value !== false && value !== 0 && value !== '') {
      out[key] = value;
    }
  }
  return out;
}

const CLIENT = '203.0.113.7';
const FORGED = '198.51.100.66';

/** Cloudflare (at an address inside its ranges) → a passthrough NLB → the gateway, with Local. */
function cloudflareNlb(cdnEntries = 1): ExplainPath {
  return {
    hops: [
      { kind: ExplainHopKind.L7, name: 'Cloudflare', address: '173.245.48.1', appendsXff: cdnEntries },
      { kind: ExplainHopKind.L4, name: 'NLB', proxyProtocol: false, sourcePreservation: SourcePreservation.WITH_LOCAL },
    ],
    gateway: { numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL },
  };
}

const HOPS: ClientIpDetection = { mode: ClientIpDetectionMode.HOP_COUNT, numTrustedProxies: 1 };
const CIDRS: ClientIpDetection = { mode: ClientIpDetectionMode.TRUSTED_CIDRS, trustedCidrs: ['173.245.48.0/20'] };
const HEADER: ClientIpDetection = { mode: ClientIpDetectionMode.CUSTOM_HEADER, header: 'cf-connecting-ip', failClosed: true };

describe('compareClientIpDetection', () => {
  test('every mode finds the client for the normal request through the front door', () => {
    const results = compareClientIpDetection(cloudflareNlb(), [HOPS, CIDRS, HEADER], { headers: { 0: 'cf-connecting-ip' } });
    expect(results.map((r) => r.normal.trustedAddress)).toEqual([CLIENT, CLIENT, CLIENT]);
    expect(results.map((r) => r.yieldsClient)).toEqual([true, true, true]);
  });

  test('a client that skips Cloudflare and forges the headers at the load balancer wins with a hop count and a header, not with trusted CIDRs', () => {
    // GIVEN the attacker connects to the NLB directly, with X-Forwarded-For and CF-Connecting-IP set to the forged address
    const [hops, cidrs, header] = compareClientIpDetection(cloudflareNlb(), [HOPS, CIDRS, HEADER], { headers: { 0: 'cf-connecting-ip' } });
    // THEN a hop count reads the forged entry, the header passes through, and trusted CIDRs see an untrusted peer
    expect(hops.forged.map((o) => [o.entry, o.trustedAddress])).toEqual([['Cloudflare', CLIENT], ['NLB', FORGED]]);
    expect(header.forged.map((o) => [o.entry, o.trustedAddress])).toEqual([['Cloudflare', CLIENT], ['NLB', FORGED]]);
    expect(cidrs.forged.map((o) => [o.entry, o.trustedAddress])).toEqual([['Cloudflare', CLIENT], ['NLB', CLIENT]]);
    expect([hops.sound, cidrs.sound, header.sound]).toEqual([false, true, false]);
    expect(hops.spoofableAt).toEqual(['NLB']);
  });

  test('a locked load balancer is no entry point, so the hop count and the header become sound', () => {
    const results = compareClientIpDetection(cloudflareNlb(), [HOPS, HEADER], { headers: { 0: 'cf-connecting-ip' }, lockedHops: [1] });
    expect(results.map((r) => r.forged.map((o) => o.entry))).toEqual([['Cloudflare'], ['Cloudflare']]);
    expect(results.map((r) => r.sound)).toEqual([true, true]);
  });

  test('the attacker model decides the entry points: node ports of a NodePort Service are one, where a header is forged and trusted CIDRs hold unless the gateway reads PROXY headers', () => {
    // GIVEN a NodePort gateway: a client can connect to the node ports, past Cloudflare and the NLB
    const nodePort = { ...cloudflareNlb(), gateway: { ...cloudflareNlb().gateway, serviceType: GatewayServiceType.NODE_PORT } };
    const [hops, cidrs, header] = compareClientIpDetection(nodePort, [HOPS, CIDRS, HEADER], { headers: { 0: 'cf-connecting-ip' }, lockedHops: [1] });
    // THEN the node ports are the one entry point besides the front door
    expect(hops.forged.map((o) => o.entry)).toEqual(['Cloudflare', 'gateway node ports']);
    expect([hops, cidrs, header].map((r) => r.forged[1].trustedAddress)).toEqual([FORGED, CLIENT, FORGED]);
    // AND with PROXY protocol at the gateway, the client writes a PROXY header whose source lies inside the trusted CIDRs
    const proxied: ExplainPath = {
      hops: [
        { kind: ExplainHopKind.L7, name: 'Cloudflare', address: '173.245.48.1', appendsXff: 1 },
        { kind: ExplainHopKind.L4, name: 'NLB', proxyProtocol: true, sourcePreservation: SourcePreservation.NEVER },
      ],
      gateway: { numTrustedProxies: 1, proxyProtocol: true, externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, serviceType: GatewayServiceType.NODE_PORT },
    };
    const [proxiedCidrs] = compareClientIpDetection(proxied, [CIDRS], { lockedHops: [1] });
    expect(proxiedCidrs.normal.trustedAddress).toBe(CLIENT);
    expect(proxiedCidrs.spoofableAt).toEqual(['gateway node ports']);
  });

  test('trusted CIDRs follow a CDN that adds a varying number of entries of its own; a hop count does not', () => {
    const path = cloudflareNlb(3); // the CDN writes the client and two of its own addresses
    const [hops, cidrs] = compareClientIpDetection(path, [HOPS, CIDRS]);
    expect(hops.normal.trustedAddress).toBe('173.245.48.1');
    expect(cidrs.normal.trustedAddress).toBe(CLIENT);
  });

  test('with fail-closed, a request whose front hop writes no header is refused with 403', () => {
    const [result] = compareClientIpDetection(cloudflareNlb(), [HEADER]);
    expect(result.normal).toMatchObject({ trustedAddress: null, refusal: expect.stringMatching(/replies 403: the request has no cf-connecting-ip header/) });
    expect(result.yieldsClient).toBe(false);
  });

  test('a PROXY protocol mismatch refuses every request, whatever the mode', () => {
    const path = { ...cloudflareNlb(), gateway: { ...cloudflareNlb().gateway, proxyProtocol: true } };
    const results = compareClientIpDetection(path, [HOPS, CIDRS]);
    expect(results.map((r) => r.normal.refusal)).toEqual([expect.stringMatching(/expects a PROXY header/), expect.stringMatching(/expects a PROXY header/)]);
  });

  test('only the hop count runs on an Istio 1.30 gateway, and the table says why the others do not', () => {
    expect(Object.entries(ISTIO_GATEWAY_SUPPORT).map(([mode, s]) => [mode, s.supported])).toEqual([
      ['hop-count', true], ['trusted-cidrs', false], ['custom-header', false],
    ]);
    expect(ISTIO_GATEWAY_SUPPORT[ClientIpDetectionMode.TRUSTED_CIDRS].note).toMatch(/use_remote_address: true.*istio\/istio#12549/);
    expect(compareClientIpDetection(cloudflareNlb(), [CIDRS])[0].istio.supported).toBe(false);
  });

  test('an EnvoyFilter cannot switch an Istio gateway to trusted CIDRs: the MERGE keeps use_remote_address true, and Envoy refuses the mix', () => {
    // GIVEN the connection manager Istio writes for a gateway, and the patch a trusted-CIDRs EnvoyFilter would merge
    const istioHcm = { use_remote_address: { value: true }, xff_num_trusted_hops: 0 };
    const patch = { use_remote_address: { value: false }, xff_num_trusted_hops: 0, original_ip_detection_extensions: [{ name: 'envoy.http.original_ip_detection.xff' }] };
    // WHEN Istio merges it
    const merged = istioMerge(istioHcm, patch) as { use_remote_address: { value: boolean }; original_ip_detection_extensions: unknown[] };
    // THEN use_remote_address is still true next to the extension, a listener Envoy refuses
    expect(merged.use_remote_address.value).toBe(true);
    expect(merged.original_ip_detection_extensions).toHaveLength(1);
    const input = { ...gatewayInput(CIDRS, { remoteAddress: '173.245.48.1', xff: CLIENT }), useRemoteAddress: merged.use_remote_address.value };
    expect(() => simulateEnvoyXff(input)).toThrow(EnvoyConfigError);
    expect(() => simulateEnvoyXff(input)).toThrow(/may not be mixed with 'useRemoteAddress: true'/);
  });

  test('gatewayInput is the Envoy configuration of each mode, which Envoy accepts', () => {
    const request = { remoteAddress: '173.245.48.1', xff: CLIENT, headerValue: CLIENT };
    expect(gatewayInput(HOPS, request)).toMatchObject({ useRemoteAddress: true, xffNumTrustedHops: 1 });
    expect(gatewayInput(CIDRS, request)).toMatchObject({ useRemoteAddress: false, xffNumTrustedHops: 0, originalIpDetectionXff: { xffTrustedCidrs: ['173.245.48.0/20'], skipXffAppend: false } });
    expect(gatewayInput(HEADER, request)).toMatchObject({ useRemoteAddress: false, originalIpDetectionCustomHeader: { headerName: 'cf-connecting-ip', rejectWithStatus: 403 } });
    for (const detection of [HOPS, CIDRS, HEADER]) {
      expect(simulateEnvoyXff(gatewayInput(detection, request)).trustedClientAddress).toBe(CLIENT);
    }
    expect([HOPS, CIDRS, HEADER].map(describeDetection)).toEqual(['hop count 1', 'trusted CIDRs (1)', 'header cf-connecting-ip, fail closed']);
  });

  test('fails if a detection or an option is malformed, naming each', () => {
    const error = validationErrorOf(() => compareClientIpDetection(cloudflareNlb(), [
      { mode: ClientIpDetectionMode.HOP_COUNT, numTrustedProxies: -1 },
      { mode: ClientIpDetectionMode.TRUSTED_CIDRS, trustedCidrs: [] },
      { mode: ClientIpDetectionMode.CUSTOM_HEADER, header: 'a b' },
      { mode: 'guess' } as unknown as ClientIpDetection,
    ], { lockedHops: [0], headers: { 5: 'x' } }));
    expect(error.message).toMatch(/'detections\[0\].numTrustedProxies' must be a whole number/);
    expect(error.message).toMatch(/'detections\[1\].trustedCidrs' must be a non-empty list/);
    expect(error.message).toMatch(/'detections\[2\].header' must be an HTTP header name, got "a b"/);
    expect(error.message).toMatch(/'detections\[3\].mode' must be one of hop-count, trusted-cidrs, custom-header, got "guess"/);
    expect(error.message).toMatch(/'lockedHops' entries must be hop indexes from 1 to 1 \(the front door cannot be locked\), got 0/);
    expect(error.message).toMatch(/'headers' maps hop indexes below 2 to header names, got "5": "x"/);
  });
});
