// One set of gateway settings, several renderings: for every preset edge chain (and the props that
// change what a gateway runs), each way of running a gateway ends up with the same Service, pods
// and companions in the cluster, and the same warnings. Each rendering is a column: `deployed`
// (IngressGateway, gateway injection: its manifests are what runs) and `gateway-api`
// (KubernetesGateway: what istiod generates from its Gateway and ConfigMap, test/gateway/istiod-render.ts),
// and the changes to an installed gateway (`INSTALLED`): `istioctl` (the IstioOperator overlay's
// `k8s` fields, which istioctl applies as strategic-merge patches of what its chart renders),
// `helm` (istio/gateway chart values, read as the chart's templates read them) and `manifest`
// (the strategic-merge patches and the objects to create). Each column has its own extractor into
// `RenderedSourceIp`.
import { Chart } from 'cdk8s';
import {
  EdgeChain, EdgeHop, ExternalTrafficPolicy, ForwardClientCertDetails, GatewaySourceIpProps, GatewaySourceIpSettings, GatewayTopology,
  IngressGateway, InstalledGateway, IpBlock, KubernetesGateway, providerPresets, ResolvedGatewayResources, Warnings,
} from '../../src';
import { violationsOf } from '../schema';
import { Manifest, newChart, only, synth } from '../util';
import { CHART_FACTS, helmSchemaErrors, unreadValuePaths } from './helm-chart';
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

/** A change to an installed gateway, read back: what it carries, and the settings the gateway derived. */
interface InstalledRendering {
  readonly rendered: RenderedSourceIp;
  readonly settings: GatewaySourceIpSettings;
}

/** A column for an installed gateway: which props its installer can carry, and the change read back. */
interface InstalledColumn {
  readonly accepts: (props: GatewaySourceIpProps) => boolean;
  readonly render: (props: GatewaySourceIpProps) => InstalledRendering;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The requests and limits the proxy keeps when the change leaves them alone: istioctl's gateway chart's (gateways/istio-ingress values.yaml). */
const ISTIOCTL_RESOURCES: ResolvedGatewayResources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } };
/** The same, for the istio/gateway chart: its own defaults. */
const HELM_RESOURCES = (CHART_FACTS.defaults as { resources: ResolvedGatewayResources }).resources;

