import {
  AwsNlbTargetType, EdgeChain, EdgeHop, ExternalTrafficPolicy, GatewaySourceIpSettings, GatewayServiceType, GatewayTopology,
} from '../../src';

describe('GatewaySourceIpSettings', () => {
  test('derives a passthrough load balancer\'s settings without a chart', () => {
    const settings = GatewaySourceIpSettings.derive({ edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()) });
    expect(settings.externalTrafficPolicy).toBe(ExternalTrafficPolicy.LOCAL);
    expect(settings.serviceType).toBe(GatewayServiceType.LOAD_BALANCER);
    expect(settings.proxyConfig).toBe('{"gatewayTopology":{"numTrustedProxies":0}}');
    expect(settings.clientIpField).toBe('ipBlocks');
    expect(settings.replicas).toBe(2);
    expect(settings.podDisruptionBudget).toBe(true);
    expect(settings.env).toEqual({});
    expect(settings.warnings).toEqual([]);
  });

  test('derives PROXY protocol, the health-port variable and the load balancer annotations from an NLB with PROXY v2', () => {
    const settings = GatewaySourceIpSettings.derive({ edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })) });
    expect(settings.topology.proxyProtocol).toBe(true);
    expect(settings.env).toEqual({ ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL: 'true' });
    expect(settings.externalTrafficPolicy).toBe(ExternalTrafficPolicy.CLUSTER);
    expect(settings.replicas).toBe(1);
    expect(settings.podDisruptionBudget).toBe(false);
    expect(Object.keys(settings.serviceAnnotations)).toContain('service.beta.kubernetes.io/aws-load-balancer-proxy-protocol');
  });

  test('fills in the chart\'s resources and keeps the ones given', () => {
    const settings = GatewaySourceIpSettings.derive({ resources: { limits: { memory: '2Gi' } } });
    expect(settings.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '2Gi' } });
  });

  test('keeps at least 2 pods under an autoscaler with externalTrafficPolicy Local', () => {
    const settings = GatewaySourceIpSettings.derive({ autoscaling: {} });
    expect(settings.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
    expect(settings.replicas).toBe(2);
    expect(settings.podDisruptionBudget).toBe(true);
  });

  test('warns when an autoscaler may shrink a Local gateway to one pod', () => {
    const settings = GatewaySourceIpSettings.derive({ autoscaling: { minReplicas: 1 } });
    expect(settings.warnings.map((w) => w.id)).toEqual(['local-traffic-policy-single-replica']);
    expect(settings.warnings[0].message).toMatch(/Fix: set autoscaling\.minReplicas to 2 or more/);
  });

  test('merges the topology into the user\'s ProxyConfig', () => {
    const settings = GatewaySourceIpSettings.derive({
      topology: GatewayTopology.of({ numTrustedProxies: 1 }),
      podAnnotations: { 'proxy.istio.io/config': '{"concurrency":2}' },
    });
    expect(JSON.parse(settings.proxyConfig)).toEqual({ concurrency: 2, gatewayTopology: { numTrustedProxies: 1 } });
  });

  test('fails if replicas and autoscaling are both set', () => {
    expect(() => GatewaySourceIpSettings.derive({ replicas: 3, autoscaling: { minReplicas: 2 } }))
      .toThrow(/'replicas' must be unset when autoscaling is set \(the autoscaler owns the number of pods\), got 3\. Fix: remove replicas/);
  });

  test('fails if maxReplicas is below minReplicas', () => {
    expect(() => GatewaySourceIpSettings.derive({ autoscaling: { minReplicas: 4, maxReplicas: 3 } }))
      .toThrow(/'autoscaling\.maxReplicas' must be at least minReplicas \(4\), got 3/);
  });

  test('fails if a resource quantity is not a Kubernetes quantity', () => {
    expect(() => GatewaySourceIpSettings.derive({ resources: { requests: { cpu: '100 millicores' } } }))
      .toThrow(/'resources\.requests\.cpu' must be a Kubernetes quantity such as "100m", "2" or "128Mi", got "100 millicores"/);
  });

  test('fails if a map prop is a string, which would be read character by character', () => {
    const asAny = (value: unknown) => value as Record<string, string>;
    expect(() => GatewaySourceIpSettings.derive({ podAnnotations: asAny('abc'), serviceAnnotations: asAny(['x']) }))
      .toThrow(/'serviceAnnotations' must be a map of strings, got \["x"\][\s\S]*'podAnnotations' must be a map of strings, got "abc"/);
  });

  test('fails if edge or topology is not the library\'s value', () => {
    expect(() => GatewaySourceIpSettings.derive({ edge: {} as EdgeChain, topology: { numTrustedProxies: 1 } as unknown as GatewayTopology }))
      .toThrow(/'edge' must be an EdgeChain[\s\S]*'topology' must be a GatewayTopology/);
  });
});
