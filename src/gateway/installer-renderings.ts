/**
 * The change an installer makes to a gateway it already runs, rendered from one
 * `GatewaySourceIpSettings` value: an IstioOperator overlay for `istioctl install -f`, values for
 * the `istio/gateway` Helm chart, and strategic-merge patches for `kubectl patch`.
 *
 * Pure: plain data in, plain JSON out; no construct, no file system. Every rendering carries the
 * same settings as the deployed `IngressGateway` renders (test/gateway/renderings.test.ts).
 */
import { PROXY_CONFIG_ANNOTATION, parseProxyConfig } from '../private/proxy-config';
import { GatewaySourceIpSettings, ResolvedGatewayResources } from './settings';

/** A JSON object as the renderings return it. */
export type JsonObject = Record<string, unknown>;

/** What a rendering needs to know about the installed gateway besides its settings. */
export interface InstalledGatewayTarget {
  /** The Deployment's and Service's name. */
  readonly name: string;
  /** Their namespace. */
  readonly namespace: string;
  /** The labels that select the gateway pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** The proxy container's name (`istio-proxy` for every Istio installer). */
  readonly containerName: string;
  /** Whether the user set `resources`: an installed gateway's requests and limits are changed only then. */
  readonly resourcesGiven: boolean;
}

/** Options of the istioctl rendering. */
export interface IstioOperatorComponentOptions {
  /** The IstioOperator `label` field the gateway was installed with, when any. */
  readonly label?: Readonly<Record<string, string>>;
  /** Whether `gatewayTopology` goes to `meshConfig.defaultConfig` instead of the pod annotation. */
  readonly meshWideTopology: boolean;
}

/** The strategic-merge patches of a gateway installed from plain manifests, and the objects to create. */
export interface GatewayPatches {
  /** Patch of the Service: `kubectl patch service <name> --type strategic --patch-file ...`. */
  readonly service: JsonObject;
  /** Patch of the Deployment and its pod template: `kubectl patch deployment <name> --type strategic --patch-file ...`. */
  readonly deployment: JsonObject;
  /** A PodDisruptionBudget to create (`kubectl apply -f`), with 2 or more pods. */
  readonly podDisruptionBudget?: JsonObject;
  /** A HorizontalPodAutoscaler to create (`kubectl apply -f`), with autoscaling. */
  readonly horizontalPodAutoscaler?: JsonObject;
}

/** The pod anti-affinity that spreads gateway pods across nodes, exactly as `IngressGateway` writes it. */
export function spreadAffinity(selectorLabels: Readonly<Record<string, string>>): JsonObject {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...selectorLabels } } },
      }],
    },
  };
}

/** The autoscaler's CPU metric, exactly as `IngressGateway` writes it. */
function cpuMetrics(targetCPUUtilizationPercentage: number): JsonObject[] {
  return [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }];
}

function resources(r: ResolvedGatewayResources): JsonObject {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}

function nonEmpty(map: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(map).length === 0 ? undefined : { ...map };
}

/** Drops `undefined` values (YAML would write `null`, which Helm and kubectl read as "delete"). */
function compact(obj: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/**
 * The gateway's pod annotations for the mesh-wide form: `gatewayTopology` removed from
 * `proxy.istio.io/config` (an annotation field replaces the mesh field, so it must not be there),
 * the annotation dropped when nothing else is left in it.
 */
function withoutTopology(podAnnotations: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...podAnnotations };
  const config = parseProxyConfig(out[PROXY_CONFIG_ANNOTATION] ?? '');
  delete out[PROXY_CONFIG_ANNOTATION];
  if (typeof config !== 'string') {
    const rest = Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'gatewayTopology'));
    if (Object.keys(rest).length > 0) {
      out[PROXY_CONFIG_ANNOTATION] = JSON.stringify(rest);
    }
  }
  return out;
}

