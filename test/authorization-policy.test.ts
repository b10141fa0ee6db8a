import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, ExternalTrafficPolicy, GatewayTopology, IngressGateway, IpAccessAction, IpAccessPolicy, IpBlock, KubernetesGateway,
  PolicyTarget, Warnings,
} from '../src';
import { newChart, only, synth } from './util';

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

    test('warns about external ipBlocks on an ambient workload too (ztunnel sees the calling pod)', () => {
      const warnings = warningsOf((chart) => {
        const d = new kplus.Deployment(chart, 'echo', { containers: [container], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } });
        new IpAccessPolicy(chart, 'P', { target: PolicyTarget.workload(d), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('198.51.100.0/24')] });
      });
      expect(warnings.map((w) => w.id)).toContain('ip-blocks-on-sidecar');
    });
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
