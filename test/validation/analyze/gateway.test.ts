import { ISTIO_DEFAULT_PROFILE_GATEWAY } from '../../../src/validation/analyze';
import { codes, deployment, gateway, gatewayDeployment, namespace, secret, service } from './manifests';

const GW = { istio: 'ingressgateway' };
const ingressNs = namespace('istio-ingress');
const gwPods = gatewayDeployment('istio-ingress', 'gw', GW);
const gwService = service('istio-ingress', 'gw', GW, [{ port: 80, name: 'http2' }, { port: 443, name: 'https' }], { type: 'LoadBalancer' });

describe('IST0101 ReferencedResourceNotFound: Gateway selector', () => {
  test('fires when no pod template in any namespace has the selector labels', () => {
    const found = codes([gateway('istio-ingress', 'edge', { istio: 'nope' }, [{ port: 80 }]), gwPods, gwService], 'IST0101');
    expect(found.map((f) => f.message)).toEqual(['Referenced selector not found: "istio=nope".']);
  });

  test('stays quiet when the pods are in another namespace (a Gateway selects pods cluster-wide)', () => {
    expect(codes([gateway('apps', 'edge', GW, [{ port: 80 }]), gwPods, gwService], 'IST0101')).toEqual([]);
  });

  test('stays quiet for a declared installed gateway', () => {
    const docs = [gateway('istio-system', 'edge', { istio: 'ingressgateway' }, [{ port: 8080 }])];
    expect(codes(docs, 'IST0101', { installedGateways: [ISTIO_DEFAULT_PROFILE_GATEWAY] })).toEqual([]);
  });
});

describe('gateway-no-gateway-pods', () => {
  test('fires when the selector matches only application pods, saying why each is not a gateway', () => {
    const app = deployment('apps', 'echo', { labels: { app: 'echo' } });
    const found = codes([gateway('apps', 'edge', { app: 'echo' }, [{ port: 80 }]), app], 'gateway-no-gateway-pods');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/matches Deployment apps\/echo \(it is not a gateway \(no gateway injection/);
  });

  test('fires when the gateway pods will not be injected (their namespace turns injection off)', () => {
    const docs = [namespace('istio-ingress', { 'istio-injection': 'disabled' }), gwPods, gwService, gateway('istio-ingress', 'edge', GW, [{ port: 80 }])];
    const found = codes(docs, 'gateway-no-gateway-pods');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/will not be injected: namespace istio-ingress has istio-injection=disabled/);
  });

  test('stays quiet for injected gateway pods, and for a pod that runs the proxy as a router', () => {
    expect(codes([ingressNs, gwPods, gwService, gateway('istio-ingress', 'edge', GW, [{ port: 80 }])], 'gateway-no-gateway-pods')).toEqual([]);
    const router = deployment('istio-system', 'gw', { labels: GW, containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3', args: ['proxy', 'router'] }] });
    expect(codes([router, gateway('istio-system', 'edge', GW, [{ port: 80 }])], 'gateway-no-gateway-pods')).toEqual([]);
  });
});

describe('IST0146 ImageAutoWithoutInjectionWarning', () => {
  test('fires on `image: auto` pods that no injection webhook reaches', () => {
    const pods = deployment('istio-ingress', 'gw', { labels: GW, annotations: { 'inject.istio.io/templates': 'gateway' }, containers: [{ name: 'istio-proxy', image: 'auto' }] });
    const found = codes([ingressNs, pods], 'IST0146');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/contains `image: auto` but does not match any Istio injection webhook selectors/);
  });

  test('stays quiet when the pod label or the namespace label asks for injection', () => {
    expect(codes([ingressNs, gwPods], 'IST0146')).toEqual([]);
    const pods = deployment('istio-ingress', 'gw', { labels: GW, containers: [{ name: 'istio-proxy', image: 'auto' }] });
    expect(codes([namespace('istio-ingress', { 'istio-injection': 'enabled' }), pods], 'IST0146')).toEqual([]);
  });
});

describe('IST0162 GatewayPortNotDefinedOnService', () => {
  test('fires on a server port no Service sends to', () => {
    const found = codes([ingressNs, gwPods, gwService, gateway('istio-ingress', 'edge', GW, [{ port: 80 }, { port: 8443 }])], 'IST0162');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/target port \(port 8443\).*Pod selector istio=ingressgateway/);
    expect(found[0].fix).toMatch(/\(80, 443\)/);
  });

  test('fires when no Service selects the gateway pods', () => {
    const found = codes([ingressNs, gwPods, gateway('istio-ingress', 'edge', GW, [{ port: 80 }])], 'IST0162');
    expect(found[0].fix).toMatch(/No Service selects the gateway pods \(Deployment istio-ingress\/gw\)/);
  });

  test('compares with the numeric targetPort, as the analyzer does', () => {
    const translated = service('istio-ingress', 'gw', GW, [{ port: 80, targetPort: 8080, name: 'http2' }]);
    expect(codes([ingressNs, gwPods, translated, gateway('istio-ingress', 'edge', GW, [{ port: 8080 }])], 'IST0162')).toEqual([]);
    expect(codes([ingressNs, gwPods, translated, gateway('istio-ingress', 'edge', GW, [{ port: 80 }])], 'IST0162')).toHaveLength(1);
  });

  test('falls back to the port for a named targetPort, and ignores UDP ports', () => {
    const named = service('istio-ingress', 'gw', GW, [{ port: 80, targetPort: 'http', name: 'http2' }, { port: 53, name: 'udp-dns', protocol: 'UDP' }]);
    expect(codes([ingressNs, gwPods, named, gateway('istio-ingress', 'edge', GW, [{ port: 80 }])], 'IST0162')).toEqual([]);
    expect(codes([ingressNs, gwPods, named, gateway('istio-ingress', 'edge', GW, [{ port: 53 }])], 'IST0162')).toHaveLength(1);
  });

  test('ignores Services in another namespace than the pods', () => {
    const elsewhere = service('apps', 'gw', GW, [{ port: 80, name: 'http2' }]);
    expect(codes([ingressNs, gwPods, elsewhere, gateway('istio-ingress', 'edge', GW, [{ port: 80 }])], 'IST0162')).toHaveLength(1);
  });

  test('uses the ports of a declared installed gateway', () => {
    const opts = { installedGateways: [ISTIO_DEFAULT_PROFILE_GATEWAY] };
    expect(codes([gateway('istio-system', 'edge', { istio: 'ingressgateway' }, [{ port: 8080 }, { port: 8443 }])], 'IST0162', opts)).toEqual([]);
    expect(codes([gateway('istio-system', 'edge', { istio: 'ingressgateway' }, [{ port: 9000 }])], 'IST0162', opts)).toHaveLength(1);
  });
});

