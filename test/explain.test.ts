import * as fc from 'fast-check';
import {
  AwsNlbTargetType, ClassicElbListener, EdgeChain, EdgeHop, explain, ExplainFindingId, ExplainGateway, ExplainHop, ExplainHopKind, ExplainLayerRole,
  ExplainPath, ExplainResult, ExplainRun, ExternalTrafficPolicy, GatewayServiceType, HopLayer, InterceptionMode, IpBlock, simulateEnvoyXff,
  SourceIpValidationError, SourcePreservation,
} from '../src';

const CLIENT = '203.0.113.7';
const FORGED = '198.51.100.66';

/** An HTTP proxy appending `appendsXff` entries. */
function l7(name: string, appendsXff: number, address: string, writesPort = false): ExplainHop {
  return { kind: ExplainHopKind.L7, name, appendsXff, address, writesPort };
}

/** A TCP load balancer. */
function l4(name: string, proxyProtocol: boolean, sourcePreservation: SourcePreservation, address: string): ExplainHop {
  return { kind: ExplainHopKind.L4, name, proxyProtocol, sourcePreservation, address };
}

function gateway(numTrustedProxies: number, proxyProtocol: boolean, externalTrafficPolicy?: ExternalTrafficPolicy): ExplainGateway {
  return { numTrustedProxies, proxyProtocol, externalTrafficPolicy };
}

function path(hops: readonly ExplainHop[], gw: ExplainGateway, extra: Partial<ExplainPath> = {}): ExplainPath {
  return { hops, gateway: gw, ...extra };
}

function findingIds(result: ExplainResult): string[] {
  return result.findings.map((finding) => finding.id);
}

/** The gateway's row of a run; fails the test when there is none. */
function gatewayRow(run: ExplainRun) {
  const row = run.layers.find((layer) => layer.role === ExplainLayerRole.GATEWAY);
  if (row === undefined) {
    throw new Error('no gateway layer');
  }
  return row;
}

// Paths from peers.md "Worked hop counts" and table (a), with documentation addresses.
const GCLB = l7('Google Cloud Application LB', 2, '198.51.100.10');
const ALB = l7('AWS ALB', 1, '198.51.100.20');
const CLOUDFLARE = l7('Cloudflare', 1, '198.51.100.30');
const NLB_PROXY = l4('AWS NLB (PROXY v2)', true, SourcePreservation.NEVER, '192.0.2.40');
const GKE_NLB = l4('GKE passthrough NLB', false, SourcePreservation.WITH_LOCAL, '192.0.2.50');
const CLASSIC_ELB_TCP = l4('AWS Classic ELB (TCP)', false, SourcePreservation.NEVER, '192.0.2.60');

describe('explain: the spoof check fires', () => {
  test('when numTrustedProxies is larger than the number of XFF-appending hops', () => {
    // GIVEN an ALB, which appends one entry, in front of a gateway trusting two
    const result = explain(path([ALB], gateway(2, false)));

    // THEN a client's forged entry is the one the gateway reads
    expect(result.spoofable).toBe(true);
    expect(result.spoofed.trustedAddress).toBe(FORGED);
    expect(gatewayRow(result.spoofed).remoteIpBlocks).toBe(FORGED);
    expect(gatewayRow(result.spoofed).sourceIpHash).toBe(FORGED);
    expect(findingIds(result)).toContain(ExplainFindingId.XFF_SPOOFABLE);
    const finding = result.findings.find((f) => f.id === ExplainFindingId.XFF_SPOOFABLE);
    expect(finding?.message).toMatch(/numTrustedProxies is 2, but the hops in front append only 1 X-Forwarded-For entry/);
    expect(finding?.fix).toMatch(/^set numTrustedProxies to 1 /);
  });

  test('when numTrustedProxies is far larger, with as many forged entries as it takes', () => {
    const result = explain(path([ALB], gateway(4, false)));
    expect(result.spoofable).toBe(true);
    expect(result.spoofed.layers[0].xff).toBe([FORGED, FORGED, FORGED].join(','));
  });

  test('for a PROXY protocol L4 load balancer with numTrustedProxies above 0 and no L7 hop', () => {
    // GIVEN an NLB with PROXY protocol and nothing that appends X-Forwarded-For
    const result = explain(path([NLB_PROXY], gateway(1, true, ExternalTrafficPolicy.LOCAL)));

    // THEN a normal request looks right (the PROXY source), but a forged header wins
    expect(result.normal.trustedAddress).toBe(CLIENT);
    expect(result.trustsProxyAddress).toBe(false);
    expect(result.spoofable).toBe(true);
    expect(findingIds(result)).toEqual([ExplainFindingId.XFF_SPOOFABLE]);
    expect(result.findings[0].message).toMatch(/nothing in front appends to X-Forwarded-For \(a PROXY protocol load balancer writes no entry\)/);
    expect(result.findings[0].fix).toMatch(/^set numTrustedProxies to 0 /);
  });

  test('for the istio/istio#31704 setup: Cloudflare, then an L4 load balancer with PROXY, and numTrustedProxies 2', () => {
    const result = explain(path([CLOUDFLARE, NLB_PROXY], gateway(2, true, ExternalTrafficPolicy.LOCAL)));
    // The user saw x-envoy-external-address = Cloudflare's address.
    const app = result.normal.layers[result.normal.layers.length - 1];
    expect(app.externalAddress).toBe('198.51.100.30');
    expect(findingIds(result)).toEqual([ExplainFindingId.XFF_SPOOFABLE, ExplainFindingId.TRUSTS_PROXY_ADDRESS, ExplainFindingId.XFF_SPOOFABLE_BY_BYPASS]);
  });
});

