import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { yaml } from '../private/lazy-yaml';
// Types only: the generated module is never loaded at run time (see bench/README.md).
import type { GatewaySpec } from '../../imports/gateway.networking.k8s.io';
import { GatewayTopology } from '../gateway-topology';
import { ISTIO_FEATURES, IstioVersion, requireIstioFeature } from '../istio-version';
import {
  failIfAny, labelMapProblems, listProblem, mustBe, Problem, requireObject, resourceName, show,
} from '../private/problems';
import { checkedScope } from '../private/scope';
import { GatewayPort, IIngressGateway, PolicyTargetRef } from './gateway';
import { GatewayListener } from './gateway-listener';
import { reportGatewayWarnings } from './report-warnings';
import { GatewaySourceIpProps, GatewaySourceIpSettings } from './settings';
import { SettingsBackedGateway } from './settings-gateway';
import { guardObjectSizes } from '../private/object-size';
import { gatewaysOf, takeCensusAtSynth } from '../private/synth-census';

/**
 * Props of a `KubernetesGateway`: its client-address settings (`GatewaySourceIpProps`), its
 * listeners, and how the `Gateway` is named.
 */
export interface KubernetesGatewayProps extends GatewaySourceIpProps {
  /**
   * `metadata.name` of the `Gateway`. istiod names the Deployment, Service and ServiceAccount it
   * generates `<name>-<gatewayClassName>`.
   *
   * @default 'ingress-gateway'
   */
  readonly name?: string;

  /**
   * Namespace of the `Gateway`, its options ConfigMap, and the objects istiod generates. The app
   * must create it (or declare it as existing).
   *
   * @default - the chart's namespace, else `istio-ingress`
   */
  readonly namespace?: string;

  /**
   * The GatewayClass: `istio` (istiod's built-in class), or one of your own whose controller is
   * `istio.io/gateway-controller`.
   *
   * @default 'istio'
   */
  readonly gatewayClassName?: string;

  /**
   * The listeners: ports, protocols and host names routes attach to.
   *
   * @default [GatewayListener.http()] (port 80, routes from the Gateway's namespace)
   */
  readonly listeners?: readonly GatewayListener[];

  /**
   * Extra labels on the generated objects and pods (`spec.infrastructure.labels`, at most 8). They
   * cannot replace the labels istiod sets.
   *
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;

  /**
   * The name of the Deployment and Service istiod generates (annotation
   * `gateway.istio.io/name-override` on the Gateway).
   *
   * @default - `<name>-<gatewayClassName>`
   */
  readonly generatedName?: string;
}

const DEFAULT_NAME = 'ingress-gateway';
const DEFAULT_NAMESPACE = 'istio-ingress';
const DEFAULT_CLASS = 'istio';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** istiod's classes that deploy something else than an ingress gateway. */
const OTHER_CLASSES = ['istio-waypoint', 'istio-remote', 'istio-east-west'];
/** Keys istiod's template leaves out when it copies `spec.infrastructure.annotations` (kube-gateway.yaml). */
const OMITTED_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration', 'gateway.istio.io/name-override', 'gateway.istio.io/service-account', 'gateway.istio.io/controller-version',
];
/** Pod labels istiod's template sets after (or that must never replace) the infrastructure labels. */
const OWN_LABELS = ['sidecar.istio.io/inject', 'gateway.istio.io/managed'];
/** The Gateway API's limits on `spec.infrastructure.annotations` and `.labels` (standard channel v1.5.1). */
const MAX_INFRASTRUCTURE_ENTRIES = 8;
const MAX_ANNOTATION_VALUE = 4096;
/** A Service name is a DNS-1035 label. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * An Istio ingress gateway run by istiod from a Kubernetes Gateway API `Gateway`
 * (`gatewayClassName: istio`), set up to keep the client's address.
 *
 * istiod deploys the Deployment, Service and ServiceAccount itself; this construct writes the
 * `Gateway` (`gateway.networking.k8s.io/v1`) and the ConfigMap its `spec.infrastructure.parametersRef`
 * names, so the generated objects carry the same `GatewaySourceIpSettings` an `IngressGateway`
 * renders:
 *
 * - `spec.infrastructure.annotations`: the merged `proxy.istio.io/config` and the cloud load
 *   balancer's Service annotations (istiod copies them to the pods, the Service and the other
 *   generated objects; the Gateway's own metadata annotations are then no longer copied);
 * - the ConfigMap's `service` overlay: the Service `type`, `externalTrafficPolicy` (the Gateway API
 *   has no field for it), `healthCheckNodePort` and `loadBalancerSourceRanges`;
 * - its `deployment` overlay: replicas, the pod anti-affinity, the proxy container's resources and
 *   `ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL`;
 * - its `horizontalPodAutoscaler` and `podDisruptionBudget` overlays, when the settings call for
 *   them (istiod creates those objects only from an overlay).
 *
 * The overlays are strategic-merge patches of the objects istiod renders, as YAML strings. Policies
 * attach to the `Gateway` with `targetRefs` (`PolicyTarget.gateway(...)` does that), never a selector.
 * The Gateway API CRDs are not part of Istio: install the standard channel (v1.5.1) first.
 *
 * Warnings: the same as `IngressGateway` for the same settings (see `WARNING_CATALOG`).
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 * @see https://istio.io/latest/docs/setup/additional-setup/gateway/
 */