const envValue = (env: readonly Json[] | undefined) => env?.find((e) => e.name === 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL')?.value;
const spreadOf = (affinity: Json | undefined, podLabels: Record<string, string>) => {
  const term = affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
  return term === undefined ? undefined
    : { weight: term.weight, topologyKey: term.podAffinityTerm.topologyKey, selectsOwnPods: selects(term.podAffinityTerm.labelSelector.matchLabels, podLabels) };
};
const cpuOf = (metrics: readonly Json[]) => (metrics.length === 1 && metrics[0].resource?.name === 'cpu' ? metrics[0].resource.target.averageUtilization : undefined);

/** Builds the installed gateway in a fresh chart; returns it with the chart's warnings. */
function build<T extends InstalledGateway>(make: (chart: Chart) => T): { gateway: T; warnings: string[] } {
  const chart = newChart();
  const gateway = make(chart);
  synth(chart);
  return { gateway, warnings: warningIds(chart) };
}

const INSTALLED: Readonly<Record<string, InstalledColumn>> = {
  istioctl: {
    accepts: () => true,
    render: (props) => {
      const { gateway, warnings } = build((chart) => InstalledGateway.istioctl(chart, 'gateway', props));
      const entry = (gateway.istioOperatorOverlay() as Json).spec.components.ingressGateways[0];
      expect(entry).toMatchObject({ name: 'istio-ingressgateway', namespace: 'istio-system', enabled: true });
      const k8s = entry.k8s;
      const hpa = k8s.hpaSpec;
      // A fixed count is replicaCount, with the default profile's autoscaler pinned to it.
      const fixed = hpa.metrics === undefined;
      if (fixed) {
        expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([k8s.replicaCount, k8s.replicaCount]);
      }
      return {
        settings: gateway.settings,
        rendered: {
          serviceType: k8s.service.type,
          externalTrafficPolicy: k8s.service.externalTrafficPolicy,
          healthCheckNodePort: k8s.service.healthCheckNodePort,
          loadBalancerSourceRanges: k8s.service.loadBalancerSourceRanges,
          loadBalancerAnnotations: withoutKeys(k8s.serviceAnnotations, istioKey),
          podAnnotations: withoutKeys(k8s.podAnnotations, (key) => istioKey(key) || key.startsWith('prometheus.io/')),
          proxyConfig: k8s.podAnnotations?.['proxy.istio.io/config'],
          statusPortProxyProtocol: envValue(k8s.env),
          replicas: fixed ? k8s.replicaCount : undefined,
          autoscaling: fixed ? undefined : { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas, cpu: cpuOf(hpa.metrics) },
          // istioctl's chart always renders a budget selecting the gateway's labels; the overlay sets it when the settings call for one.
          podDisruptionBudget: k8s.podDisruptionBudget === undefined ? undefined
            : { minAvailable: k8s.podDisruptionBudget.minAvailable, selectsOwnPods: selects(gateway.selectorLabels, gateway.podLabels) },
          spread: spreadOf(k8s.affinity, { ...gateway.podLabels }),
          resources: k8s.resources ?? ISTIOCTL_RESOURCES,
          warnings,
        },
      };
    },
  },
  helm: {
    // The chart has no value for healthCheckNodePort (istio/istio#42227): the construct refuses it.
    accepts: (props) => props.healthCheckNodePort === undefined,
    render: (props) => {
      const { gateway, warnings } = build((chart) => InstalledGateway.helm(chart, 'gateway', { ...props, releaseName: 'istio-ingressgateway', namespace: 'istio-system' }));
      const values = gateway.helmValues() as Json;
      const a = values.autoscaling;
      // templates/poddisruptionbudget.yaml renders the budget only with autoscaling and minReplicas > 1, or replicaCount > 1.
      const budget = values.podDisruptionBudget !== undefined && ((a.enabled && a.minReplicas > 1) || (!a.enabled && values.replicaCount > 1));
      return {
        settings: gateway.settings,
        rendered: {
          serviceType: values.service.type,
          // templates/service.yaml writes externalTrafficPolicy only when it is non-empty.
          externalTrafficPolicy: values.service.externalTrafficPolicy === '' ? undefined : values.service.externalTrafficPolicy,
          healthCheckNodePort: undefined,
          loadBalancerSourceRanges: values.service.loadBalancerSourceRanges,
          loadBalancerAnnotations: withoutKeys(values.service.annotations, istioKey),
          podAnnotations: withoutKeys(values.podAnnotations, (key) => istioKey(key) || key.startsWith('prometheus.io/')),
          proxyConfig: values.podAnnotations['proxy.istio.io/config'],
          statusPortProxyProtocol: values.env?.ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL,
          replicas: a.enabled ? undefined : values.replicaCount,
          autoscaling: a.enabled ? { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, cpu: a.targetCPUUtilizationPercentage } : undefined,
          podDisruptionBudget: budget ? { minAvailable: values.podDisruptionBudget.minAvailable, selectsOwnPods: selects(gateway.selectorLabels, gateway.podLabels) } : undefined,
          spread: spreadOf(values.affinity, { ...gateway.podLabels }),
          resources: values.resources ?? HELM_RESOURCES,
          warnings,
        },
      };
    },
  },
  manifest: {
    accepts: () => true,
    render: (props) => {
      const selectorLabels = { app: 'edge-gateway', istio: 'edge-gateway' };
      const { gateway, warnings } = build((chart) => InstalledGateway.manifest(chart, 'gateway', {
        ...props, name: 'edge-gateway', namespace: 'edge', selectorLabels, ports: [{ name: 'http2', port: 80 }],
      }));
      const p = gateway.strategicMergePatches() as { service: Json; deployment: Json; podDisruptionBudget?: Json; horizontalPodAutoscaler?: Json };
      const pod = p.deployment.spec.template;
      const proxy: Json | undefined = pod.spec.containers?.find((c: Json) => c.name === 'istio-proxy');
      expect(pod.spec.containers?.length ?? 0).toBe(proxy === undefined ? 0 : 1);
      const hpa = p.horizontalPodAutoscaler?.spec;
      return {
        settings: gateway.settings,
        rendered: {
          serviceType: p.service.spec.type,
          // null deletes the field in a strategic-merge patch.
          externalTrafficPolicy: p.service.spec.externalTrafficPolicy ?? undefined,
          healthCheckNodePort: p.service.spec.healthCheckNodePort,
          loadBalancerSourceRanges: p.service.spec.loadBalancerSourceRanges,
          loadBalancerAnnotations: withoutKeys(p.service.metadata?.annotations, istioKey),
          podAnnotations: withoutKeys(pod.metadata.annotations, (key) => istioKey(key) || key.startsWith('prometheus.io/')),
          proxyConfig: pod.metadata.annotations['proxy.istio.io/config'],
          statusPortProxyProtocol: envValue(proxy?.env),
          replicas: p.deployment.spec.replicas,
          autoscaling: hpa === undefined ? undefined : { minReplicas: hpa.minReplicas, maxReplicas: hpa.maxReplicas, cpu: cpuOf(hpa.metrics) },
          podDisruptionBudget: p.podDisruptionBudget === undefined ? undefined
            : { minAvailable: p.podDisruptionBudget.spec.minAvailable, selectsOwnPods: selects(p.podDisruptionBudget.spec.selector.matchLabels, gateway.podLabels) },
          spread: spreadOf(pod.spec.affinity, { ...gateway.podLabels }),
          // The patch leaves the proxy's requests and limits alone unless they are given.
          resources: proxy?.resources,
          warnings,
        },
      };
    },
  },
};

/** What a rendering of `settings` must carry (the resources only when `withResources`). */
function expected(settings: GatewaySourceIpSettings, withResources = true): Partial<RenderedSourceIp> {
  return {
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
    ...(withResources ? { resources: settings.resources } : {}),
  };
}

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
  ['one replica behind PROXY protocol (no budget)', { edge: EdgeChain.of(EdgeHop.hetzner({ proxyProtocol: true })), replicas: 1 }],
  ['Service annotations of the user\'s over the edge\'s', { edge: EdgeChain.of(EdgeHop.gkeInternalPassthrough()), serviceAnnotations: { 'example.com/cost-center': '42' } }],
  ['an explicit topology with client certificate handling', {
    edge: EdgeChain.of(EdgeHop.awsAlb()), topology: GatewayTopology.of({ numTrustedProxies: 1, forwardClientCertDetails: ForwardClientCertDetails.SANITIZE }),
  }],
  ['no edge, Cluster by hand', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, replicas: 2 }],
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
      expect(rendered).toMatchObject(expected(settings));
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

  // The installed columns, one test per cell.
  const CELLS = ROWS.flatMap(([row, props]) => Object.entries(INSTALLED).filter(([, column]) => column.accepts(props)).map(([column]) => ({ row, column, props })));

  test.each(CELLS)('$row: $column carries what the deployed gateway renders', ({ column, props }) => {
    const deployed = readBack(RENDERINGS.deployed(props));
    const { rendered, settings } = INSTALLED[column].render(props);
    const pinsPods = props.replicas !== undefined || props.autoscaling !== undefined;
    // The settings are the deployed gateway's, except that without a pod count istioctl and Helm keep their own autoscaler.
    expect(settings).toEqual(GatewaySourceIpSettings.derive(pinsPods || column === 'manifest' ? props : { ...props, autoscaling: {} }));
    // The change carries them, field by field, with the annotations the deployed gateway writes ...
    expect(rendered).toMatchObject(expected(settings, column !== 'manifest' || props.resources !== undefined));
    expect(rendered.podAnnotations).toEqual(deployed.podAnnotations);
    expect(rendered.loadBalancerAnnotations).toEqual(deployed.loadBalancerAnnotations);
    // ... and whenever the settings are the deployed gateway's, everything is the same, warnings included.
    if (pinsPods || column === 'manifest') {
      const apart = (r: RenderedSourceIp) => ({ ...r, resources: column === 'manifest' && props.resources === undefined ? undefined : r.resources });
      expect(apart(rendered)).toEqual(apart(deployed));
    } else {
      expect(rendered.warnings).toEqual(expect.arrayContaining(settings.warnings.map((w) => w.id)));
    }
  });

  test('the installed columns cover every row, but Helm\'s healthCheckNodePort (refused: istio/istio#42227)', () => {
    expect(CELLS.length).toBe(ROWS.length * Object.keys(INSTALLED).length - ROWS.filter(([, props]) => props.healthCheckNodePort !== undefined).length);
    expect(ROWS.some(([, props]) => props.healthCheckNodePort !== undefined)).toBe(true);
  });

  test.each(ROWS.filter(([, props]) => INSTALLED.helm.accepts(props)))('%s: the Helm values validate against the chart\'s values.schema.json, and its templates read each one', (_name, props) => {
    const values = InstalledGateway.helm(newChart(), 'gateway', { ...props, releaseName: 'istio-ingressgateway', namespace: 'istio-system' }).helmValues();
    expect(helmSchemaErrors(values)).toEqual([]);
    expect(unreadValuePaths(values)).toEqual([]);
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
