// Property-based tests: generated inputs for every value the library parses or merges. Only
// SourceIpValidationError may ever escape, and every accepted value reaches the synthesized
// manifest unchanged or canonicalized as documented (docs/bad-input.md). The run counts are
// explicit; their sum is checked at the end (at least 100,000 generated inputs per `npm test`).
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  GatewayPort, GatewayPortProtocol, GatewayTopology, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget,
  SourceIpValidationError,
} from '../src';
import { mergeProxyConfig, JsonValue, PROXY_CONFIG_ANNOTATION, readProxyConfig } from '../src/private/proxy-config';
import { violationsOf } from './schema';
import { Manifest } from './util';

const RUNS = {
  ipBlockArbitraryText: 35_000,
  ipBlockIpv4: 12_000,
  ipBlockIpv6: 12_000,
  ipBlockNearMiss: 15_000,
  ipBlocksThroughPolicy: 1_500,
  gatewayTopology: 12_000,
  portsThroughGateway: 1_000,
  labelsThroughPolicy: 2_000,
  podLabelsThroughGateway: 1_000,
  podAnnotationsThroughGateway: 1_000,
  proxyConfigMerge: 10_000,
};
let generated = 0;
let acceptedCount = 0;

/** Runs a property with an explicit number of runs, counting them. */
function check<T>(name: keyof typeof RUNS, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  acceptedCount = 0;
  fc.assert(fc.property(arbitrary, predicate), { numRuns: RUNS[name], seed: 20261124 + Object.keys(RUNS).indexOf(name) });
  generated += RUNS[name];
}

/** Fails unless at least `share` of the last property's inputs were accepted (so the round-trip half is not vacuous). */
function expectAcceptedShare(name: keyof typeof RUNS, share: number): void {
  expect(acceptedCount / RUNS[name]).toBeGreaterThanOrEqual(share);
}

/** Calls `build`; the only error allowed out is a SourceIpValidationError. */
function accepted<T>(build: () => T): T | undefined {
  try {
    const value = build();
    acceptedCount++;
    return value;
  } catch (e) {
    if (!(e instanceof SourceIpValidationError)) {
      throw e;
    }
    expect(e.problems.length).toBeGreaterThan(0);
    return undefined;
  }
}

const chart = (): Chart => new Chart(new App(), 'fuzz');
const byte = fc.integer({ min: 0, max: 255 });
const hextet = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const IP_CHARS = '0123456789abcdefABCDEF.:/%[] -x'.split('');
const validIpv4Cidr = fc.tuple(fc.array(byte, { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })).map(([b, n]) => `${b.join('.')}/${n}`);
const validIpv6 = fc.tuple(fc.array(hextet, { minLength: 8, maxLength: 8 }), fc.option(fc.integer({ min: 0, max: 128 })))
  .map(([h, n]) => `${h.map((x) => x.toString(16)).join(':')}${n === null ? '' : `/${n}`}`);
/** A valid address or CIDR with one character inserted, deleted or replaced: text near the IP grammar. */
const nearIp = fc.tuple(fc.oneof(validIpv4Cidr, validIpv6, fc.constantFrom('::', '::1', '::ffff:1.2.3.4', '1.2.3.4')),
  fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'keep'), fc.constantFrom(...IP_CHARS))
  .map(([text, at, op, ch]) => {
    const i = at % (text.length + 1);
    return op === 'insert' ? text.slice(0, i) + ch + text.slice(i)
      : op === 'delete' ? text.slice(0, i) + text.slice(i + 1)
        : op === 'replace' ? text.slice(0, i) + ch + text.slice(i + 1) : text;
  });
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

function ipv4Text(bytes: readonly number[]): string {
  return bytes.join('.');
}

function maskedIpv4(bytes: readonly number[], bits: number): string {
  const value = bytes.reduce((acc, b) => acc * 256 + b, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const masked = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (masked >>> shift) & 255).join('.')}/${bits}`;
}

/** RFC 5952 text of 8 hextets, as WHATWG URL writes it (a second, independent formatter). */
function urlIpv6(hextets: readonly number[]): string {
  return new URL(`http://[${hextets.map((h) => h.toString(16)).join(':')}]/`).hostname.slice(1, -1);
}

