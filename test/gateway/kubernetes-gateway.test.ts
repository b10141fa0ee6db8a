import { App, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, GatewayListener, IngressGateway, ingressGatewaysIn, KubernetesGateway, RouteNamespaces, Warnings,
} from '../../src';
import { Manifest, newChart, only, synth, validationErrorOf } from '../util';

const nlbProxy = () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));
const overlaysOf = (objects: Manifest[]): Record<string, Manifest> =>
  Object.fromEntries(Object.entries(only(objects, 'ConfigMap').data as Record<string, string>).map(([key, text]) => [key, parse(text)]));

describe('KubernetesGateway', () => {
  test('writes a Gateway of class istio whose infrastructure carries the ProxyConfig and the load balancer\'s annotations', () => {
    // GIVEN
    const chart = newChart();
    // WHEN
    new KubernetesGateway(chart, 'gw', { namespace: 'edge', edge: nlbProxy() });
    // THEN
    const gateway = only(synth(chart), 'Gateway');
    expect(gateway.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gateway.metadata).toEqual({ name: 'ingress-gateway', namespace: 'edge' });
    expect(gateway.spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
      infrastructure: {
        annotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":0,"proxyProtocol":{}}}', ...nlbProxy().gatewaySettings().serviceAnnotations },
        parametersRef: { group: '', kind: 'ConfigMap', name: 'ingress-gateway-options' },
      },
    });
  });

  test('puts externalTrafficPolicy, replicas, spreading, resources and the health-port variable in the ConfigMap overlays', () => {
    const chart = newChart();
    new KubernetesGateway(chart, 'gw', { namespace: 'edge', edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()) });
    const objects = synth(chart);
    expect(only(objects, 'ConfigMap').metadata).toEqual({ name: 'ingress-gateway-options', namespace: 'edge' });
    expect(overlaysOf(objects)).toEqual({
      service: { spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' } },
      deployment: {
        spec: {
          replicas: 2,
          template: {
            spec: {
              affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'ingress-gateway' } } } }] } },
              containers: [{ name: 'istio-proxy', resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } } }],
            },
          },
        },
      },
      podDisruptionBudget: { spec: { minAvailable: 1 } },
    });
  });

  test('sets ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL with PROXY protocol, and an autoscaler overlay instead of replicas', () => {
    const chart = newChart();
    new KubernetesGateway(chart, 'gw', { namespace: 'edge', edge: nlbProxy(), autoscaling: { minReplicas: 2 } });
    const overlays = overlaysOf(synth(chart));
    expect(overlays.deployment.spec.replicas).toBeUndefined();
    expect(overlays.deployment.spec.template.spec.containers[0].env).toEqual([{ name: 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL', value: 'true' }]);
    expect(overlays.horizontalPodAutoscaler).toEqual({
      spec: { minReplicas: 2, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
    });
    expect(Object.keys(overlays).sort()).toEqual(['deployment', 'horizontalPodAutoscaler', 'podDisruptionBudget', 'service']);
  });

  test('sets the Service type for a ClusterIP edge, without externalTrafficPolicy', () => {
    const chart = newChart();
    new KubernetesGateway(chart, 'gw', { namespace: 'edge', edge: EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()) });
    expect(overlaysOf(synth(chart)).service).toEqual({ spec: { type: 'ClusterIP' } });
  });

  test('is the gateway istiod deploys: its labels, generated names and Service ports', () => {
    const chart = newChart();
    const gateway = new KubernetesGateway(chart, 'gw', {
      name: 'public', namespace: 'edge', podLabels: { team: 'edge' },
      listeners: [GatewayListener.http(), GatewayListener.https({ certificateRefs: ['tls'] }), GatewayListener.http({ name: 'shop', hostname: 'shop.example.com' })],
    });
    expect(gateway.name).toBe('public-istio');
    expect(gateway.gatewayName).toBe('public');
    expect(gateway.selectorLabels).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'public' });
    expect(gateway.podLabels).toEqual({
      'sidecar.istio.io/inject': 'false', 'service.istio.io/canonical-name': 'public-istio', 'service.istio.io/canonical-revision': 'latest', team: 'edge',
      'gateway.networking.k8s.io/gateway-name': 'public', 'gateway.networking.k8s.io/gateway-class-name': 'istio', 'gateway.istio.io/managed': 'istio.io-gateway-controller',
    });
    expect(gateway.ports).toEqual([
      { name: 'status-port', port: 15021, appProtocol: 'tcp' }, { name: 'http', port: 80, appProtocol: 'http' }, { name: 'https', port: 443, appProtocol: 'https' },
    ]);
    expect(gateway.policyTargetRef).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' });
    expect(only(synth(chart), 'Gateway').spec.infrastructure.labels).toEqual({ team: 'edge' });
  });

  test('names the generated objects with gateway.istio.io/name-override', () => {
    const chart = newChart();
    const gateway = new KubernetesGateway(chart, 'gw', { namespace: 'edge', generatedName: 'edge-proxy' });
    expect(gateway.name).toBe('edge-proxy');
    expect(only(synth(chart), 'Gateway').metadata.annotations).toEqual({ 'gateway.istio.io/name-override': 'edge-proxy' });
  });

  test('takes the chart\'s namespace, else istio-ingress', () => {
    expect(new KubernetesGateway(newChart({ namespace: 'gw' }), 'gw').namespace).toBe('gw');
    expect(new KubernetesGateway(newChart(), 'gw').namespace).toBe('istio-ingress');
  });

  test('counts as an ingress gateway for the report and gets the same warnings as an IngressGateway', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const k8sGateway = new KubernetesGateway(chart, 'k', { namespace: 'a', spreadAcrossNodes: false });
    const injected = new IngressGateway(chart, 'i', { namespace: 'b', spreadAcrossNodes: false });
    expect(ingressGatewaysIn(app)).toEqual([injected, k8sGateway]);
    expect(Warnings.collect(k8sGateway).map((w) => w.id)).toEqual(Warnings.collect(injected).map((w) => w.id));
    expect(Warnings.collect(k8sGateway).map((w) => w.id)).toEqual(['local-traffic-policy-no-spread']);
  });

  test('fails if an annotation would be dropped by istiod', () => {
    const error = validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', {
      podAnnotations: { 'gateway.networking.k8s.io/team': 'edge' }, serviceAnnotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    }));
    expect(error.message).toMatch(/'podAnnotations\["gateway\.networking\.k8s\.io\/team"\]' must be a key without the prefix gateway\.networking\.k8s\.io\/ \(istiod drops those keys/);
    expect(error.message).toMatch(/'serviceAnnotations\["kubectl\.kubernetes\.io\/last-applied-configuration"\]' must be none of .*\(istiod leaves them out of the generated objects\)/);
  });

  test('fails on an Istio annotation meant for the Gateway itself, as every rendering does', () => {
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { podAnnotations: { 'gateway.istio.io/name-override': 'x' } })).message)
      .toMatch(/'podAnnotations key' must be an annotation Istio reads on a Pod, got "gateway\.istio\.io\/name-override"/);
  });

  test('fails if pod and Service annotations give one key two values (istiod copies one map to both)', () => {
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { podAnnotations: { 'example.com/a': '1' }, serviceAnnotations: { 'example.com/a': '2' } })).message)
      .toMatch(/'serviceAnnotations\["example\.com\/a"\]' must be the value podAnnotations has for it \("1"\).*got "2"/);
  });

  test('fails if the annotations do not fit the Gateway API\'s 8 keys', () => {
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`example.com/a${i}`, 'x']));
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { podAnnotations: many })).message)
      .toMatch(/'podAnnotations' and 'serviceAnnotations' together \(with proxy\.istio\.io\/config\) must be at most 8 keys.*got 9/);
  });

  test('fails if a pod label would replace one istiod sets', () => {
    const error = validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { podLabels: { 'sidecar.istio.io/inject': 'true', 'gateway.networking.k8s.io/gateway-name': 'x' } }));
    expect(error.message).toMatch(/'podLabels\["sidecar\.istio\.io\/inject"\]' must be a label istiod does not set itself.*Fix: remove it: a gateway pod must not get a sidecar/);
    expect(error.message).toMatch(/'podLabels\["gateway\.networking\.k8s\.io\/gateway-name"\]'/);
  });

  test('fails if the class deploys something else than an ingress gateway', () => {
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { gatewayClassName: 'istio-waypoint' })).message)
      .toMatch(/'gatewayClassName' must be an ingress gateway class \(istio-waypoint deploys a waypoint.*Fix: use "istio"/);
  });

  test('fails if the generated Service name is not a DNS label', () => {
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { name: 'a'.repeat(60) })).message)
      .toMatch(/'name' must be such that the generated Service name "a{60}-istio" is a DNS label.*Fix: shorten the name, or set generatedName/);
  });

  test('fails if the Gateway name does not fit the label istiod selects the pods with, even with generatedName', () => {
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { name: 'a'.repeat(64), generatedName: 'gw' })).problems).toEqual([
      expect.stringMatching(/^'name' must be at most 63 characters \(istiod labels the gateway pods gateway.networking.k8s.io\/gateway-name with it/),
    ]);
    expect(() => new KubernetesGateway(newChart(), 'gw', { name: 'a'.repeat(63), generatedName: 'gw' })).not.toThrow();
  });

  test('fails if scope or id is wrong (plain JavaScript), before the constructs library sees them', () => {
    expect(validationErrorOf(() => new KubernetesGateway(undefined as never, 'gw')).message).toMatch(/KubernetesGateway: 'scope' must be a construct/);
  });

  test('fails on listeners that clash: one name twice, HTTP and HTTPS on one port, one port and host twice', () => {
    const error = validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', {
      listeners: [GatewayListener.http(), GatewayListener.http({ port: 8080, name: 'http' }), GatewayListener.https({ port: 80, name: 'tls', certificateRefs: ['c'] }),
        GatewayListener.http({ name: 'again' })],
    }));
    expect(error.problems).toEqual([
      expect.stringMatching(/^'listeners\[1\]\.name' must be unique in the Gateway, got "http"/),
      expect.stringMatching(/^'listeners\[2\]\.port' must be a port no listener of another protocol uses \(http is HTTP on 80\)/),
      expect.stringMatching(/^'listeners\[3\]\.hostname' must be a host name no other listener on port 80 has, got null/),
    ]);
  });

  test('fails if listeners is empty or holds something else', () => {
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { listeners: [] })).message).toMatch(/'listeners' must be a list of 1 to 64 GatewayListener, got 0/);
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', { listeners: [{ port: 80 } as never] })).message).toMatch(/'listeners\[0\]' must be a GatewayListener/);
  });

  test('fails if props is not an object (plain JavaScript)', () => {
    expect(validationErrorOf(() => new KubernetesGateway(newChart(), 'gw', null as never)).message).toMatch(/'props' must be an object, got null/);
  });

  test('fails at synth if two gateways would write the same objects', () => {
    const chart = newChart();
    new KubernetesGateway(chart, 'a', { namespace: 'edge' });
    new KubernetesGateway(chart, 'b', { namespace: 'edge' });
    expect(() => Testing.synth(chart)).toThrow(/gateway .*\/a is also Gateway "ingress-gateway" in namespace edge/);
    const mixed = newChart();
    new KubernetesGateway(mixed, 'k', { name: 'web', namespace: 'edge', listeners: [GatewayListener.http({ routeNamespaces: RouteNamespaces.all() })] });
    new IngressGateway(mixed, 'i', { name: 'web-istio', namespace: 'edge' });
    expect(() => Testing.synth(mixed)).toThrow(/also names its Deployment and Service "web-istio" in namespace edge, so istiod\s+would not manage them/);
  });
});
