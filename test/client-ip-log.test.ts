import { App, Chart } from 'cdk8s';
import {
  AccessLogEncoding, AwsNlbTargetType, CLIENT_IP_LOG_FIELDS, clientIpLogLabels, clientIpLogLines, clientIpLogText, EdgeChain, EdgeHop, exemptBlockFor, explain,
  explainDescribedEdge, ExplainHopKind, ExplainLayerRole, ExplainResult, ExplainRun, IngressGateway, IpBlock, providerPresets, rateLimitKey,
  renderClientIpSections, simulateEnvoyXff, SourcePreservation,
} from '../src';

/** Every preset path: each preset alone, or behind a GKE passthrough load balancer when it needs one after it. */
function presetPaths(): { name: string; result: ExplainResult }[] {
  return providerPresets().map(({ call, hop }) => {
    const chain = hop.serviceType === undefined ? EdgeChain.of(hop, EdgeHop.gkeExternalPassthrough()) : EdgeChain.of(hop);
    const gateway = new IngressGateway(new Chart(new App(), 'test'), 'gateway', { edge: chain });
    const result = explainDescribedEdge(gateway);
    if (result === undefined) {
      throw new Error(`no result for ${call}`);
    }
    return { name: hop.serviceType === undefined ? `${call} → GKE passthrough` : call, result };
  });
}

/** Whose address `address` is on the path, for a table a reader can check by eye. */
function owner(result: ExplainResult, address: string | null): string {
  if (address === null) {
    return '-';
  }
  const path = result.path;
  const names = new Map<string, string>([[path.client ?? '', 'client'], [path.forgedAddress ?? '', 'forged'],
    [path.gateway.nodeAddress ?? '', 'node'], [path.gateway.address ?? '', 'gateway pod']]);
  path.hops.forEach((hop) => names.set(hop.address ?? '', hop.name));
  return address.split(',').map((part) => names.get(part.trim()) ?? part.trim()).join(',');
}

/**
 * The oracle: what Envoy decides at the gateway and the sidecar for the request as it reaches the
 * gateway, computed directly with the simulator (as istio.md §2 and envoy-xff.md §6 configure each
 * proxy), independently of the walk `explain` makes.
 */
function oracle(result: ExplainResult, run: ExplainRun) {
  const gatewayLayer = run.layers.find((l) => l.role === ExplainLayerRole.GATEWAY);
  if (gatewayLayer === undefined || gatewayLayer.tcpPeer === null) {
    throw new Error('no gateway layer');
  }
  const gateway = simulateEnvoyXff({
    remoteAddress: gatewayLayer.proxyProtocolSource ?? gatewayLayer.tcpPeer,
    xff: gatewayLayer.xff,
    useRemoteAddress: true,
    xffNumTrustedHops: result.path.gateway.numTrustedProxies,
    internalAddresses: 'none',
    localAddress: result.path.gateway.address,
    externalAddressIn: gatewayLayer.externalAddress,
  });
  const sidecar = simulateEnvoyXff({
    remoteAddress: result.path.gateway.address ?? '',
    xff: gateway.xffOut,
    useRemoteAddress: false,
    xffNumTrustedHops: 0,
    internalAddresses: 'none',
    externalAddressIn: gateway.externalAddress,
  });
  return { gatewayLayer, gateway, sidecar };
}

