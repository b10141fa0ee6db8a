// One set of gateway settings, several renderings: for every preset edge chain (and the props that
// change what a gateway runs), each way of running a gateway ends up with the same Service, pods
// and companions in the cluster, and the same warnings. Each rendering is a column: `deployed`
// (IngressGateway, gateway injection: its manifests are what runs) and `gateway-api`
// (KubernetesGateway: what istiod generates from its Gateway and ConfigMap, test/gateway/istiod-render.ts).
import {
  EdgeChain, EdgeHop, GatewaySourceIpProps, GatewaySourceIpSettings, GatewayTopology, IngressGateway, IpBlock, KubernetesGateway,
  providerPresets, Warnings,
} from '../../src';
import { violationsOf } from '../schema';
import { Manifest, newChart, only, synth } from '../util';
import { renderLikeIstiod } from './istiod-render';

/** What a gateway is for the client's address, read back from the objects that run it. */
interface RenderedSourceIp {
  readonly serviceType: string;
  readonly externalTrafficPolicy?: string;
  readonly healthCheckNodePort?: number;
  readonly loadBalancerSourceRanges?: readonly string[];
  /** The Service annotations a load balancer controller reads: every key outside Istio's own `*istio.io` domains. */
  readonly loadBalancerAnnotations: Readonly<Record<string, string>>;
  /** The pods' annotations outside Istio's own domains and the ones every rendering adds (prometheus.io). */
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly proxyConfig?: string;
  readonly statusPortProxyProtocol?: string;
  readonly replicas?: number;
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly cpu: number };
  readonly podDisruptionBudget?: unknown;
  readonly spread?: { readonly weight: number; readonly topologyKey: string; readonly selectsOwnPods: boolean };
  readonly resources: unknown;
  readonly warnings: readonly string[];
}

interface Rendering {
  readonly objects: Manifest[];
  readonly deployment: Manifest;
  readonly service: Manifest;
  readonly horizontalPodAutoscaler?: Manifest;
  readonly podDisruptionBudget?: Manifest;
  readonly warnings: string[];
}

const istioKey = (key: string) => /^([a-z0-9-]+\.)*istio\.io\//.test(key);
const withoutKeys = (map: Record<string, string> | undefined, drop: (key: string) => boolean) =>
  Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !drop(key)));