describe('explain: the spoof check stays quiet on correct paths', () => {
  test.each<[string, ExplainPath]>([
    ['GCLB (appends 2) with numTrustedProxies 2', path([GCLB], gateway(2, false))],
    ['Cloudflare (appends 1) and a locked-down PROXY load balancer with numTrustedProxies 1 (istio/istio#31704)',
      path([CLOUDFLARE, { ...NLB_PROXY, lockedDown: 'admits Cloudflare only' }], gateway(1, true, ExternalTrafficPolicy.LOCAL))],
    ['an L4 NLB with externalTrafficPolicy Local and numTrustedProxies 0', path([GKE_NLB], gateway(0, false, ExternalTrafficPolicy.LOCAL))],
    ['an ALB (appends 1) with numTrustedProxies 1', path([ALB], gateway(1, false))],
    ['a PROXY load balancer with numTrustedProxies 0 and externalTrafficPolicy Cluster', path([NLB_PROXY], gateway(0, true, ExternalTrafficPolicy.CLUSTER))],
  ])('%s', (_name, input) => {
    const result = explain(input);
    expect(result.findings).toEqual([]);
    expect(result.spoofable).toBe(false);
    expect(result.trustsProxyAddress).toBe(false);
    expect(result.normal.trustedAddress).toBe(CLIENT);
    expect(result.spoofed.trustedAddress).toBe(CLIENT);
  });

  test('for any chain of HTTP proxies when numTrustedProxies equals the entries they append (and fires when it is one off)', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom('none', 'proxy', 'passthrough'),
      (laterAppends, firstAppends, front) => {
        const appends = [firstAppends, ...laterAppends];
        // Every hop after the first is locked down, so only the front door is an entry point.
        const locked = { lockedDown: 'admits the hop in front only' };
        const hops: ExplainHop[] = appends.map((n, i) => ({ ...l7(`proxy ${i}`, n, `198.51.100.${i + 1}`), ...(i > 0 ? locked : {}) }));
        if (front === 'proxy') {
          hops.push({ ...l4('lb', true, SourcePreservation.NEVER, '192.0.2.40'), ...locked });
        } else if (front === 'passthrough') {
          hops.push({ ...l4('lb', false, SourcePreservation.WITH_LOCAL, '192.0.2.40'), ...locked });
        }
        const total = appends.reduce((a, b) => a + b, 0);
        const right = explain(path(hops, gateway(total, front === 'proxy', ExternalTrafficPolicy.LOCAL)));
        const tooHigh = explain(path(hops, gateway(total + 1, front === 'proxy', ExternalTrafficPolicy.LOCAL)));
        const tooLow = explain(path(hops, gateway(total - 1, front === 'proxy', ExternalTrafficPolicy.LOCAL)));
        return right.findings.length === 0 && tooHigh.spoofable && tooLow.trustsProxyAddress && !tooLow.spoofable;
      },
    ));
  });
});

