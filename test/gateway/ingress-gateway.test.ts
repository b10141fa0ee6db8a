import { k8s } from 'cdk8s-plus-27';
import {
  ExternalTrafficPolicy, ForwardClientCertDetails, GatewayPortProtocol, GatewayServiceType, GatewayTopology, IngressGateway, IpBlock, Warnings,
} from '../../src';
import { newChart, only, synth } from '../util';

describe('IngressGateway', () => {
  test('deploys a gateway the way Istio documents gateway injection', () => {
    // GIVEN
    const chart = newChart();
    // WHEN
    new IngressGateway(chart, 'Edge', { namespace: 'istio-ingress' });
    // THEN
    const objects = synth(chart);
    const deployment = only(objects, 'Deployment');
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toEqual({ 'app': 'ingress-gateway', 'istio': 'ingress-gateway', 'sidecar.istio.io/inject': 'true' });
    expect(pod.metadata.annotations['inject.istio.io/templates']).toBe('gateway');
    expect(pod.spec.containers).toHaveLength(1);
    expect(pod.spec.containers[0]).toMatchObject({ name: 'istio-proxy', image: 'auto' });
    expect(pod.spec.serviceAccountName).toBe('ingress-gateway');
    expect(only(objects, 'ServiceAccount').metadata).toEqual({ name: 'ingress-gateway', namespace: 'istio-ingress' });
    expect(only(objects, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }]);
    expect(only(objects, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'ingress-gateway' }]);
  });

  test('keeps the client address with a LoadBalancer Service and externalTrafficPolicy Local by default', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge');
    const service = only(synth(chart), 'Service');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.externalTrafficPolicy).toBe('Local');
    expect(service.spec.selector).toEqual({ app: 'ingress-gateway', istio: 'ingress-gateway' });
    expect(service.spec.ports).toEqual([
      { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021, appProtocol: 'tcp' },
      { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
    ]);
  });

  test('runs 2 replicas spread across nodes when externalTrafficPolicy is Local', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge');
    const deployment = only(synth(chart), 'Deployment');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'ingress-gateway', istio: 'ingress-gateway' } } },
    }]);
  });

  test('runs 1 replica by default with externalTrafficPolicy Cluster', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    expect(only(synth(chart), 'Deployment').spec.replicas).toBe(1);
    expect(gateway.replicas).toBe(1);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('derives the selector labels from the name as Istio\'s gateway chart does', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { name: 'istio-public' });
    expect(gateway.selectorLabels).toEqual({ app: 'istio-public', istio: 'public' });
    const custom = new IngressGateway(chart, 'Other', { name: 'edge', appLabel: 'edge-app', istioLabel: 'edge-gw' });
    expect(custom.selectorLabels).toEqual({ app: 'edge-app', istio: 'edge-gw' });
  });

  test('writes the topology to the pod template as one proxy.istio.io/config annotation', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', {
      topology: GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true, forwardClientCertDetails: ForwardClientCertDetails.SANITIZE }),
    });
    const deployment = only(synth(chart), 'Deployment');
    expect(JSON.parse(deployment.spec.template.metadata.annotations['proxy.istio.io/config'])).toEqual({
      gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {}, forwardClientCertDetails: 'SANITIZE' },
    });
    expect(deployment.metadata.annotations).toBeUndefined();
    expect(gateway.topology.numTrustedProxies).toBe(2);
  });

  test('pins numTrustedProxies 0 when no topology is given, so a mesh-wide value meant for another gateway does not apply', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge');
    const annotations = only(synth(chart), 'Deployment').spec.template.metadata.annotations;
    expect(JSON.parse(annotations['proxy.istio.io/config'])).toEqual({ gatewayTopology: { numTrustedProxies: 0 } });
  });

  test('merges the topology into a ProxyConfig given in podAnnotations, keeping the user\'s fields', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', {
      topology: GatewayTopology.of({ numTrustedProxies: 1 }),
      podAnnotations: { 'proxy.istio.io/config': 'concurrency: 2\ngatewayTopology:\n  forwardClientCertDetails: SANITIZE\n', 'team': 'edge' },
    });
    const annotations = only(synth(chart), 'Deployment').spec.template.metadata.annotations;
    expect(JSON.parse(annotations['proxy.istio.io/config'])).toEqual({
      concurrency: 2,
      gatewayTopology: { forwardClientCertDetails: 'SANITIZE', numTrustedProxies: 1 },
    });
    expect(annotations.team).toBe('edge');
  });

  test('keeps both numTrustedProxies and proxyProtocol, which the seed article\'s second kubectl patch dropped', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', {
      topology: GatewayTopology.of({ proxyProtocol: true, numTrustedProxies: 2 }),
      podAnnotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":2}}' },
    });
    const annotations = only(synth(chart), 'Deployment').spec.template.metadata.annotations;
    expect(JSON.parse(annotations['proxy.istio.io/config']).gatewayTopology).toEqual({ numTrustedProxies: 2, proxyProtocol: {} });
  });

  test('lets load balancer health checks send PROXY headers to port 15021 when PROXY protocol is on', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { topology: GatewayTopology.of({ proxyProtocol: true }) });
    const container = only(synth(chart), 'Deployment').spec.template.spec.containers[0];
    expect(container.env).toEqual([{ name: 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL', value: 'true' }]);
  });

  test('sets no PROXY environment variable without PROXY protocol', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge');
    expect(only(synth(chart), 'Deployment').spec.template.spec.containers[0].env).toBeUndefined();
  });

  test('passes Service annotations, ports, health check node port and source ranges through', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', {
      serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' },
      ports: [{ name: 'https', port: 443, targetPort: 8443 }, { name: 'dns', port: 53, protocol: GatewayPortProtocol.UDP }],
      healthCheckNodePort: 32000,
      loadBalancerSourceRanges: [IpBlock.of('203.0.113.0/24')],
    });
    const service = only(synth(chart), 'Service');
    expect(service.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' });
    expect(service.spec.ports).toEqual([
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
    ]);
    expect(service.spec.healthCheckNodePort).toBe(32000);
    expect(service.spec.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
  });

  test('omits externalTrafficPolicy on a ClusterIP Service', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', { serviceType: GatewayServiceType.CLUSTER_IP });
    expect(only(synth(chart), 'Service').spec.externalTrafficPolicy).toBeUndefined();
    expect(gateway.externalTrafficPolicy).toBeUndefined();
  });

  test('names its Deployment Resource so ApiObject.of works as an escape hatch', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge');
    expect(gateway.node.defaultChild).toBe(gateway.deployment);
    expect(gateway.deployment).toBeInstanceOf(k8s.KubeDeployment);
  });

  test('stays quiet with the defaults: 2 replicas spread across nodes', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge');
    synth(chart);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('warns when externalTrafficPolicy Local runs a single replica', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { replicas: 1 });
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({ path: 'test/Edge', id: 'local-traffic-policy-single-replica' })]);
  });

  test('warns when externalTrafficPolicy Local does not spread pods across nodes', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { spreadAcrossNodes: false });
    expect(only(synth(chart), 'Deployment').spec.template.spec.affinity).toBeUndefined();
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['local-traffic-policy-no-spread']);
  });

  test('warns when a source range has host bits set', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { loadBalancerSourceRanges: [IpBlock.of('203.0.113.9/24')] });
    expect(only(synth(chart), 'Service').spec.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['ip-block-host-bits']);
  });

  test('fails if externalTrafficPolicy is set on a ClusterIP Service', () => {
    const chart = newChart();
    expect(() => new IngressGateway(chart, 'Edge', { serviceType: GatewayServiceType.CLUSTER_IP, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL }))
      .toThrow(/\[test\/Edge\] IngressGateway: 'externalTrafficPolicy' must be unset for a ClusterIP Service .*got "Local"\. Fix: remove externalTrafficPolicy/);
  });

  test('fails if healthCheckNodePort is set without a LoadBalancer and Local', () => {
    const chart = newChart();
    expect(() => new IngressGateway(chart, 'Edge', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, healthCheckNodePort: 32000 }))
      .toThrow(/'healthCheckNodePort' must be set only with serviceType LOAD_BALANCER and externalTrafficPolicy LOCAL, got 32000/);
  });

  test('fails if replicas is negative or fractional', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { replicas: -1 })).toThrow(/'replicas' must be a whole number from 0 to 2147483647, got -1/);
    expect(() => new IngressGateway(newChart(), 'Edge', { replicas: 1.5 })).toThrow(/'replicas' must be a whole number .* got 1\.5/);
  });

  test('fails if a port is invalid or repeated', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { ports: [{ name: 'http', port: 70000 }, { name: 'http', port: 80 }] }))
      .toThrow(/'ports\[0\]\.port' must be a whole number from 1 to 65535, got 70000[\s\S]*'ports\[1\]\.name' must be unique, got "http"/);
    expect(() => new IngressGateway(newChart(), 'Edge', { ports: [] })).toThrow(/'ports' must be a non-empty list/);
    expect(() => new IngressGateway(newChart(), 'Edge', { ports: [{ name: 'HTTP_2', port: 80 }] })).toThrow(/'ports\[0\]\.name' must be at most 63 lower-case/);
    expect(() => new IngressGateway(newChart(), 'Edge', { ports: [{ name: 'p'.repeat(64), port: 80 }] })).toThrow(/'ports\[0\]\.name' must be at most 63/);
  });

  test('accepts Service port names up to 63 characters (DNS labels; only container port names stop at 15)', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { ports: [{ name: `http-${'a'.repeat(58)}`, port: 80 }] });
    expect(only(synth(chart), 'Service').spec.ports[0].name).toHaveLength(63);
  });

  test('accepts pod labels whose keys are names every JavaScript object has, such as toString', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { podLabels: { toString: 'y', hasOwnProperty: 'z', valueOf: 'v' } });
    expect(only(synth(chart), 'Deployment').spec.template.metadata.labels).toMatchObject({ toString: 'y', hasOwnProperty: 'z', valueOf: 'v' });
  });

  test('fails on the label key constructor with the reason: cdk8s cannot write it, though Kubernetes would accept it', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { podLabels: { constructor: 'x' } as never }))
      .toThrow(/'podLabels key' must be a Kubernetes label key .*got "constructor"\. Fix: Kubernetes accepts "constructor", but cdk8s cannot write a map with that key/);
  });

  test('fails if podLabels would replace a selector or injection label', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { podLabels: { 'app': 'other', 'sidecar.istio.io/inject': 'false' } }))
      .toThrow(/'podLabels\["app"\]' must be "ingress-gateway" or absent[\s\S]*'podLabels\["sidecar.istio.io\/inject"\]' must be "true" or absent/);
  });

  test('fails if podAnnotations ask for a different injection template', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { podAnnotations: { 'inject.istio.io/templates': 'sidecar' } }))
      .toThrow(/'podAnnotations\["inject.istio.io\/templates"\]' must be "gateway" or absent, got "sidecar"/);
  });

  test('fails if the ProxyConfig in podAnnotations sets a different numTrustedProxies, naming both values', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', {
      topology: GatewayTopology.of({ numTrustedProxies: 2 }),
      podAnnotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":1}}' },
    })).toThrow(/proxy.istio.io\/config already sets gatewayTopology.numTrustedProxies to 1, and this construct would set 2/);
  });

  test('fails if the ProxyConfig in podAnnotations is not a map', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { podAnnotations: { 'proxy.istio.io/config': '[1, 2]' } }))
      .toThrow(/annotation: "\[1, 2\]" cannot be read: it is a list, not a map of ProxyConfig fields/);
  });

  test('fails if name, namespace or label keys are not valid Kubernetes names', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { name: 'Istio_Gateway' })).toThrow(/'name' must be a Service name \(at most 63 lower-case letters, digits and '-', starting with a letter\)/);
    // The name is also the Service's, so it is a DNS-1035 label: no dots, no leading digit, at most 63.
    for (const name of ['istio.gateway', '1gateway', 'g'.repeat(64)]) {
      expect(() => new IngressGateway(newChart(), 'Edge', { name })).toThrow(/'name' must be a Service name/);
    }
    expect(() => new IngressGateway(newChart(), 'Edge', { namespace: 'istio.system' })).toThrow(/'namespace' must be a namespace name/);
    expect(() => new IngressGateway(newChart(), 'Edge', { podLabels: { '*': 'x' } })).toThrow(/'podLabels key' must be a Kubernetes label key .* got "\*"\. Fix: wildcards are not allowed/);
    expect(() => new IngressGateway(newChart(), 'Edge', { serviceAnnotations: { 'bad key': 'x' } })).toThrow(/'serviceAnnotations key' must be a Kubernetes annotation key/);
  });

  test('fails with every problem at once', () => {
    let error: unknown;
    try {
      new IngressGateway(newChart(), 'Edge', { replicas: -1, healthCheckNodePort: 0, name: 'X' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'SourceIpValidationError', constructPath: 'test/Edge' });
    expect((error as { problems: string[] }).problems).toHaveLength(3);
  });

  test('lives in istio-ingress when neither the prop nor the chart names a namespace', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge');
    expect(only(synth(chart), 'Deployment').metadata).toEqual({ name: 'ingress-gateway', namespace: 'istio-ingress' });
  });

  test('writes a PodDisruptionBudget with two or more pods, and none with one', () => {
    const two = newChart();
    new IngressGateway(two, 'Edge');
    expect(only(synth(two), 'PodDisruptionBudget').spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: 'ingress-gateway', istio: 'ingress-gateway' } } });
    const one = newChart();
    new IngressGateway(one, 'Edge', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    expect(synth(one).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('hands the pod count to a HorizontalPodAutoscaler when asked', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { autoscaling: { maxReplicas: 10 } });
    const objects = synth(chart);
    expect(only(objects, 'Deployment').spec.replicas).toBeUndefined();
    expect(only(objects, 'HorizontalPodAutoscaler')).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ingress-gateway' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    });
  });

  test('fails if it would take over istioctl\'s istio-ingressgateway in istio-system', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { name: 'istio-ingressgateway', namespace: 'istio-system' }))
      .toThrow(/this gateway would be istio-ingressgateway in istio-system .* Fix: deploy into a namespace of its own \(the default, istio-ingress\), or change the installed gateway through its installer instead/);
    expect(() => new IngressGateway(newChart(), 'Edge2', { name: 'my-gw', namespace: 'istio-system', appLabel: 'istio-ingressgateway', istioLabel: 'ingressgateway' }))
      .toThrow(/carry its labels app: istio-ingressgateway, istio: ingressgateway/);
  });

  test('allows the name istio-ingressgateway in a namespace of its own, as Istio\'s install guide does', () => {
    const chart = newChart();
    new IngressGateway(chart, 'Edge', { name: 'istio-ingressgateway', namespace: 'istio-ingress' });
    expect(only(synth(chart), 'Service').spec.selector).toEqual({ app: 'istio-ingressgateway', istio: 'ingressgateway' });
  });

  test('fails if two gateways share a name in one namespace', () => {
    const chart = newChart();
    new IngressGateway(chart, 'A', { appLabel: 'a', istioLabel: 'a' });
    new IngressGateway(chart, 'B', { appLabel: 'b', istioLabel: 'b' });
    expect(() => synth(chart)).toThrow(/gateway test\/B has the same name "ingress-gateway" in namespace istio-ingress, so one would overwrite the other on apply/);
  });

  test('fails if a gateway added after an earlier synth shares a name', () => {
    const chart = newChart();
    new IngressGateway(chart, 'A', { appLabel: 'a', istioLabel: 'a' });
    synth(chart);
    new IngressGateway(chart, 'B', { appLabel: 'b', istioLabel: 'b' });
    expect(() => synth(chart)).toThrow(/gateway test\/B has the same name "ingress-gateway" in namespace istio-ingress/);
  });

  test('fails if two gateways share selector labels, even in different namespaces', () => {
    const chart = newChart();
    new IngressGateway(chart, 'A', { name: 'public', namespace: 'edge-a', istioLabel: 'edge' });
    new IngressGateway(chart, 'B', { name: 'public', namespace: 'edge-b', istioLabel: 'edge' });
    expect(() => synth(chart)).toThrow(/the selector labels \{"app":"public","istio":"edge"\} also match the pods of gateway test\/B/);
  });

  test('allows two gateways with their own names and labels', () => {
    const chart = newChart();
    new IngressGateway(chart, 'A', { name: 'public' });
    new IngressGateway(chart, 'B', { name: 'internal' });
    expect(synth(chart).filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name)).toEqual(['public', 'internal']);
  });

  test('fails if a port has an empty appProtocol', () => {
    expect(() => new IngressGateway(newChart(), 'Edge', { ports: [{ name: 'http2', port: 80, appProtocol: '' }] }))
      .toThrow(/'ports\[0\]\.appProtocol' must be a non-empty string such as "http" or "tcp"/);
  });
});