function readBack(r: Rendering): RenderedSourceIp {
  const pod = r.deployment.spec.template;
  const proxy = (pod.spec.containers as Manifest[]).find((c) => c.name === 'istio-proxy') as Manifest;
  const term = pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
  const hpa = r.horizontalPodAutoscaler?.spec;
  return {
    serviceType: r.service.spec.type,
    externalTrafficPolicy: r.service.spec.externalTrafficPolicy,
    healthCheckNodePort: r.service.spec.healthCheckNodePort,
    loadBalancerSourceRanges: r.service.spec.loadBalancerSourceRanges,
    loadBalancerAnnotations: withoutKeys(r.service.metadata.annotations, istioKey),
    podAnnotations: withoutKeys(pod.metadata.annotations, (key) => istioKey(key) || key.startsWith('prometheus.io/')),
    proxyConfig: pod.metadata.annotations?.['proxy.istio.io/config'],
    statusPortProxyProtocol: (proxy.env as Manifest[] | undefined)?.find((e) => e.name === 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL')?.value,
    replicas: r.deployment.spec.replicas,
    autoscaling: hpa === undefined ? undefined
      : { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas, cpu: hpa.metrics?.[0]?.resource?.target?.averageUtilization },
    podDisruptionBudget: r.podDisruptionBudget === undefined ? undefined
      : { minAvailable: r.podDisruptionBudget.spec.minAvailable, selectsOwnPods: selects(r.podDisruptionBudget.spec.selector.matchLabels, pod.metadata.labels) },
    spread: term === undefined ? undefined : {
      weight: term.weight, topologyKey: term.podAffinityTerm.topologyKey, selectsOwnPods: selects(term.podAffinityTerm.labelSelector.matchLabels, pod.metadata.labels),
    },
    resources: proxy.resources,
    warnings: r.warnings,
  };
}

/** Whether a label selector selects pods with these labels (and is not empty). */
function selects(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(matchLabels).length > 0 && Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

const warningIds = (scope: Parameters<typeof Warnings.collect>[0]) => Warnings.collect(scope).map((w) => w.id).sort();

/** The columns: one way of running a gateway each. */
const RENDERINGS: Readonly<Record<string, (props: GatewaySourceIpProps) => Rendering>> = {
  deployed: (props) => {
    const chart = newChart();
    new IngressGateway(chart, 'gateway', { ...props, namespace: 'edge' });
    const objects = synth(chart);
    const optional = (kind: string) => objects.find((o) => o.kind === kind);
    return {
      objects, deployment: only(objects, 'Deployment'), service: only(objects, 'Service'),
      horizontalPodAutoscaler: optional('HorizontalPodAutoscaler'), podDisruptionBudget: optional('PodDisruptionBudget'), warnings: warningIds(chart),
    };
  },
  'gateway-api': (props) => {
    const chart = newChart();
    new KubernetesGateway(chart, 'gateway', { ...props, namespace: 'edge' });
    const objects = synth(chart);
    return { objects, ...renderLikeIstiod(objects, 'ingress-gateway', 'edge'), warnings: warningIds(chart) };
  },
};

/** Every preset that can front the gateway Service, alone and behind Cloudflare (the one hop that needs a load balancer after it). */
function presetChains(): [string, EdgeChain][] {
  const last = providerPresets().filter((p) => p.hop.serviceType !== undefined);
  return [
    ...last.map((p): [string, EdgeChain] => [p.call, EdgeChain.of(p.hop)]),
    ...last.map((p): [string, EdgeChain] => [`EdgeHop.cloudflare() → ${p.call}`, EdgeChain.of(EdgeHop.cloudflare(), p.hop)]),
  ];
}

const passthrough = () => EdgeChain.of(EdgeHop.gkeExternalPassthrough());
/** The props beyond the edge that change what runs, each on a chain where it is valid. */
const OPTION_ROWS: [string, GatewaySourceIpProps][] = [
  ['no edge (the defaults)', {}],
  ['autoscaling', { edge: passthrough(), autoscaling: { maxReplicas: 7, targetCPUUtilizationPercentage: 60 } }],
  ['replicas 3', { edge: passthrough(), replicas: 3 }],
  ['spreadAcrossNodes false, one replica (warns)', { edge: passthrough(), spreadAcrossNodes: false, replicas: 1 }],
  ['resources', { edge: passthrough(), resources: { requests: { cpu: '500m' }, limits: { memory: '2Gi' } } }],
  ['loadBalancerSourceRanges and healthCheckNodePort', { edge: passthrough(), loadBalancerSourceRanges: IpBlock.ofAll(['203.0.113.0/24']), healthCheckNodePort: 30123 }],
  ['a pod annotation and a ProxyConfig field of the user\'s', { edge: passthrough(), podAnnotations: { 'example.com/team': 'edge', 'proxy.istio.io/config': '{"concurrency":2}' } }],
  ['topology that contradicts the edge (warns)', { edge: passthrough(), topology: GatewayTopology.of({ numTrustedProxies: 1, proxyProtocol: true }) }],
];

const ROWS: [string, GatewaySourceIpProps][] = [...presetChains().map(([name, edge]): [string, GatewaySourceIpProps] => [name, { edge }]), ...OPTION_ROWS];

describe('every rendering of a gateway carries the same source-IP settings', () => {
  test('the table covers every preset that can front a gateway, alone and behind Cloudflare', () => {
    expect(presetChains().length).toBe(2 * providerPresets().filter((p) => p.hop.serviceType !== undefined).length);
    expect(presetChains().length).toBeGreaterThanOrEqual(40);
  });

  test.each(ROWS)('%s', (_name, props) => {
    const settings = GatewaySourceIpSettings.derive(props);
    const columns = Object.fromEntries(Object.entries(RENDERINGS).map(([column, render]) => [column, readBack(render(props))]));

    // Every column agrees with the settings, field by field ...
    for (const rendered of Object.values(columns)) {
      expect(rendered).toMatchObject({
        serviceType: settings.serviceType,
        externalTrafficPolicy: settings.externalTrafficPolicy,
        healthCheckNodePort: settings.healthCheckNodePort,
        loadBalancerSourceRanges: settings.loadBalancerSourceRanges?.map(String),
        loadBalancerAnnotations: withoutKeys({ ...settings.serviceAnnotations }, istioKey),
        proxyConfig: settings.proxyConfig,
        statusPortProxyProtocol: settings.env.ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL,
        replicas: settings.autoscaling === undefined ? settings.replicas : undefined,
        autoscaling: settings.autoscaling === undefined ? undefined : {
          minReplicas: settings.autoscaling.minReplicas, maxReplicas: settings.autoscaling.maxReplicas, cpu: settings.autoscaling.targetCPUUtilizationPercentage,
        },
        podDisruptionBudget: settings.podDisruptionBudget ? { minAvailable: 1, selectsOwnPods: true } : undefined,
        spread: settings.spreadAcrossNodes ? { weight: 100, topologyKey: 'kubernetes.io/hostname', selectsOwnPods: true } : undefined,
        resources: settings.resources,
      });
      // The settings' own warnings, and the simulator's findings on the described edge.
      expect(rendered.warnings).toEqual(expect.arrayContaining(settings.warnings.map((w) => w.id)));
    }
    // ... and the columns agree with each other, warnings included, ...
    const { deployed, 'gateway-api': gatewayApi } = columns;
    const annotationsApart = (r: RenderedSourceIp) => ({ ...r, podAnnotations: undefined, loadBalancerAnnotations: undefined });
    expect(annotationsApart(gatewayApi)).toEqual(annotationsApart(deployed));
    expect(deployed.loadBalancerAnnotations).toEqual(withoutKeys({ ...settings.serviceAnnotations }, istioKey));
    expect(deployed.podAnnotations).toEqual(withoutKeys({ ...settings.podAnnotations }, istioKey));
    // ... except that istiod copies one annotation map to the pods and the Service, so each also gets the other's.
    const shared = { ...deployed.podAnnotations, ...deployed.loadBalancerAnnotations };
    expect(gatewayApi.loadBalancerAnnotations).toEqual(shared);
    expect(gatewayApi.podAnnotations).toEqual(shared);
  });

  test.each(ROWS)('%s: every Gateway API object validates against the v1.5.1 CRDs', (_name, props) => {
    const { objects } = RENDERINGS['gateway-api'](props);
    expect(objects.filter((o) => String(o.apiVersion).startsWith('gateway.networking.k8s.io/')).length).toBe(1);
    expect(violationsOf(objects).map((v) => `${v.object} ${v.path}: ${v.message}`)).toEqual([]);
  });

  test('istiod keeps its own environment and ports when the overlays patch them', () => {
    const { deployment, service } = RENDERINGS['gateway-api']({ edge: EdgeChain.of(EdgeHop.hetzner({ proxyProtocol: true })) });
    const proxy = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.template.spec.containers).toHaveLength(1);
    expect(proxy.env.map((e: Manifest) => e.name)).toEqual(['PILOT_CERT_PROVIDER', 'PROXY_CONFIG', 'ISTIO_META_WORKLOAD_NAME', 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL']);
    expect(proxy.image).toBe('docker.io/istio/proxyv2:1.30.3');
    expect(service.spec.ports.map((p: Manifest) => `${p.name}:${p.port}`)).toEqual(['status-port:15021', 'http:80']);
    expect(service.spec.selector).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'ingress-gateway' });
  });

  test('istiod creates no autoscaler and no disruption budget unless the settings call for them', () => {
    const single = RENDERINGS['gateway-api']({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsAlb()) });
    expect(single.horizontalPodAutoscaler).toBeUndefined();
    expect(single.podDisruptionBudget).toBeUndefined();
    expect(single.deployment.spec.replicas).toBe(1);
  });
});
