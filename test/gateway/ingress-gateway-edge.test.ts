import {
  AwsNlbTargetType, EdgeChain, EdgeHop, ExternalTrafficPolicy, GatewayServiceType, GatewayTopology, IngressGateway, IpAccessAction,
  IpAccessPolicy, IpBlock, PolicyTarget, Warnings,
} from '../../src';
import { newChart, only, synth } from '../util';

function gatewayWith(edge: EdgeChain, props: Omit<ConstructorParameters<typeof IngressGateway>[2] & object, 'edge'> = {}) {
  const chart = newChart();
  const gateway = new IngressGateway(chart, 'Edge', { ...props, edge });
  return { chart, gateway, objects: synth(chart), warnings: Warnings.collect(chart).map((w) => w.id) };
}

const nlbProxy = () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.INSTANCE, proxyProtocol: true }));

describe('IngressGateway with an edge', () => {
  test('derives the Service, externalTrafficPolicy and topology from the chain', () => {
    const { objects, gateway, warnings } = gatewayWith(nlbProxy());
    const service = only(objects, 'Service');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.externalTrafficPolicy).toBe('Cluster');
    expect(service.metadata.annotations).toEqual(nlbProxy().gatewaySettings().serviceAnnotations);
    const pod = only(objects, 'Deployment').spec.template;
    expect(JSON.parse(pod.metadata.annotations['proxy.istio.io/config'])).toEqual({ gatewayTopology: { numTrustedProxies: 0, proxyProtocol: {} } });
    expect(pod.spec.containers[0].env).toEqual([{ name: 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL', value: 'true' }]);
    expect(gateway.replicas).toBe(1);
    expect(gateway.clientIpField).toBe('remoteIpBlocks');
    expect(warnings).toEqual([]);
  });

  test('counts only hops that append to X-Forwarded-For (Cloudflare → GKE NLB trusts 1 proxy)', () => {
    const { objects, gateway } = gatewayWith(EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()));
    expect(gateway.topology.numTrustedProxies).toBe(1);
    expect(only(objects, 'Service').spec.externalTrafficPolicy).toBe('Local');
  });

  test('uses a ClusterIP Service without externalTrafficPolicy behind an Application Load Balancer', () => {
    const { objects, gateway } = gatewayWith(EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()));
    const service = only(objects, 'Service');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.externalTrafficPolicy).toBeUndefined();
    expect(service.metadata.annotations).toEqual({ 'cloud.google.com/neg': '{"ingress": true}' });
    expect(gateway.topology.numTrustedProxies).toBe(2);
  });

  test('merges explicit Service annotations over the chain\'s', () => {
    const { objects, warnings } = gatewayWith(EdgeChain.of(EdgeHop.gkeInternalPassthrough()), { serviceAnnotations: { 'team': 'edge' } });
    expect(only(objects, 'Service').metadata.annotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal', 'team': 'edge' });
    expect(warnings).toEqual([]);
  });

  test('lets explicit props win, warning for each one that contradicts the chain', () => {
    const { objects, warnings, chart } = gatewayWith(EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()), {
      externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER,
      topology: GatewayTopology.of({ numTrustedProxies: 2 }),
      serviceType: GatewayServiceType.NODE_PORT,
    });
    expect(only(objects, 'Service').spec).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Cluster' });
    expect(warnings).toEqual(['edge-setting-overridden', 'edge-setting-overridden', 'edge-setting-overridden', 'trusts-proxy-address', 'xff-spoofable',
      'xff-spoofable-by-bypass', 'xff-spoofable-by-bypass']);
    expect(Warnings.collect(chart).map((w) => w.message).join('\n')).toMatch(/'topology\.numTrustedProxies' is 2, but the edge \(Cloudflare \(proxied\) → GKE external passthrough NLB\) calls for 1/);
  });

  test('stays quiet when explicit props agree with the chain', () => {
    const { warnings } = gatewayWith(EdgeChain.of(EdgeHop.metalLb()), { externalTrafficPolicy: ExternalTrafficPolicy.LOCAL, topology: GatewayTopology.direct() });
    expect(warnings).toEqual([]);
  });

  test('warns when the gateway expects PROXY protocol from a hop that cannot send it (GKE)', () => {
    const { warnings } = gatewayWith(EdgeChain.of(EdgeHop.gkeExternalPassthrough()), { topology: GatewayTopology.of({ proxyProtocol: true }) });
    expect(warnings).toContain('proxy-protocol-unsupported-by-hop');
  });

  test('stays quiet about PROXY protocol on a GKE chain whose gateway does not expect it', () => {
    expect(gatewayWith(EdgeChain.of(EdgeHop.gkeExternalPassthrough()), { topology: GatewayTopology.direct() }).warnings).toEqual([]);
  });

  test('warns when the gateway expects PROXY protocol that the load balancer is not set up to send', () => {
    const { warnings } = gatewayWith(EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true })), {
      topology: GatewayTopology.of({ proxyProtocol: true }),
    });
    expect(warnings).toEqual(['proxy-protocol-mismatch']);
  });

  test('warns when the load balancer sends PROXY protocol that the gateway does not expect', () => {
    const { warnings } = gatewayWith(nlbProxy(), { topology: GatewayTopology.direct() });
    expect(warnings).toEqual(['proxy-protocol-mismatch']);
  });

  test('stays quiet about health checks for NLB instance targets with PROXY v2 and the derived Cluster', () => {
    expect(gatewayWith(nlbProxy()).warnings).toEqual([]);
  });

  test('warns about NLB instance targets with PROXY v2 and externalTrafficPolicy Local', () => {
    const { warnings } = gatewayWith(nlbProxy(), { externalTrafficPolicy: ExternalTrafficPolicy.LOCAL, replicas: 2 });
    expect(warnings).toEqual(['edge-setting-overridden', 'proxy-protocol-local-health-check']);
  });

  test('warns when a hop that keeps the source only with Local gets Cluster (OCI is-preserve-source)', () => {
    const { warnings } = gatewayWith(EdgeChain.of(EdgeHop.oracleNetworkLoadBalancer()), { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    expect(warnings).toEqual(['edge-requires-local', 'edge-setting-overridden', 'trusts-proxy-address']);
  });

  test('stays quiet about OCI is-preserve-source with the derived Local', () => {
    expect(gatewayWith(EdgeChain.of(EdgeHop.oracleNetworkLoadBalancer())).warnings).toEqual([]);
  });

  test('warns when a hop writes ip:port entries into X-Forwarded-For', () => {
    // The simulator agrees: the unparsable entry makes the gateway fall back to the load balancer.
    expect(gatewayWith(EdgeChain.of(EdgeHop.awsAlb({ xffClientPort: true }))).warnings).toEqual(['trusts-proxy-address', 'xff-entry-with-port']);
    expect(gatewayWith(EdgeChain.of(EdgeHop.azureApplicationGateway())).warnings).toEqual(['trusts-proxy-address', 'xff-entry-with-port']);
  });

  test('stays quiet about ports when the hop writes bare addresses', () => {
    expect(gatewayWith(EdgeChain.of(EdgeHop.awsAlb())).warnings).toEqual([]);
  });

  test('warns when no hop carries the client address', () => {
    expect(gatewayWith(EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP }))).warnings).toEqual(['client-address-lost', 'trusts-proxy-address']);
  });

  test('stays quiet when client IP preservation carries the address', () => {
    expect(gatewayWith(EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true }))).warnings).toEqual([]);
  });

  test('warns that the chain is spoofable when numTrustedProxies counts the PROXY hop (istio/istio#31704)', () => {
    // GIVEN Cloudflare → NLB with PROXY, where only Cloudflare appends to X-Forwarded-For
    const edge = EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));
    // WHEN the gateway trusts 2 proxies, as in the issue
    const { chart, warnings } = gatewayWith(edge, { topology: GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true }) });
    // THEN the simulator finds both problems
    expect(warnings).toEqual(['edge-setting-overridden', 'trusts-proxy-address', 'xff-spoofable', 'xff-spoofable-by-bypass']);
    expect(Warnings.collect(chart).find((w) => w.id === 'xff-spoofable')?.message).toMatch(/Fix: .*numTrustedProxies.*1/);
  });

  test('stays quiet about spoofing and proxies with the derived settings of the same chain, once the NLB admits only Cloudflare', () => {
    const cloudflare = EdgeHop.cloudflare();
    const edge = EdgeChain.of(cloudflare, EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));
    expect(gatewayWith(edge, { loadBalancerSourceRanges: cloudflare.sourceRanges }).warnings).toEqual([]);
  });

  test('warns about an ip:port X-Forwarded-For entry only when it is the entry the gateway reads', () => {
    const read = gatewayWith(EdgeChain.of(EdgeHop.azureApplicationGateway()));
    expect(read.warnings).toEqual(['trusts-proxy-address', 'xff-entry-with-port']);
    expect(Warnings.collect(read.chart).find((w) => w.id === 'xff-entry-with-port')?.message)
      .toMatch(/^Azure Application Gateway writes its X-Forwarded-For entry as "ip:port", and that is the entry the gateway reads \(numTrustedProxies 1: the rightmost\)/);
    // Behind Cloudflare the gateway reads Cloudflare's entry (2nd from the right), which parses.
    const skipped = gatewayWith(EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.azureApplicationGateway().lockDown('its NSG admits Cloudflare only')));
    expect(skipped.warnings).toEqual([]);
  });

  test('warns that a client can skip Cloudflare and connect to the NLB directly, naming the entry point', () => {
    const edge = EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));
    const { chart, warnings } = gatewayWith(edge);
    expect(warnings).toEqual(['xff-spoofable-by-bypass']);
    expect(Warnings.collect(chart)[0]).toMatchObject({
      subject: 'entry point AWS NLB (ip targets, PROXY v2)',
      message: expect.stringMatching(/connects to "AWS NLB \(ip targets, PROXY v2\)" directly, skipping "Cloudflare \(proxied\)".*Fix: let only "Cloudflare \(proxied\)" reach/),
    });
  });

  test('warns that the gateway trusts a proxy when numTrustedProxies is too low for the chain', () => {
    const { warnings } = gatewayWith(EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()), { topology: GatewayTopology.of({ numTrustedProxies: 1 }) });
    expect(warnings).toEqual(['edge-setting-overridden', 'trusts-proxy-address']);
  });

  test('fails if edge is not an EdgeChain', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { edge: [EdgeHop.metalLb()] as unknown as EdgeChain })).toThrow(/'edge' must be an EdgeChain/);
  });
});

