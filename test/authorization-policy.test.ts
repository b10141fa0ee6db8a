import * as net from 'net';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, ExternalTrafficPolicy, GatewayTopology, IngressGateway, IpAccessAction, IpAccessPolicy, IpAccessPolicyProps, IpBlock,
  KubernetesGateway, PolicyTarget, Warnings,
} from '../src';
import { externalOnlyBlocksWarning, matchesEveryoneWarning } from '../src/policy/rule-coverage';
import { clientSideApplyBytes, measureObjects } from '../src/private/object-size';
import { Manifest, newChart, only, synth, validationErrorOf } from './util';

const container = { image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080 };
const behindTwoProxies = () => GatewayTopology.of({ numTrustedProxies: 2 });

describe('IpAccessPolicy', () => {
  test('denies remoteIpBlocks on a gateway, in the gateway\'s namespace', () => {
    // GIVEN
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { namespace: 'istio-system', topology: behindTwoProxies() });
    // WHEN
    new IpAccessPolicy(chart, 'Deny', {
      name: 'ingress-policy', target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, remoteIpBlocks: [IpBlock.of('2.2.2.0/24')],
    });
    // THEN
    const policy = only(synth(chart), 'AuthorizationPolicy');
    expect(policy.apiVersion).toBe('security.istio.io/v1');
    expect(policy.metadata).toEqual({ name: 'ingress-policy', namespace: 'istio-system' });
    expect(policy.spec).toEqual({
      action: 'DENY',
      selector: { matchLabels: { app: 'ingress-gateway', istio: 'ingress-gateway' } },
      rules: [{ from: [{ source: { remoteIpBlocks: ['2.2.2.0/24'] } }] }],
    });
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('allows ipBlocks on a gateway that keeps the packet source', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge');
    new IpAccessPolicy(chart, 'Allow', {
      target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, ipBlocks: IpBlock.ofAll(['203.0.113.0/24', '2001:db8::/48']),
    });
    const policy = only(synth(chart), 'AuthorizationPolicy');
    expect(policy.spec.rules).toEqual([{ from: [{ source: { ipBlocks: ['203.0.113.0/24', '2001:db8::/48'] } }] }]);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('writes every field of a rule into one source, and each addRule as another rule', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { topology: behindTwoProxies() });
    const policy = new IpAccessPolicy(chart, 'Allow', {
      target: PolicyTarget.gateway(gateway),
      action: IpAccessAction.ALLOW,
      remoteIpBlocks: [IpBlock.of('10.0.0.0/8')],
      notRemoteIpBlocks: [IpBlock.of('10.1.0.0/16')],
    });
    policy.addRule({ remoteIpBlocks: [IpBlock.of('192.0.2.7')] });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([
      { from: [{ source: { remoteIpBlocks: ['10.0.0.0/8'], notRemoteIpBlocks: ['10.1.0.0/16'] } }] },
      { from: [{ source: { remoteIpBlocks: ['192.0.2.7/32'] } }] },
    ]);
  });

  test('targets a workload by its selector labels, in its namespace', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'echo', { metadata: { namespace: 'apps' }, containers: [container] });
    new IpAccessPolicy(chart, 'Allow', { target: PolicyTarget.workload(deployment), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.0.0.0/8')] });
    const policy = only(synth(chart), 'AuthorizationPolicy');
    expect(policy.metadata.namespace).toBe('apps');
    expect(policy.spec.selector.matchLabels).toEqual(deployment.matchLabels);
  });

  test('gets a generated metadata.name when none is given', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Deny', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('192.0.2.1')] });
    const name = only(synth(chart), 'AuthorizationPolicy').metadata.name;
    expect(name).toMatch(/^test-deny-c8[0-9a-f]{6}$/);
    expect(policy.resource.name).toBe(name);
  });

  test('targets explicit labels', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'Allow', {
      target: PolicyTarget.labels({ app: 'legacy' }, { namespace: 'legacy' }), action: IpAccessAction.ALLOW, notIpBlocks: [IpBlock.of('198.51.100.0/24')],
    });
    const policy = only(synth(chart), 'AuthorizationPolicy');
    expect(policy.metadata.namespace).toBe('legacy');
    expect(policy.spec.selector).toEqual({ matchLabels: { app: 'legacy' } });
  });

  test('writes no rules for allowNothing, which denies everything not allowed elsewhere', () => {
    const chart = newChart();
    IpAccessPolicy.allowNothing(chart, 'Nothing', { target: PolicyTarget.labels({ app: 'a' }) });
    const policy = only(synth(chart), 'AuthorizationPolicy');
    expect(policy.spec).toEqual({ action: 'ALLOW', selector: { matchLabels: { app: 'a' } } });
  });

  test('writes one empty rule for allowAll and denyAll', () => {
    const chart = newChart();
    IpAccessPolicy.allowAll(chart, 'All', { name: 'all', target: PolicyTarget.labels({ app: 'a' }) });
    IpAccessPolicy.denyAll(chart, 'None', { name: 'none', target: PolicyTarget.labels({ app: 'b' }) });
    const objects = synth(chart);
    expect(only(objects, 'AuthorizationPolicy', 'all').spec).toEqual({ action: 'ALLOW', selector: { matchLabels: { app: 'a' } }, rules: [{}] });
    expect(only(objects, 'AuthorizationPolicy', 'none').spec).toEqual({ action: 'DENY', selector: { matchLabels: { app: 'b' } }, rules: [{}] });
  });

  test('renders rules added after construction', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Deny', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('192.0.2.1')] });
    const before = only(synth(chart), 'AuthorizationPolicy').spec.rules.length;
    policy.addRule({ ipBlocks: [IpBlock.of('192.0.2.2')] });
    expect([before, only(synth(chart), 'AuthorizationPolicy').spec.rules.length]).toEqual([1, 2]);
  });

  test('warns when remoteIpBlocks targets a sidecar workload', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'echo', { containers: [container] });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.workload(deployment), action: IpAccessAction.DENY, remoteIpBlocks: [IpBlock.of('2.2.2.0/24')] });
    synth(chart);
    const warnings = Warnings.collect(chart);
    expect(warnings.map((w) => [w.path, w.id])).toEqual([['test/P', 'remote-ip-blocks-on-sidecar']]);
    expect(warnings[0].message).toMatch(/rightmost X-Forwarded-For entry/);
  });

  test('warns when remoteIpBlocks targets an ambient workload', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'echo', { containers: [container], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.workload(deployment), action: IpAccessAction.ALLOW, remoteIpBlocks: [IpBlock.of('2.2.2.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['remote-ip-blocks-on-ambient']);
  });

  test('warns when remoteIpBlocks is used on a gateway that trusts no proxy and has no PROXY protocol', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge');
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, remoteIpBlocks: [IpBlock.of('2.2.2.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['remote-ip-blocks-without-trusted-hop']);
  });

  test('stays quiet about remoteIpBlocks behind PROXY protocol', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { topology: GatewayTopology.of({ proxyProtocol: true }) });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, remoteIpBlocks: [IpBlock.of('2.2.2.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('warns when ipBlocks is used behind externalTrafficPolicy Cluster', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('203.0.113.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['ip-blocks-after-snat']);
  });

  test('warns when ipBlocks is used on a gateway behind trusted proxies', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { topology: behindTwoProxies() });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('203.0.113.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({ id: 'ip-blocks-see-proxy', message: expect.stringMatching(/behind 2 trusted proxies/) })]);
  });

  test('warns when a block has host bits set, naming the block as typed', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { topology: behindTwoProxies() });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, remoteIpBlocks: [IpBlock.of('2.2.2.2/24')] });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules[0].from[0].source.remoteIpBlocks).toEqual(['2.2.2.0/24']);
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({ id: 'ip-block-host-bits', message: expect.stringMatching(/"2\.2\.2\.2\/24" has host bits set; it is written as 2\.2\.2\.0\/24/) })]);
  });

  test('warns when the policy namespace differs from the target\'s', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'P', {
      target: PolicyTarget.labels({ app: 'a' }, { namespace: 'apps' }), namespace: 'istio-system', action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.0.0.0/8')],
    });
    synth(chart);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['policy-namespace-differs-from-target']);
  });

  test('records each warning once across repeated synths', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, remoteIpBlocks: [IpBlock.of('2.2.2.0/24')] });
    synth(chart);
    synth(chart);
    expect(Warnings.collect(chart)).toHaveLength(1);
  });

  test('fails if an ALLOW policy has no blocks, and says how to ask for allow-nothing by name', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.ALLOW }))
      .toThrow(/\[test\/P\] IpAccessPolicy: an ALLOW policy needs at least one of ipBlocks, remoteIpBlocks, notIpBlocks, notRemoteIpBlocks, got none.*IpAccessPolicy\.allowNothing/);
  });

  test('fails if a DENY policy has no blocks', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY }))
      .toThrow(/a DENY policy needs at least one of .*Istio rejects DENY without rules.*IpAccessPolicy\.denyAll/);
  });

  test('fails if a block list is empty', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, ipBlocks: [] }))
      .toThrow(/'ipBlocks' must be a non-empty list/);
  });

  test('fails if a block is a string instead of an IpBlock', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', {
      target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, ipBlocks: ['10.0.0.0/8' as unknown as IpBlock],
    })).toThrow(/'ipBlocks\[0\]' must be an IpBlock, got "10\.0\.0\.0\/8"\. Fix: write IpBlock\.of\("10\.0\.0\.0\/8"\)/);
  });

  test('fails if a block is listed twice', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', {
      target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll(['10.0.0.1/8', '10.0.0.0/8']),
    })).toThrow(/'ipBlocks' must be a list of distinct ranges, got "10\.0\.0\.0\/8"\. Fix: remove the second 10\.0\.0\.0\/8: it is listed twice/);
  });

  test('fails if the target selects no labels', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target: PolicyTarget.labels({}), action: IpAccessAction.DENY, ipBlocks: [IpBlock.anyIpv4()] }))
      .toThrow(/'target labels' must be at least one label/);
  });

  test('fails if the target labels use a wildcard', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target: PolicyTarget.labels({ app: 'web-*' }), action: IpAccessAction.DENY, ipBlocks: [IpBlock.anyIpv4()] }))
      .toThrow(/'target labels\["app"\]' must be a Kubernetes label value, got "web-\*"\. Fix: wildcards are not allowed/);
  });

  test('fails if the action is not ALLOW or DENY', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target: PolicyTarget.labels({ app: 'a' }), action: 'AUDIT' as IpAccessAction, ipBlocks: [IpBlock.anyIpv4()] }))
      .toThrow(/'action' must be one of ALLOW, DENY, got "AUDIT"/);
  });

  test('fails if addRule is called on a catch-all policy', () => {
    const policy = IpAccessPolicy.denyAll(newChart(), 'P', { target: PolicyTarget.labels({ app: 'a' }) });
    expect(() => policy.addRule({ ipBlocks: [IpBlock.anyIpv4()] })).toThrow(/'addRule' cannot add to a deny-all policy/);
  });

  test('fails if addRule gets no blocks', () => {
    const policy = new IpAccessPolicy(newChart(), 'P', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, ipBlocks: [IpBlock.anyIpv4()] });
    expect(() => policy.addRule({})).toThrow(/IpAccessPolicy\.addRule: a DENY policy needs at least one of/);
  });

  test('gets a generated name that is a valid object name, even for a long construct path with dots and capitals', () => {
    const chart = new Chart(new App(), 'My.Chart');
    const scope = new Construct(chart, 'Team.A');
    new IpAccessPolicy(scope, `Allow.Office-${'x'.repeat(300)}`, { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.0.0.0/8')] });
    const name = only(Testing.synth(chart), 'AuthorizationPolicy').metadata.name as string;
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
  });

  test('fails if the name generated from the construct path is not an object name (cdk8s keeps "_")', () => {
    expect(() => new IpAccessPolicy(newChart(), 'allow_office', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.0.0.0/8')] }))
      .toThrow(/\[test\/allow_office\] IpAccessPolicy: the object name generated from the construct path, "test-allow_office-[0-9a-f]+", is not a Kubernetes object name.*Fix: pass name/);
  });

  describe('rules that match everyone or no one', () => {
    const labels = () => PolicyTarget.labels({ app: 'echo' });
    const warningsOf = (build: (chart: ReturnType<typeof newChart>) => void) => {
      const chart = newChart();
      build(chart);
      synth(chart);
      return Warnings.collect(chart);
    };

    test('fails if a rule can never match: the same range in ipBlocks and notIpBlocks', () => {
      expect(() => new IpAccessPolicy(newChart(), 'P', {
        target: labels(), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('10.0.0.0/8')], notIpBlocks: [IpBlock.of('10.0.0.0/8')],
      })).toThrow(/\[test\/P\] IpAccessPolicy: 'rules\[0\]' can never match: every range in ipBlocks is also excluded by notIpBlocks \(10\.0\.0\.0\/8 is in both\), so no peer address is left, so this DENY rule denies nothing/);
    });

    test('fails if an added rule excludes every address with a not* field', () => {
      const policy = new IpAccessPolicy(newChart(), 'P', { target: labels(), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.0.0.0/8')] });
      expect(() => policy.addRule({ notRemoteIpBlocks: [IpBlock.anyIpv4(), IpBlock.anyIpv6()] }))
        .toThrow(/'rules\[1\]' can never match: notRemoteIpBlocks 0\.0\.0\.0\/0, ::\/0 exclude every IPv4 and IPv6 address.*this ALLOW rule allows nothing/);
    });

    test('warns that an ALLOW of every IPv4 address allows everyone without saying so', () => {
      const warnings = warningsOf((chart) => new IpAccessPolicy(chart, 'P', {
        target: labels(), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.0.0.0/8')],
      }).addRule({ ipBlocks: [IpBlock.anyIpv4()] }));
      expect(warnings.map((w) => w.id)).toEqual(['policy-matches-everyone']);
      expect(warnings[0].message).toMatch(/this ALLOW policy matches every IPv4 client.*IpAccessPolicy\.allowAll/);
    });

    test('stays quiet for IpAccessPolicy.allowAll (named) and for an ordinary allow-list', () => {
      expect(warningsOf((chart) => {
        IpAccessPolicy.allowAll(chart, 'All', { target: labels() });
        new IpAccessPolicy(chart, 'Office', { target: labels(), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.20.0.0/16')] });
      })).toEqual([]);
    });

    test('warns that an IPv4-mapped IPv6 block never matches an IPv4 client, naming the block', () => {
      const warnings = warningsOf((chart) => new IpAccessPolicy(chart, 'P', {
        target: labels(), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('::ffff:10.1.2.3')],
      }));
      expect(warnings).toEqual([expect.objectContaining({ id: 'ip-block-ipv4-mapped', subject: 'ipBlocks ::ffff:10.1.2.3/128', message: expect.stringMatching(/Fix: write the IPv4 range 10\.1\.2\.3\/32$/) })]);
    });

    test('warns that ipBlocks of external ranges on a sidecar never match, and stays quiet for pod ranges and at the gateway', () => {
      const warnings = warningsOf((chart) => {
        new IpAccessPolicy(chart, 'External', { target: labels(), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('203.0.113.0/24')] });
        new IpAccessPolicy(chart, 'Pods', { target: labels(), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.4.0.0/14')] });
        const gateway = new IngressGateway(chart, 'Gw');
        new IpAccessPolicy(chart, 'AtGateway', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('203.0.113.0/24')] });
      });
      expect(warnings.map((w) => `${w.path}:${w.id}`)).toEqual(['test/External:ip-blocks-on-sidecar']);
      expect(warnings[0].message).toMatch(/so 203\.0\.113\.0\/24 \(outside private, CGNAT and link-local space\) never matches there/);
    });

    test('checks again at the next synth when a rule was added since, and not otherwise', () => {
      // GIVEN a policy of pod ranges on a sidecar, synthesized once: nothing to warn about
      const chart = newChart();
      const policy = new IpAccessPolicy(chart, 'P', { target: labels(), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.4.0.0/14')] });
      Testing.synth(chart);
      expect(Warnings.collect(chart)).toEqual([]);
      // WHEN a rule with an external range is added and the chart synthesized again
      policy.addRule({ ipBlocks: [IpBlock.of('203.0.113.0/24')] });
      Testing.synth(chart);
      Testing.synth(chart);
      // THEN the added rule is checked, once
      expect(Warnings.collect(chart).map((w) => `${w.path}:${w.id}`)).toEqual(['test/P:ip-blocks-on-sidecar']);
    });

    test('warns about external ipBlocks on an ambient workload too (ztunnel sees the calling pod)', () => {
      const warnings = warningsOf((chart) => {
        const d = new kplus.Deployment(chart, 'echo', { containers: [container], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } });
        new IpAccessPolicy(chart, 'P', { target: PolicyTarget.workload(d), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('198.51.100.0/24')] });
      });
      expect(warnings.map((w) => w.id)).toContain('ip-blocks-on-sidecar');
    });

    test('warns about everyone and about external blocks exactly as the analysis of the rules as given does', () => {
      // The policy keeps only sizes and external blocks from the rules as given, and checks its
      // written (reduced) rules at synth: the warnings must be those of the given rules.
      const v4 = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat()).map(([bits, n]) => `${bits === 0 ? 0 : (n % (1 << bits)) << (8 - bits)}.0.0.0/${bits}`);
      const v6 = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat()).map(([bits, n]) => IpBlock.of(`${(bits === 0 ? 0 : (n % (1 << bits)) << (16 - bits)).toString(16)}::/${bits}`).toString());
      const text = fc.oneof(v4, v6, fc.constantFrom('203.0.113.0/24', '10.1.0.0/16', '10.1.1.0/24', '2001:db8::/32', 'fd00::/8'));
      const list = fc.option(fc.uniqueArray(text, { minLength: 1, maxLength: 4 }), { nil: undefined });
      const rule = fc.record({ ipBlocks: list, remoteIpBlocks: list, notIpBlocks: list, notRemoteIpBlocks: list })
        .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, string[]>)
        .filter((r) => Object.keys(r).length > 0);
      const seen = { everyone: 0, external: 0 };
      fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 3 }), fc.constantFrom(IpAccessAction.ALLOW, IpAccessAction.DENY), (rules, action) => {
        const blocks = rules.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, IpBlock.ofAll(v)])));
        const chart = newChart();
        try {
          const policy = new IpAccessPolicy(chart, 'P', { target: labels(), action, ...blocks[0] });
          blocks.slice(1).forEach((r) => policy.addRule(r));
        } catch (e) {
          // A rule that can never match is refused (tested above); nothing to compare.
          expect((e as Error).message).toMatch(/can never match/);
          return;
        }
        synth(chart);
        const message = (id: string) => Warnings.collect(chart).find((w) => w.id === id)?.message;
        const everyone = matchesEveryoneWarning(action === IpAccessAction.ALLOW ? 'ALLOW' : 'DENY', rules)?.message;
        const external = externalOnlyBlocksWarning(JSON.stringify({ app: 'echo' }), rules)?.message;
        expect({ everyone: message('policy-matches-everyone'), external: message('ip-blocks-on-sidecar') }).toEqual({ everyone, external });
        seen.everyone += everyone === undefined ? 0 : 1;
        seen.external += external === undefined ? 0 : 1;
      }), { numRuns: 300, seed: 17 });
      expect(Math.min(seen.everyone, seen.external)).toBeGreaterThan(10);
    });
  });
});