describe('clientIpLogLines', () => {
  const paths = presetPaths();

  test.each(paths.map((p) => [p.name, p.result] as const))('%s: every field the gateway and sidecar log, and the rate-limit key, are what the simulator decides', (_name, result) => {
    for (const run of [result.normal, result.spoofed]) {
      const lines = clientIpLogLines(run);
      if (run.refusal !== null) {
        expect(lines).toEqual([]);
        expect(rateLimitKey(run)).toBeNull();
        continue;
      }
      const { gatewayLayer, gateway, sidecar } = oracle(result, run);
      expect(lines).toEqual([
        {
          role: ExplainLayerRole.GATEWAY, proxy: 'gateway', clientIp: gateway.trustedClientAddress, peerIp: gatewayLayer.tcpPeer,
          xForwardedFor: gateway.xffOut, xEnvoyExternalAddress: gateway.externalAddress,
        },
        {
          role: ExplainLayerRole.SIDECAR, proxy: 'app sidecar', clientIp: sidecar.trustedClientAddress, peerIp: result.path.gateway.address,
          xForwardedFor: sidecar.xffOut, xEnvoyExternalAddress: sidecar.externalAddress,
        },
      ]);
      // The key is the trusted address, the same one the access log's client_ip and remoteIpBlocks see.
      expect(rateLimitKey(run)).toBe(gateway.trustedClientAddress);
    }
  });

  test('per preset path, whose address each field and the rate-limit key carry', () => {
    const table = paths.map(({ name, result }) => {
      const describe = (run: ExplainRun) => {
        const [gw, sc] = clientIpLogLines(run);
        if (gw === undefined) {
          return 'refused';
        }
        return `gateway client_ip=${owner(result, gw.clientIp)} peer_ip=${owner(result, gw.peerIp)} xff=${owner(result, gw.xForwardedFor)} `
          + `ext=${owner(result, gw.xEnvoyExternalAddress)}; sidecar client_ip=${owner(result, sc.clientIp)} peer_ip=${owner(result, sc.peerIp)}; `
          + `key=${owner(result, rateLimitKey(run))}`;
      };
      return `${name}\n  normal: ${describe(result.normal)}\n  forged: ${describe(result.spoofed)}`;
    });
    expect(table.join('\n')).toMatchSnapshot();
  });

  test('behind a PROXY-protocol load balancer, client_ip is the client and peer_ip the load balancer', () => {
    const gateway = new IngressGateway(new Chart(new App(), 'test'), 'gateway', {
      edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
    });
    const result = explainDescribedEdge(gateway) as ExplainResult;
    const [gw] = clientIpLogLines(result.normal);
    expect(gw.clientIp).toBe('203.0.113.7');
    expect(gw.peerIp).toBe(result.path.hops[0].address);
    // The load balancer writes no X-Forwarded-For entry; the gateway appends its peer, which the PROXY header made the client.
    expect(gw.xForwardedFor).toBe('203.0.113.7');
  });

  test('on a spoofable gateway the forged address is client_ip and the rate-limit key', () => {
    // GIVEN one proxy in front, but a gateway that trusts two
    const result = explain({ hops: [{ kind: ExplainHopKind.L7, name: 'ALB', appendsXff: 1 }], gateway: { numTrustedProxies: 2, proxyProtocol: false } });
    // THEN
    expect(clientIpLogLines(result.spoofed)[0].clientIp).toBe('198.51.100.66');
    expect(rateLimitKey(result.spoofed)).toBe('198.51.100.66');
    expect(rateLimitKey(result.normal)).not.toBe('203.0.113.7');
  });

  test('logs nothing when the gateway refuses the connection', () => {
    const result = explain({
      hops: [{ kind: ExplainHopKind.L4, name: 'MetalLB', proxyProtocol: false, sourcePreservation: SourcePreservation.WITH_LOCAL }],
      gateway: { numTrustedProxies: 0, proxyProtocol: true },
    });
    expect(clientIpLogLines(result.normal)).toEqual([]);
    expect(rateLimitKey(result.normal)).toBeNull();
  });
});

describe('the client-address log format', () => {
  test('has each field once, and the four client-address fields from the Envoy operators that hold them', () => {
    const names = CLIENT_IP_LOG_FIELDS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(clientIpLogLabels()).toMatchObject({
      client_ip: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%',
      peer_ip: '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%',
      x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
      x_envoy_external_address: '%REQ(X-ENVOY-EXTERNAL-ADDRESS)%',
    });
  });

  test('uses only Envoy command operators from the access log documentation', () => {
    // envoyproxy.io configuration/observability/access_log/usage, "Command Operators"; each of these also
    // appears in Istio's built-in formats (pilot/pkg/model/telemetry_logging.go) or in Envoy's own tests
    // (test/common/formatter/substitution_formatter_test.cc, test/integration/proxy_proto_integration_test.cc).
    const documented = new Set(['START_TIME', 'REQ', 'PROTOCOL', 'RESPONSE_CODE', 'RESPONSE_FLAGS', 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT',
      'DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT', 'UPSTREAM_HOST', 'ROUTE_NAME', 'DURATION']);
    const used = [...clientIpLogText().matchAll(/%([A-Z_]+)(\([^)]*\))?%/g)].map((m) => m[1]);
    expect(used.length).toBe(CLIENT_IP_LOG_FIELDS.length);
    expect(used.filter((op) => !documented.has(op))).toEqual([]);
    // Every operator is a whole %...% token: nothing in the format is left unparsed.
    expect(clientIpLogText().replace(/%[A-Z_]+(\([^)]*\))?%/g, '').includes('%')).toBe(false);
  });

  test('text lines are key=value pairs ending with a newline, with free-form values quoted', () => {
    const text = clientIpLogText();
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('client_ip=%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% peer_ip=%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% x_forwarded_for="%REQ(X-FORWARDED-FOR)%"');
  });
});