export class KubernetesGateway extends SettingsBackedGateway implements IIngressGateway {
  /** The label istiod selects the gateway pods with: `gateway.networking.k8s.io/gateway-name`. */
  public readonly selectorLabels: Readonly<Record<string, string>>;

  /** Every label istiod puts on the gateway pods. */
  public readonly podLabels: Readonly<Record<string, string>>;

  /** The namespace of the Gateway and the generated objects. */
  public readonly namespace: string;

  /** The name of the Deployment and Service istiod generates. */
  public readonly name: string;

  /** `metadata.name` of the `Gateway`. */
  public readonly gatewayName: string;

  /** The GatewayClass. */
  public readonly gatewayClassName: string;

  /** The listeners. */
  public readonly listeners: readonly GatewayListener[];

  /** The ports of the Service istiod generates: `status-port` 15021, then one per listener port. */
  public readonly ports: readonly GatewayPort[];

  /** Everything about the client's address: derived from `edge` and the props. */
  public readonly settings: GatewaySourceIpSettings;

  /** The `Gateway` policies attach to with `targetRefs`. */
  public readonly policyTargetRef: PolicyTargetRef;

  /** The `Gateway` (construct id `Resource`). */
  public readonly resource: ApiObject;

  /** The ConfigMap of overlays the Gateway's `parametersRef` names (a `v1` ConfigMap). */
  public readonly options: ApiObject;