describe('IpAccessPolicy is its own first object', () => {
  const denyProps = () => ({ target: PolicyTarget.labels({ app: 'echo' }), action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll(['10.0.0.0/8']) });

  test('is the AuthorizationPolicy it writes: resource, ApiObject.of and the only object are the policy', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Deny', denyProps());
    expect(policy.resource).toBe(policy);
    expect(ApiObject.of(policy)).toBe(policy);
    expect(policy.resources).toEqual([policy]);
    expect(policy.node.children).toEqual([]);
    expect(policy.node.path).toBe('test/Deny');
    expect(only(synth(chart), 'AuthorizationPolicy').metadata.name).toBe(policy.name);
  });

  test('keeps the names generated when the object was a child with id Resource', () => {
    // Names written by the release before this change, for the same construct paths.
    const chart = newChart();
    expect(new IpAccessPolicy(new Construct(chart, 'Team.A'), 'Deny', denyProps()).name).toBe('test-team.a-deny-c86eb76b');
    const flat = new Chart(new App(), 'flat', { disableResourceNameHashes: true });
    expect(new IpAccessPolicy(flat, 'Deny', denyProps()).name).toBe('flat-deny');
  });

  test('answers instanceof for policies only (ApiObject answers it for every object)', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Deny', denyProps());
    const other = new ApiObject(chart, 'Other', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect([policy instanceof IpAccessPolicy, policy instanceof ApiObject, other instanceof IpAccessPolicy]).toEqual([true, true, false]);
  });

  test('fails if the props are bad, and leaves no object in the tree, so the chart still synthesizes', () => {
    const chart = newChart();
    expect(() => new IpAccessPolicy(chart, 'Deny', { ...denyProps(), name: 'Not A Name' })).toThrow(/'name' must be/);
    expect(() => new IpAccessPolicy(chart, 'Deny', 'nothing' as unknown as IpAccessPolicyProps)).toThrow(/'props' must be/);
    expect(chart.node.tryFindChild('Deny')).toBeUndefined();
    new IpAccessPolicy(chart, 'Deny', denyProps());
    expect(synth(chart).map((o) => o.kind)).toEqual(['AuthorizationPolicy']);
  });
});

