/**
 * What istiod 1.30.3 deploys for a Kubernetes Gateway API `Gateway`, for tests: the objects of its
 * template (`istio-discovery/files/kube-gateway.yaml`, abridged to the fields that matter here),
 * with `spec.infrastructure` copied as its deployment controller copies it and the
 * `parametersRef` ConfigMap's overlays applied as strategic-merge patches (research/istio.md §8).
 *
 * A model written from the template and the controller's rules, not istiod itself: it refuses what
 * istiod refuses (an unknown parameters kind, a missing ConfigMap, an unsupported overlay key, a
 * metadata change), so a test that renders through it checks the ConfigMap as istiod reads it.
 */
import { parse } from 'yaml';
import { Manifest } from '../util';

/** The objects istiod generates for one Gateway. */
export interface IstiodRendering {
  readonly serviceAccount: Manifest;
  readonly deployment: Manifest;
  readonly service: Manifest;
  /** Only when an overlay provides it. */
  readonly horizontalPodAutoscaler?: Manifest;
  /** Only when an overlay provides it. */
  readonly podDisruptionBudget?: Manifest;
}

const GROUP = 'gateway.networking.k8s.io';
/** Keys the template leaves out of every copy of the infrastructure annotations. */
const OMITTED = ['kubectl.kubernetes.io/last-applied-configuration', 'gateway.istio.io/name-override', 'gateway.istio.io/service-account', 'gateway.istio.io/controller-version'];
const OVERLAY_KEYS = ['deployment', 'service', 'serviceAccount', 'horizontalPodAutoscaler', 'podDisruptionBudget'] as const;
/** istiod's `global.proxy.resources` defaults (istio-discovery values.yaml). */
const PROXY_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } };

/** Renders `gatewayName` in `namespace` from the manifests of an app, as istiod would. */
export function renderLikeIstiod(objects: readonly Manifest[], gatewayName: string, namespace: string): IstiodRendering {
  const gateway = objects.find((o) => o.apiVersion === `${GROUP}/v1` && o.kind === 'Gateway' && o.metadata.name === gatewayName && o.metadata.namespace === namespace);
  if (gateway === undefined) {
    throw new Error(`no Gateway ${namespace}/${gatewayName}`);
  }
  const className: string = gateway.spec.gatewayClassName;
  if (className !== 'istio') {
    throw new Error(`this model renders the istio class only, got ${className}`);
  }
  const name: string = gateway.metadata.annotations?.['gateway.istio.io/name-override'] ?? `${gatewayName}-${className}`;
  const infrastructure = gateway.spec.infrastructure ?? {};
  // Without infrastructure.annotations, the Gateway's own annotations are copied instead (PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS).
  const annotations = copyable(infrastructure.annotations ?? gateway.metadata.annotations ?? {});
  const labels = copyable(infrastructure.labels ?? gateway.metadata.labels ?? {});
  const gatewayLabels = { [`${GROUP}/gateway-name`]: gatewayName, [`${GROUP}/gateway-class-name`]: className };
  const selector = { [`${GROUP}/gateway-name`]: gatewayName };
  const meta = (extraLabels: Record<string, string> = {}) => ({ name, namespace, annotations: { ...annotations }, labels: { ...labels, ...gatewayLabels, ...extraLabels } });
  const managed = { 'gateway.istio.io/managed': 'istio.io-gateway-controller' };

  const base: Record<(typeof OVERLAY_KEYS)[number], Manifest> = {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta() },
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(managed),
      spec: {
        selector: { matchLabels: { ...selector } },
        template: {
          metadata: {
            annotations: { ...annotations, 'istio.io/rev': 'default', 'prometheus.io/path': '/stats/prometheus', 'prometheus.io/port': '15020', 'prometheus.io/scrape': 'true' },
            labels: {
              'sidecar.istio.io/inject': 'false', 'service.istio.io/canonical-name': name, 'service.istio.io/canonical-revision': 'latest',
              ...labels, ...gatewayLabels, ...managed,
            },
          },
          spec: {
            securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
            serviceAccountName: name,
            containers: [{
              name: 'istio-proxy',
              image: 'docker.io/istio/proxyv2:1.30.3',
              resources: structuredClone(PROXY_RESOURCES),
              ports: [{ containerPort: 15020, name: 'metrics', protocol: 'TCP' }, { containerPort: 15021, name: 'status-port', protocol: 'TCP' }],
              env: [{ name: 'PILOT_CERT_PROVIDER', value: 'istiod' }, { name: 'PROXY_CONFIG', value: '{}' }, { name: 'ISTIO_META_WORKLOAD_NAME', value: name }],
            }],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(),
      spec: {
        ipFamilyPolicy: 'PreferDualStack',
        ports: servicePorts(gateway),
        selector: { ...selector },
        // The istio class's default Service type (classinfo.go).
        type: 'LoadBalancer',
      },
    },
    horizontalPodAutoscaler: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, maxReplicas: 1 },
    },
    podDisruptionBudget: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(), spec: { selector: { matchLabels: { ...selector } } } },
  };

  const overlays = overlaysOf(objects, gateway, namespace);
  const rendered = Object.fromEntries(OVERLAY_KEYS.map((key) => {
    const overlay = overlays[key];
    if (overlay === undefined) {
      return [key, base[key]];
    }
    const patched = strategicMerge(base[key], overlay, key === 'service' ? 'Service' : key) as Manifest;
    if (patched.metadata.name !== base[key].metadata.name || patched.metadata.namespace !== base[key].metadata.namespace) {
      throw new Error('illegal metadata change');
    }
    return [key, patched];
  })) as Record<(typeof OVERLAY_KEYS)[number], Manifest>;
  return {
    serviceAccount: rendered.serviceAccount,
    deployment: rendered.deployment,
    service: rendered.service,
    ...(overlays.horizontalPodAutoscaler === undefined ? {} : { horizontalPodAutoscaler: rendered.horizontalPodAutoscaler }),
    ...(overlays.podDisruptionBudget === undefined ? {} : { podDisruptionBudget: rendered.podDisruptionBudget }),
  };
}