/** The `gatewayTopology` of the merged `proxy.istio.io/config` (the topology and any field the user added there). */
export function meshGatewayTopology(settings: GatewaySourceIpSettings): JsonObject {
  const config = parseProxyConfig(settings.proxyConfig);
  const topology = typeof config === 'string' ? undefined : config.gatewayTopology;
  return topology !== null && typeof topology === 'object' && !Array.isArray(topology) ? { ...topology } : { ...settings.topology._render() };
}

/**
 * One entry of an IstioOperator's `spec.components.ingressGateways[]` (`GatewayComponentSpec`:
 * `name`, `namespace`, `enabled`, `label`, `k8s`), whose `k8s` (`KubernetesResources`) carries the
 * settings. istioctl applies `k8s` fields as strategic-merge patches of the objects its chart
 * renders, so a map (annotations) or a keyed list (env by name) merges with what is there.
 *
 * Pods: with an autoscaler, `hpaSpec` with its bounds and CPU target; with a fixed count,
 * `replicaCount` and an `hpaSpec` pinned to that count (istioctl's default profile gives the
 * gateway an autoscaler, min 1 and max 5, that would otherwise own the count).
 *
 * @see https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/
 */
export function istioOperatorComponent(settings: GatewaySourceIpSettings, target: InstalledGatewayTarget,
  options: IstioOperatorComponentOptions): JsonObject {
  const podAnnotations = options.meshWideTopology ? withoutTopology(settings.podAnnotations) : settings.podAnnotations;
  const autoscaling = settings.autoscaling;
  const k8s = compact({
    service: compact({
      type: settings.serviceType,
      externalTrafficPolicy: settings.externalTrafficPolicy,
      healthCheckNodePort: settings.healthCheckNodePort,
      loadBalancerSourceRanges: settings.loadBalancerSourceRanges?.map(String),
    }),
    serviceAnnotations: nonEmpty(settings.serviceAnnotations),
    podAnnotations: nonEmpty(podAnnotations),
    replicaCount: autoscaling === undefined ? settings.replicas : undefined,
    hpaSpec: autoscaling === undefined
      ? { minReplicas: settings.replicas, maxReplicas: settings.replicas }
      : { minReplicas: autoscaling.minReplicas, maxReplicas: autoscaling.maxReplicas, metrics: cpuMetrics(autoscaling.targetCPUUtilizationPercentage) },
    affinity: settings.spreadAcrossNodes ? spreadAffinity(target.selectorLabels) : undefined,
    env: Object.keys(settings.env).length === 0 ? undefined : Object.entries(settings.env).map(([name, value]) => ({ name, value })),
    podDisruptionBudget: settings.podDisruptionBudget ? { minAvailable: 1 } : undefined,
    resources: target.resourcesGiven ? resources(settings.resources) : undefined,
  });
  return compact({
    name: target.name,
    namespace: target.namespace,
    enabled: true,
    label: options.label === undefined ? undefined : { ...options.label },
    k8s,
  });
}

/**
 * An `install.istio.io/v1alpha1` IstioOperator holding `components` as its
 * `spec.components.ingressGateways`, and `meshTopology` as `spec.meshConfig.defaultConfig.gatewayTopology`.
 */
export function istioOperatorOverlay(components: readonly JsonObject[], meshTopology?: JsonObject): JsonObject {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    spec: compact({
      meshConfig: meshTopology === undefined ? undefined : { defaultConfig: { gatewayTopology: meshTopology } },
      components: { ingressGateways: [...components] },
    }),
  };
}

/**
 * Values for the `istio/gateway` Helm chart (`helm upgrade --reuse-values -f`), only keys its
 * `values.schema.json` allows and its templates read:
 *
 * - `service.type`, `service.externalTrafficPolicy` (`""` for a ClusterIP Service: the template
 *   writes the field only when it is non-empty, so an older `Local` from reused values cannot reach
 *   a ClusterIP Service), `service.annotations`, `service.loadBalancerSourceRanges`;
 * - `podAnnotations` (merged by Helm with the chart's own, so `inject.istio.io/templates` stays);
 * - `env` as a map; `autoscaling` (`enabled: false` plus `replicaCount` for a fixed count);
 * - `affinity`, `podDisruptionBudget` (the chart creates one only with 2 or more pods), `resources`.
 *
 * The chart has no value for `healthCheckNodePort` (istio/istio#42227); the construct refuses it.
 *
 * @see https://github.com/istio/istio/tree/master/manifests/charts/gateway
 */
