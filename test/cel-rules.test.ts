// Each CEL rule (x-kubernetes-validations) and oneOf of the Istio 1.30.3 CRDs that concerns the
// objects this library writes (istio.md 4c and 5) is enforced when the construct is built, or
// cannot be expressed through the API at all; the schema validator (test/validation/crd-schema-validator.test.ts) is
// the second line, and here it confirms the construct refuses exactly what the CRD would.
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClientAffinity, ConsistentHash, HashAlgorithm, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, LoadBalancer,
  PolicyTarget, SimpleLb, SourceIpValidationError,
} from '../src';
import { violationsOf } from './schema';
import { Manifest, newChart } from './util';

const BLOCKS = { remoteIpBlocks: [IpBlock.of('192.0.2.0/24')] };

function policyOn(chart: Chart, target: PolicyTarget): IpAccessPolicy {
  return new IpAccessPolicy(chart, 'policy', { target, action: IpAccessAction.DENY, ...BLOCKS });
}

/** The error a construct throws, or fails the test. */
function errorOf(build: () => unknown): SourceIpValidationError {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(SourceIpValidationError);
    return e as SourceIpValidationError;
  }
  throw new Error('expected the construct to throw');
}

/** What the CRD says about an AuthorizationPolicy selecting `matchLabels`. */
function crdMessages(matchLabels: Record<string, string>): string[] {
  const raw: Manifest = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p' }, spec: { selector: { matchLabels } } };
  return violationsOf([raw]).map((v) => v.message);
}

/** Every Istio object of a chart with every kind of policy and load balancer. */
function everyPolicyAndRule(): Manifest[] {
  const chart = newChart();
  const gateway = new IngressGateway(chart, 'gw');
  new IpAccessPolicy(chart, 'rules', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, ...BLOCKS, ipBlocks: [IpBlock.anyIpv4()] })
    .addRule({ notIpBlocks: [IpBlock.anyIpv6()], notRemoteIpBlocks: [IpBlock.of('10.0.0.0/8')] });
  IpAccessPolicy.allowNothing(chart, 'nothing', { target: PolicyTarget.labels({ app: 'a' }) });
  IpAccessPolicy.allowAll(chart, 'all', { target: PolicyTarget.labels({ app: 'b' }) });
  IpAccessPolicy.denyAll(chart, 'deny', { target: PolicyTarget.labels({ app: 'c' }) });
  const hashes = [ConsistentHash.sourceIp(), ConsistentHash.header('x-user'), ConsistentHash.cookie({ name: 's' }), ConsistentHash.queryParameter('u')];
  [undefined, HashAlgorithm.ringHash(), HashAlgorithm.maglev()].forEach((algorithm, i) => hashes.forEach((hash, j) =>
    new ClientAffinity(chart, `hash-${i}-${j}`, { host: 'echo', loadBalancer: LoadBalancer.consistentHash(hash, algorithm) })));
  Object.values(SimpleLb).forEach((simple) => new ClientAffinity(chart, simple.toLowerCase().replace(/_/g, '-'), { host: 'echo', loadBalancer: LoadBalancer.simple(simple) }));
  return Testing.synth(chart);
}