/** The annotations or labels istiod copies: without the omitted keys and the `gateway.networking.k8s.io/` prefix. */
function copyable(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([key]) => !OMITTED.includes(key) && !key.startsWith(`${GROUP}/`)));
}

/** As the deployment controller's extractServicePorts: status-port, then one port per listener port. */
function servicePorts(gateway: Manifest): Manifest[] {
  const ports: Manifest[] = [{ name: 'status-port', port: 15021, protocol: 'TCP', appProtocol: 'tcp' }];
  for (const listener of gateway.spec.listeners as Manifest[]) {
    if (!ports.some((p) => p.port === listener.port)) {
      ports.push({ name: listener.name, port: listener.port, protocol: 'TCP', appProtocol: String(listener.protocol).toLowerCase() });
    }
  }
  return ports;
}

/** The overlays of the Gateway's parametersRef ConfigMap, parsed; refuses what istiod refuses. */
function overlaysOf(objects: readonly Manifest[], gateway: Manifest, namespace: string): Partial<Record<(typeof OVERLAY_KEYS)[number], Manifest>> {
  const ref = gateway.spec.infrastructure?.parametersRef;
  if (ref === undefined) {
    return {};
  }
  if (ref.group !== '' || ref.kind !== 'ConfigMap') {
    throw new Error(`unknown infrastructure parameters type ${ref.group}/${ref.kind}`);
  }
  const configMap = objects.find((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap' && o.metadata.name === ref.name && o.metadata.namespace === namespace);
  if (configMap === undefined) {
    throw new Error(`parametersRef targeting configmap "${ref.name}", but configmap does not exist`);
  }
  const out: Partial<Record<(typeof OVERLAY_KEYS)[number], Manifest>> = {};
  for (const [key, text] of Object.entries(configMap.data ?? {})) {
    if (!(OVERLAY_KEYS as readonly string[]).includes(key)) {
      throw new Error(`unsupported overlay ${JSON.stringify(key)}`);
    }
    if (typeof text !== 'string') {
      throw new Error(`overlay ${key} is not a string`);
    }
    out[key as (typeof OVERLAY_KEYS)[number]] = parse(text) as Manifest;
  }
  return out;
}

/** The merge key of a list, by where it sits (Kubernetes' patchMergeKey), or undefined for a list that is replaced. */
function mergeKeyOf(kind: string, path: readonly string[]): string | undefined {
  const last = path[path.length - 1];
  if (last === 'containers' || last === 'initContainers' || last === 'env' || last === 'volumes' || last === 'imagePullSecrets') {
    return 'name';
  }
  if (last === 'volumeMounts') {
    return 'mountPath';
  }
  if (last === 'ports') {
    return kind === 'Service' ? 'port' : 'containerPort';
  }
  return undefined;
}

/** A strategic-merge patch of `original` with `patch`: maps merge, lists with a merge key merge by it, other lists are replaced; `null` deletes. */
export function strategicMerge(original: unknown, patch: unknown, kind: string, path: readonly string[] = []): unknown {
  if (patch === null || typeof patch !== 'object') {
    return patch;
  }
  if (Array.isArray(patch)) {
    const key = mergeKeyOf(kind, path);
    if (key === undefined || !Array.isArray(original)) {
      return structuredClone(patch);
    }
    const out = structuredClone(original) as Manifest[];
    for (const item of patch as Manifest[]) {
      const at = out.findIndex((o) => o[key] === item[key]);
      if (at < 0) {
        out.push(structuredClone(item));
      } else {
        out[at] = strategicMerge(out[at], item, kind, path) as Manifest;
      }
    }
    return out;
  }
  const base = original !== null && typeof original === 'object' && !Array.isArray(original) ? original as Record<string, unknown> : {};
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) {
      throw new Error(`this model does not implement patch directive ${key}`);
    }
    if (value === null) {
      delete out[key];
    } else {
      out[key] = strategicMerge(base[key], value, kind, [...path, key]);
    }
  }
  return out;
}
