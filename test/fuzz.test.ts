// Property-based tests of the values and constructs the library merges into manifests (topology,
// ports, labels, annotations, the ProxyConfig annotation): only SourceIpValidationError may ever
// escape, and every accepted value reaches the manifest unchanged or canonicalized as documented
// (docs/bad-input.md). Run counts and helpers: fuzz-support.ts; fuzz-ip.test.ts and
// fuzz-api.test.ts hold the rest.
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { GatewayPort, GatewayPortProtocol, GatewayTopology, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget } from '../src';
import { mergeProxyConfig, JsonValue, PROXY_CONFIG_ANNOTATION, readProxyConfig } from '../src/private/proxy-config';
import { accepted, check, expectAcceptedShare, expectAllRan, RUNS } from './fuzz-support';
import { violationsOf } from './schema';
import { Manifest } from './util';

const chart = (): Chart => new Chart(new App(), 'fuzz');
const LABEL_CHARS = 'abcAZ09-_./*'.split('');
/** Mostly valid label keys and values, sometimes anything from a troublesome alphabet. */
const labelName = fc.stringMatching(/^[a-z0-9]([-a-zA-Z0-9_.]{0,8}[a-z0-9])?$/);
const labelText = fc.oneof(
  { weight: 6, arbitrary: labelName },
  { weight: 2, arbitrary: fc.tuple(fc.stringMatching(/^[a-z]{1,6}(\.[a-z]{2,3})?$/), labelName).map(([p, n]) => `${p}/${n}`) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...LABEL_CHARS), maxLength: 70 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
);
const labelMap = fc.dictionary(labelText, fc.oneof({ weight: 3, arbitrary: labelName }, { weight: 1, arbitrary: labelText }, { weight: 1, arbitrary: fc.constant('') }), { maxKeys: 4 });

