import * as fc from 'fast-check';
import { ANALYSIS_RULES, analyzeManifests, formatFinding } from '../../../src/validation/analyze';
import { validationErrorOf } from '../../util';
import {
  authorizationPolicy, codes, deployment, destinationRule, gateway, gatewayDeployment, namespace, route, service,
} from './manifests';

const GW = { istio: 'ingressgateway' };

/** A client-IP path that should pass every rule: gateway, route, meshed TPROXY app, policy, DR. */
function workingPath(): unknown[] {
  return [
    namespace('istio-ingress', { 'istio-injection': 'enabled' }),
    namespace('apps', { 'istio-injection': 'enabled' }),
    gatewayDeployment('istio-ingress', 'gateway', GW, { 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":0}}' }),
    service('istio-ingress', 'gateway', GW, [{ port: 15021, name: 'status-port' }, { port: 80, name: 'http2' }], { type: 'LoadBalancer', labels: { istio: 'ingressgateway' } }),
    gateway('istio-ingress', 'edge', GW, [{ port: 80, hosts: ['*'] }]),
    route('apps', 'echo', ['istio-ingress/edge'], 'echo-server', 80),
    deployment('apps', 'echo-server', { labels: { app: 'echo-server' }, annotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' } }),
    service('apps', 'echo-server', { app: 'echo-server' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
    deployment('apps', 'sleep', { labels: { app: 'sleep' } }),
    authorizationPolicy('istio-ingress', 'deny', { selector: { matchLabels: GW }, action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['2.2.2.0/24'] } }] }] }),
    destinationRule('apps', 'echo', 'echo-server.apps.svc.cluster.local'),
  ];
}

describe('analyzeManifests', () => {
  test('finds nothing on a working client-IP path', () => {
    expect(analyzeManifests(workingPath())).toEqual([]);
  });

  test('sorts errors first, then by object and code, and prints them like istioctl', () => {
    // GIVEN the working path with three things broken
    const docs = workingPath().filter((d) => (d as { kind: string }).kind !== 'Namespace' || (d as { metadata: { name: string } }).metadata.name !== 'apps');
    docs.push(destinationRule('default', 'stale', 'example-service'), service('apps', 'unnamed', { app: 'x' }, [{ port: 80 }]));
    // WHEN
    const found = analyzeManifests(docs);
    // THEN
    expect(found.map((f) => [f.level, f.code, f.object.kind])).toEqual([
      ['Error', 'tproxy-not-injected', 'Deployment'],
      ['Error', 'namespace-missing', 'VirtualService'],
      ['Warning', 'IST0174', 'DestinationRule'],
      ['Info', 'IST0118', 'Service'],
    ]);
    expect(found.map(formatFinding)).toMatchSnapshot();
  });

  test('reads the items of a kind: List', () => {
    expect(codes([{ apiVersion: 'v1', kind: 'List', items: [deployment('nowhere', 'x')] }], 'namespace-missing')).toHaveLength(1);
  });

  test('reports documents that are not objects, and skips empty ones', () => {
    const found = analyzeManifests([null, 'text', { kind: 'ConfigMap' }, undefined]);
    expect(found.map((f) => [f.code, f.object.name])).toEqual([['not-a-manifest', 'document 1'], ['not-a-manifest', 'document 2']]);
    expect(found[1].message).toMatch(/an object without apiVersion/);
  });

  test('drops findings an object suppresses with galley.istio.io/analyze-suppress', () => {
    const dr = destinationRule('default', 'stale', 'example-service') as { metadata: Record<string, unknown> };
    dr.metadata.annotations = { 'galley.istio.io/analyze-suppress': 'IST0118, IST0174' };
    expect(analyzeManifests([dr])).toEqual([]);
    dr.metadata.annotations = { 'galley.istio.io/analyze-suppress': 'IST0118' };
    expect(analyzeManifests([dr]).map((f) => f.code)).toEqual(['IST0174']);
  });

  test('never throws on arbitrary documents, and reports only known codes', () => {
    const kinds = ['Namespace', 'Service', 'Deployment', 'Pod', 'CronJob', 'Gateway', 'VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'ServiceEntry', 'Secret', 'List'];
    const doc = fc.oneof(
      fc.anything(),
      fc.record({
        apiVersion: fc.constantFrom('v1', 'apps/v1', 'batch/v1', 'networking.istio.io/v1', 'security.istio.io/v1'),
        kind: fc.constantFrom(...kinds),
        metadata: fc.oneof(fc.anything(), fc.record({ name: fc.string(), namespace: fc.anything(), labels: fc.anything(), annotations: fc.anything() })),
        spec: fc.anything(),
        items: fc.anything(),
      }),
    );
    const known = new Set(ANALYSIS_RULES.map((r) => r.code));
    fc.assert(fc.property(fc.array(doc, { maxLength: 8 }), (docs) => {
      const found = analyzeManifests(docs);
      expect(found.every((f) => known.has(f.code))).toBe(true);
    }), { numRuns: 500, seed: 424242 });
  });

  test('fails if docs is not a list', () => {
    expect(validationErrorOf(() => analyzeManifests('dist' as unknown as unknown[])).message).toMatch(/'docs' must be a list of parsed manifests, got "dist"/);
  });

  test('fails if an option is malformed, naming each one', () => {
    const error = validationErrorOf(() => analyzeManifests([], {
      existingNamespaces: ['apps'] as never,
      existingSecrets: ['shop-tls'],
      installedGateways: [{ name: 'gw', namespace: 'istio-system', labels: {}, ports: [{ port: 0 }] }],
      rootNamespace: '',
    }));
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/'existingNamespaces\[0\]' must be \{ name: string.*got "apps"/);
    expect(error.message).toMatch(/'existingSecrets\[0\]' must be "<namespace>\/<name>", got "shop-tls"/);
    expect(error.message).toMatch(/'installedGateways\[0\]' must be/);
    expect(error.message).toMatch(/'rootNamespace' must be a namespace name/);
  });
});
