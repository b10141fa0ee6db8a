import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, ExternalTrafficPolicy, GatewaySourceIpProps, GatewaySourceIpSettings, GatewayServiceType,
  InstalledGateway, IpBlock,
} from '../../src';
import {
  helmGatewayValues, InstalledGatewayTarget, istioOperatorComponent, strategicMergePatches,
} from '../../src/gateway/installer-renderings';
import { newChart } from '../util';
import { CHART_FACTS, helmSchemaErrors, unreadValuePaths } from './helm-chart';

const TARGET: InstalledGatewayTarget = {
  name: 'istio-ingressgateway', namespace: 'istio-system', selectorLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
  containerName: 'istio-proxy', resourcesGiven: false,
};
const gclb = () => EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer());
const nlbProxy = () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));

// Field names of IstioOperator at Istio 1.30.3, operator/pkg/apis/types.go (research/istio.md §6a):
// GatewayComponentSpec = ComponentSpec (enabled, namespace, hub, tag, k8s) + name, label;
// KubernetesResources = the `k8s` fields below.
const GATEWAY_COMPONENT_FIELDS = ['enabled', 'namespace', 'hub', 'tag', 'k8s', 'name', 'label'];
const KUBERNETES_RESOURCES_FIELDS = ['affinity', 'env', 'hpaSpec', 'imagePullPolicy', 'nodeSelector', 'podDisruptionBudget', 'podAnnotations',
  'priorityClassName', 'readinessProbe', 'replicaCount', 'resources', 'service', 'strategy', 'tolerations', 'serviceAnnotations', 'securityContext',
  'volumes', 'volumeMounts', 'overlays'];

describe('istioOperatorComponent', () => {
  test('uses only GatewayComponentSpec and KubernetesResources fields', () => {
    const settings = GatewaySourceIpSettings.derive({ edge: nlbProxy(), autoscaling: {}, resources: { limits: { memory: '2Gi' } } });
    const component = istioOperatorComponent(settings, { ...TARGET, resourcesGiven: true }, { label: { istio: 'ingressgateway' }, meshWideTopology: false });
    expect(Object.keys(component).filter((k) => !GATEWAY_COMPONENT_FIELDS.includes(k))).toEqual([]);
    expect(Object.keys(component.k8s as object).filter((k) => !KUBERNETES_RESOURCES_FIELDS.includes(k))).toEqual([]);
    expect(Object.keys(component.k8s as object).sort()).toEqual(['affinity', 'env', 'hpaSpec', 'podAnnotations', 'resources', 'service', 'serviceAnnotations']);
  });

  test('writes the env as a list of EnvVar, which istioctl merges by name', () => {
    const component = istioOperatorComponent(GatewaySourceIpSettings.derive({ edge: nlbProxy() }), TARGET, { meshWideTopology: false });
    expect((component.k8s as { env: unknown }).env).toEqual([{ name: 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL', value: 'true' }]);
  });

  test('writes no externalTrafficPolicy for a ClusterIP Service', () => {
    const component = istioOperatorComponent(GatewaySourceIpSettings.derive({ edge: gclb() }), TARGET, { meshWideTopology: false });
    expect((component.k8s as { service: unknown }).service).toEqual({ type: 'ClusterIP' });
  });
});

describe('helmGatewayValues', () => {
  test('writes externalTrafficPolicy "" for a ClusterIP Service, which the chart\'s template leaves out', () => {
    const values = helmGatewayValues(GatewaySourceIpSettings.derive({ edge: gclb() }), TARGET);
    expect(values.service).toEqual({ type: 'ClusterIP', externalTrafficPolicy: '', annotations: { 'cloud.google.com/neg': '{"ingress": true}' } });
    // templates/service.yaml: `{{- with .Values.service.externalTrafficPolicy }}`, so "" writes nothing.
    expect(CHART_FACTS.valuesGuarded).toContain('service.externalTrafficPolicy');
  });

  test('turns the chart\'s autoscaler off for a fixed count', () => {
    expect(helmGatewayValues(GatewaySourceIpSettings.derive({ replicas: 3 }), TARGET)).toMatchObject({ autoscaling: { enabled: false }, replicaCount: 3 });
  });

  test('writes env as the map the chart turns into EnvVars', () => {
    expect(helmGatewayValues(GatewaySourceIpSettings.derive({ edge: nlbProxy() }), TARGET).env).toEqual({ ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL: 'true' });
  });

  test('the schema lets service.healthCheckNodePort through, but no template reads it: why the construct refuses it', () => {
    const values = { service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 } };
    expect(helmSchemaErrors(values)).toEqual([]);
    expect(unreadValuePaths(values)).toEqual(['service.healthCheckNodePort']);
  });

  test('the schema refuses a value the chart does not know, so the checks can fail', () => {
    expect(helmSchemaErrors({ replicas: 2 })).toEqual(['/ must NOT have additional properties {"additionalProperty":"replicas"}']);
    expect(helmSchemaErrors({ autoscaling: { minReplicas: '2' } })).toEqual(['/autoscaling/minReplicas must be integer {"type":"integer"}']);
  });

  test('the chart\'s defaults are the ones InstalledGateway.helm assumes: an autoscaler (1 to 5 pods, 80% CPU) and ports 15021, 80, 443', () => {
    const defaults = CHART_FACTS.defaults as { autoscaling: unknown; service: { ports: { name: string; port: number; targetPort: number }[] }; podAnnotations: Record<string, string> };
    expect(defaults.autoscaling).toMatchObject({ enabled: true, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
    const gateway = InstalledGateway.helm(newChart(), 'gw', { releaseName: 'gw', namespace: 'gw' });
    expect(defaults.service.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })))
      .toEqual(gateway.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })));
    expect(defaults.podAnnotations).toMatchObject({ 'inject.istio.io/templates': 'gateway', 'sidecar.istio.io/inject': 'true' });
    expect(gateway.settings.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } });
    expect((CHART_FACTS.defaults as { resources: unknown }).resources).toEqual(gateway.settings.resources);
  });
});

