import {
  AwsNlbTargetType, ClassicElbListener, DigitalOceanLbType, EdgeChain, EdgeHop, GatewayServiceType, GatewaySettings,
  HetznerProtocol, HopLayer, ProxyProtocolVersion, SourcePreservation,
} from '../src';

const NLB = {
  'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
  'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
};

interface Row {
  readonly chain: () => EdgeChain;
  readonly settings: GatewaySettings;
  readonly serviceType: GatewayServiceType;
  readonly carriesClientAddress?: boolean;
}

// One row per factory (and per variant), each naming the row of research/peers.md table (a) it encodes.
const ROWS: Record<string, Row> = {
  'GKE external passthrough NLB [G1][G2][G3]: 0 entries, no PROXY, Local keeps the client': {
    chain: () => EdgeChain.of(EdgeHop.gkeExternalPassthrough()),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: {}, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'GKE internal passthrough NLB [G2]: the Internal annotation': {
    chain: () => EdgeChain.of(EdgeHop.gkeInternalPassthrough()),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: { 'networking.gke.io/load-balancer-type': 'Internal' }, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'GKE Ingress / Gateway API Application LB [G6][G7]: 2 entries (client, load balancer)': {
    chain: () => EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()),
    settings: { numTrustedProxies: 2, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: { 'cloud.google.com/neg': '{"ingress": true}' }, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.CLUSTER_IP,
  },
  'AWS Classic ELB TCP listener [A1]: the client is lost': {
    chain: () => EdgeChain.of(EdgeHop.awsClassicElb(ClassicElbListener.TCP)),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: {}, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
    carriesClientAddress: false,
  },
  'AWS Classic ELB TCP + PROXY v1 [A2][A3]: the proxy-protocol "*" annotation': {
    chain: () => EdgeChain.of(EdgeHop.awsClassicElb(ClassicElbListener.TCP_PROXY_PROTOCOL)),
    settings: { numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: 'Cluster', serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' }, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'AWS Classic ELB HTTP listener [A1]: 1 entry': {
    chain: () => EdgeChain.of(EdgeHop.awsClassicElb(ClassicElbListener.HTTP)),
    settings: { numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'http' }, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'AWS NLB instance targets [LBC1]: client IP preserved by default, kept with Local': {
    chain: () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.INSTANCE })),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: { ...NLB, 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance' }, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'AWS NLB instance targets + PROXY v2 [LBC1][LBC2]: Cluster, because PROXY with Local breaks health checks': {
    chain: () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.INSTANCE, proxyProtocol: true })),
    settings: {
      numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: { ...NLB, 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance', 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' },
      clientIpField: 'remoteIpBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'AWS NLB ip targets [LBC1]: client IP preservation is off by default, so the client is lost': {
    chain: () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP })),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: { ...NLB, 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' }, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
    carriesClientAddress: false,
  },
  'AWS NLB ip targets with preserve_client_ip [LBC1]: the pod sees the client whatever the policy': {
    chain: () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true, internetFacing: false })),
    settings: {
      numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip', 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
      },
      clientIpField: 'ipBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'AWS ALB [A4][LBC3]: 1 entry, to pod IPs': {
    chain: () => EdgeChain.of(EdgeHop.awsAlb()),
    settings: { numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: {}, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.CLUSTER_IP,
  },
  'AWS CloudFront → ALB [A5]: 2 entries (viewer, CloudFront edge)': {
    chain: () => EdgeChain.of(EdgeHop.cloudFront(), EdgeHop.awsAlb()),
    settings: { numTrustedProxies: 2, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: {}, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.CLUSTER_IP,
  },
  'Azure external Standard LB [AZ1]: passthrough, Local keeps the client': {
    chain: () => EdgeChain.of(EdgeHop.azureLoadBalancer()),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: {}, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Azure internal Standard LB [AZ1]: the internal annotation': {
    chain: () => EdgeChain.of(EdgeHop.azureLoadBalancer({ internal: true })),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Azure Private Link Service with PROXY v2 [AZ2][AZ3]: the pls annotations': {
    chain: () => EdgeChain.of(EdgeHop.azureLoadBalancer({ internal: true, privateLinkServiceProxyProtocol: true })),
    settings: {
      numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: {
        'service.beta.kubernetes.io/azure-load-balancer-internal': 'true', 'service.beta.kubernetes.io/azure-pls-create': 'true',
        'service.beta.kubernetes.io/azure-pls-proxy-protocol': 'true',
      },
      clientIpField: 'remoteIpBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Azure Application Gateway [AZ6]: 1 entry (ip:port unless rewritten)': {
    chain: () => EdgeChain.of(EdgeHop.azureApplicationGateway({ portStripped: true })),
    settings: { numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: {}, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.CLUSTER_IP,
  },
  'Azure Front Door [AZ7] → AKS Standard LB: 1 entry': {
    chain: () => EdgeChain.of(EdgeHop.azureFrontDoor(), EdgeHop.azureLoadBalancer()),
    settings: { numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: {}, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'DigitalOcean REGIONAL_NETWORK [DO1][DO2]: passthrough, the default type': {
    chain: () => EdgeChain.of(EdgeHop.digitalOcean()),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: { 'service.beta.kubernetes.io/do-loadbalancer-type': 'REGIONAL_NETWORK' }, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'DigitalOcean REGIONAL [DO1]: proxying, the client is lost without PROXY': {
    chain: () => EdgeChain.of(EdgeHop.digitalOcean({ type: DigitalOceanLbType.REGIONAL })),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: { 'service.beta.kubernetes.io/do-loadbalancer-type': 'REGIONAL' }, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
    carriesClientAddress: false,
  },
  'DigitalOcean REGIONAL with PROXY [DO1]: the enable-proxy-protocol annotation': {
    chain: () => EdgeChain.of(EdgeHop.digitalOcean({ type: DigitalOceanLbType.REGIONAL, proxyProtocol: true })),
    settings: {
      numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: { 'service.beta.kubernetes.io/do-loadbalancer-type': 'REGIONAL', 'service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol': 'true' },
      clientIpField: 'remoteIpBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Hetzner tcp [HZ1]: proxying, the client is lost without PROXY': {
    chain: () => EdgeChain.of(EdgeHop.hetzner()),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: { 'load-balancer.hetzner.cloud/protocol': 'tcp' }, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
    carriesClientAddress: false,
  },
  'Hetzner tcp with PROXY [HZ1][HZ2]: the uses-proxyprotocol annotation': {
    chain: () => EdgeChain.of(EdgeHop.hetzner({ proxyProtocol: true })),
    settings: {
      numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: { 'load-balancer.hetzner.cloud/protocol': 'tcp', 'load-balancer.hetzner.cloud/uses-proxyprotocol': 'true' },
      clientIpField: 'remoteIpBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Hetzner http [HZ1]: appends to X-Forwarded-For (1 assumed)': {
    chain: () => EdgeChain.of(EdgeHop.hetzner({ protocol: HetznerProtocol.HTTP })),
    settings: { numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: { 'load-balancer.hetzner.cloud/protocol': 'http' }, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Oracle (OKE) LB with PROXY v2 [OCI1]: the version annotation as an integer': {
    chain: () => EdgeChain.of(EdgeHop.oracleLoadBalancer({ proxyProtocolVersion: ProxyProtocolVersion.V2 })),
    settings: {
      numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: { 'service.beta.kubernetes.io/oci-load-balancer-connection-proxy-protocol-version': '2' }, clientIpField: 'remoteIpBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Oracle (OKE) NLB [OCI1][OCI3]: is-preserve-source, valid only with Local': {
    chain: () => EdgeChain.of(EdgeHop.oracleNetworkLoadBalancer()),
    settings: {
      numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local',
      serviceAnnotations: { 'oci.oraclecloud.com/load-balancer-type': 'nlb', 'oci-network-load-balancer.oraclecloud.com/is-preserve-source': 'true' }, clientIpField: 'ipBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Oracle (OKE) NLB with PROXY v2 [OCI1]: is-ppv2-enabled': {
    chain: () => EdgeChain.of(EdgeHop.oracleNetworkLoadBalancer({ proxyProtocol: true })),
    settings: {
      numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: { 'oci.oraclecloud.com/load-balancer-type': 'nlb', 'oci-network-load-balancer.oraclecloud.com/is-ppv2-enabled': 'true' }, clientIpField: 'remoteIpBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'MetalLB [ML1]: routed, Local keeps the client': {
    chain: () => EdgeChain.of(EdgeHop.metalLb()),
    settings: { numTrustedProxies: 0, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: {}, clientIpField: 'ipBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Cloudflare (proxied) [CF1][CF2] → GKE passthrough NLB: 1 entry': {
    chain: () => EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()),
    settings: { numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: 'Local', serviceAnnotations: {}, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Cloudflare → NLB with PROXY (istio/istio#31704, worked hop counts): 1, not 2': {
    chain: () => EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
    settings: {
      numTrustedProxies: 1, proxyProtocol: true, externalTrafficPolicy: 'Cluster',
      serviceAnnotations: { ...NLB, 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip', 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' },
      clientIpField: 'remoteIpBlocks',
    },
    serviceType: GatewayServiceType.LOAD_BALANCER,
  },
  'Cloudflare → Google Cloud Application LB (worked hop counts): 3': {
    chain: () => EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.googleCloudApplicationLoadBalancer()),
    settings: { numTrustedProxies: 3, proxyProtocol: false, externalTrafficPolicy: 'Cluster', serviceAnnotations: { 'cloud.google.com/neg': '{"ingress": true}' }, clientIpField: 'remoteIpBlocks' },
    serviceType: GatewayServiceType.CLUSTER_IP,
  },
};

describe('EdgeChain.gatewaySettings', () => {
  test.each(Object.keys(ROWS))('peers.md %s', (name) => {
    const row = ROWS[name];
    const chain = row.chain();
    expect(chain.gatewaySettings()).toEqual(row.settings);
    expect(chain.serviceType).toBe(row.serviceType);
    expect(chain.carriesClientAddress).toBe(row.carriesClientAddress ?? true);
    expect(chain.gatewayHop.source).toMatch(/^research\/peers\.md table \(a\), /);
  });

  test('covers every factory', () => {
    // GIVEN a spy on every factory
    const factories = Object.getOwnPropertyNames(EdgeHop)
      .filter((k) => typeof (EdgeHop as unknown as Record<string, unknown>)[k] === 'function' && !['custom', 'length', 'name', 'prototype'].includes(k));
    const spies = factories.map((k) => jest.spyOn(EdgeHop as unknown as Record<string, () => EdgeHop>, k));
    // WHEN every row builds its chain
    Object.values(ROWS).forEach((row) => row.chain());
    // THEN every factory was used by some row
    expect(factories.filter((_k, i) => spies[i].mock.calls.length === 0)).toEqual([]);
    expect(factories.length).toBe(16);
    spies.forEach((spy) => spy.mockRestore());
  });

  test('names the chain from the client inwards', () => {
    expect(EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.metalLb()).toString()).toBe('Cloudflare (proxied) → MetalLB');
  });

  test('describes any other hop with EdgeHop.custom', () => {
    const chain = EdgeChain.of(
      EdgeHop.custom({ name: 'corporate proxy', layer: HopLayer.L7, xffEntriesAppended: 1 }),
      EdgeHop.custom({ name: 'F5', layer: HopLayer.L4_PROXY, proxyProtocol: ProxyProtocolVersion.V2, serviceType: GatewayServiceType.NODE_PORT }),
    );
    expect(chain.gatewaySettings()).toEqual({ numTrustedProxies: 1, proxyProtocol: true, externalTrafficPolicy: 'Cluster', serviceAnnotations: {}, clientIpField: 'remoteIpBlocks' });
    expect(chain.serviceType).toBe(GatewayServiceType.NODE_PORT);
    expect(chain.hops[0]).toMatchObject({ sourcePreservation: SourcePreservation.NEVER, source: 'described by the user' });
  });
});

describe('EdgeHop and EdgeChain failures', () => {
  test('fails if the chain is empty', () => {
    expect(() => EdgeChain.of()).toThrow(/EdgeChain\.of: 'hops' must list at least one hop, got none/);
  });

  test('fails if the last hop cannot sit in front of a Kubernetes Service', () => {
    expect(() => EdgeChain.of(EdgeHop.cloudflare()))
      .toThrow(/'hops\[0\]' \(Cloudflare \(proxied\)\) cannot sit directly in front of a Kubernetes Service\. Fix: add the load balancer between/);
  });

  test('fails if a hop other than the last sends PROXY protocol', () => {
    expect(() => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }), EdgeHop.metalLb()))
      .toThrow(/'hops\[0\]' \(AWS NLB \(ip targets, PROXY v2\)\) sends PROXY protocol, but only the hop directly in front of the gateway can send it/);
  });

  test('fails if a hop is not an EdgeHop', () => {
    expect(() => EdgeChain.of({ name: 'nlb' } as unknown as EdgeHop)).toThrow(/'hops\[0\]' must be an EdgeHop, got \{"name":"nlb"\}/);
  });

  test('fails if PROXY protocol is asked of a DigitalOcean passthrough load balancer', () => {
    expect(() => EdgeHop.digitalOcean({ proxyProtocol: true })).toThrow(/'proxyProtocol' must be false with type REGIONAL_NETWORK/);
  });

  test('fails if PROXY protocol is asked of a Hetzner http listener', () => {
    expect(() => EdgeHop.hetzner({ protocol: HetznerProtocol.HTTPS, proxyProtocol: true })).toThrow(/'proxyProtocol' must be false with an http or https listener/);
  });

  test('fails if a custom L4 hop appends to X-Forwarded-For, or an L7 hop sends PROXY', () => {
    expect(() => EdgeHop.custom({ name: 'x', layer: HopLayer.L4_PROXY, xffEntriesAppended: 1 })).toThrow(/'xffEntriesAppended' must be 0 for an L4 hop/);
    expect(() => EdgeHop.custom({ name: 'x', layer: HopLayer.L7, proxyProtocol: ProxyProtocolVersion.V1 })).toThrow(/'proxyProtocol' must be unset for an L7 hop/);
  });

  test('fails if a custom hop sends a PROXY version it does not support', () => {
    expect(() => EdgeHop.custom({ name: 'x', layer: HopLayer.L4_PROXY, proxyProtocol: ProxyProtocolVersion.V2, proxyProtocolSupport: [ProxyProtocolVersion.V1] }))
      .toThrow(/'proxyProtocol' must be one of the supported versions \(v1\), got "v2"/);
  });

  test('fails with every problem of a custom hop at once', () => {
    expect(() => EdgeHop.custom({ name: '', layer: 'l9' as HopLayer, xffEntriesAppended: -1 })).toThrow(/EdgeHop\.custom: 3 problems/);
  });

  test('fails if a factory option has the wrong type', () => {
    expect(() => EdgeHop.awsNlb({ targetType: 'pod' as AwsNlbTargetType })).toThrow(/'targetType' must be one of instance, ip, got "pod"/);
    expect(() => EdgeHop.awsAlb({ xffClientPort: 'yes' as unknown as boolean })).toThrow(/'xffClientPort' must be true or false, got "yes"/);
  });
});

describe('who can reach each hop directly', () => {
  test('presets say whether their hop faces the internet', () => {
    expect(EdgeHop.gkeExternalPassthrough().publiclyReachable).toBe(true);
    expect(EdgeHop.gkeInternalPassthrough().publiclyReachable).toBe(false);
    expect(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP }).publiclyReachable).toBe(true);
    expect(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, internetFacing: false }).publiclyReachable).toBe(false);
    expect(EdgeHop.azureLoadBalancer({ internal: true }).publiclyReachable).toBe(false);
  });

  test('presets carry the ranges their provider publishes, so a range lock can be checked', () => {
    expect(EdgeHop.cloudflare().sourceRanges.map(String)).toContain('173.245.48.0/20');
    expect(EdgeHop.cloudflare().sourceRanges.map(String)).toContain('2606:4700::/32');
    expect(EdgeHop.googleCloudApplicationLoadBalancer().sourceRanges.map(String)).toEqual(['130.211.0.0/22', '35.191.0.0/16']);
    expect(EdgeHop.cloudFront().sourceRanges).toEqual([]);
  });

  test('an Azure load balancer with service tags is locked down, and writes the annotation', () => {
    const hop = EdgeHop.azureLoadBalancer({ allowedServiceTags: ['AzureFrontDoor.Backend'] });
    expect(hop.lockedDown).toBe('the network security group admits only the service tags AzureFrontDoor.Backend');
    expect(hop.serviceAnnotations).toEqual({ 'service.beta.kubernetes.io/azure-allowed-service-tags': 'AzureFrontDoor.Backend' });
    expect(() => EdgeHop.azureLoadBalancer({ allowedServiceTags: [] })).toThrow(/'allowedServiceTags' must be a non-empty list of Azure service tags/);
  });

  test('lockDown returns a locked copy and leaves the hop as it was', () => {
    const hop = EdgeHop.googleCloudApplicationLoadBalancer();
    const locked = hop.lockDown('Cloud Armor admits Cloudflare only');
    expect([hop.lockedDown, locked.lockedDown]).toEqual([undefined, 'Cloud Armor admits Cloudflare only']);
    expect({ ...locked, lockedDown: undefined }).toEqual({ ...hop, lockedDown: undefined });
    expect(EdgeChain.of(EdgeHop.cloudflare(), locked).explainEdge().hops[1].lockedDown).toBe('Cloud Armor admits Cloudflare only');
  });

  test('an internal hop reaches explain as locked down', () => {
    expect(EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeInternalPassthrough()).explainEdge().hops[1].lockedDown)
      .toBe('an internal load balancer, not reachable from the internet');
  });

  test('fails if a custom hop gives a range that is not a CIDR, or a lock-down that says nothing', () => {
    expect(() => EdgeHop.custom({ name: 'p', layer: HopLayer.L7, sourceRanges: ['10.0.0.300/8'], lockedDown: ' ' }))
      .toThrow(/2 problems:[\s\S]*'lockedDown' must be a non-empty string[\s\S]*'sourceRanges' must be CIDRs/);
  });
});

describe('EdgeChain.carriesClientAddress and hopWritingTrustedPortEntry', () => {
  test('loses the client at an L4 hop that replaces the source before a passthrough one', () => {
    const hider = EdgeHop.custom({ name: 'tcp proxy', layer: HopLayer.L4_PROXY });
    expect(EdgeChain.of(hider, EdgeHop.metalLb()).carriesClientAddress).toBe(false);
    expect(EdgeChain.of(EdgeHop.cloudflare(), hider, EdgeHop.metalLb()).carriesClientAddress).toBe(true);
    expect(EdgeChain.of(EdgeHop.metalLb()).carriesClientAddress).toBe(true);
  });

  test('names the hop only when its ip:port entry is the one the gateway reads', () => {
    const appGateway = EdgeHop.azureApplicationGateway();
    const chain = EdgeChain.of(EdgeHop.cloudflare(), appGateway);
    expect(chain.hopWritingTrustedPortEntry(1)).toBe(appGateway); // the rightmost entry: Application Gateway's ip:port
    expect(chain.hopWritingTrustedPortEntry(2)).toBeUndefined(); // Cloudflare's entry, without a port
    expect(chain.hopWritingTrustedPortEntry(0)).toBeUndefined(); // the TCP peer, no header read
    expect(EdgeChain.of(EdgeHop.custom({ name: 'two', layer: HopLayer.L7, xffEntriesAppended: 2, writesPortInXff: true, serviceType: GatewayServiceType.CLUSTER_IP }))
      .hopWritingTrustedPortEntry(1)).toBeUndefined(); // its own address, appended last, has no port
  });
});
