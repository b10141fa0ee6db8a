// Inputs and combinations found in review: each must give a clear SourceIpValidationError or the
// right warning, never a TypeError, a silent overwrite or a wrong warning.
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  AwsNlbTargetType, ClientAffinity, ConsistentHash, EdgeChain, EdgeHop, GatewayServiceType, GatewayTopology, IngressGateway,
  InterceptionMode, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, setInterceptionMode, SourceIpValidationError, Warnings,
} from '../src';
import { newChart, only, synth } from './util';

describe('IngressGateway and a ProxyConfig in podAnnotations', () => {
  test('fails if the annotation turns PROXY protocol on while the topology has it off', () => {
    expect(() => new IngressGateway(newChart(), 'gw', {
      edge: EdgeChain.of(EdgeHop.metalLb()),
      podAnnotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"proxyProtocol":{}}}' },
    })).toThrow(/gatewayTopology\.proxyProtocol' must be absent while topology\.proxyProtocol is off, got \{\}\. Fix: set it through topology/);
  });

  test('accepts the same PROXY protocol setting in both places', () => {
    const chart = newChart();
    new IngressGateway(chart, 'gw', {
      topology: GatewayTopology.of({ proxyProtocol: true }),
      podAnnotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"proxyProtocol":{}}}' },
    });
    expect(JSON.parse(only(synth(chart), 'Deployment').spec.template.metadata.annotations['proxy.istio.io/config']).gatewayTopology)
      .toEqual({ proxyProtocol: {}, numTrustedProxies: 0 });
  });

  test('fails on a misspelled Topology field, which Istio would drop without a word', () => {
    expect(() => new IngressGateway(newChart(), 'gw', { podAnnotations: { 'proxy.istio.io/config': 'gatewayTopology:\n  numTrustedProxy: 2\n' } }))
      .toThrow(/gatewayTopology\.numTrustedProxy' must be one of the Topology fields .*got 2\. Fix: did you mean numTrustedProxies\?/);
  });

  test('reports a non-string ProxyConfig annotation once', () => {
    let error: unknown;
    try {
      new IngressGateway(newChart(), 'gw', { podAnnotations: { 'proxy.istio.io/config': 42 as unknown as string } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceIpValidationError);
    expect((error as SourceIpValidationError).problems).toEqual([expect.stringMatching(/^'podAnnotations\["proxy\.istio\.io\/config"\]' must be a string, got 42/)]);
  });

  test('fails if a source range is a string instead of an IpBlock', () => {
    expect(() => new IngressGateway(newChart(), 'gw', { loadBalancerSourceRanges: ['10.0.0.1 ' as unknown as IpBlock] }))
      .toThrow(/'loadBalancerSourceRanges\[0\]' must be an IpBlock, got "10\.0\.0\.1 "\. Fix: write IpBlock\.of/);
  });
});

describe('ipBlocks behind a load balancer that sends to pod IPs', () => {
  test('stays quiet about SNAT when the NLB delivers to pod IPs with the client preserved', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gw', { edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true })) });
    new IpAccessPolicy(chart, 'p', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, clientIpBlocks: [IpBlock.of('203.0.113.0/24')] });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules[0].from[0].source).toEqual({ ipBlocks: ['203.0.113.0/24'] });
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('warns, naming the peer, when the described edge makes ipBlocks see the load balancer', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gw', { edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })) });
    new IpAccessPolicy(chart, 'p', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('203.0.113.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({
      path: 'test/p', id: 'ip-blocks-see-proxy', message: expect.stringMatching(/the gateway's TCP peer is 192\.0\.2\.1, not the client\. Fix: use clientIpBlocks/),
    })]);
  });
});

describe('host bits through clientIpBlocks', () => {
  test('name the field as typed', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gw', { edge: EdgeChain.of(EdgeHop.metalLb()) });
    new IpAccessPolicy(chart, 'p', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, clientIpBlocks: [IpBlock.of('2.2.2.2/24')] });
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({ id: 'ip-block-host-bits', message: expect.stringMatching(/^clientIpBlocks entry "2\.2\.2\.2\/24"/) })]);
  });
});

describe('setInterceptionMode on a raw Pod', () => {
  test('keeps annotations added to the pod after the call', () => {
    // GIVEN a pod without annotations
    const chart = newChart();
    const pod = new k8s.KubePod(chart, 'pod', { spec: { containers: [{ name: 'app', image: 'app' }] } });
    // WHEN the mode is set, then the user adds an annotation
    setInterceptionMode(pod, InterceptionMode.TPROXY);
    pod.metadata.addAnnotation('team', 'payments');
    // THEN both are there
    expect(only(Testing.synth(chart), 'Pod').metadata.annotations).toEqual({ 'sidecar.istio.io/interceptionMode': 'TPROXY', 'team': 'payments' });
  });
});

describe('plain-JavaScript callers get SourceIpValidationError, never a TypeError', () => {
  const chart = () => newChart();
  test.each<[string, () => unknown]>([
    ['IpAccessPolicy without props', () => new IpAccessPolicy(chart(), 'p', undefined as never)],
    ['addRule(undefined)', () => new IpAccessPolicy(chart(), 'p', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, ipBlocks: [IpBlock.anyIpv4()] }).addRule(undefined as never)],
    ['clientIpBlocks that is not a list', () => new IpAccessPolicy(chart(), 'p', { target: PolicyTarget.labels({ app: 'a' }), action: IpAccessAction.DENY, clientIpBlocks: '1.2.3.4' as never })],
    ['PolicyTarget.gateway(undefined)', () => PolicyTarget.gateway(undefined as never)],
    ['PolicyTarget.labels(null)', () => PolicyTarget.labels(null as never)],
    ['ClientAffinity without props', () => new ClientAffinity(chart(), 'a', undefined as never)],
    ['ConsistentHash.cookie(undefined)', () => ConsistentHash.cookie(undefined as never)],
    ['GatewayTopology.of(undefined)', () => GatewayTopology.of(undefined as never)],
    ['IngressGateway with null props', () => new IngressGateway(chart(), 'gw', null as never)],
    ['ports that is not a list', () => new IngressGateway(chart(), 'gw', { ports: 'http' as never })],
    ['a null port', () => new IngressGateway(chart(), 'gw', { ports: [null as never] })],
    ['source ranges that are not a list, on ClusterIP', () => new IngressGateway(chart(), 'gw', { serviceType: GatewayServiceType.CLUSTER_IP, loadBalancerSourceRanges: 'x' as never })],
    ['a null source range', () => new IngressGateway(chart(), 'gw', { loadBalancerSourceRanges: [null as never] })],
    ['EdgeHop.custom(undefined)', () => EdgeHop.custom(undefined as never)],
    ['proxyProtocolSupport that is not a list', () => EdgeHop.custom({ name: 'x', layer: 'l4-proxy' as never, proxyProtocolSupport: 'v1' as never })],
    ['EdgeHop.awsNlb(undefined)', () => EdgeHop.awsNlb(undefined as never)],
    ['EdgeHop.awsNlb without a target type', () => EdgeHop.awsNlb({} as never)],
    ['IpBlock.ofAll(null)', () => IpBlock.ofAll(null as never)],
    ['setInterceptionMode(undefined, ...)', () => setInterceptionMode(undefined as never, InterceptionMode.TPROXY)],
  ])('fails with a SourceIpValidationError for %s', (_name, fn) => {
    expect(fn).toThrow(SourceIpValidationError);
  });
});