describe('IpAccessPolicy on a gateway with an edge', () => {
  const spoofableGateway = (chart: ReturnType<typeof newChart>) => new IngressGateway(chart, 'Edge', {
    edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()),
    topology: GatewayTopology.of({ numTrustedProxies: 2 }),
  });

  test('warns that remoteIpBlocks can be bypassed when the simulator finds the chain spoofable', () => {
    const chart = newChart();
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(spoofableGateway(chart)), action: IpAccessAction.DENY, remoteIpBlocks: [IpBlock.of('198.51.100.0/24')] });
    synth(chart);
    const warning = Warnings.collect(chart).find((w) => w.path === 'test/P');
    expect(warning).toMatchObject({ id: 'remote-ip-blocks-spoofable', message: expect.stringMatching(/forged X-Forwarded-For.*Fix: /) });
  });

  test('warns that remoteIpBlocks matches a proxy when the gateway trusts too few hops', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', {
      edge: EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()), topology: GatewayTopology.of({ numTrustedProxies: 1 }),
    });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, remoteIpBlocks: [IpBlock.of('203.0.113.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart).filter((w) => w.path === 'test/P').map((w) => w.id)).toEqual(['remote-ip-blocks-see-proxy']);
  });

  test('stays quiet on a correct chain', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { edge: EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()) });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, remoteIpBlocks: [IpBlock.of('203.0.113.0/24')] });
    synth(chart);
    expect(Warnings.collect(chart)).toEqual([]);
  });
});