describe('fuzzing', () => {
  afterAll(() => {
    // Printed nowhere: the total is asserted instead.
    expect(generated).toBe(Object.values(RUNS).reduce((a, b) => a + b, 0));
    expect(generated).toBeGreaterThanOrEqual(100_000);
  });

  test('IpBlock.of never throws anything but SourceIpValidationError, and what it accepts is canonical and stable', () => {
    check('ipBlockArbitraryText', fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 20 })), (text) => {
      const block = accepted(() => IpBlock.of(text));
      if (block !== undefined) {
        expect(IpBlock.of(block.toString()).toString()).toBe(block.toString());
      }
    });
  });

  test('IpBlock.of accepts text near the IP grammar only when it re-parses to itself', () => {
    check('ipBlockNearMiss', nearIp, (text) => {
      const block = accepted(() => IpBlock.of(text));
      if (block !== undefined) {
        const again = IpBlock.of(block.toString());
        expect(again.toString()).toBe(block.toString());
        expect(again.equals(block) && block.contains(again) && again.contains(block)).toBe(true);
        expect(block.toString()).toMatch(/^[0-9a-f.:]+\/[0-9]+$/);
      }
    });
    expectAcceptedShare('ipBlockNearMiss', 0.2);
  });

  test('IpBlock.of accepts every IPv4 address and CIDR, clearing host bits', () => {
    check('ipBlockIpv4', fc.tuple(fc.array(byte, { minLength: 4, maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 32 }))), ([bytes, bits]) => {
      const text = bits === null ? ipv4Text(bytes) : `${ipv4Text(bytes)}/${bits}`;
      const block = IpBlock.of(text);
      expect(block.toString()).toBe(maskedIpv4(bytes, bits ?? 32));
      expect(block.family).toBe(4);
      expect(block.hostBitsCleared).toBe(block.toString() !== (bits === null ? `${text}/32` : text));
      expect(block.contains(IpBlock.of(ipv4Text(bytes)))).toBe(true);
    });
  });

  test('IpBlock.of accepts every IPv6 address, written as RFC 5952 text', () => {
    check('ipBlockIpv6', fc.tuple(fc.array(hextet, { minLength: 8, maxLength: 8 }), fc.boolean()), ([hextets, upper]) => {
      const written = hextets.map((h) => h.toString(16)).join(':');
      const block = IpBlock.of(upper ? written.toUpperCase() : written);
      const isV4Mapped = hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
      if (!isV4Mapped) {
        // Go writes IPv4-mapped addresses as ::ffff:a.b.c.d, WHATWG URL in hex; elsewhere they agree.
        expect(block.toString()).toBe(`${urlIpv6(hextets)}/128`);
      }
      expect(IpBlock.of(block.toString()).toString()).toBe(block.toString());
      expect(block.family).toBe(6);
    });
  });

  test('blocks given to an IpAccessPolicy appear in the manifest canonicalized, in order, and pass the CRD', () => {
    const blockText = fc.oneof({ weight: 1, arbitrary: nearIp }, { weight: 4, arbitrary: validIpv4Cidr }, { weight: 4, arbitrary: validIpv6 });
    check('ipBlocksThroughPolicy', fc.array(blockText, { minLength: 0, maxLength: 5 }), (texts) => {
      const c = chart();
      const built = accepted(() => new IpAccessPolicy(c, 'p', {
        // Verbatim, so the order is the input's (the minimal cover has its own tests in cidr-set.test.ts).
        target: PolicyTarget.labels({ app: 'fuzz' }), action: IpAccessAction.DENY, remoteIpBlocks: IpBlock.ofAll(texts), reduceIpBlocks: false,
      }));
      if (built !== undefined) {
        const policy = Testing.synth(c)[0];
        expect(policy.spec.rules[0].from[0].source.remoteIpBlocks).toEqual(texts.map((t) => IpBlock.of(t).toString()));
        expect(violationsOf([policy])).toEqual([]);
      }
    });
    expectAcceptedShare('ipBlocksThroughPolicy', 0.2);
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

  test('generates at least 100,000 inputs per run', () => {
    expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100_000);
  });
});