describe('exemptBlockFor', () => {
  test('finds the block holding an address, in either family', () => {
    const blocks = IpBlock.ofAll(['10.0.0.0/8', '2001:db8::/32']);
    expect(exemptBlockFor('10.1.2.3', blocks)?.toString()).toBe('10.0.0.0/8');
    expect(exemptBlockFor('2001:db8::7', blocks)?.toString()).toBe('2001:db8::/32');
    expect(exemptBlockFor('203.0.113.7', blocks)).toBeUndefined();
  });
});

describe('renderClientIpSections', () => {
  const gke = () => {
    const gateway = new IngressGateway(new Chart(new App(), 'test'), 'gateway', { edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()) });
    return explainDescribedEdge(gateway) as ExplainResult;
  };
  const log = { providerName: 'client-ip-access-log', encoding: AccessLogEncoding.JSON, path: '/dev/stdout', sidecars: false };
  const limit = { requestsPerInterval: 100, interval: '60s', burst: 100, exempt: [], istioVersions: ['1.30'] };

  test('renders nothing without an access log or a rate limit', () => {
    expect(renderClientIpSections(gke(), { accessLogs: [], rateLimits: [] })).toEqual([]);
  });

  test('shows the gateway\'s line for the try-it requests with placeholders, keeping Envoy\'s separators', () => {
    const markdown = renderClientIpSections(gke(), { accessLogs: [log], rateLimits: [] }).join('\n');
    expect(markdown).toContain('{"client_ip":"<your address>","peer_ip":"<your address>","x_forwarded_for":"198.51.100.66,<your address>",'
      + '"x_envoy_external_address":"<your address>"}');
    expect(markdown).toContain('| app sidecar (logs only with `workloads`) |');
  });

  test('writes text lines in the text encoding', () => {
    const markdown = renderClientIpSections(gke(), { accessLogs: [{ ...log, encoding: AccessLogEncoding.TEXT, sidecars: true }], rateLimits: [] }).join('\n');
    expect(markdown).toContain('```text\nclient_ip=<your address> peer_ip=<your address> x_forwarded_for="<your address>" x_envoy_external_address=<your address>\n```');
    expect(markdown).not.toContain('logs only with');
  });

  test('says when a client chooses its own rate-limit key, and when clients share one', () => {
    const spoofable = explain({ hops: [{ kind: ExplainHopKind.L7, name: 'ALB', appendsXff: 1 }], gateway: { numTrustedProxies: 2, proxyProtocol: false } });
    const markdown = renderClientIpSections(spoofable, { accessLogs: [], rateLimits: [limit] }).join('\n');
    expect(markdown).toMatch(/\| forged headers \| `198\.51\.100\.66` \| \*\*a bucket the client chose/);
    expect(markdown).toMatch(/\| normal \| `192\.0\.2\.1` \| \*\*a bucket shared by every client behind that address\*\*/);
  });

  test('names the exempt block a key falls in', () => {
    const markdown = renderClientIpSections(gke(), { accessLogs: [], rateLimits: [{ ...limit, exempt: IpBlock.ofAll(['203.0.113.0/24']) }] }).join('\n');
    expect(markdown).toContain('| normal | `203.0.113.7` (the client) | nothing: exempt (in `203.0.113.0/24`) |');
  });
});