describe('AuthorizationPolicy CEL rules, enforced by IpAccessPolicy', () => {
  test('"only one of targetRefs or selector can be set": every policy has a selector and never targetRef or targetRefs', () => {
    const policies = everyPolicyAndRule().filter((o) => o.kind === 'AuthorizationPolicy');
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(Object.keys(policy.spec.selector)).toEqual(['matchLabels']);
      expect(policy.spec).not.toHaveProperty('targetRef');
      expect(policy.spec).not.toHaveProperty('targetRefs');
    }
  });

  test('fails on a wildcard in a label key ("wildcard not allowed in label key match")', () => {
    expect(crdMessages({ 'app*': 'x' })).toEqual(['wildcard not allowed in label key match']);
    const error = errorOf(() => policyOn(newChart(), PolicyTarget.labels({ 'app*': 'x' })));
    expect(error.problems).toEqual([expect.stringMatching(/^'target labels key' must be a Kubernetes label key \(\[prefix\/\]name\), got "app\*"\. Fix: wildcards are not allowed/)]);
  });

  test('fails on an empty label key ("key must not be empty")', () => {
    expect(crdMessages({ '': 'x' })).toEqual(['key must not be empty']);
    const error = errorOf(() => policyOn(newChart(), PolicyTarget.labels({ '': 'x' })));
    expect(error.problems).toEqual([expect.stringMatching(/^'target labels key' must be a Kubernetes label key .*got ""\. Fix: the key is empty/)]);
  });

  test('fails on a wildcard in a label value ("wildcard not allowed in label value match")', () => {
    expect(crdMessages({ app: 'a*' })).toEqual(['wildcard not allowed in label value match']);
    const error = errorOf(() => policyOn(newChart(), PolicyTarget.labels({ app: 'a*' })));
    expect(error.problems).toEqual([expect.stringMatching(/^'target labels\["app"\]' must be a Kubernetes label value, got "a\*"\. Fix: wildcards are not allowed in label values/)]);
  });

  test('fails on a wildcard in the labels of a workload target', () => {
    const chart = newChart();
    const deployment = new RawDeployment(chart, { app: 'echo*' });
    const error = errorOf(() => policyOn(chart, PolicyTarget.workload(deployment)));
    expect(error.message).toMatch(/wildcards are not allowed in label values/);
  });

  test('accepts the labels of a cdk8s-plus workload target', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'd', { containers: [{ image: 'i' }] });
    const policy = policyOn(chart, PolicyTarget.workload(deployment));
    expect(Object.keys(policy.target.selectorLabels)).toHaveLength(1);
  });

  test('fails on a wildcard in the gateway labels a policy would select', () => {
    expect(() => new IngressGateway(newChart(), 'gw', { appLabel: 'gate*' })).toThrow(/'appLabel\/istioLabel\["app"\]' must be a Kubernetes label value, got "gate\*"/);
    expect(() => new IngressGateway(newChart(), 'gw', { podLabels: { 'x*': 'y' } })).toThrow(/'podLabels key' must be a Kubernetes label key/);
  });

  test('"Cannot set serviceAccounts with namespaces or principals": sources only ever carry IP block fields', () => {
    const sources = everyPolicyAndRule().filter((o) => o.kind === 'AuthorizationPolicy')
      .flatMap((o) => (o.spec.rules ?? []) as Manifest[]).flatMap((r) => (r.from ?? []) as Manifest[]).map((f) => Object.keys(f.source).sort());
    expect(sources).toEqual([['ipBlocks', 'remoteIpBlocks'], ['notIpBlocks', 'notRemoteIpBlocks']]);
  });

  test('"cross namespace referencing is not currently supported": no targetRef or targetRefs entry is ever written', () => {
    const policies = everyPolicyAndRule().filter((o) => o.kind === 'AuthorizationPolicy');
    expect(policies.flatMap((p) => [p.spec.targetRef, ...(p.spec.targetRefs ?? [])]).filter((x) => x !== undefined)).toEqual([]);
  });
});

describe('DestinationRule load balancer oneOf, enforced by LoadBalancer', () => {
  test('every load balancer sets exactly one of simple and consistentHash, one hash key, and at most one of ringHash and maglev', () => {
    const rules = everyPolicyAndRule().filter((o) => o.kind === 'DestinationRule');
    expect(rules).toHaveLength(12 + 4);
    for (const rule of rules) {
      const lb = rule.spec.trafficPolicy.loadBalancer;
      expect(['simple', 'consistentHash'].filter((k) => k in lb)).toHaveLength(1);
      if (lb.consistentHash !== undefined) {
        expect(['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'].filter((k) => k in lb.consistentHash)).toHaveLength(1);
        expect(['ringHash', 'maglev'].filter((k) => k in lb.consistentHash).length).toBeLessThanOrEqual(1);
      }
    }
    expect(violationsOf(rules)).toEqual([]);
  });

  test('fails when a plain object stands in for a LoadBalancer (the only way to write both)', () => {
    const both = { _fields: { simple: 'RANDOM', consistentHash: { useSourceIp: true } }, hash: undefined } as unknown as LoadBalancer;
    expect(() => new ClientAffinity(newChart(), 'r', { host: 'echo', loadBalancer: both }))
      .toThrow(/'loadBalancer' must be a LoadBalancer, got .*Fix: pass LoadBalancer.consistentHash\(\.\.\.\) or LoadBalancer.simple\(\.\.\.\)/);
  });

  test('fails when a plain object stands in for a ConsistentHash or HashAlgorithm (two keys or two algorithms)', () => {
    const twoKeys = { _key: { useSourceIp: true, httpHeaderName: 'x' } } as unknown as ConsistentHash;
    expect(() => LoadBalancer.consistentHash(twoKeys)).toThrow(/'hash' must be a ConsistentHash/);
    const twoAlgorithms = { _fields: { ringHash: {}, maglev: { tableSize: 65537 } } } as unknown as HashAlgorithm;
    expect(() => LoadBalancer.consistentHash(ConsistentHash.sourceIp(), twoAlgorithms)).toThrow(/'algorithm' must be a HashAlgorithm/);
  });

  test('fails on a cookie without a name (httpCookie.name is required)', () => {
    expect(() => ConsistentHash.cookie({ name: '' })).toThrow(/'name' must be a cookie name .*got ""/);
  });

  test('never writes workloadSelector or durations, so their CEL rules cannot be broken', () => {
    const rules = everyPolicyAndRule().filter((o) => o.kind === 'DestinationRule');
    for (const rule of rules) {
      expect(Object.keys(rule.spec).sort()).toEqual(['host', 'trafficPolicy']);
      expect(Object.keys(rule.spec.trafficPolicy)).toEqual(['loadBalancer']);
    }
  });
});

/** A raw KubeDeployment with these selector labels. */
class RawDeployment extends ApiObject {
  constructor(scope: Chart, labels: Record<string, string>) {
    super(scope, 'raw', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'raw' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
  }
}