describe('IpAccessPolicy on a Kubernetes Gateway API gateway', () => {
  const gatewayApi = () => {
    const chart = newChart();
    const gateway = new KubernetesGateway(chart, 'gw', { name: 'public', namespace: 'edge', edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })) });
    return { chart, gateway };
  };

  test('attaches with targetRefs to the Gateway, never a selector (IST0166), in the Gateway\'s namespace', () => {
    // GIVEN
    const { chart, gateway } = gatewayApi();
    // WHEN
    new IpAccessPolicy(chart, 'deny', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, clientIpBlocks: [IpBlock.of('198.51.100.0/24')] });
    // THEN
    const policy = only(synth(chart), 'AuthorizationPolicy');
    expect(policy.metadata.namespace).toBe('edge');
    expect(policy.spec).toEqual({
      action: 'DENY',
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
      rules: [{ from: [{ source: { remoteIpBlocks: ['198.51.100.0/24'] } }] }],
    });
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('fails if the policy is put in another namespace (targetRefs never cross namespaces)', () => {
    const { chart, gateway } = gatewayApi();
    expect(() => new IpAccessPolicy(chart, 'deny', { target: PolicyTarget.gateway(gateway), namespace: 'istio-system', action: IpAccessAction.DENY, ipBlocks: [IpBlock.anyIpv4()] }))
      .toThrow(/'namespace' must be the target's namespace edge \(targetRefs never cross namespaces, not even from the root namespace\), got "istio-system"\. Fix: leave namespace unset/);
  });

  test('keeps selecting the pods of a gateway deployed by injection', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gw', { namespace: 'edge' });
    expect(PolicyTarget.gateway(gateway).targetRefs).toBeUndefined();
  });
});

