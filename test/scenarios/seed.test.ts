import { App, Testing } from 'cdk8s';
import { explainIngressGateways, InterceptionMode, tryItSteps, Warnings } from '../../src';
import { SeedScenario } from '../../src/seed';
import { Manifest, only } from '../util';

function seed(): { app: App; objects: Manifest[] } {
  const app = new App({ outdir: 'dist' });
  const chart = new SeedScenario(app, 'source-ip');
  return { app, objects: Testing.synth(chart) };
}

describe('the seed article\'s cluster (GKE, passthrough load balancer)', () => {
  test('matches the snapshot', () => {
    expect(seed().objects).toMatchSnapshot();
  });

  test('creates every namespace it uses, both labelled for injection (the gateway pods ask for it by their own label)', () => {
    const { objects } = seed();
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => [n.metadata.name, n.metadata.labels ?? {}])).toEqual([
      ['istio-ingress', { 'istio-injection': 'enabled' }],
      ['demo', { 'istio-injection': 'enabled' }],
    ]);
    const used = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
    expect([...used].sort()).toEqual(['demo', 'istio-ingress']);
  });

  test('1. the gateway lives in its own namespace, never as istioctl\'s istio-ingressgateway, with externalTrafficPolicy Local from the edge', () => {
    const service = only(seed().objects, 'Service', 'ingress-gateway');
    expect(service.metadata.namespace).toBe('istio-ingress');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.externalTrafficPolicy).toBe('Local');
    expect(seed().objects.some((o) => o.metadata?.name === 'istio-ingressgateway' || o.metadata?.namespace === 'istio-system')).toBe(false);
  });

  test('the gateway trusts no proxy and expects no PROXY header: GKE\'s passthrough load balancer sends none', () => {
    const gateway = only(seed().objects, 'Deployment', 'ingress-gateway');
    expect(JSON.parse(gateway.spec.template.metadata.annotations['proxy.istio.io/config'])).toEqual({ gatewayTopology: { numTrustedProxies: 0 } });
    expect(gateway.spec.template.spec.containers[0].env).toBeUndefined();
  });

  test('the gateway is production-shaped: 2 spread pods with requests and limits, and a PodDisruptionBudget', () => {
    const { objects } = seed();
    const gateway = only(objects, 'Deployment', 'ingress-gateway');
    expect(gateway.spec.replicas).toBe(2);
    expect(gateway.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } });
    expect(only(objects, 'PodDisruptionBudget').spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: 'ingress-gateway', istio: 'ingress-gateway' } } });
  });

  test('2. echo-server runs 2 replicas with TPROXY in the meshed namespace, on a port named for its protocol, with a sleep client beside it', () => {
    const { objects } = seed();
    const deployment = only(objects, 'Deployment', 'echo-server');
    expect(deployment.metadata.namespace).toBe('demo');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.metadata.annotations['sidecar.istio.io/interceptionMode']).toBe('TPROXY');
    expect(only(objects, 'Service', 'echo-server').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(only(objects, 'Deployment', 'sleep').metadata.namespace).toBe('demo');
  });

  test('3. a Gateway on the gateway pods\' port 80 and a VirtualService route / to echo-server', () => {
    const { objects } = seed();
    expect(only(objects, 'Gateway').spec).toEqual({
      selector: { app: 'ingress-gateway', istio: 'ingress-gateway' },
      servers: [{ port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['*'] }],
    });
    expect(only(objects, 'VirtualService').spec).toEqual({
      hosts: ['*'],
      gateways: ['demo/echo'],
      http: [{ match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'echo-server.demo.svc.cluster.local', port: { number: 80 } } }] }],
    });
  });

  test('4. the DENY policy for 2.2.2.0/24 sits at the gateway on ipBlocks, the field that sees the client behind a passthrough load balancer', () => {
    const policy = only(seed().objects, 'AuthorizationPolicy', 'ingress-policy');
    expect(policy.metadata.namespace).toBe('istio-ingress');
    expect(policy.spec).toEqual({
      action: 'DENY',
      selector: { matchLabels: { app: 'ingress-gateway', istio: 'ingress-gateway' } },
      rules: [{ from: [{ source: { ipBlocks: ['2.2.2.0/24'] } }] }],
    });
  });

  test('5. the DestinationRule targets echo-server\'s real host and hashes on the client address the gateway trusts', () => {
    const rule = only(seed().objects, 'DestinationRule');
    expect(rule.metadata.namespace).toBe('demo');
    expect(rule.spec).toEqual({ host: 'echo-server.demo.svc.cluster.local', trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true } } } });
  });

  test('the described path is sound: the gateway sees the client, and a forged X-Forwarded-For changes nothing', () => {
    const { app } = seed();
    const [entry] = explainIngressGateways(app, { app: { name: 'echo-server', interceptionMode: InterceptionMode.TPROXY } });
    expect(entry.result.assumed).toBe(false);
    expect(entry.result.findings).toEqual([]);
    expect(entry.result.normal.trustedAddress).toBe(entry.result.path.client);
    expect(entry.result.spoofed.trustedAddress).toBe(entry.result.path.client);
    expect(entry.result.ipBlocksSeesClient).toBe(true);
    // What the "try it" steps tell a user with a cluster to look for.
    expect(tryItSteps(entry.result, { eastWest: { namespace: 'demo', interceptionMode: InterceptionMode.TPROXY } }).map((s) => s.expect)).toEqual([
      ['client_address=<a gateway pod IP>', 'x-forwarded-for=<your address>', 'x-envoy-external-address=<your address>'],
      ['client_address=<a gateway pod IP>', 'x-forwarded-for=198.51.100.66, <your address>', 'x-envoy-external-address=<your address>'],
      ['client_address=<the sleep pod IP>', '(no x-forwarded-for)', '(no x-envoy-external-address)'],
    ]);
  });

  test('reports what is still risky', () => {
    const { app } = seed();
    expect(Warnings.collect(app).map((w) => `${w.path} ${w.id}`)).toEqual([
      'source-ip/echo/Resource tproxy-runs-as-root',
      'source-ip/ingress-policy ip-block-host-bits',
    ]);
  });
});