describe('IST0101 ReferencedResourceNotFound: credentialName', () => {
  const https = gateway('apps', 'edge', GW, [{ port: 443, hosts: ['shop.example.com'], credentialName: 'shop-tls' }]);

  test('fires when the Secret is not in the namespace of the gateway pods', () => {
    const found = codes([ingressNs, gwPods, gwService, https, secret('apps', 'shop-tls')], 'IST0101');
    expect(found.map((f) => f.message)).toEqual([
      'Referenced credentialName not found: "shop-tls" (looked for Secret istio-ingress/shop-tls, in the namespace of the gateway pods).']);
    expect(found[0].fix).toMatch(/--secret istio-ingress\/shop-tls/);
  });

  test('stays quiet for a Secret in the set, or declared as existing', () => {
    expect(codes([ingressNs, gwPods, gwService, https, secret('istio-ingress', 'shop-tls')], 'IST0101')).toEqual([]);
    expect(codes([ingressNs, gwPods, gwService, https], 'IST0101', { existingSecrets: ['istio-ingress/shop-tls'] })).toEqual([]);
  });

  test('reads "<namespace>/<name>" as written', () => {
    const qualified = gateway('apps', 'edge', GW, [{ port: 443, credentialName: 'certs/shop-tls' }]);
    expect(codes([ingressNs, gwPods, gwService, qualified, secret('certs', 'shop-tls'), namespace('certs')], 'IST0101')).toEqual([]);
  });
});

describe('IST0145 ConflictingGateways', () => {
  test('fires on both Gateways when they share selector, port and a host', () => {
    const a = gateway('istio-ingress', 'a', GW, [{ port: 80, hosts: ['shop.example.com'] }]);
    const b = gateway('apps', 'b', GW, [{ port: 80, hosts: ['*.example.com'] }]);
    const found = codes([ingressNs, gwPods, gwService, a, b], 'IST0145');
    expect(found.map((f) => f.object.name).sort()).toEqual(['a', 'b']);
    expect(found.find((f) => f.object.name === 'a')!.message).toBe('Conflict with gateways apps/b (workload selector istio=ingressgateway, port 80, hosts shop.example.com).');
  });

  test('stays quiet for another port, other hosts, or another selector', () => {
    const a = gateway('istio-ingress', 'a', GW, [{ port: 80, hosts: ['shop.example.com'] }]);
    expect(codes([a, gateway('istio-ingress', 'b', GW, [{ port: 443, hosts: ['shop.example.com'] }])], 'IST0145')).toEqual([]);
    expect(codes([a, gateway('istio-ingress', 'b', GW, [{ port: 80, hosts: ['blog.example.com'] }])], 'IST0145')).toEqual([]);
    expect(codes([a, gateway('istio-ingress', 'b', { istio: 'other' }, [{ port: 80, hosts: ['shop.example.com'] }])], 'IST0145')).toEqual([]);
  });
});

describe('gateway-without-listeners', () => {
  test('fires on gateway pods that no Gateway selects', () => {
    const found = codes([ingressNs, gwPods, gwService], 'gateway-without-listeners');
    expect(found).toHaveLength(1);
    expect(found[0].object).toMatchObject({ kind: 'Deployment', namespace: 'istio-ingress', name: 'gw' });
  });

  test('stays quiet when a Gateway with servers selects them, from any namespace', () => {
    expect(codes([ingressNs, gwPods, gwService, gateway('apps', 'edge', GW, [{ port: 80 }])], 'gateway-without-listeners')).toEqual([]);
  });

  test('does not count a Gateway without servers', () => {
    expect(codes([ingressNs, gwPods, gwService, gateway('apps', 'edge', GW, [])], 'gateway-without-listeners')).toHaveLength(1);
  });
});