export function helmGatewayValues(settings: GatewaySourceIpSettings, target: InstalledGatewayTarget): JsonObject {
  const autoscaling = settings.autoscaling;
  return compact({
    service: compact({
      type: settings.serviceType,
      externalTrafficPolicy: settings.externalTrafficPolicy ?? '',
      annotations: nonEmpty(settings.serviceAnnotations),
      loadBalancerSourceRanges: settings.loadBalancerSourceRanges?.map(String),
    }),
    podAnnotations: { ...settings.podAnnotations },
    env: nonEmpty(settings.env),
    autoscaling: autoscaling === undefined ? { enabled: false } : {
      enabled: true,
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      targetCPUUtilizationPercentage: autoscaling.targetCPUUtilizationPercentage,
    },
    replicaCount: autoscaling === undefined ? settings.replicas : undefined,
    affinity: settings.spreadAcrossNodes ? spreadAffinity(target.selectorLabels) : undefined,
    podDisruptionBudget: settings.podDisruptionBudget ? { minAvailable: 1 } : undefined,
    resources: target.resourcesGiven ? resources(settings.resources) : undefined,
  });
}

/**
 * Strategic-merge patches for a gateway deployed from plain manifests: the Service (type,
 * `externalTrafficPolicy`, annotations, ranges) and the Deployment (count, pod annotations with the
 * one merged `proxy.istio.io/config`, anti-affinity, the proxy container's env keyed by name), plus
 * the PodDisruptionBudget and HorizontalPodAutoscaler to create when the settings call for them.
 *
 * The seed article's two `kubectl patch` commands each replace `proxy.istio.io/config`, so the
 * second drops the first's `numTrustedProxies`; here both fields live in one annotation value.
 *
 * @see https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
 */
export function strategicMergePatches(settings: GatewaySourceIpSettings, target: InstalledGatewayTarget): GatewayPatches {
  const autoscaling = settings.autoscaling;
  const container = compact({
    name: target.containerName,
    env: Object.keys(settings.env).length === 0 ? undefined : Object.entries(settings.env).map(([name, value]) => ({ name, value })),
    resources: target.resourcesGiven ? resources(settings.resources) : undefined,
  });
  const metadata = { name: target.name, namespace: target.namespace };
  return {
    service: compact({
      metadata: nonEmpty(settings.serviceAnnotations) === undefined ? undefined : { annotations: { ...settings.serviceAnnotations } },
      spec: compact({
        type: settings.serviceType,
        // null deletes the field: Kubernetes rejects externalTrafficPolicy on a ClusterIP Service.
        externalTrafficPolicy: settings.externalTrafficPolicy ?? null,
        healthCheckNodePort: settings.healthCheckNodePort,
        loadBalancerSourceRanges: settings.loadBalancerSourceRanges?.map(String),
      }),
    }),
    deployment: {
      spec: compact({
        // With an autoscaler, the autoscaler owns the count (as in IngressGateway).
        replicas: autoscaling === undefined ? settings.replicas : undefined,
        template: {
          metadata: { annotations: { ...settings.podAnnotations } },
          spec: compact({
            affinity: settings.spreadAcrossNodes ? spreadAffinity(target.selectorLabels) : undefined,
            containers: Object.keys(container).length > 1 ? [container] : undefined,
          }),
        },
      }),
    },
    ...(settings.podDisruptionBudget ? {
      podDisruptionBudget: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata,
        spec: { minAvailable: 1, selector: { matchLabels: { ...target.selectorLabels } } },
      },
    } : {}),
    ...(autoscaling === undefined ? {} : {
      horizontalPodAutoscaler: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name },
          minReplicas: autoscaling.minReplicas,
          maxReplicas: autoscaling.maxReplicas,
          metrics: cpuMetrics(autoscaling.targetCPUUtilizationPercentage),
        },
      },
    }),
  };
}