describe('strategicMergePatches', () => {
  test('deletes externalTrafficPolicy when the Service becomes ClusterIP', () => {
    const patches = strategicMergePatches(GatewaySourceIpSettings.derive({ edge: gclb() }), TARGET);
    expect(patches.service).toEqual({ metadata: { annotations: { 'cloud.google.com/neg': '{"ingress": true}' } }, spec: { type: 'ClusterIP', externalTrafficPolicy: null } });
  });

  test('merges the article\'s two patches into one ProxyConfig, keeping the fields already there', () => {
    const settings = GatewaySourceIpSettings.derive({
      edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
      podAnnotations: { 'proxy.istio.io/config': '{"concurrency":2}' },
    });
    const deployment = strategicMergePatches(settings, TARGET).deployment as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    expect(JSON.parse(deployment.spec.template.metadata.annotations['proxy.istio.io/config']))
      .toEqual({ concurrency: 2, gatewayTopology: { numTrustedProxies: 1, proxyProtocol: {} } });
  });
});

describe('the renderings of random props', () => {
  const edges = [
    () => EdgeChain.of(EdgeHop.gkeExternalPassthrough()), gclb, nlbProxy, () => EdgeChain.of(EdgeHop.metalLb()),
    () => EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsAlb()),
  ];
  const annotationKey = fc.constantFrom('team.example.com/owner', 'example.com/x', 'cost-center', 'prometheus.io/scrape');
  const annotationValue = fc.oneof(fc.constantFrom('true', '1', '', '*', 'a: b', '{"x": 1}'), fc.string({ maxLength: 20 }));
  const props: fc.Arbitrary<GatewaySourceIpProps> = fc.record({
    edge: fc.constantFrom(...edges).map((e) => e()),
    pods: fc.oneof(
      fc.record({ replicas: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ autoscaling: fc.record({ minReplicas: fc.integer({ min: 1, max: 5 }), maxReplicas: fc.integer({ min: 5, max: 20 }) }, { requiredKeys: [] }) }),
    ),
    serviceAnnotations: fc.option(fc.dictionary(annotationKey, annotationValue), { nil: undefined }),
    podAnnotations: fc.option(fc.dictionary(annotationKey, annotationValue), { nil: undefined }),
    spreadAcrossNodes: fc.option(fc.boolean(), { nil: undefined }),
    ranges: fc.option(fc.constantFrom(['203.0.113.0/24'], ['2001:db8::/32', '198.51.100.7']), { nil: undefined }),
  }).map(({ pods, ranges, ...rest }) => ({
    ...rest, ...pods,
    // Source ranges only where Kubernetes allows them (a LoadBalancer Service).
    loadBalancerSourceRanges: ranges === undefined || rest.edge.serviceType !== GatewayServiceType.LOAD_BALANCER ? undefined : IpBlock.ofAll(ranges),
  }));

  test('validate against the chart\'s schema, are read by its templates, and use only IstioOperator fields', () => {
    fc.assert(fc.property(props, (p) => {
      const helm = InstalledGateway.helm(newChart(), 'gw', { ...p, releaseName: 'gw', namespace: 'gw' }).helmValues();
      const component = InstalledGateway.istioctl(newChart(), 'gw', p).istioOperatorComponent();
      return helmSchemaErrors(helm).length === 0 && unreadValuePaths(helm).length === 0
        && Object.keys(component.k8s as object).every((k) => KUBERNETES_RESOURCES_FIELDS.includes(k))
        // Every rendering writes the one merged ProxyConfig the settings hold.
        && (helm.podAnnotations as Record<string, string>)['proxy.istio.io/config'] === GatewaySourceIpSettings.derive(p).proxyConfig;
    }), { numRuns: 300 });
  });
});

