// cspell:ignore ALLOWW dont
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  ClientAffinity, ConsistentHash, ExternalTrafficPolicy, ForwardClientCertDetails, GatewayServiceType, GatewayTopology,
  HashAlgorithm, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, LoadBalancer, PolicyTarget, SimpleLb, SourceIpValidationError,
} from '../../src';
import { SeedScenario } from '../../src/seed';
import { IstioVersion, networkingApiVersion } from '../../src/istio-version';
import { CrdSchemaSet, CrdSchemaValidator, validateManifests } from '../../src/validation';
import { closeSchema } from '../../src/validation/close-schema';
import * as schemaSets from '../../src/validation/schema-sets';
import { exampleFiles, runExample } from '../run-example';
import { formatViolations, istioObjects, validator, violationsOf } from '../schema';
import { PRECOMPILED_ENV } from '../setup/precompiled';
import { Manifest } from '../util';

/** A chart that uses every option of every construct that writes an Istio object. */
function everyOption(): Chart {
  const chart = new Chart(new App(), 'every-option', { namespace: 'edge' });
  const gateway = new IngressGateway(chart, 'gateway', {
    topology: GatewayTopology.of({ numTrustedProxies: 1, proxyProtocol: true, forwardClientCertDetails: ForwardClientCertDetails.SANITIZE }),
    externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER,
  });
  new IngressGateway(chart, 'internal', { name: 'internal-gateway', serviceType: GatewayServiceType.CLUSTER_IP });
  const policy = new IpAccessPolicy(chart, 'allow', {
    target: PolicyTarget.gateway(gateway),
    action: IpAccessAction.ALLOW,
    remoteIpBlocks: IpBlock.ofAll(['203.0.113.0/24', '2001:db8::/48']),
    notRemoteIpBlocks: [IpBlock.of('203.0.113.7')],
  });
  policy.addRule({ ipBlocks: [IpBlock.anyIpv4()], notIpBlocks: [IpBlock.of('10.0.0.0/8')] });
  new IpAccessPolicy(chart, 'deny', { target: PolicyTarget.labels({ app: 'api', 'example.com/tier': 'web' }), action: IpAccessAction.DENY, ipBlocks: [IpBlock.anyIpv6()] });
  IpAccessPolicy.allowNothing(chart, 'nothing', { target: PolicyTarget.labels({ app: 'a' }) });
  IpAccessPolicy.allowAll(chart, 'all', { target: PolicyTarget.labels({ app: 'b' }), name: 'all-allowed' });
  IpAccessPolicy.denyAll(chart, 'none', { target: PolicyTarget.labels({ app: 'c' }), namespace: 'other' });
  const hashes = [
    ConsistentHash.sourceIp(), ConsistentHash.header('X-User'), ConsistentHash.queryParameter('user'),
    ConsistentHash.cookie({ name: 'session', path: '/', ttl: Duration.hours(1) }), ConsistentHash.cookie({ name: 'plain' }),
  ];
  const algorithms = [undefined, HashAlgorithm.ringHash(), HashAlgorithm.ringHash(2048), HashAlgorithm.maglev(), HashAlgorithm.maglev(131071)];
  hashes.forEach((hash, i) => algorithms.forEach((algorithm, j) => new ClientAffinity(chart, `hash-${i}-${j}`, {
    host: `svc-${i}-${j}`, loadBalancer: LoadBalancer.consistentHash(hash, algorithm), localityLoadBalancing: j % 2 === 0 ? false : undefined,
  })));
  Object.values(SimpleLb).forEach((lb) => new ClientAffinity(chart, `simple-${lb.toLowerCase().replace(/_/g, '-')}`, {
    host: 'echo.default.svc.cluster.local', loadBalancer: LoadBalancer.simple(lb), localityLoadBalancing: true, namespace: 'default',
  }));
  return chart;
}

function expectValid(objects: readonly Manifest[]): void {
  expect(formatViolations(violationsOf(objects))).toEqual([]);
}