describe('IpAccessPolicy clientIpBlocks', () => {
  test('matches remoteIpBlocks when the client arrives in X-Forwarded-For or PROXY protocol', () => {
    const chart = newChart();
    const cloudflare = EdgeHop.cloudflare();
    const gateway = new IngressGateway(chart, 'Edge', {
      edge: EdgeChain.of(cloudflare, EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
      loadBalancerSourceRanges: cloudflare.sourceRanges,
    });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, clientIpBlocks: [IpBlock.of('203.0.113.0/24')] });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { remoteIpBlocks: ['203.0.113.0/24'] } }] }]);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('matches ipBlocks when only the packet source carries the client', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { edge: EdgeChain.of(EdgeHop.metalLb()) });
    new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, notClientIpBlocks: [IpBlock.of('10.0.0.0/8')] });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { notIpBlocks: ['10.0.0.0/8'] } }] }]);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('still accepts an explicitly named field next to it', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.metalLb()) });
    new IpAccessPolicy(chart, 'P', {
      target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, clientIpBlocks: [IpBlock.of('203.0.113.0/24')], ipBlocks: IpBlock.ofAll(['173.245.48.0/20']),
    });
    expect(only(synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { remoteIpBlocks: ['203.0.113.0/24'], ipBlocks: ['173.245.48.0/20'] } }] }]);
  });

  test('fails if the gateway has no edge to decide the field', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge');
    expect(() => new IpAccessPolicy(chart, 'P', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, clientIpBlocks: [IpBlock.of('203.0.113.0/24')] }))
      .toThrow(/'clientIpBlocks' must be used only on a gateway built with an edge \(EdgeChain\).*Fix: describe the gateway's edge.*or name the field: ipBlocks or remoteIpBlocks/);
  });

  test('fails if clientIpBlocks repeats a block named in the field it resolves to', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { edge: EdgeChain.of(EdgeHop.metalLb()) });
    expect(() => new IpAccessPolicy(chart, 'P', {
      target: PolicyTarget.gateway(gateway), action: IpAccessAction.ALLOW, clientIpBlocks: [IpBlock.of('203.0.113.0/24')], ipBlocks: [IpBlock.of('203.0.113.0/24')],
    })).toThrow(/'ipBlocks' must be a list of distinct ranges/);
  });
});