  constructor(scope: Construct, id: string, props: KubernetesGatewayProps = {}) {
    super(checkedScope('KubernetesGateway', scope, id), id);
    requireObject('KubernetesGateway', 'props', props, 'pass an object of KubernetesGatewayProps, or nothing', this);
    guardObjectSizes(this);
    const gatewayName = props.name ?? DEFAULT_NAME;
    const namespace = props.namespace ?? Chart.of(this).namespace ?? DEFAULT_NAMESPACE;
    const gatewayClassName = props.gatewayClassName ?? DEFAULT_CLASS;
    const generatedName = props.generatedName ?? (typeof gatewayName === 'string' && typeof gatewayClassName === 'string' ? `${gatewayName}-${gatewayClassName}` : undefined);
    const listeners = props.listeners ?? [GatewayListener.http()];
    requireIstioFeature(this, ISTIO_FEATURES.kubernetesGatewayOverlays, 'KubernetesGateway');
    const { settings, problems } = GatewaySourceIpSettings._derive(props, IstioVersion.targetOf(this));
    const annotations = infrastructureAnnotations(settings);
    failIfAny('KubernetesGateway', [
      ...problems,
      resourceName('name', props.name, 'name'),
      // The selector label value (and `<name>-options`, a ConfigMap name) must fit.
      typeof props.name === 'string' && props.name.length > 63 ? mustBe('name', 'at most 63 characters (istiod labels the gateway pods '
        + `${GATEWAY_GROUP}/gateway-name with it, and a label value has at most 63)`, props.name, 'shorten the name') : undefined,
      resourceName('namespace', props.namespace, 'namespace'),
      ...classProblems(props.gatewayClassName),
      // undefined: name or gatewayClassName is not a string (refused above).
      generatedName === undefined || (typeof generatedName === 'string' && generatedName.length <= 63 && DNS_1035_LABEL.test(generatedName)) ? undefined
        : mustBe(props.generatedName === undefined ? 'name' : 'generatedName',
          `such that the generated Service name ${show(generatedName)} is a DNS label: at most 63 lower-case letters, digits and '-', starting with a letter`,
          props.generatedName ?? props.name, props.generatedName === undefined ? 'shorten the name, or set generatedName' : 'shorten or rename it'),
      ...listenerProblems(listeners),
      ...(problems.every((p) => p === undefined) ? annotations.problems : []),
      ...podLabelProblems(props.podLabels),
    ], this);

    this.gatewayName = gatewayName;
    this.namespace = namespace;
    this.gatewayClassName = gatewayClassName;
    this.name = generatedName as string;
    this.settings = settings;
    this.listeners = [...listeners];
    this.selectorLabels = { [`${GATEWAY_GROUP}/gateway-name`]: gatewayName };
    // As istiod's kube-gateway.yaml labels the pods: its own first, the infrastructure labels, then the Gateway's.
    this.podLabels = {
      'sidecar.istio.io/inject': 'false',
      'service.istio.io/canonical-name': generatedName as string,
      'service.istio.io/canonical-revision': 'latest',
      ...props.podLabels,
      [`${GATEWAY_GROUP}/gateway-name`]: gatewayName,
      [`${GATEWAY_GROUP}/gateway-class-name`]: gatewayClassName,
      'gateway.istio.io/managed': 'istio.io-gateway-controller',
    };
    this.ports = servicePorts(listeners);
    this.policyTargetRef = { group: GATEWAY_GROUP, kind: 'Gateway', name: gatewayName };

    this.options = new ApiObject(this, 'Options', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${gatewayName}-options`, namespace },
      data: overlays(settings, this.selectorLabels),
    });
    const spec: GatewaySpec = {
      gatewayClassName,
      listeners: listeners.map((listener) => listener._render()),
      infrastructure: {
        annotations: annotations.map,
        ...(props.podLabels === undefined || Object.keys(props.podLabels).length === 0 ? {} : { labels: { ...props.podLabels } }),
        parametersRef: { group: '', kind: 'ConfigMap', name: this.options.name },
      },
    };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: `${GATEWAY_GROUP}/v1`,
      kind: 'Gateway',
      metadata: {
        name: gatewayName,
        namespace,
        ...(props.generatedName === undefined ? {} : { annotations: { 'gateway.istio.io/name-override': props.generatedName } }),
      },
      spec,
    });

    reportGatewayWarnings(this, settings);
    // The other gateways come from the app's census, taken once per synth pass.
    takeCensusAtSynth(this);
    this.node.addValidation({ validate: () => collisionProblems(this) });
  }








  /** The listener called `name`, if there is one. */
  public listener(name: string): GatewayListener | undefined {
    return this.listeners.find((l) => l.name === name);
  }
}

/** The ConfigMap `data`: each overlay as the YAML of a strategic-merge patch (istiod's allowed keys only). */
function overlays(settings: GatewaySourceIpSettings, selectorLabels: Readonly<Record<string, string>>): Record<string, string> {
  const proxy: Record<string, unknown> = {
    name: 'istio-proxy',
    resources: { requests: { ...settings.resources.requests }, limits: { ...settings.resources.limits } },
    // The 15021 health port is not covered by gatewayTopology.proxyProtocol; Istio >= 1.27 accepts
    // PROXY headers there with this variable (istio/istio#39868). env merges by name with istiod's.
    ...(Object.keys(settings.env).length === 0 ? {} : { env: Object.entries(settings.env).map(([name, value]) => ({ name, value })) }),
  };
  const deployment = {
    spec: {
      // With an autoscaler, the autoscaler owns the count.
      ...(settings.autoscaling === undefined ? { replicas: settings.replicas } : {}),
      template: {
        spec: {
          ...(settings.spreadAcrossNodes ? {
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...selectorLabels } } },
                }],
              },
            },
          } : {}),
          // Containers merge by name: only istiod's istio-proxy container is patched.
          containers: [proxy],
        },
      },
    },
  };
  const service = {
    spec: {
      // The istio class renders a LoadBalancer Service; written always, so the type never depends on the class default.
      type: settings.serviceType,
      ...(settings.externalTrafficPolicy === undefined ? {} : { externalTrafficPolicy: settings.externalTrafficPolicy }),
      ...(settings.healthCheckNodePort === undefined ? {} : { healthCheckNodePort: settings.healthCheckNodePort }),
      ...(settings.loadBalancerSourceRanges === undefined ? {} : { loadBalancerSourceRanges: settings.loadBalancerSourceRanges.map((b) => b.toString()) }),
    },
  };
  const data: Record<string, string> = { deployment: yaml().stringify(deployment), service: yaml().stringify(service) };
  if (settings.autoscaling !== undefined) {
    data.horizontalPodAutoscaler = yaml().stringify({
      spec: {
        minReplicas: settings.autoscaling.minReplicas,
        maxReplicas: settings.autoscaling.maxReplicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: settings.autoscaling.targetCPUUtilizationPercentage } } }],
      },
    });
  }
  if (settings.podDisruptionBudget) {
    // Keeps one pod through node drains: with Local, the nodes without a gateway pod take no traffic.
    data.podDisruptionBudget = yaml().stringify({ spec: { minAvailable: 1 } });
  }
  return data;
}

/**
 * `spec.infrastructure.annotations`: the pod annotations (the merged `proxy.istio.io/config` among
 * them) and the Service annotations, in one map, since istiod copies the same map to every object.
 */
function infrastructureAnnotations(settings: GatewaySourceIpSettings): { readonly map: Record<string, string>; readonly problems: Problem[] } {
  const problems: Problem[] = [];
  const map: Record<string, string> = { ...settings.podAnnotations };
  for (const [key, value] of Object.entries(settings.serviceAnnotations)) {
    if (key in map && map[key] !== value) {
      problems.push(mustBe(`serviceAnnotations["${key}"]`, `the value podAnnotations has for it (${show(map[key])}): a Gateway API gateway has one annotation map for its pods and its Service`,
        value, 'give the key one value, or remove it from one of the two'));
    }
    map[key] = value;
  }
  for (const [key, value] of Object.entries(map)) {
    const prop = key in settings.serviceAnnotations ? 'serviceAnnotations' : 'podAnnotations';
    if (key.startsWith(`${GATEWAY_GROUP}/`)) {
      problems.push(mustBe(`${prop}["${key}"]`, `a key without the prefix ${GATEWAY_GROUP}/ (istiod drops those keys from spec.infrastructure.annotations)`,
        value, 'remove it, or use another key'));
    } else if (OMITTED_ANNOTATIONS.includes(key)) {
      problems.push(mustBe(`${prop}["${key}"]`, `none of ${OMITTED_ANNOTATIONS.join(', ')} (istiod leaves them out of the generated objects)`, value,
        key === 'gateway.istio.io/name-override' ? 'set generatedName instead' : 'remove it'));
    }
    if (typeof value === 'string' && value.length > MAX_ANNOTATION_VALUE) {
      problems.push(mustBe(`${prop}["${key}"]`, `at most ${MAX_ANNOTATION_VALUE} characters (the Gateway API limit)`, `${value.slice(0, 40)}… (${value.length} characters)`,
        'shorten the value'));
    }
  }
  const count = Object.keys(map).length;
  if (count > MAX_INFRASTRUCTURE_ENTRIES) {
    problems.push(`'podAnnotations' and 'serviceAnnotations' together (with proxy.istio.io/config) must be at most ${MAX_INFRASTRUCTURE_ENTRIES} keys, `
      + `the Gateway API limit of spec.infrastructure.annotations, got ${count}: ${Object.keys(map).join(', ')}. Fix: drop annotations the generated objects do not need`);
  }
  return { map, problems };
}

function classProblems(className: string | undefined): Problem[] {
  if (className === undefined) {
    return [];
  }
  return [
    resourceName('gatewayClassName', className, 'name'),
    OTHER_CLASSES.includes(className)
      ? mustBe('gatewayClassName', `an ingress gateway class (${className} deploys a ${className === 'istio-waypoint' ? 'waypoint' : 'gateway of another kind'}, not an ingress gateway)`,
        className, `use "${DEFAULT_CLASS}"`)
      : undefined,
  ];
}

function listenerProblems(listeners: readonly GatewayListener[]): Problem[] {
  const list = listProblem('listeners', listeners, 'write listeners: [GatewayListener.http()]');
  if (list !== undefined) {
    return [list];
  }
  if (listeners.length === 0 || listeners.length > 64) {
    return [mustBe('listeners', 'a list of 1 to 64 GatewayListener', listeners.length, 'leave listeners unset for one HTTP listener on port 80, or list at most 64')];
  }
  const problems: Problem[] = [];
  listeners.forEach((listener, i) => {
    if (!(listener instanceof GatewayListener)) {
      problems.push(mustBe(`listeners[${i}]`, 'a GatewayListener', listener, 'write GatewayListener.http() or GatewayListener.https({ certificateRefs })'));
      return;
    }
    const earlier = listeners.slice(0, i).filter((l): l is GatewayListener => l instanceof GatewayListener);
    if (earlier.some((l) => l.name === listener.name)) {
      problems.push(mustBe(`listeners[${i}].name`, 'unique in the Gateway', listener.name, 'give each listener its own name'));
    }
    const samePort = earlier.find((l) => l.port === listener.port);
    if (samePort !== undefined && samePort.protocol !== listener.protocol) {
      problems.push(mustBe(`listeners[${i}].port`, `a port no listener of another protocol uses (${samePort.name} is ${samePort.protocol} on ${samePort.port})`, listener.port,
        'give HTTP and HTTPS their own ports'));
    } else if (earlier.some((l) => l.port === listener.port && l.hostname === listener.hostname)) {
      problems.push(mustBe(`listeners[${i}].hostname`, `a host name no other listener on port ${listener.port} has`, listener.hostname ?? null,
        'give each listener on a port its own hostname'));
    }
  });
  return problems;
}

function podLabelProblems(labels: Readonly<Record<string, string>> | undefined): Problem[] {
  if (labels === undefined) {
    return [];
  }
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    return [mustBe('podLabels', 'a map of strings', labels, 'write podLabels: { "team": "edge" }')];
  }
  const keys = Object.keys(labels);
  return [
    ...labelMapProblems('podLabels', labels),
    ...keys.filter((key) => key.startsWith(`${GATEWAY_GROUP}/`) || OWN_LABELS.includes(key)).map((key) =>
      mustBe(`podLabels["${key}"]`, `a label istiod does not set itself (${GATEWAY_GROUP}/*, ${OWN_LABELS.join(', ')})`, labels[key],
        key === 'sidecar.istio.io/inject' ? 'remove it: a gateway pod must not get a sidecar' : 'remove it')),
    keys.length > MAX_INFRASTRUCTURE_ENTRIES
      ? mustBe('podLabels', `at most ${MAX_INFRASTRUCTURE_ENTRIES} labels (the Gateway API limit of spec.infrastructure.labels)`, keys, 'drop some labels')
      : undefined,
  ];
}

/** The ports of the Service istiod generates, as its deployment controller lists them (extractServicePorts). */
function servicePorts(listeners: readonly GatewayListener[]): GatewayPort[] {
  const ports: GatewayPort[] = [{ name: 'status-port', port: 15021, appProtocol: 'tcp' }];
  for (const listener of listeners) {
    if (!ports.some((p) => p.port === listener.port)) {
      ports.push({ name: listener.name, port: listener.port, appProtocol: listener.protocol.toLowerCase() });
    }
  }
  return ports;
}

/** Another gateway of the app whose objects would be the same as this one's. */
function collisionProblems(self: KubernetesGateway): string[] {
  const problems: string[] = [];
  for (const other of gatewaysOf(self)) {
    if (other === self || !isGateway(other) || other.namespace !== self.namespace) {
      continue;
    }
    if (other instanceof KubernetesGateway && other.gatewayName === self.gatewayName) {
      problems.push(`gateway ${other.node.path} is also Gateway ${JSON.stringify(self.gatewayName)} in namespace ${self.namespace}, so one would overwrite `
        + 'the other on apply. Fix: give each gateway its own name');
    } else if (other.name === self.name) {
      problems.push(`gateway ${other.node.path} also names its Deployment and Service ${JSON.stringify(self.name)} in namespace ${self.namespace}, so istiod `
        + 'would not manage them (it never takes over objects it did not create). Fix: give each gateway its own name (or generatedName)');
    }
  }
  return problems;
}

function isGateway(construct: IConstruct): construct is IIngressGateway {
  const candidate = construct as Partial<IIngressGateway>;
  return candidate.topology instanceof GatewayTopology && typeof candidate.name === 'string' && typeof candidate.selectorLabels === 'object';
}
