import { codes, gateway, gatewayDeployment, route, service, virtualService } from './manifests';

const gw = gateway('istio-ingress', 'edge', { istio: 'ingressgateway' }, [{ port: 80, hosts: ['shop.example.com'] }]);
const echo = service('apps', 'echo', { app: 'echo' }, [{ port: 80, name: 'http' }]);
// The Gateway rules also report IST0101 (for a selector); these tests are about VirtualServices.
const onVirtualServices = (docs: unknown[], code: string) => codes(docs, code).filter((f) => f.object.kind === 'VirtualService');

describe('IST0101 ReferencedResourceNotFound: gateways', () => {
  test('fires on a gateway name that resolves in the VirtualService namespace, where there is none', () => {
    const found = onVirtualServices([gw, route('apps', 'web', ['edge'], 'echo', 80, ['shop.example.com']), echo], 'IST0101');
    expect(found).toHaveLength(1);
    expect(found[0].message).toBe('Referenced gateway not found: "edge" (looked for Gateway apps/edge).');
    expect(found[0].fix).toMatch(/write "istio-ingress\/edge"/);
  });

  test('stays quiet for <namespace>/<name> pointing at the Gateway', () => {
    expect(onVirtualServices([gw, route('apps', 'web', ['istio-ingress/edge'], 'echo', 80, ['shop.example.com']), echo], 'IST0101')).toEqual([]);
  });

  test('stays quiet for a short name in the same namespace, and for "mesh"', () => {
    const local = gateway('apps', 'edge', {}, [{ port: 80, hosts: ['*'] }]);
    expect(onVirtualServices([local, route('apps', 'web', ['edge', 'mesh'], 'echo', 80), echo], 'IST0101')).toEqual([]);
  });
});

describe('IST0132 VirtualServiceHostNotFoundInGateway', () => {
  test('fires when no VirtualService host is served by the Gateway', () => {
    const found = codes([gw, route('apps', 'web', ['istio-ingress/edge'], 'echo', 80, ['other.example.com']), echo], 'IST0132');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/host \[other.example.com\] defined in VirtualService apps\/web not found in Gateway istio-ingress\/edge/);
  });

  test('stays quiet for a wildcard Gateway host', () => {
    const wild = gateway('istio-ingress', 'edge', {}, [{ port: 80, hosts: ['*.example.com'] }]);
    expect(codes([wild, route('apps', 'web', ['istio-ingress/edge'], 'echo', 80, ['shop.example.com']), echo], 'IST0132')).toEqual([]);
  });

  test('counts a "<namespace>/host" Gateway host only for VirtualServices in that namespace', () => {
    const scoped = gateway('istio-ingress', 'edge', {}, [{ port: 80, hosts: ['apps/shop.example.com'] }]);
    expect(codes([scoped, route('apps', 'web', ['istio-ingress/edge'], 'echo', 80, ['shop.example.com']), echo], 'IST0132')).toEqual([]);
    expect(codes([scoped, route('shop', 'web', ['istio-ingress/edge'], 'echo.apps.svc.cluster.local', 80, ['shop.example.com']), echo], 'IST0132')).toHaveLength(1);
  });

  test('reads "./host" as the Gateway namespace', () => {
    const dot = gateway('apps', 'edge', {}, [{ port: 80, hosts: ['./shop.example.com'] }]);
    expect(codes([dot, route('apps', 'web', ['edge'], 'echo', 80, ['shop.example.com']), echo], 'IST0132')).toEqual([]);
  });
});

describe('IST0101 ReferencedResourceNotFound: destination hosts', () => {
  test('resolves a short name in the VirtualService namespace only', () => {
    expect(codes([route('apps', 'web', [], 'echo', 80), echo], 'IST0101')).toEqual([]);
    const found = codes([route('shop', 'web', [], 'echo', 80), echo], 'IST0101');
    expect(found.map((f) => f.message)).toEqual(['Referenced host not found: "echo" (http[0].route[0]).']);
  });

  test('resolves <name>.<namespace>.svc.cluster.local from any namespace', () => {
    expect(codes([route('shop', 'web', [], 'echo.apps.svc.cluster.local', 80), echo], 'IST0101')).toEqual([]);
  });

  test('does not resolve <name>.<namespace>, as istioctl does not', () => {
    const found = codes([route('shop', 'web', [], 'echo.apps', 80), echo], 'IST0101');
    expect(found).toHaveLength(1);
    expect(found[0].fix).toMatch(/"echo.apps.svc.cluster.local"/);
  });

  test('hides a Service exported only to its own namespace', () => {
    const local = service('apps', 'echo', { app: 'echo' }, [{ port: 80, name: 'http' }], { annotations: { 'networking.istio.io/exportTo': '.' } });
    expect(codes([route('apps', 'web', [], 'echo', 80), local], 'IST0101')).toEqual([]);
    expect(codes([route('shop', 'web', [], 'echo.apps.svc.cluster.local', 80), local], 'IST0101')).toHaveLength(1);
  });

  test('finds ServiceEntry hosts, wildcard ones included', () => {
    const se = {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext', namespace: 'apps' },
      spec: { hosts: ['*.example.org'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' },
    };
    expect(codes([virtualService('apps', 'out', { hosts: ['api.example.org'], tls: [{ route: [{ destination: { host: 'api.example.org', port: { number: 443 } } }] }] }), se], 'IST0101')).toEqual([]);
  });

  test('checks mirror destinations too', () => {
    const vs = virtualService('apps', 'web', { hosts: ['*'], http: [{ route: [{ destination: { host: 'echo', port: { number: 80 } } }], mirror: { host: 'shadow' } }] });
    expect(codes([vs, echo], 'IST0101').map((f) => f.message)).toEqual(['Referenced mirror host not found: "shadow" (http[0].mirror).']);
  });

  test('fires on a port the Service does not expose, suggesting the ports it has', () => {
    const found = codes([route('apps', 'web', [], 'echo', 8080), echo], 'IST0101');
    expect(found.map((f) => f.message)).toEqual(['Referenced host:port not found: "echo:8080" (http[0].route[0]).']);
    expect(found[0].fix).toMatch(/\(80; the Service port, not its targetPort\)/);
  });
});

describe('IST0112 VirtualServiceDestinationPortSelectorRequired', () => {
  const two = service('apps', 'echo', { app: 'echo' }, [{ port: 80, name: 'http' }, { port: 9090, name: 'http-metrics' }]);

  test('fires on a route without a port to a Service with several', () => {
    const found = codes([route('apps', 'web', [], 'echo'), two], 'IST0112');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/exposes multiple ports \[80 9090\]/);
  });

  test('stays quiet with a port, or with a single-port Service', () => {
    expect(codes([route('apps', 'web', [], 'echo', 80), two], 'IST0112')).toEqual([]);
    expect(codes([route('apps', 'web', [], 'echo'), echo], 'IST0112')).toEqual([]);
  });
});

describe('a working route', () => {
  test('gives no VirtualService or Gateway port finding', () => {
    const docs = [gatewayDeployment('istio-ingress', 'gw'), service('istio-ingress', 'gw', { istio: 'ingressgateway' }, [{ port: 80, name: 'http2' }]), gw, route('apps', 'web', ['istio-ingress/edge'], 'echo', 80, ['shop.example.com']), echo];
    expect(codes(docs, 'IST0101')).toEqual([]);
    expect(codes(docs, 'IST0132')).toEqual([]);
    expect(codes(docs, 'IST0162')).toEqual([]);
  });
});