describe('explain: trusts-proxy-address', () => {
  test('fires when numTrustedProxies is too small: GCLB with 1 trusts the load balancer', () => {
    const result = explain(path([GCLB], gateway(1, false)));
    expect(result.normal.trustedAddress).toBe('198.51.100.10');
    expect(result.spoofable).toBe(false);
    expect(findingIds(result)).toEqual([ExplainFindingId.TRUSTS_PROXY_ADDRESS]);
    expect(result.findings[0].message).toMatch(/trusts 198\.51\.100\.10, the address of "Google Cloud Application LB", instead of the client's 203\.0\.113\.7/);
    expect(result.findings[0].fix).toMatch(/^set numTrustedProxies to 2 /);
  });

  test('fires for SNAT by externalTrafficPolicy Cluster, where ipBlocks and remoteIpBlocks see the node', () => {
    // GIVEN a passthrough NLB, no proxy, and a Cluster policy
    const result = explain(path([GKE_NLB], gateway(0, false, ExternalTrafficPolicy.CLUSTER)));

    // THEN both policy fields see the node's address
    const row = gatewayRow(result.normal);
    expect(row.tcpPeer).toBe('192.0.2.100');
    expect(row.ipBlocks).toBe('192.0.2.100');
    expect(row.remoteIpBlocks).toBe('192.0.2.100');
    expect(result.ipBlocksSeesClient).toBe(false);
    expect(findingIds(result)).toEqual([ExplainFindingId.TRUSTS_PROXY_ADDRESS]);
    expect(result.findings[0].message).toMatch(/the node's address.*externalTrafficPolicy Cluster the node replaces the packet's source address \(SNAT\)/);
    expect(result.findings[0].fix).toBe('set externalTrafficPolicy to Local (no SNAT at the node)');
  });

  test('fires when a hop writes ip:port into X-Forwarded-For, which Envoy cannot parse', () => {
    const result = explain(path([l7('AWS ALB (xff_client_port)', 1, '198.51.100.20', true)], gateway(1, false)));
    expect(gatewayRow(result.normal).xff).toBe('203.0.113.7:51234');
    expect(result.normal.trustedAddress).toBe('198.51.100.20');
    expect(result.findings[0].fix).toBe('make "AWS ALB (xff_client_port)" write X-Forwarded-For entries without a port');
  });

  test('fires when a TCP proxy hides the client, and proposes PROXY protocol', () => {
    const result = explain(path([CLASSIC_ELB_TCP], gateway(0, false, ExternalTrafficPolicy.LOCAL)));
    expect(result.normal.trustedAddress).toBe('192.0.2.60');
    expect(result.findings[0].message).toMatch(/lost at "AWS Classic ELB \(TCP\)", which opens its own connection/);
    expect(result.findings[0].fix).toBe('turn on PROXY protocol on "AWS Classic ELB (TCP)" and set proxyProtocol on the gateway');
  });

  test('says when no gateway setting recovers the client', () => {
    const result = explain(path([CLASSIC_ELB_TCP, ALB], gateway(1, false)));
    expect(result.normal.trustedAddress).toBe('192.0.2.60');
    expect(result.findings[0].fix).toMatch(/^no gateway setting recovers the client's address: "AWS Classic ELB \(TCP\)" replaces it/);
  });
});

describe('explain: what each layer sees', () => {
  test('walks a normal request through Cloudflare, a PROXY load balancer, the gateway, a REDIRECT sidecar and the app', () => {
    const result = explain(path([CLOUDFLARE, NLB_PROXY], gateway(1, true, ExternalTrafficPolicy.LOCAL)));
    expect(result.normal.layers).toEqual([
      { role: ExplainLayerRole.CLIENT, name: 'client', tcpPeer: null, proxyProtocolSource: null, xff: null, externalAddress: null,
        ipBlocks: null, remoteIpBlocks: null, sourceIpHash: null },
      { role: ExplainLayerRole.HOP, name: 'Cloudflare', tcpPeer: CLIENT, proxyProtocolSource: null, xff: null, externalAddress: null,
        ipBlocks: null, remoteIpBlocks: null, sourceIpHash: null },
      { role: ExplainLayerRole.HOP, name: 'AWS NLB (PROXY v2)', tcpPeer: '198.51.100.30', proxyProtocolSource: null, xff: CLIENT,
        externalAddress: null, ipBlocks: null, remoteIpBlocks: null, sourceIpHash: null },
      // ipBlocks sees the physical peer; the PROXY source feeds Envoy's XFF logic (istio.md §4a).
      { role: ExplainLayerRole.GATEWAY, name: 'ingress gateway', tcpPeer: '192.0.2.40', proxyProtocolSource: '198.51.100.30', xff: CLIENT,
        externalAddress: null, ipBlocks: '192.0.2.40', remoteIpBlocks: CLIENT, sourceIpHash: CLIENT },
      // The sidecar trusts the rightmost entry: the address the gateway saw as its peer.
      { role: ExplainLayerRole.SIDECAR, name: 'app sidecar', tcpPeer: '192.0.2.200', proxyProtocolSource: null, xff: `${CLIENT},198.51.100.30`,
        externalAddress: CLIENT, ipBlocks: '192.0.2.200', remoteIpBlocks: '198.51.100.30', sourceIpHash: null },
      { role: ExplainLayerRole.APP, name: 'app', tcpPeer: '127.0.0.6', proxyProtocolSource: null, xff: `${CLIENT},198.51.100.30`,
        externalAddress: CLIENT, ipBlocks: null, remoteIpBlocks: null, sourceIpHash: null },
    ]);
    expect(result.remoteIpBlocksSeesClient).toBe(true);
    expect(result.ipBlocksSeesClient).toBe(false);
  });

  test('overwrites a forged x-envoy-external-address at the gateway', () => {
    const result = explain(path([ALB], gateway(1, false)));
    const [client, alb, gw, sidecar, app] = result.spoofed.layers;
    expect(client.externalAddress).toBe(FORGED);
    expect(alb.externalAddress).toBe(FORGED);
    expect(gw.externalAddress).toBe(FORGED);
    expect(sidecar.externalAddress).toBe(CLIENT);
    expect(app.externalAddress).toBe(CLIENT);
  });

  test('shows the gateway pod as the app\'s peer with TPROXY', () => {
    const result = explain(path([GKE_NLB], gateway(0, false, ExternalTrafficPolicy.LOCAL), { app: { interceptionMode: InterceptionMode.TPROXY } }));
    expect(result.normal.layers[result.normal.layers.length - 1].tcpPeer).toBe('192.0.2.200');
  });

  test('uses ::6 as the app\'s peer with REDIRECT on an IPv6 pod, and prints addresses as Envoy does', () => {
    const result = explain(path([], { ...gateway(0, false), address: '2001:db8::200' }, { client: '2001:DB8:0::7' }));
    expect(result.normal.trustedAddress).toBe('2001:db8::7');
    expect(result.normal.layers[result.normal.layers.length - 1].tcpPeer).toBe('::6');
    expect(result.findings).toEqual([]);
  });

  test('skips the sidecar with interception NONE', () => {
    const result = explain(path([ALB], gateway(1, false), { app: { name: 'echo', interceptionMode: InterceptionMode.NONE } }));
    expect(result.normal.layers.map((layer) => layer.role)).toEqual([
      ExplainLayerRole.CLIENT, ExplainLayerRole.HOP, ExplainLayerRole.GATEWAY, ExplainLayerRole.APP,
    ]);
    expect(result.normal.layers[3].tcpPeer).toBe('192.0.2.200');
  });

  test('keeps the client with externalTrafficPolicy Cluster when an L4 hop delivers to pod IPs', () => {
    const result = explain(path([l4('AWS NLB (ip targets)', false, SourcePreservation.ALWAYS, '192.0.2.70')],
      gateway(0, false, ExternalTrafficPolicy.CLUSTER)));
    expect(gatewayRow(result.normal).ipBlocks).toBe(CLIENT);
    expect(result.findings).toEqual([]);
  });

  test('shows the load balancer, not a node, as the gateway\'s peer when a TCP proxy delivers to pod IPs under Cluster', () => {
    // GIVEN an NLB with ip targets and no client IP preservation: its own address reaches the pod directly
    const nlbIp: ExplainHop = { kind: ExplainHopKind.L4, name: 'AWS NLB (ip targets)', proxyProtocol: false, sourcePreservation: SourcePreservation.NEVER, deliversToPods: true, address: '192.0.2.70' };
    // WHEN
    const result = explain(path([nlbIp], gateway(0, false, ExternalTrafficPolicy.CLUSTER)));
    // THEN
    expect(gatewayRow(result.normal).ipBlocks).toBe('192.0.2.70');
    expect(findingIds(result)).toEqual(['trusts-proxy-address']);
  });

  test('fails if deliversToPods is not a boolean', () => {
    const bad = { kind: ExplainHopKind.L4, name: 'x', proxyProtocol: false, sourcePreservation: SourcePreservation.NEVER, deliversToPods: 'yes' } as unknown as ExplainHop;
    expect(() => explain(path([bad], gateway(0, false)))).toThrow(/'hops\[0\]\.deliversToPods' must be true or false, got "yes"/);
  });

  test('fills in defaults and returns the path it explained', () => {
    const result = explain(path([{ kind: ExplainHopKind.L7, name: 'CDN', appendsXff: 1 }], { numTrustedProxies: 1, proxyProtocol: false }));
    expect(result.path).toEqual({
      client: CLIENT,
      forgedAddress: FORGED,
      hops: [{ kind: ExplainHopKind.L7, name: 'CDN', address: '192.0.2.1', appendsXff: 1, writesPort: false, enforcesLoadBalancerSourceRanges: false }],
      gateway: { name: 'ingress gateway', numTrustedProxies: 1, proxyProtocol: false, address: '192.0.2.200', nodeAddress: '192.0.2.100' },
      app: { name: 'app', interceptionMode: InterceptionMode.REDIRECT },
      assumed: false,
    });
    expect(result.assumed).toBe(false);
  });
});

describe('explain: PROXY protocol mismatches', () => {
  test('the gateway refuses connections without a PROXY header when proxyProtocol is on', () => {
    const result = explain(path([GKE_NLB], gateway(0, true, ExternalTrafficPolicy.LOCAL)));
    expect(result.normal.refusal).toMatch(/expects a PROXY header and none arrives/);
    expect(result.normal.trustedAddress).toBeNull();
    expect(result.normal.layers.map((layer) => layer.role)).toEqual([ExplainLayerRole.CLIENT, ExplainLayerRole.HOP, ExplainLayerRole.GATEWAY]);
    expect(findingIds(result)).toEqual([ExplainFindingId.PROXY_PROTOCOL_MISMATCH]);
    expect(result.findings[0].fix).toBe('turn on PROXY protocol on "GKE passthrough NLB", or unset proxyProtocol on the gateway');
  });

  test('the gateway fails requests that start with a PROXY header it does not expect', () => {
    const result = explain(path([NLB_PROXY], gateway(0, false, ExternalTrafficPolicy.LOCAL)));
    expect(findingIds(result)).toEqual([ExplainFindingId.PROXY_PROTOCOL_MISMATCH]);
    expect(result.findings[0].fix).toBe('set proxyProtocol on the gateway, or turn off PROXY protocol on "AWS NLB (PROXY v2)"');
  });
});

describe('explain: input checks', () => {
  test('fails on an address that is not an IP', () => {
    expect(() => explain(path([l7('CDN', 1, '198.51.100.300')], gateway(1, false))))
      .toThrow(/'hops\[0\]\.address' must be an IP address without port or zone/);
  });

  test('fails when two layers share an address', () => {
    expect(() => explain(path([l7('CDN', 1, CLIENT)], gateway(1, false))))
      .toThrow(/'hops\[0\]\.address' must be an address no other layer uses \(client has it\)/);
  });

  test('fails on PROXY protocol from a hop that is not directly in front of the gateway', () => {
    expect(() => explain(path([NLB_PROXY, ALB], gateway(1, false))))
      .toThrow(/'hops\[0\]\.proxyProtocol' must be false on a hop that is not directly in front of the gateway/);
  });

  test('fails on a negative numTrustedProxies and a fractional appendsXff, listing both', () => {
    let error: unknown;
    try {
      explain(path([l7('CDN', 1.5, '198.51.100.1')], gateway(-1, false)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceIpValidationError);
    expect((error as SourceIpValidationError).problems).toEqual([
      expect.stringMatching(/^'hops\[0\]\.appendsXff' must be a whole number from 0 to 16, got 1\.5/),
      expect.stringMatching(/^'gateway\.numTrustedProxies' must be a whole number from 0 to 4294967295, got -1/),
    ]);
  });
});

describe('explain: every entry point an attacker can reach', () => {
  const CF_RANGES = EdgeHop.cloudflare().sourceRanges.map(String);
  const cfToNlb = (extra: Partial<ExplainGateway> = {}, nlb: Partial<ExplainHop> = {}) => path(
    [{ ...CLOUDFLARE, sourceRanges: CF_RANGES }, { ...NLB_PROXY, enforcesLoadBalancerSourceRanges: true, ...nlb } as ExplainHop],
    { ...gateway(1, true, ExternalTrafficPolicy.CLUSTER), serviceType: GatewayServiceType.LOAD_BALANCER, ...extra },
  );

  test('fires when a load balancer behind a CDN is reachable directly, naming the entry point, with its forged request', () => {
    // GIVEN Cloudflare in front of an NLB with PROXY protocol, numTrustedProxies 1 (right for the front door)
    const result = explain(cfToNlb());
    // THEN the front door is safe, but connecting to the NLB directly lets the client write the trusted entry
    expect(result.spoofable).toBe(false);
    expect(result.bypassable).toBe(true);
    expect(result.entryPoints.map((e) => [e.name, e.reachable, e.spoofable])).toEqual([
      ['Cloudflare', true, false], ['AWS NLB (PROXY v2)', true, true], ['ingress gateway node ports', false, false],
    ]);
    const bypass = result.entryPoints[1];
    expect(bypass.run?.layers.map((l) => l.name)).toEqual(['client', 'AWS NLB (PROXY v2)', 'ingress gateway', 'app sidecar', 'app']);
    expect(bypass.run?.trustedAddress).toBe(FORGED);
    const finding = result.findings.find((f) => f.id === ExplainFindingId.XFF_SPOOFABLE_BY_BYPASS);
    expect(finding).toMatchObject({ subject: 'entry point AWS NLB (PROXY v2)' });
    expect(finding?.message).toMatch(/^a client that connects to "AWS NLB \(PROXY v2\)" directly, skipping "Cloudflare", and sends X-Forwarded-For with 198\.51\.100\.66 makes the gateway trust 198\.51\.100\.66/);
    expect(finding?.fix).toMatch(/let only "Cloudflare" reach "AWS NLB \(PROXY v2\)".*\("Cloudflare" sends from 173\.245\.48\.0\/20, .*lockDown\(\.\.\.\).*trusted CIDRs/);
  });

  test('stays quiet when loadBalancerSourceRanges admit only the front hop\'s published ranges', () => {
    const result = explain(cfToNlb({ loadBalancerSourceRanges: CF_RANGES.slice(0, 3) }));
    expect(result.findings).toEqual([]);
    expect(result.entryPoints[1]).toMatchObject({ reachable: false, lockedDown: 'loadBalancerSourceRanges admit only "Cloudflare"\'s published ranges', run: null });
  });

  test('fires when loadBalancerSourceRanges admit more than the front hop, or everyone, or the hop does not enforce them', () => {
    for (const [ranges, nlb, why] of [
      [[...CF_RANGES, '203.0.113.0/24'], {}, /loadBalancerSourceRanges .*203\.0\.113\.0\/24 admit more than "Cloudflare"'s published ranges/],
      [['0.0.0.0/0'], {}, /admit more than/],
      [CF_RANGES, { enforcesLoadBalancerSourceRanges: false }, /"AWS NLB \(PROXY v2\)" is not known to enforce loadBalancerSourceRanges/],
    ] as const) {
      const result = explain(cfToNlb({ loadBalancerSourceRanges: ranges }, nlb));
      expect(result.bypassable).toBe(true);
      expect(result.findings.find((f) => f.id === ExplainFindingId.XFF_SPOOFABLE_BY_BYPASS)?.message).toMatch(why);
    }
  });

  test('takes loadBalancerSourceRanges as the front hop\'s when it publishes none, unless they admit a whole address family', () => {
    const noRanges = (ranges: string[]) => explain(path([CLOUDFLARE, { ...NLB_PROXY, enforcesLoadBalancerSourceRanges: true } as ExplainHop],
      { ...gateway(1, true), serviceType: GatewayServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ranges }));
    expect(noRanges(['198.51.100.0/24']).bypassable).toBe(false);
    expect(noRanges(['198.51.100.0/24']).entryPoints[1].lockedDown).toMatch(/publishes no fixed ranges, so they are taken as its/);
    expect(noRanges(['0.0.0.0/0', '::/0']).bypassable).toBe(true);
  });

  test('fires for the node ports of a NodePort Service behind an HTTP proxy', () => {
    const result = explain(path([l7('corporate proxy', 1, '198.51.100.5')], { ...gateway(1, false, ExternalTrafficPolicy.CLUSTER), serviceType: GatewayServiceType.NODE_PORT }));
    expect(result.spoofable).toBe(false);
    expect(result.entryPoints[1]).toMatchObject({ name: 'ingress gateway node ports', reachable: true, spoofable: true });
    expect(result.findings.map((f) => f.subject)).toEqual(['entry point ingress gateway node ports']);
    expect(result.findings[0].fix).toMatch(/^admit only "corporate proxy" to the node ports/);
  });

  test('fires for PROXY-protocol node ports even with numTrustedProxies 0: the client writes its own PROXY header', () => {
    const result = explain(path([l4('lb', true, SourcePreservation.NEVER, '192.0.2.40')], { ...gateway(0, true, ExternalTrafficPolicy.CLUSTER), serviceType: GatewayServiceType.NODE_PORT }));
    const nodePorts = result.entryPoints[1];
    expect(nodePorts.spoofable).toBe(true);
    expect(gatewayRow(nodePorts.run as ExplainRun)).toMatchObject({ proxyProtocolSource: FORGED, remoteIpBlocks: FORGED });
    expect(result.findings[0].message).toMatch(/writes its own PROXY header with source 198\.51\.100\.66/);
  });

  test('decides without a cap on numTrustedProxies: the forged request shows 64 entries and still selects a forged one', () => {
    const result = explain(path([ALB], gateway(4294967295, false)));
    expect(result.spoofable).toBe(true);
    expect(result.entryPoints[0].forgedEntries).toBe(4294967294);
    expect(result.spoofed.layers[0].xff?.split(',')).toHaveLength(64);
    expect(result.spoofed.trustedAddress).toBe(FORGED);
  });

  test('flags a chain of presets exactly when some reachable entry point lets a forged header choose the trusted address (simulator as oracle)', () => {
    const front = [
      () => EdgeHop.cloudflare(), () => EdgeHop.cloudFront(), () => EdgeHop.azureFrontDoor(), () => EdgeHop.awsAlb(),
      () => EdgeHop.googleCloudApplicationLoadBalancer(), () => EdgeHop.custom({ name: 'proxy', layer: HopLayer.L7, xffEntriesAppended: 2 }),
    ];
    const last = [
      () => EdgeHop.gkeExternalPassthrough(), () => EdgeHop.gkeInternalPassthrough(), () => EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }),
      () => EdgeHop.awsNlb({ targetType: AwsNlbTargetType.INSTANCE, internetFacing: false }), () => EdgeHop.azureLoadBalancer(),
      () => EdgeHop.azureLoadBalancer({ allowedServiceTags: ['AzureFrontDoor.Backend'] }), () => EdgeHop.metalLb(), () => EdgeHop.awsAlb(),
      () => EdgeHop.googleCloudApplicationLoadBalancer(), () => EdgeHop.hetzner({ proxyProtocol: true }), () => EdgeHop.awsClassicElb(ClassicElbListener.HTTP),
      () => EdgeHop.azureApplicationGateway({ portStripped: true }),
      () => EdgeHop.custom({ name: 'node-port proxy', layer: HopLayer.L7, serviceType: GatewayServiceType.NODE_PORT }),
    ];
    const tally = { flagged: 0, quiet: 0, bypassOnly: 0, lockedByRanges: 0 };
    const rangeChoices: (readonly string[] | undefined)[] = [undefined, CF_RANGES, CF_RANGES.slice(2, 5), ['0.0.0.0/0'], ['203.0.113.0/24'], [...CF_RANGES, '192.0.2.0/24']];
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(front.length - 1), fc.boolean()), { maxLength: 3 }),
      fc.tuple(fc.nat(last.length - 1), fc.boolean()),
      fc.integer({ min: 0, max: 8 }),
      fc.nat(rangeChoices.length - 1),
      (fronts, [lastIndex, lockLast], n, rangeIndex) => {
        const hops = [...fronts.map(([i, lock], k) => (lock && k > 0 ? front[i]().lockDown('locked') : front[i]())),
          lockLast ? last[lastIndex]().lockDown('locked') : last[lastIndex]()];
        const chain = EdgeChain.of(...hops);
        const settings = chain.gatewaySettings();
        const ranges = chain.serviceType === GatewayServiceType.LOAD_BALANCER ? rangeChoices[rangeIndex] : undefined;
        const result = explain({
          ...chain.explainEdge(),
          gateway: { numTrustedProxies: n, proxyProtocol: settings.proxyProtocol, serviceType: chain.serviceType, ...(ranges === undefined ? {} : { loadBalancerSourceRanges: ranges }) },
        });

        // The oracle: which entry points a client reaches, judged from the hops themselves ...
        const reachable = (k: number): boolean => {
          if (k === 0) {
            return true;
          }
          if (k === hops.length) {
            return chain.serviceType === GatewayServiceType.NODE_PORT;
          }
          const hop = hops[k];
          if (hop.lockedDown !== undefined || !hop.publiclyReachable) {
            return false;
          }
          if (k !== hops.length - 1 || ranges === undefined || !hop.enforcesLoadBalancerSourceRanges || ranges.includes('0.0.0.0/0')) {
            return true;
          }
          const published = hops[k - 1].sourceRanges;
          return published.length > 0 && !ranges.every((r) => published.some((p) => p.contains(IpBlock.of(r))));
        };
        // ... and whether any number of forged entries sent there makes the simulated gateway trust the forged address.
        const forgedWins = (k: number): boolean => {
          for (let copies = 0; copies <= n + 1; copies++) {
            const entries: string[] = Array.from({ length: copies }, () => FORGED);
            hops.slice(k).forEach((hop, j) => {
              for (let e = 0; e < hop.xffEntriesAppended; e++) {
                entries.push(e === 0 && hop.writesPortInXff ? `192.0.2.${j + 1}:51234` : `192.0.2.${j + 1}`);
              }
            });
            const proxySource = k === hops.length && settings.proxyProtocol ? FORGED : undefined;
            const gatewaySees = simulateEnvoyXff({
              remoteAddress: proxySource ?? '192.0.2.250', xff: entries.length === 0 ? null : entries.join(','), useRemoteAddress: true, xffNumTrustedHops: n,
            });
            if (gatewaySees.trustedClientAddress === FORGED) {
              return true;
            }
          }
          return false;
        };
        const expected = Array.from({ length: hops.length + 1 }, (_, k) => reachable(k) && forgedWins(k));
        const flagged = result.findings.some((f) => f.id === ExplainFindingId.XFF_SPOOFABLE || f.id === ExplainFindingId.XFF_SPOOFABLE_BY_BYPASS);
        expect(flagged).toBe(expected.some(Boolean));
        tally[flagged ? 'flagged' : 'quiet']++;
        tally.bypassOnly += result.bypassable && !result.spoofable ? 1 : 0;
        tally.lockedByRanges += result.entryPoints.some((e) => e.lockedDown?.startsWith('loadBalancerSourceRanges')) ? 1 : 0;
        for (const entry of result.entryPoints) {
          expect([entry.hopIndex, entry.spoofable]).toEqual([entry.hopIndex, expected[entry.hopIndex]]);
          // The simulated forged request agrees with the verdict.
          expect(entry.run === null || (entry.run.trustedAddress === FORGED) === entry.spoofable).toBe(true);
        }
      },
    ), { numRuns: 300, seed: 20261201 });
    // Not vacuous: both verdicts, bypass-only chains and range lock-downs all occur.
    expect(Object.values(tally).every((count) => count >= 20)).toBe(true);
  });
});