const policy = (spec: Manifest): Manifest => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'ns' }, spec });
const rule = (spec: Manifest): Manifest => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r' }, spec });
const lb = (loadBalancer: Manifest): Manifest => rule({ host: 'echo', trafficPolicy: { loadBalancer } });
const messages = (obj: Manifest): string[] => violationsOf([obj]).map((v) => `${v.path}: ${v.message}`);

describe('CrdSchemaValidator', () => {
  test('knows every kind of the pinned CRD files, from the shipped schema files', () => {
    expect(validator.sources).toEqual(['crd-all.gen-1.30.3.yaml', 'standard-crds-v1.5.1.yaml']);
    expect(validator.kinds).toEqual(expect.arrayContaining([
      'security.istio.io/v1/AuthorizationPolicy', 'networking.istio.io/v1/DestinationRule', 'networking.istio.io/v1/Gateway',
    ]));
    expect(validator.kinds.filter((k) => k.includes('.istio.io/'))).toHaveLength(33);
  });

  test('leaves kinds of API groups the CRDs do not define alone', () => {
    expect(validator.handles({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBe(false);
    expect(validator.handles({ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator' })).toBe(false);
    expect(violationsOf([{ apiVersion: 'v1', kind: 'Service', spec: { bogus: true } }])).toEqual([]);
  });

  test('fails on a version or kind of a known API group that the CRDs do not serve, as the API server would', () => {
    const v2 = { apiVersion: 'security.istio.io/v2', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'ns' } };
    const plural = { apiVersion: 'networking.istio.io/v1', kind: 'Gateways', metadata: { name: 'g' } };
    expect(validator.handles(v2)).toBe(true);
    expect(violationsOf([v2, plural]).map((v) => `${v.object} ${v.path} [${v.rule}]: ${v.message.replace(/\. Fix: .*/, '')}`)).toEqual([
      'AuthorizationPolicy/ns/p /apiVersion [CRD served versions]: no matches for kind "AuthorizationPolicy" in version "security.istio.io/v2" in crd-all.gen-1.30.3.yaml: '
      + 'it serves AuthorizationPolicy as security.istio.io/v1, security.istio.io/v1beta1',
      'Gateways/g /apiVersion [CRD served versions]: no matches for kind "Gateways" in version "networking.istio.io/v1" in crd-all.gen-1.30.3.yaml: it has no Gateways in networking.istio.io',
    ]);
  });

  test('the seed scenario validates with zero violations', () => {
    const objects = Testing.synth(new SeedScenario(new App(), 'source-ip'));
    expect(istioObjects(objects).map((o) => o.kind).sort()).toEqual(['AuthorizationPolicy', 'DestinationRule', 'EnvoyFilter', 'Gateway', 'Telemetry', 'Telemetry', 'VirtualService']);
    expectValid(objects);
  });

  test('a chart using every construct option validates with zero violations', () => {
    const objects = Testing.synth(everyOption());
    expect(istioObjects(objects)).toHaveLength(5 + 25 + 4);
    expectValid(objects);
  });

  test.each(exampleFiles())('example %s validates with zero violations', (file) => {
    const { objects } = runExample(file);
    expect(objects.length).toBeGreaterThan(0);
    expectValid(objects);
  });

  test('fails on an unknown field, as kubectl strict field validation does', () => {
    expect(messages(policy({ action: 'DENY', rules: [{ from: [{ source: { remoteIPBlocks: ['1.2.3.4'] } }] }] })))
      .toEqual(['/spec/rules/0/from/0/source: unknown field "remoteIPBlocks"']);
    expect(messages(policy({ action: 'DENY', typo: 1 }))).toEqual(['/spec: unknown field "typo"']);
  });

  test('fails on an object without metadata.name, which the API server rejects', () => {
    const unnamed = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { namespace: 'ns' }, spec: { action: 'DENY', rules: [{}] } };
    expect(messages(unnamed)).toEqual([expect.stringMatching(/^\/metadata: .*name/)]);
  });

  test('fails on a value outside an enum', () => {
    expect(messages(policy({ action: 'ALLOWW' }))).toEqual(['/spec/action: must be one of "ALLOW", "DENY", "AUDIT", "CUSTOM"']);
    expect(messages(lb({ simple: 'FASTEST' }))).toEqual([
      expect.stringMatching(/^\/spec\/trafficPolicy\/loadBalancer\/simple: must be one of "UNSPECIFIED", "LEAST_CONN", "RANDOM"/),
    ]);
  });

  test('fails on a wrong type', () => {
    expect(messages(lb({ consistentHash: { maglev: { tableSize: 'big' } } }))).toEqual([
      expect.stringMatching(/^\/spec\/trafficPolicy\/loadBalancer\/consistentHash\/maglev\/tableSize: must be integer/),
    ]);
  });

  test('fails on the DestinationRule load balancer oneOf: simple and consistentHash', () => {
    expect(messages(lb({ simple: 'RANDOM', consistentHash: { useSourceIp: true } })))
      .toEqual(['/spec/trafficPolicy/loadBalancer: set at most one of simple, consistentHash, got simple and consistentHash']);
  });

  test('fails on the consistentHash oneOf: two hash keys', () => {
    expect(messages(lb({ consistentHash: { useSourceIp: true, httpHeaderName: 'x-user' } }))).toEqual([
      '/spec/trafficPolicy/loadBalancer/consistentHash: set at most one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName, got httpHeaderName and useSourceIp',
    ]);
  });

  test('fails on the consistentHash oneOf: ringHash and maglev', () => {
    expect(messages(lb({ consistentHash: { useSourceIp: true, ringHash: {}, maglev: { tableSize: 65537 } } })))
      .toEqual(['/spec/trafficPolicy/loadBalancer/consistentHash: set at most one of ringHash, maglev, got ringHash and maglev']);
  });

  test('fails on a cookie without a name (required)', () => {
    expect(messages(lb({ consistentHash: { httpCookie: { path: '/' } } }))).toEqual([
      expect.stringMatching(/^\/spec\/trafficPolicy\/loadBalancer\/consistentHash\/httpCookie: must have required property 'name'/),
    ]);
  });

  describe('CEL rules of AuthorizationPolicy (istio.md 4c)', () => {
    test('fails with more than one of selector, targetRef and targetRefs', () => {
      expect(messages(policy({ selector: { matchLabels: { app: 'a' } }, targetRefs: [{ kind: 'Gateway', name: 'g' }] })))
        .toEqual(['/spec: only one of targetRefs or selector can be set']);
      expect(messages(policy({ targetRef: { kind: 'Gateway', name: 'g' }, targetRefs: [{ kind: 'Gateway', name: 'g' }] })))
        .toEqual(['/spec: only one of targetRefs or selector can be set']);
    });

    test('fails on a wildcard in a matchLabels key', () => {
      expect(messages(policy({ selector: { matchLabels: { 'app*': 'a' } } }))).toEqual(['/spec/selector/matchLabels: wildcard not allowed in label key match']);
    });

    test('fails on an empty matchLabels key', () => {
      expect(messages(policy({ selector: { matchLabels: { '': 'a' } } }))).toEqual(['/spec/selector/matchLabels: key must not be empty']);
    });

    test('fails on a wildcard in a matchLabels value', () => {
      expect(messages(policy({ selector: { matchLabels: { app: 'a*' } } }))).toEqual(['/spec/selector/matchLabels/app: wildcard not allowed in label value match']);
    });

    test.each([
      [{ serviceAccounts: ['ns/sa'], principals: ['cluster.local/ns/ns/sa/sa'] }],
      [{ serviceAccounts: ['ns/sa'], namespaces: ['ns'] }],
      [{ notServiceAccounts: ['ns/sa'], notPrincipals: ['x'] }],
      [{ notServiceAccounts: ['ns/sa'], notNamespaces: ['x'] }],
    ])('fails on serviceAccounts with principals or namespaces: %j', (source) => {
      expect(messages(policy({ rules: [{ from: [{ source }] }] })))
        .toEqual(['/spec/rules/0/from/0/source: Cannot set serviceAccounts with namespaces or principals']);
    });

    test('accepts serviceAccounts alone', () => {
      expect(messages(policy({ rules: [{ from: [{ source: { serviceAccounts: ['ns/sa'] } }] }] }))).toEqual([]);
    });

    test('fails on a cross-namespace targetRef or targetRefs entry', () => {
      expect(messages(policy({ targetRef: { kind: 'Gateway', name: 'g', namespace: 'other' } })))
        .toEqual(['/spec/targetRef/namespace: cross namespace referencing is not currently supported']);
      expect(messages(policy({ targetRefs: [{ kind: 'Gateway', name: 'g', namespace: 'other' }] })))
        .toEqual(['/spec/targetRefs/0/namespace: cross namespace referencing is not currently supported']);
    });
  });

  describe('CEL rules of DestinationRule', () => {
    test('fails on a wildcard in workloadSelector matchLabels', () => {
      expect(messages(rule({ host: 'echo', workloadSelector: { matchLabels: { app: '*' } } })))
        .toEqual(['/spec/workloadSelector/matchLabels/app: wildcard not allowed in label value match']);
    });

    test('fails on a duration below 1ms (integers and durations reach CEL typed)', () => {
      expect(messages(rule({ host: 'echo', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '0s', maxConnections: 5 } } } })))
        .toEqual(['/spec/trafficPolicy/connectionPool/tcp/connectTimeout: must be a valid duration greater than 1ms']);
    });
  });

  test('reports every violation of every object, naming each object', () => {
    const violations = violationsOf([policy({ action: 'ALLOWW', selector: { matchLabels: { app: 'a*' } } }), lb({ simple: 'RANDOM', consistentHash: {} })]);
    expect(violations.map((v) => [v.object, v.name, v.rule])).toEqual([
      ['AuthorizationPolicy/ns/p', 'p', 'openAPIV3Schema:enum'],
      ['AuthorizationPolicy/ns/p', 'p', 'x-kubernetes-validations: !self.contains("*")'],
      ['DestinationRule/r', 'r', 'openAPIV3Schema:oneOf'],
    ]);
  });

  test('closeSchema refuses unknown fields except where the CRD preserves them', () => {
    const closed = closeSchema({
      type: 'object',
      properties: { spec: { type: 'object', properties: { a: { type: 'string' } } }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {} } },
    }, true) as Manifest;
    expect(closed.additionalProperties).toBe(false);
    expect(Object.keys(closed.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(closed.properties.spec.additionalProperties).toBe(false);
    expect(closed.properties.status.additionalProperties).toBeUndefined();
  });

  test('fails with our error, naming the allowed sets, on an unknown schema set (plain JavaScript)', () => {
    expect(() => new CrdSchemaValidator({ schemaSets: ['istio-1.19'] as unknown as CrdSchemaSet[] }))
      .toThrow(/CrdSchemaValidator: 'schemaSets' must be a non-empty list of "istio-1\.20\.8", "istio-1\.30\.3", "gateway-api-v1\.5\.1", got \["istio-1\.19"\]\. Fix: pass CrdSchemaSet members/);
    expect(() => new CrdSchemaValidator({ schemaSets: [] })).toThrow(SourceIpValidationError);
  });

  test('validateManifests checks a list, and fails with our error on anything else', () => {
    expect(validateManifests([policy({ action: 'ALLOWW' })]).map((v) => v.message)).toEqual(['must be one of "ALLOW", "DENY", "AUDIT", "CUSTOM"']);
    expect(() => validateManifests({} as unknown as unknown[])).toThrow(/'objects' must be a list of Kubernetes objects, got object\. Fix: pass an array/);
  });
});

describe('the target Istio version picks the schema sets', () => {
  /** The default app (src/main.ts) as `ISTIO_VERSION=<version> npm run synth` builds it. */
  const defaultApp = (version: string): Manifest[] => {
    const app = new App();
    IstioVersion.of(version).applyTo(app);
    return Testing.synth(new SeedScenario(app, 'source-ip'));
  };
  const for120 = new CrdSchemaValidator({ istioVersion: IstioVersion.V1_20 });
  const for130 = new CrdSchemaValidator({ istioVersion: IstioVersion.V1_30 });

  test('every target gets a set that serves the networking API version the library writes for it, and v1 only from 1.22', () => {
    for (let minor = 20; minor <= 30; minor++) {
      const version = IstioVersion.of(`1.${minor}`);
      const app = new App();
      version.applyTo(app);
      const v = new CrdSchemaValidator({ istioVersion: version });
      expect([minor, v.sources]).toEqual([minor, [minor < 22 ? 'crd-all.gen-1.20.8.yaml' : 'crd-all.gen-1.30.3.yaml', 'standard-crds-v1.5.1.yaml']]);
      expect([minor, v.kinds]).toEqual([minor, expect.arrayContaining([`${networkingApiVersion(app)}/Gateway`, `${networkingApiVersion(app)}/DestinationRule`])]);
      expect([minor, v.kinds.includes('networking.istio.io/v1/Gateway')]).toEqual([minor, minor >= 22]);
    }
  });

  test.each(['1.20', '1.21'])('the default app for ISTIO_VERSION=%s validates with zero violations against the Istio 1.20.8 CRDs', (version) => {
    const objects = defaultApp(version);
    expect(for120.sources).toEqual(['crd-all.gen-1.20.8.yaml', 'standard-crds-v1.5.1.yaml']);
    expect(objects.filter((o) => for120.handles(o)).map((o) => `${o.apiVersion as string}/${o.kind as string}`).sort()).toEqual([
      'networking.istio.io/v1beta1/DestinationRule', 'networking.istio.io/v1beta1/Gateway', 'networking.istio.io/v1beta1/VirtualService',
      'security.istio.io/v1/AuthorizationPolicy', 'telemetry.istio.io/v1alpha1/Telemetry', 'telemetry.istio.io/v1alpha1/Telemetry',
    ]);
    expect(formatViolations(for120.validate(objects))).toEqual([]);
  });

  test('the default app for ISTIO_VERSION=1.30 validates with zero violations against the Istio 1.30.3 CRDs', () => {
    const objects = defaultApp('1.30');
    expect(for130.sources).toEqual(['crd-all.gen-1.30.3.yaml', 'standard-crds-v1.5.1.yaml']);
    expect(objects.filter((o) => for130.handles(o))).toHaveLength(7);
    expect(formatViolations(for130.validate(objects))).toEqual([]);
  });

  test('fails on the 1.30 output against the Istio 1.20.8 CRDs, naming each apiVersion and kind 1.20 does not serve', () => {
    const served = (kind: string, versions: string) => `no matches for kind "${kind}" in version "${kind === 'Telemetry' ? 'telemetry' : 'networking'}.istio.io/v1" `
      + `in crd-all.gen-1.20.8.yaml: it serves ${kind} as ${versions}. Fix: target the Istio version the cluster runs (IstioVersion), or validate for the version this output was written for`;
    const networking = 'networking.istio.io/v1alpha3, networking.istio.io/v1beta1';
    expect(formatViolations(for120.validate(defaultApp('1.30')))).toEqual([
      `Gateway/demo/echo /apiVersion: ${served('Gateway', networking)}`,
      `VirtualService/demo/echo /apiVersion: ${served('VirtualService', networking)}`,
      `DestinationRule/demo/echo-server /apiVersion: ${served('DestinationRule', networking)}`,
      `Telemetry/istio-ingress/client-ip-log /apiVersion: ${served('Telemetry', 'telemetry.istio.io/v1alpha1')}`,
      `Telemetry/demo/source-ip-client-ip-log-workload0 /apiVersion: ${served('Telemetry', 'telemetry.istio.io/v1alpha1')}`,
    ]);
  });

  test('validateManifests takes the target version too', () => {
    const v1 = rule({ host: 'echo' });
    expect(validateManifests([v1], { istioVersion: IstioVersion.V1_20 }).map((v) => v.rule)).toEqual(['CRD served versions']);
    expect(validateManifests([v1], { istioVersion: IstioVersion.V1_22 })).toEqual([]);
  });

  test('fails if istioVersion and schemaSets are both given, or istioVersion is not an IstioVersion (plain JavaScript)', () => {
    expect(() => new CrdSchemaValidator({ istioVersion: IstioVersion.V1_20, schemaSets: [CrdSchemaSet.ISTIO_1_30_3] }))
      .toThrow(/CrdSchemaValidator: 'istioVersion' \(1\.20\) and 'schemaSets' \(\["istio-1\.30\.3"\]\) both pick the schema sets\. Fix: pass only one of them/);
    expect(() => new CrdSchemaValidator({ istioVersion: '1.20' as unknown as IstioVersion }))
      .toThrow(/CrdSchemaValidator: 'istioVersion' must be an IstioVersion, got "1\.20"\. Fix: pass e\.g\. IstioVersion\.of\("1\.20"\)/);
  });
});

// The tests above run the build's path: each kind's precompiled standalone validator
// (test/setup/precompiled.ts makes them from src/ once per jest run). Without them, as when the
// library runs from its sources, the validator compiles each schema with ajv.
describe('without precompiled validators', () => {
  test('the tests above load the precompiled validators made for this run', () => {
    expect(schemaSets.PRECOMPILED_DIR).toBe(process.env[PRECOMPILED_ENV]);
    expect(fs.existsSync(path.join(schemaSets.PRECOMPILED_DIR, CrdSchemaSet.ISTIO_1_30_3, 'kinds.json'))).toBe(true);
  });

  test('compiles each schema with ajv, with the same violations as the precompiled validators', () => {
    const objects: Manifest[] = [
      ...Testing.synth(new SeedScenario(new App(), 'source-ip')),
      policy({ action: 'DENY', rules: [{ from: [{ source: { remoteIPBlocks: ['1.2.3.4'] } }] }] }),
      policy({ action: 'ALLOWW', selector: { matchLabels: { app: 5 } } }),
      lb({ simple: 'RANDOM', consistentHash: { useSourceIp: true } }),
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'h' }, spec: { rules: [{ matches: [{ path: { type: 'Bogus' } }] }] } },
    ];
    let compiled = 0;
    let fallback: ReturnType<CrdSchemaValidator['validate']> = [];
    try {
      jest.isolateModules(() => {
        // The module itself: its PRECOMPILED_DIR (src/validation/precompiled/) is not there in the sources.
        jest.dontMock('../../src/validation/schema-sets');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const own = require('../../src/validation/schema-sets') as typeof schemaSets;
        expect(fs.existsSync(own.PRECOMPILED_DIR)).toBe(false);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Ajv = (require('ajv') as typeof import('ajv')).default;
        const compile = jest.spyOn(Ajv.prototype, 'compile');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const isolated = require('../../src/validation') as typeof import('../../src/validation');
        fallback = new isolated.CrdSchemaValidator().validate(objects);
        compiled = compile.mock.calls.length;
      });
    } finally {
      jest.doMock('../../src/validation/schema-sets', () => schemaSets); // this file's module again, for any later require
    }
    // One ajv compile per kind a CRD defines (7: the seed's six Istio kinds and the HTTPRoute).
    expect(compiled).toBe(new Set(istioObjects(objects).map((o) => `${o.apiVersion}/${o.kind}`)).size);
    expect(compiled).toBe(7);
    const precompiled = validator.validate(objects);
    expect(precompiled.length).toBeGreaterThanOrEqual(4);
    expect(fallback).toEqual(precompiled);
  });
});