// `kubectl patch --local` applies a strategic-merge patch to a file without a cluster, with
// Kubernetes' own merge rules (env and containers keyed by name, maps merged, null deletes).
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

/** Applies `patch` to `object` with kubectl's strategic merge, offline. */
function kubectlPatch(object: object, patch: object): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patch-'));
  try {
    fs.writeFileSync(path.join(dir, 'object.yaml'), stringify(object));
    fs.writeFileSync(path.join(dir, 'patch.yaml'), stringify(patch));
    const run = spawnSync('kubectl', ['patch', '--local', '-f', path.join(dir, 'object.yaml'), '--type', 'strategic', '--patch-file', path.join(dir, 'patch.yaml'), '-o', 'yaml'],
      { encoding: 'utf8' });
    if (run.status !== 0) {
      throw new Error(`kubectl patch failed: ${run.stderr}`);
    }
    return parse(run.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(kubectl ? describe : describe.skip)('the patches, applied by kubectl to a gateway as the istio/gateway chart renders it', () => {
  const labels = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { 'inject.istio.io/templates': 'gateway', 'prometheus.io/scrape': 'true' } },
        spec: { containers: [{ name: 'istio-proxy', image: 'auto', env: [{ name: 'ISTIO_META_ROUTER_MODE', value: 'standard' }] }] },
      },
    },
  };
  const service = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', annotations: { 'team.example.com/owner': 'edge' } },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: labels, ports: [{ name: 'http2', port: 80, targetPort: 8080 }] },
  };

  test('keep the chart\'s annotations and env, and add the ProxyConfig, the health-port variable, the count and the spreading', () => {
    const settings = GatewaySourceIpSettings.derive({ edge: nlbProxy(), replicas: 2 });
    const patched = kubectlPatch(deployment, strategicMergePatches(settings, TARGET).deployment);
    expect(patched.spec.replicas).toBe(2);
    expect(patched.spec.template.metadata.annotations).toEqual({
      'inject.istio.io/templates': 'gateway', 'prometheus.io/scrape': 'true', 'proxy.istio.io/config': settings.proxyConfig,
    });
    expect(patched.spec.template.spec.containers).toHaveLength(1);
    expect(patched.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'ISTIO_META_ROUTER_MODE', value: 'standard' }, { name: 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL', value: 'true' },
    ]));
    expect(patched.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels).toEqual(labels);
  });

  test('set externalTrafficPolicy and the load balancer\'s annotations, keeping the Service\'s own', () => {
    const settings = GatewaySourceIpSettings.derive({ edge: nlbProxy(), replicas: 2 });
    const patched = kubectlPatch(service, strategicMergePatches(settings, TARGET).service);
    expect(patched.spec.externalTrafficPolicy).toBe(ExternalTrafficPolicy.CLUSTER);
    expect(patched.metadata.annotations).toEqual({ 'team.example.com/owner': 'edge', ...settings.serviceAnnotations });
    expect(patched.spec.ports).toEqual(service.spec.ports);
  });

  test('remove externalTrafficPolicy from a Service that becomes ClusterIP', () => {
    const patched = kubectlPatch(service, strategicMergePatches(GatewaySourceIpSettings.derive({ edge: gclb(), replicas: 2 }), TARGET).service);
    expect(patched.spec.type).toBe('ClusterIP');
    expect(patched.spec.externalTrafficPolicy).toBeUndefined();
  });
});