describe('fuzzing', () => {
  afterAll(() => {
    expectAllRan(['gatewayTopology', 'portsThroughGateway', 'labelsThroughPolicy', 'podLabelsThroughGateway', 'podAnnotationsThroughGateway', 'proxyConfigMerge']);
  });

  test('GatewayTopology takes any whole numTrustedProxies in range and refuses the rest with a typed error', () => {
    const anyNumber = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.double(), fc.constant(4294967295), fc.constant(4294967296), fc.integer());
    check('gatewayTopology', fc.record({ numTrustedProxies: fc.option(anyNumber, { nil: undefined }), proxyProtocol: fc.option(fc.boolean(), { nil: undefined }) }), (props) => {
      const topology = accepted(() => GatewayTopology.of(props));
      const n = props.numTrustedProxies;
      expect(topology !== undefined).toBe(n === undefined || (Number.isInteger(n) && n >= 0 && n <= 4294967295));
      if (topology !== undefined) {
        expect(topology._render()).toEqual({ numTrustedProxies: n ?? 0, ...(props.proxyProtocol === true ? { proxyProtocol: {} } : {}) });
      }
    });
  });

  test('gateway ports appear in the Service unchanged, with the documented defaults filled in', () => {
    const port = fc.record({
      name: fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z]([-a-z0-9]{0,12}[a-z0-9])?$/) },
        { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ab9-_A'.split('')), maxLength: 17 }) }),
      port: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 70000 }) }),
      targetPort: fc.option(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 65536 }) }), { nil: undefined }),
      protocol: fc.option(fc.constantFrom(GatewayPortProtocol.TCP, GatewayPortProtocol.TCP, GatewayPortProtocol.UDP, 'SCTP' as GatewayPortProtocol), { nil: undefined }),
    }, { requiredKeys: ['name', 'port'] });
    check('portsThroughGateway', fc.array(port, { minLength: 0, maxLength: 4 }), (ports: GatewayPort[]) => {
      const c = chart();
      const gateway = accepted(() => new IngressGateway(c, 'gw', { ports }));
      if (gateway !== undefined) {
        const service = Testing.synth(c).find((o) => o.kind === 'Service') as Manifest;
        expect(service.spec.ports).toEqual(ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port })));
      }
    });
    expectAcceptedShare('portsThroughGateway', 0.2);
  });

  test('label maps given to PolicyTarget.labels appear in matchLabels unchanged, and never break a CRD rule', () => {
    check('labelsThroughPolicy', labelMap, (labels) => {
      const c = chart();
      const built = accepted(() => new IpAccessPolicy(c, 'p', { target: PolicyTarget.labels(labels), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.anyIpv4()] }));
      const entries = Object.entries(labels);
      if (entries.some(([k, v]) => k.includes('*') || v.includes('*') || k === '') || entries.length === 0) {
        expect(built).toBeUndefined();
      }
      if (built !== undefined) {
        const policy = Testing.synth(c)[0];
        expect(policy.spec.selector.matchLabels).toEqual(labels);
        expect(violationsOf([policy])).toEqual([]);
      }
    });
    expectAcceptedShare('labelsThroughPolicy', 0.1);
  });

  test('pod labels given to an IngressGateway all reach the pod template', () => {
    check('podLabelsThroughGateway', labelMap, (podLabels) => {
      const c = chart();
      const gateway = accepted(() => new IngressGateway(c, 'gw', { podLabels }));
      if (gateway !== undefined) {
        const deployment = Testing.synth(c).find((o) => o.kind === 'Deployment') as Manifest;
        expect(deployment.spec.template.metadata.labels).toEqual({ ...podLabels, ...gateway.selectorLabels, 'sidecar.istio.io/inject': 'true' });
      }
    });
    expectAcceptedShare('podLabelsThroughGateway', 0.2);
  });

  test('pod annotations given to an IngressGateway all reach the pod template, the ProxyConfig merged', () => {
    const proxyConfig = fc.oneof(
      fc.constant('{"concurrency":2}'),
      fc.constant('gatewayTopology: {numTrustedProxies: 1}'),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 12 }),
    );
    const annotations = fc.record({
      user: fc.dictionary(fc.oneof(labelText, fc.constantFrom('example.com/a', 'team')), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
      proxy: fc.option(proxyConfig, { nil: undefined }),
    });
    check('podAnnotationsThroughGateway', annotations, ({ user, proxy }) => {
      const podAnnotations: Record<string, string> = { ...user };
      delete podAnnotations[PROXY_CONFIG_ANNOTATION];
      delete podAnnotations['inject.istio.io/templates'];
      if (proxy !== undefined) {
        podAnnotations[PROXY_CONFIG_ANNOTATION] = proxy;
      }
      const c = chart();
      const gateway = accepted(() => new IngressGateway(c, 'gw', { podAnnotations }));
      if (gateway !== undefined) {
        const pod = (Testing.synth(c).find((o) => o.kind === 'Deployment') as Manifest).spec.template.metadata.annotations;
        const merged = mergeProxyConfig(proxy, { gatewayTopology: { numTrustedProxies: 0 } });
        expect(merged.ok).toBe(true);
        expect(pod).toEqual({ ...podAnnotations, 'inject.istio.io/templates': 'gateway', [PROXY_CONFIG_ANNOTATION]: merged.ok ? merged.text : '' });
      }
    });
    expectAcceptedShare('podAnnotationsThroughGateway', 0.2);
  });

  test('mergeProxyConfig keeps every existing field, adds the patch, and reports each conflict naming both values', () => {
    const config = fc.dictionary(fc.constantFrom('concurrency', 'gatewayTopology', 'interceptionMode', 'x', 'tracing'),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.constantFrom('numTrustedProxies', 'proxyProtocol', 'y'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })),
      { maxKeys: 4 });
    const patch = fc.record({ numTrustedProxies: fc.integer({ min: 0, max: 3 }), proxyProtocol: fc.option(fc.constant({}), { nil: undefined }) });
    check('proxyConfigMerge', fc.tuple(fc.oneof(config.map((c) => JSON.stringify(c)), fc.string({ maxLength: 15 })), patch), ([existing, topology]) => {
      const gatewayTopology = JSON.parse(JSON.stringify(topology)) as Record<string, JsonValue>;
      const result = mergeProxyConfig(existing, { gatewayTopology });
      if (!result.ok) {
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) {
          expect(problem).toMatch(/already sets .* to .*, and this construct would set |cannot be read|' must be |same ProxyConfig field|are alternatives/);
        }
        return;
      }
      expect(JSON.parse(result.text)).toEqual(result.config);
      // Fields compare in the canonical form Istio reads them to ("2" and 2 are one value).
      const reading = existing.trim().startsWith('{') ? readProxyConfig(existing) : undefined;
      const parsed = reading?.ok === true ? reading.config : undefined;
      if (parsed !== undefined) {
        for (const [key, value] of Object.entries(parsed)) {
          if (key !== 'gatewayTopology') {
            expect(result.config[key]).toEqual(value);
          }
        }
        // Maps merge field by field: both the user's fields and the patch's are there.
        expect(result.config.gatewayTopology).toMatchObject(gatewayTopology);
        const before = parsed.gatewayTopology;
        if (before !== null && typeof before === 'object' && !Array.isArray(before)) {
          expect(result.config.gatewayTopology).toMatchObject(before);
        }
      }
    });
  });

  test('generates at least 100,000 inputs per run, over all fuzz files', () => {
    expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100_000);
  });
});
