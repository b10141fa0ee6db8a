import { App, Testing } from 'cdk8s';
import { Warnings } from '../../src';
import { SeedScenario } from '../../src/seed';
import { Manifest, only } from '../util';

function seed(): { app: App; objects: Manifest[] } {
  const app = new App({ outdir: 'dist' });
  const chart = new SeedScenario(app, 'source-ip');
  return { app, objects: Testing.synth(chart) };
}

describe('the seed article\'s scenario', () => {
  test('matches the snapshot', () => {
    expect(seed().objects).toMatchSnapshot();
  });

  test('1. the gateway Service keeps the client address with externalTrafficPolicy Local', () => {
    const service = only(seed().objects, 'Service', 'istio-ingressgateway');
    expect(service.metadata.namespace).toBe('istio-system');
    expect(service.spec.externalTrafficPolicy).toBe('Local');
  });

  test('2. echo-server in default uses TPROXY interception on its pod template', () => {
    const deployment = only(seed().objects, 'Deployment', 'echo-server');
    expect(deployment.metadata.namespace).toBe('default');
    expect(deployment.spec.template.metadata.annotations['sidecar.istio.io/interceptionMode']).toBe('TPROXY');
  });

  test('3 and 4. numTrustedProxies 2 and PROXY protocol share one ProxyConfig annotation', () => {
    const gateway = only(seed().objects, 'Deployment', 'istio-ingressgateway');
    expect(JSON.parse(gateway.spec.template.metadata.annotations['proxy.istio.io/config']))
      .toEqual({ gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {} } });
  });

  test('5. the DENY policy ingress-policy matches 2.2.2.0/24 on the gateway', () => {
    const policy = only(seed().objects, 'AuthorizationPolicy', 'ingress-policy');
    expect(policy.metadata.namespace).toBe('istio-system');
    expect(policy.spec).toEqual({
      action: 'DENY',
      selector: { matchLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
      rules: [{ from: [{ source: { remoteIpBlocks: ['2.2.2.0/24'] } }] }],
    });
  });

  test('5. the DestinationRule hashes requests to example-service on x-forwarded-for', () => {
    const rule = only(seed().objects, 'DestinationRule');
    expect(rule.spec).toEqual({ host: 'example-service', trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-forwarded-for' } } } });
  });

  test('reports what is risky about the article\'s choices', () => {
    const { app } = seed();
    expect(Warnings.collect(app).map((w) => `${w.path} ${w.id}`)).toEqual([
      'source-ip/echo-server tproxy-runs-as-root',
      'source-ip/example-destination-rule consistent-hash-on-xff',
      'source-ip/example-destination-rule consistent-hash-with-locality-lb',
      'source-ip/ingress-policy ip-block-host-bits',
    ]);
  });
});