describe('IpAccessPolicy: the fewest CIDRs, in objects that fit', () => {
  const target = PolicyTarget.labels({ app: 'a' });
  /** Every AuthorizationPolicy of the chart, in output order. */
  const policies = (chart: ReturnType<typeof newChart>) => synth(chart).filter((o) => o.kind === 'AuthorizationPolicy');
  /** `count` single addresses that never merge: every other address from 10.0.0.0 up. */
  const scattered = (count: number) => IpBlock.ofAll(Array.from({ length: count }, (_, i) => `10.${(i >> 7) & 255}.${((i & 127) << 1) >> 8}.${((i & 127) << 1) & 255}`));

  test('writes each list as the fewest CIDRs covering the same addresses, IPv4 first, by address', () => {
    // GIVEN adjacent, contained and overlapping ranges, out of order, in both families
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Allow', {
      target, action: IpAccessAction.ALLOW,
      ipBlocks: IpBlock.ofAll(['2001:db8:0:1::/64', '10.0.1.0/24', '192.0.2.7', '10.0.0.0/24', '2001:db8::/64', '10.0.0.128/25', '10.0.2.0/23']),
      notIpBlocks: IpBlock.ofAll(['10.0.3.1', '10.0.3.0']),
    });
    // THEN
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: {
      ipBlocks: ['10.0.0.0/22', '192.0.2.7/32', '2001:db8::/63'],
      notIpBlocks: ['10.0.3.0/31'],
    } }] }]);
    expect(policy.ipBlockCounts).toEqual({ given: 9, written: 4, objects: 1 });
  });

  test('reduces each rule on its own, addRule included', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'Deny', { target, action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll(['10.0.0.0/25', '10.0.0.128/25']) })
      .addRule({ ipBlocks: IpBlock.ofAll(['10.0.1.0/25', '10.0.1.128/25']) });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([
      { from: [{ source: { ipBlocks: ['10.0.0.0/24'] } }] },
      { from: [{ source: { ipBlocks: ['10.0.1.0/24'] } }] },
    ]);
  });

  test('checks and warns on the ranges as given, not on the cover written', () => {
    // GIVEN an external range that merges with a private one (10.0.0.0/7 overlaps private space)
    const chart = newChart();
    new IpAccessPolicy(chart, 'Deny', { target, action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll(['10.0.0.0/8', '11.0.0.0/8']) })
      .addRule({ ipBlocks: IpBlock.ofAll(['::ffff:10.1.2.0/120', '10.1.2.9/24']) });
    // THEN the cover is written, and the warnings name the blocks of the rule they were given in
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules[0]).toEqual({ from: [{ source: { ipBlocks: ['10.0.0.0/7'] } }] });
    const warnings = Warnings.collect(chart);
    expect(warnings.map((w) => [w.id, w.subject])).toEqual([
      ['ip-block-host-bits', 'rules[1].ipBlocks 10.1.2.9/24'],
      ['ip-block-ipv4-mapped', 'rules[1].ipBlocks ::ffff:10.1.2.0/120'],
      ['ip-blocks-on-sidecar', undefined],
    ]);
    expect(warnings[2].message).toMatch(/so 11\.0\.0\.0\/8 \(outside private/);
  });

  test('fails if a rule can never match, also when its ranges would merge first', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', {
      target, action: IpAccessAction.ALLOW, ipBlocks: IpBlock.ofAll(['10.0.0.0/25', '10.0.0.128/25']), notIpBlocks: [IpBlock.of('10.0.0.0/24')],
    })).toThrow(/'rules\[0\]' can never match: every range in ipBlocks is also excluded by notIpBlocks \(10\.0\.0\.0\/25 lies inside 10\.0\.0\.0\/24\)/);
  });

  test('writes the lists as given with reduceIpBlocks: false', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Allow', {
      target, action: IpAccessAction.ALLOW, reduceIpBlocks: false, ipBlocks: IpBlock.ofAll(['10.0.1.0/24', '10.0.0.0/24', '10.0.0.7']),
    });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { ipBlocks: ['10.0.1.0/24', '10.0.0.0/24', '10.0.0.7/32'] } }] }]);
    expect(policy.ipBlockCounts).toEqual({ given: 3, written: 3, objects: 1 });
  });

  test('never changes which addresses match (checked against Node\'s BlockList on every address of a /24)', () => {
    const blockText = fc.record({ last: fc.nat(255), bits: fc.integer({ min: 24, max: 32 }) }).map(({ last, bits }) => `198.51.100.${last}/${bits}`);
    fc.assert(fc.property(fc.uniqueArray(blockText, { minLength: 1, maxLength: 25, selector: (t) => IpBlock.of(t).toString() }), fc.boolean(), (texts, deny) => {
      const chart = newChart();
      new IpAccessPolicy(chart, 'P', { target, action: deny ? IpAccessAction.DENY : IpAccessAction.ALLOW, ipBlocks: IpBlock.ofAll(texts) });
      const written: string[] = only(synth(chart), 'AuthorizationPolicy').spec.rules[0].from[0].source.ipBlocks;
      const given = new net.BlockList();
      texts.forEach((t) => given.addSubnet(t.split('/')[0], Number(t.split('/')[1])));
      const out = new net.BlockList();
      written.forEach((t) => out.addSubnet(t.split('/')[0], Number(t.split('/')[1])));
      const table = (list: net.BlockList) => Array.from({ length: 256 }, (_, i) => (list.check(`198.51.100.${i}`) ? '1' : '0')).join('');
      expect(table(out)).toBe(table(given));
      expect(written.length).toBeLessThanOrEqual(texts.length);
    }), { numRuns: 80 });
  });

  test('fails if a range is listed twice, even though it would merge', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target, action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll(['10.0.0.0/24', '10.0.1.0/24', '10.0.0.0/24']) }))
      .toThrow(/'ipBlocks' must be a list of distinct ranges, got "10\.0\.0\.0\/24"\. Fix: remove the second 10\.0\.0\.0\/24: it is listed twice/);
  });

  test('fails with 5 repeats named and the rest counted', () => {
    const texts = Array.from({ length: 8 }, (_, i) => `10.0.${i}.0/24`);
    const error = validationErrorOf(() => new IpAccessPolicy(newChart(), 'P', { target, action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll([...texts, ...texts]) }));
    expect(error.message.match(/must be a list of distinct ranges/g)).toHaveLength(5);
    expect(error.message).toMatch(/'ipBlocks' lists 3 more ranges a second time \(or more\), e\.g\. "10\.0\.5\.0\/24"\. Fix: remove the repeated entries/);
  });

  test('warns about the first 10 blocks with host bits in a list, and counts the rest', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'P', { target, action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll(Array.from({ length: 13 }, (_, i) => `10.0.${i}.1/24`)) });
    const warnings = Warnings.collect(chart).filter((w) => w.id === 'ip-block-host-bits');
    expect(warnings).toHaveLength(11);
    expect(warnings.map((w) => w.message)).toContain('ipBlocks has 3 more entries with host bits set, each written as its whole range (as Envoy matches it). '
      + 'Fix: clear the host bits in the list, or write single addresses without a prefix length');
  });

  test('spreads a list too big for one object over several policies with the same action and selector', () => {
    // GIVEN 1,000 addresses that do not merge (about 16 KiB of ipBlocks) and a 4 KiB limit
    const chart = newChart();
    const blocks = scattered(1000);
    const policy = new IpAccessPolicy(chart, 'Deny', { name: 'blocked', target, action: IpAccessAction.DENY, maxObjectBytes: 4096, ipBlocks: blocks, notIpBlocks: [IpBlock.of('10.0.0.0/32')] });
    // WHEN
    const objects = policies(chart);
    // THEN
    expect(objects.length).toBeGreaterThan(4);
    expect(objects.map((o) => o.metadata.name)).toEqual(['blocked', ...objects.slice(1).map((_, i) => `blocked-part-${i + 2}`)]);
    expect(policy.resources.map((r) => r.name)).toEqual(objects.map((o) => o.metadata.name));
    for (const object of objects) {
      expect(clientSideApplyBytes(object)).toBeLessThanOrEqual(4096);
      expect(object.spec.action).toBe('DENY');
      expect(object.spec.selector).toEqual({ matchLabels: { app: 'a' } });
      for (const rule of object.spec.rules) {
        expect(rule.from[0].source.notIpBlocks).toEqual(['10.0.0.0/32']);
      }
    }
    const written = objects.flatMap((o) => o.spec.rules.flatMap((r: Manifest) => r.from[0].source.ipBlocks));
    expect(written).toEqual(blocks.map(String));
    // The notIpBlocks entry is repeated in every piece of the cut rule.
    const pieces = objects.reduce((n, o) => n + o.spec.rules.length, 0);
    expect(policy.ipBlockCounts).toEqual({ given: 1001, written: 1000 + pieces, objects: objects.length });
    // Nothing fails at synth: every object fits as measured there too.
    expect(chart.node.findAll().flatMap((c) => c.node.validate())).toEqual([]);
  });

  test('attaches every split object of a Gateway API gateway\'s policy with targetRefs', () => {
    const chart = newChart();
    const gateway = new KubernetesGateway(chart, 'gw', { name: 'public', namespace: 'edge', edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })) });
    const policy = new IpAccessPolicy(chart, 'Deny', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, maxObjectBytes: 4096, clientIpBlocks: scattered(400) });
    const objects = policies(chart);
    expect(objects.length).toBeGreaterThan(1);
    for (const object of objects) {
      expect(object.metadata.namespace).toBe('edge');
      expect(object.spec.selector).toBeUndefined();
      expect(object.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }]);
      expect(clientSideApplyBytes(object)).toBeLessThanOrEqual(4096);
    }
    expect(measureObjects(chart, true).filter((m) => m.object.kind === 'AuthorizationPolicy').every((m) => (m.ownBytes ?? 0) >= m.bytes)).toBe(true);
    expect(policy.ipBlockCounts).toEqual({ given: 400, written: 400, objects: objects.length });
  });

  test('names the extra objects from the construct path when no name is given', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'Deny', { target, action: IpAccessAction.DENY, maxObjectBytes: 4096, ipBlocks: scattered(400) });
    const names = policies(chart).map((o) => o.metadata.name);
    expect(names[0]).toMatch(/^test-deny-c8[0-9a-f]{6}$/);
    expect(names[1]).toMatch(/^test-deny-part2-c8[0-9a-f]{6}$/);
    expect(new Set(names).size).toBe(names.length);
  });

  test('starts another object after 512 rules, Istio\'s limit per policy', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Allow', { target, action: IpAccessAction.ALLOW, name: 'many', ipBlocks: [IpBlock.of('10.255.0.0/24')] });
    scattered(600).forEach((block) => policy.addRule({ ipBlocks: [block] }));
    expect(policies(chart).map((o) => [o.metadata.name, o.spec.rules.length])).toEqual([['many', 512], ['many-part-2', 89]]);
  });

  test('fails if a notIpBlocks list is too big for one object, naming server-side apply and the etcd limit', () => {
    expect(() => new IpAccessPolicy(newChart(), 'P', { target, action: IpAccessAction.ALLOW, maxObjectBytes: 4096, notIpBlocks: scattered(400) }))
      .toThrow(new RegExp('\\[test/P\\] IpAccessPolicy: \'notIpBlocks\' has 400 entries \\(6\\.\\d KiB\\) and cannot be cut \\(a list that means "none of these" would match more '
        + 'requests spread over several rules or policies\\), so the rule needs 6\\.\\d KiB even with ipBlocks and remoteIpBlocks cut as far as they go, more than the 3\\.\\d KiB of rules an '
        + 'AuthorizationPolicy has room for: client-side kubectl apply copies .* Fix: make the object smaller, or apply with kubectl apply --server-side and raise the limit '
        + 'with maxObjectBytes .*etcd refuses requests over 1\\.5 MiB'));
  });

  test('accepts a big notIpBlocks list with a higher maxObjectBytes, for server-side apply', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'P', { target, action: IpAccessAction.ALLOW, maxObjectBytes: 1048576, notIpBlocks: scattered(400) });
    expect(policies(chart)).toHaveLength(1);
  });

  test('fails if maxObjectBytes is out of range, or reduceIpBlocks is not a boolean', () => {
    const error = validationErrorOf(() => new IpAccessPolicy(newChart(), 'P', {
      target, action: IpAccessAction.DENY, ipBlocks: [IpBlock.anyIpv4()], maxObjectBytes: 2 * 1024 * 1024, reduceIpBlocks: 'no' as unknown as boolean,
    }));
    expect(error.message).toMatch(/'maxObjectBytes' must be a whole number of bytes from 4096 to 1048576, got 2097152\. Fix: leave it unset for 200 KiB/);
    expect(error.message).toMatch(/'reduceIpBlocks' must be true or false, got "no"/);
  });

  test('fails at synth if labels added later push an object over the limit', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Deny', { target, action: IpAccessAction.DENY, maxObjectBytes: 4096, ipBlocks: scattered(150) });
    policy.resource.metadata.addAnnotation('example.com/why', 'x'.repeat(2000));
    const problems = chart.node.validate();
    expect(problems).toEqual([expect.stringMatching(/^AuthorizationPolicy test-deny-c8[0-9a-f]{6} \(test\/Deny\) takes \d\.\d KiB .* over the limit: .*maxObjectBytes/)]);
  });

  test('splits a large list into objects of at most 200 KiB by default', () => {
    const chart = newChart();
    const policy = new IpAccessPolicy(chart, 'Deny', { target, action: IpAccessAction.DENY, name: 'big', ipBlocks: scattered(20000) });
    const objects = policies(chart);
    expect(objects.length).toBe(2);
    expect(objects.every((o) => clientSideApplyBytes(o) <= 200 * 1024)).toBe(true);
    expect(policy.ipBlockCounts).toEqual({ given: 20000, written: 20000, objects: 2 });
  });

  test('tells the size check an upper bound of what it writes, so small objects are not rendered twice', () => {
    // GIVEN every kind of policy: long names, a namespace, a workload selector, split objects
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'echo', { metadata: { namespace: 'apps' }, containers: [container] });
    new IpAccessPolicy(chart, 'Big', { name: 'b'.repeat(200), target, action: IpAccessAction.DENY, maxObjectBytes: 4096, ipBlocks: scattered(400), notIpBlocks: [IpBlock.of('192.0.2.0/24')] });
    new IpAccessPolicy(chart, 'Small', { target: PolicyTarget.workload(deployment), action: IpAccessAction.ALLOW, remoteIpBlocks: [IpBlock.of('2001:db8::/48')] });
    IpAccessPolicy.allowNothing(chart, 'Nothing', { target, namespace: 'n'.repeat(63) });
    IpAccessPolicy.denyAll(chart, 'All', { target });
    // WHEN
    const all = measureObjects(chart, true);
    // THEN
    expect(all.length).toBeGreaterThan(4);
    for (const { bytes, ownBytes } of all) {
      expect(ownBytes).toBeGreaterThanOrEqual(bytes);
    }
    // Only objects whose own bytes pass half the limit are rendered at synth.
    expect(measureObjects(chart).map((m) => m.object.node.path)).toEqual(all.filter((m) => (m.ownBytes ?? 0) > m.maxBytes / 2).map((m) => m.object.node.path));
    expect(measureObjects(chart).length).toBeGreaterThan(0);
    expect(measureObjects(chart).some((m) => m.object.node.path.startsWith('test/Small'))).toBe(false);
  });
});
