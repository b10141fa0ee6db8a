/**
 * What a gateway *is* for the client's address, whatever deploys it: one pure value derived from
 * the described edge and the user's props, and checked. Every way of running a gateway (gateway
 * injection here; an installed gateway's installer; a Gateway API gateway) renders the same value.
 *
 * Imports no construct: the value can be derived and tested without a chart.
 */
import { EdgeChain } from '../edge/edge-chain';
import { ExternalTrafficPolicy, GatewayServiceType } from '../gateway-service';
import { GatewayTopology } from '../gateway-topology';
import { hostBitsMessage, IpBlock } from '../ip-block';
import { ISTIO_FEATURES, IstioVersion } from '../istio-version';
import { istioAnnotationProblems } from '../private/istio-annotations';
import { mergeProxyConfig, PROXY_CONFIG_ANNOTATION, readProxyConfig } from '../private/proxy-config';
import {
  annotationMapProblems, failIfAny, listProblem, mustBe, oneOf, plural, Problem, requireObject, show, wholeNumber,
} from '../private/problems';

/**
 * CPU and memory of the gateway proxy container, as Kubernetes quantities (`100m`, `128Mi`).
 *
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export interface GatewayResourceQuantities {
  /**
   * CPU, e.g. `100m` or `2`.
   *
   * @default - see `GatewayResources`
   */
  readonly cpu?: string;
  /**
   * Memory, e.g. `128Mi`.
   *
   * @default - see `GatewayResources`
   */
  readonly memory?: string;
}

/**
 * Requests and limits of the gateway proxy container.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export interface GatewayResources {
  /**
   * What the scheduler reserves for each gateway pod.
   *
   * @default - cpu `100m`, memory `128Mi` (Istio's `gateway` chart)
   */
  readonly requests?: GatewayResourceQuantities;
  /**
   * The most each gateway pod may use.
   *
   * @default - cpu `2000m`, memory `1024Mi` (Istio's `gateway` chart)
   */
  readonly limits?: GatewayResourceQuantities;
}

/**
 * A HorizontalPodAutoscaler for the gateway Deployment.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export interface GatewayAutoscaling {
  /**
   * The fewest gateway pods.
   *
   * @default - 2 with `externalTrafficPolicy: Local` (only nodes with a gateway pod take traffic), otherwise 1
   */
  readonly minReplicas?: number;
  /**
   * The most gateway pods.
   *
   * @default 5 (Istio's `gateway` chart)
   */
  readonly maxReplicas?: number;
  /**
   * Average CPU use, in percent of the request, that the autoscaler aims for.
   *
   * @default 80 (Istio's `gateway` chart)
   */
  readonly targetCPUUtilizationPercentage?: number;
}

/**
 * The client-address settings of one ingress gateway, as the user gives them.
 *
 * Shared by every way of running a gateway, so a deployed gateway and an installed one with the
 * same props can never disagree.
 */
export interface GatewaySourceIpProps {
  /**
   * The hops between the client and the gateway, from the client inwards. The Service type and
   * annotations, `externalTrafficPolicy` and the topology are derived from it; explicit props win,
   * with a warning (`edge-setting-overridden`) where they contradict the chain.
   *
   * @default - no description: the props (or their defaults) decide everything, and the report
   *   says the settings are unchecked (`edge-not-described`)
   */
  readonly edge?: EdgeChain;

  /**
   * The network in front of the gateway: trusted proxies, PROXY protocol, client certificates.
   *
   * @default - derived from `edge`; without it, GatewayTopology.direct() (numTrustedProxies 0, no PROXY protocol)
   */
  readonly topology?: GatewayTopology;

  /**
   * `externalTrafficPolicy` of the Service.
   *
   * `Local` keeps the client's address on the packet (no SNAT), which `ipBlocks` needs when an L4
   * load balancer sits in front. Not allowed on a ClusterIP Service.
   *
   * @default - derived from `edge`; without it, ExternalTrafficPolicy.LOCAL for LoadBalancer and NodePort Services
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /**
   * Service type.
   *
   * @default - what the hop in front of the gateway needs (`edge`); without it, GatewayServiceType.LOAD_BALANCER
   */
  readonly serviceType?: GatewayServiceType;

  /**
   * Annotations on the Service, e.g. a cloud load balancer's settings. Merged over the annotations
   * the `edge` calls for; a different value for the same key wins, with a warning.
   *
   * @default - the annotations `edge` calls for, or none
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;

  /**
   * Extra annotations on the gateway pods. A `proxy.istio.io/config` here is merged with the
   * topology, field by field; a conflicting field is an error.
   *
   * @default - none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;

  /**
   * Number of gateway pods, when no autoscaler runs.
   *
   * @default - 2 with `externalTrafficPolicy: Local` (only nodes with a gateway pod take traffic), otherwise 1
   */
  readonly replicas?: number;

  /**
   * A HorizontalPodAutoscaler instead of a fixed number of pods. Not together with `replicas`.
   *
   * @default - no autoscaler: `replicas` pods
   */
  readonly autoscaling?: GatewayAutoscaling;

  /**
   * Whether to prefer placing gateway pods on different nodes (a preferred pod anti-affinity on
   * `kubernetes.io/hostname`).
   *
   * @default true
   */
  readonly spreadAcrossNodes?: boolean;

  /**
   * Requests and limits of the gateway proxy container.
   *
   * @default - requests cpu `100m` memory `128Mi`, limits cpu `2000m` memory `1024Mi` (Istio's `gateway` chart)
   */
  readonly resources?: GatewayResources;

  /**
   * `healthCheckNodePort` of the Service; only for a LoadBalancer Service with `externalTrafficPolicy: Local`.
   *
   * @default - Kubernetes allocates one
   */
  readonly healthCheckNodePort?: number;

  /**
   * `loadBalancerSourceRanges`: client ranges the cloud load balancer admits (LoadBalancer only).
   *
   * @default - all sources
   */
  readonly loadBalancerSourceRanges?: readonly IpBlock[];
}

/** A warning the settings call for, with its stable id (see `WARNING_CATALOG`). */
export interface GatewaySettingsWarning {
  /** Stable id, e.g. `edge-setting-overridden`. */
  readonly id: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /**
   * What the warning is about, when the gateway can have several of this id (a prop, a block, a hop).
   *
   * @default - the gateway as a whole
   */
  readonly subject?: string;
}

/** Quantities the proxy container gets, each field filled in. */
export interface ResolvedGatewayResources {
  /** `requests.cpu` and `requests.memory`. */
  readonly requests: Required<GatewayResourceQuantities>;
  /** `limits.cpu` and `limits.memory`. */
  readonly limits: Required<GatewayResourceQuantities>;
}

/** The autoscaler, each field filled in. */
export type ResolvedGatewayAutoscaling = Required<GatewayAutoscaling>;

/** The environment variable that lets port 15021 accept PROXY headers (Istio 1.27 and later; istio/istio#39868). */
export const STATUS_PORT_PROXY_PROTOCOL_ENV = 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL';

const DEFAULT_RESOURCES: ResolvedGatewayResources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '2000m', memory: '1024Mi' },
};

/** A Kubernetes resource quantity: a decimal number with an optional SI or binary suffix. */
// cspell:disable-next-line
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+|[numkMGTPE]|[KMGTPE]i)?$/;

/**
 * The client-address settings of one ingress gateway: derived from its `edge` and props, checked,
 * with every default filled in. Pure data; every rendering of a gateway reads only this.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export class GatewaySourceIpSettings {
  /**
   * Derives and checks the settings for the Istio version `target` (default 1.30).
   *
   * @throws SourceIpValidationError listing every problem with the props at once
   */
  public static derive(props: GatewaySourceIpProps = {}, target: IstioVersion = IstioVersion.DEFAULT): GatewaySourceIpSettings {
    requireObject('GatewaySourceIpSettings.derive', 'props', props, 'pass an object of GatewaySourceIpProps, or nothing');
    const { settings, problems } = GatewaySourceIpSettings._derive(props, target);
    failIfAny('GatewaySourceIpSettings.derive', problems);
    return settings;
  }

  /**
   * The settings and every problem with `props`, for constructs that report their own problems
   * together with these. The settings are only meaningful when there are no problems.
   *
   * @internal
   */
  public static _derive(props: GatewaySourceIpProps, target: IstioVersion = IstioVersion.DEFAULT): { readonly settings: GatewaySourceIpSettings; readonly problems: Problem[] } {
    const problems: Problem[] = [];
    const edge = props.edge instanceof EdgeChain ? props.edge : undefined;
    if (props.edge !== undefined && edge === undefined) {
      problems.push(mustBe('edge', 'an EdgeChain', props.edge, 'describe the hops with EdgeChain.of(EdgeHop..., ...)'));
    }
    const derived = edge?.gatewaySettings();
    const serviceType = props.serviceType ?? edge?.serviceType ?? GatewayServiceType.LOAD_BALANCER;
    const isExternal = serviceType !== GatewayServiceType.CLUSTER_IP;
    const derivedPolicy = derived === undefined || derived.externalTrafficPolicy === 'Local' ? ExternalTrafficPolicy.LOCAL : ExternalTrafficPolicy.CLUSTER;
    const externalTrafficPolicy = props.externalTrafficPolicy ?? (isExternal ? derivedPolicy : undefined);
    const local = externalTrafficPolicy === ExternalTrafficPolicy.LOCAL;
    const topology = props.topology instanceof GatewayTopology ? props.topology
      : derived === undefined ? GatewayTopology.direct()
        : GatewayTopology.of({ numTrustedProxies: derived.numTrustedProxies, proxyProtocol: derived.proxyProtocol });
    if (props.topology !== undefined && !(props.topology instanceof GatewayTopology)) {
      problems.push(mustBe('topology', 'a GatewayTopology', props.topology, 'write topology: GatewayTopology.of({ numTrustedProxies: 1 })'));
    }
    const autoscaling = resolveAutoscaling(props.autoscaling, local, problems);
    const replicas = autoscaling?.minReplicas ?? (typeof props.replicas === 'number' ? props.replicas : undefined) ?? (local ? 2 : 1);

    // A non-string value is reported by annotationMapProblems; do not report it twice.
    const userProxyConfig = isPlainMap(props.podAnnotations) ? props.podAnnotations[PROXY_CONFIG_ANNOTATION] : undefined;
    const renderedTopology = topology._render();
    const merged = mergeProxyConfig(typeof userProxyConfig === 'string' ? userProxyConfig : undefined, { gatewayTopology: { ...renderedTopology } });

    // Istio's annotation registry and the injector's value rules (IST0107/0108/0125/0135), for every rendering.
    const annotationFindings = [istioAnnotationProblems('Pod', 'podAnnotations', props.podAnnotations, [PROXY_CONFIG_ANNOTATION]),
      istioAnnotationProblems('Service', 'serviceAnnotations', props.serviceAnnotations)];
    const proxyConfigReading = typeof userProxyConfig === 'string' ? readProxyConfig(userProxyConfig) : undefined;
    problems.push(
      oneOf('serviceType', props.serviceType, GatewayServiceType, 'use a GatewayServiceType member'),
      oneOf('externalTrafficPolicy', props.externalTrafficPolicy, ExternalTrafficPolicy, 'use ExternalTrafficPolicy.LOCAL or CLUSTER'),
      !isExternal && props.externalTrafficPolicy !== undefined
        ? mustBe('externalTrafficPolicy', 'unset for a ClusterIP Service (Kubernetes rejects it there)', props.externalTrafficPolicy,
          'remove externalTrafficPolicy, or use serviceType LOAD_BALANCER or NODE_PORT')
        : undefined,
      wholeNumber('replicas', props.replicas, 0, 2147483647, 'pass the number of gateway pods (2 or more with externalTrafficPolicy Local)'),
      props.replicas !== undefined && props.autoscaling !== undefined
        ? mustBe('replicas', 'unset when autoscaling is set (the autoscaler owns the number of pods)', props.replicas,
          'remove replicas and set autoscaling.minReplicas instead')
        : undefined,
      props.spreadAcrossNodes === undefined || typeof props.spreadAcrossNodes === 'boolean' ? undefined
        : mustBe('spreadAcrossNodes', 'true or false', props.spreadAcrossNodes, 'pass a boolean'),
      wholeNumber('healthCheckNodePort', props.healthCheckNodePort, 1, 65535, 'pass a node port number'),
      props.healthCheckNodePort !== undefined && !(serviceType === GatewayServiceType.LOAD_BALANCER && local)
        ? mustBe('healthCheckNodePort', 'set only with serviceType LOAD_BALANCER and externalTrafficPolicy LOCAL', props.healthCheckNodePort,
          'remove healthCheckNodePort, or use a LoadBalancer Service with externalTrafficPolicy Local')
        : undefined,
      props.loadBalancerSourceRanges !== undefined && serviceType !== GatewayServiceType.LOAD_BALANCER
        ? mustBe('loadBalancerSourceRanges', 'set only with serviceType LOAD_BALANCER', props.loadBalancerSourceRanges,
          'remove loadBalancerSourceRanges, or use a LoadBalancer Service')
        : undefined,
      listProblem('loadBalancerSourceRanges', props.loadBalancerSourceRanges, 'write loadBalancerSourceRanges: IpBlock.ofAll([...])'),
      ...(Array.isArray(props.loadBalancerSourceRanges) ? props.loadBalancerSourceRanges : []).map((block, i) => (block instanceof IpBlock ? undefined
        : mustBe(`loadBalancerSourceRanges[${i}]`, 'an IpBlock', block, `write IpBlock.of(${show(typeof block === 'string' ? block : '203.0.113.0/24')})`))),
      ...mapProblems('serviceAnnotations', props.serviceAnnotations),
      ...mapProblems('podAnnotations', props.podAnnotations),
      ...resourceProblems(props.resources),
      ...(merged.ok ? userTopologyProblems(merged.config, renderedTopology)
        : merged.problems.map((p) => `'podAnnotations["${PROXY_CONFIG_ANNOTATION}"]': ${p}`)),
      ...annotationFindings.flatMap((findings) => findings.errors),
    );

    const resources = resolveResources(props.resources);
    const podAnnotations: Record<string, string> = { ...(isPlainMap(props.podAnnotations) ? props.podAnnotations : {}) };
    podAnnotations[PROXY_CONFIG_ANNOTATION] = merged.ok ? merged.text : '';
    const settings = new GatewaySourceIpSettings({
      edge,
      topology,
      serviceType,
      externalTrafficPolicy,
      serviceAnnotations: derived === undefined && props.serviceAnnotations === undefined ? {}
        : { ...derived?.serviceAnnotations, ...(isPlainMap(props.serviceAnnotations) ? props.serviceAnnotations : {}) },
      podAnnotations,
      env: topology.proxyProtocol && target.isAtLeast(ISTIO_FEATURES.statusPortProxyProtocol.since) ? { [STATUS_PORT_PROXY_PROTOCOL_ENV]: 'true' } : {},
      replicas,
      autoscaling,
      spreadAcrossNodes: props.spreadAcrossNodes !== false,
      podDisruptionBudget: replicas >= 2,
      resources,
      healthCheckNodePort: props.healthCheckNodePort,
      loadBalancerSourceRanges: Array.isArray(props.loadBalancerSourceRanges) ? [...props.loadBalancerSourceRanges] : undefined,
      warnings: [],
    });
    if (problems.every((p) => p === undefined)) {
      settings.warnings.push(
        ...annotationFindings.flatMap((findings) => findings.warnings),
        ...(proxyConfigReading?.ok === true ? proxyConfigReading.warnings : [])
          .map((message) => ({ id: 'proxy-config-unknown-field', message: `podAnnotations["${PROXY_CONFIG_ANNOTATION}"]: ${message}` })),
        ...settingsWarnings(settings, props),
      );
      if (topology.proxyProtocol && !target.isAtLeast(ISTIO_FEATURES.statusPortProxyProtocol.since)) {
        const feature = ISTIO_FEATURES.statusPortProxyProtocol;
        const add = (id: string, message: string) => settings.warnings.push({ id, message });
        add('status-port-proxy-protocol-unavailable', `the target Istio ${target} has no ${feature.name} (Istio ${feature.since} and later), `
          + `so a load balancer health check that sends PROXY headers to port 15021 fails. Fix: ${feature.fallback}`);
      }
    }
    return { settings, problems };
  }

  /** The hops in front of the gateway, when described. */
  public readonly edge?: EdgeChain;
  /** The network in front of the gateway, as the pods' ProxyConfig declares it. */
  public readonly topology: GatewayTopology;
  /** The gateway Service type. */
  public readonly serviceType: GatewayServiceType;
  /** `externalTrafficPolicy` of the Service, `undefined` for ClusterIP. */
  public readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /** The Service annotations: the edge's, with the user's merged over them. */
  public readonly serviceAnnotations: Readonly<Record<string, string>>;
  /** The gateway pods' annotations: the user's, and the merged `proxy.istio.io/config`. */
  public readonly podAnnotations: Readonly<Record<string, string>>;
  /** Environment variables of the proxy container (PROXY protocol on the status port). */
  public readonly env: Readonly<Record<string, string>>;
  /** The number of pods: fixed, or the autoscaler's minimum. */
  public readonly replicas: number;
  /** The autoscaler, when one runs. */
  public readonly autoscaling?: ResolvedGatewayAutoscaling;
  /** Whether pods prefer different nodes. */
  public readonly spreadAcrossNodes: boolean;
  /** Whether a PodDisruptionBudget (`minAvailable: 1`) keeps a pod during voluntary disruptions: with 2 or more pods. */
  public readonly podDisruptionBudget: boolean;
  /** Requests and limits of the proxy container. */
  public readonly resources: ResolvedGatewayResources;
  /** `healthCheckNodePort` of the Service, when chosen. */
  public readonly healthCheckNodePort?: number;
  /** `loadBalancerSourceRanges` of the Service, when given. */
  public readonly loadBalancerSourceRanges?: readonly IpBlock[];
  /** What is risky about these settings, with stable ids. */
  public readonly warnings: GatewaySettingsWarning[];

  private constructor(fields: Omit<GatewaySourceIpSettings, 'proxyConfig' | 'clientIpField' | 'proxyConfigAnnotation'>) {
    this.edge = fields.edge;
    this.topology = fields.topology;
    this.serviceType = fields.serviceType;
    this.externalTrafficPolicy = fields.externalTrafficPolicy;
    this.serviceAnnotations = fields.serviceAnnotations;
    this.podAnnotations = fields.podAnnotations;
    this.env = fields.env;
    this.replicas = fields.replicas;
    this.autoscaling = fields.autoscaling;
    this.spreadAcrossNodes = fields.spreadAcrossNodes;
    this.podDisruptionBudget = fields.podDisruptionBudget;
    this.resources = fields.resources;
    this.healthCheckNodePort = fields.healthCheckNodePort;
    this.loadBalancerSourceRanges = fields.loadBalancerSourceRanges;
    this.warnings = fields.warnings;
  }

  /** The merged `proxy.istio.io/config` text. */
  public get proxyConfig(): string {
    return this.podAnnotations[PROXY_CONFIG_ANNOTATION];
  }

  /**
   * The AuthorizationPolicy field that sees the client at this gateway: `remoteIpBlocks` when the
   * gateway reads the client from `X-Forwarded-For` or PROXY protocol, `ipBlocks` otherwise.
   */
  public get clientIpField(): 'ipBlocks' | 'remoteIpBlocks' {
    return this.topology.clientIpField;
  }
}

function isPlainMap<T extends object>(value: T | undefined): value is T {
  // A plain object only: a Date, Map or String object is no map of props.
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);
}

/** A map prop: an object (never a string or a list, which `Object.entries` would read as characters or indexes). */
function mapProblems(prop: string, value: Readonly<Record<string, string>> | undefined): Problem[] {
  if (value !== undefined && !isPlainMap(value)) {
    return [mustBe(prop, 'a map of strings', value, `write ${prop}: { "key": "value" }`)];
  }
  return annotationMapProblems(prop, value);
}

function resolveAutoscaling(autoscaling: GatewayAutoscaling | undefined, local: boolean, problems: Problem[]): ResolvedGatewayAutoscaling | undefined {
  if (autoscaling === undefined) {
    return undefined;
  }
  if (!isPlainMap(autoscaling)) {
    problems.push(mustBe('autoscaling', 'an object of GatewayAutoscaling', autoscaling, 'write autoscaling: { minReplicas: 2, maxReplicas: 5 }'));
    return undefined;
  }
  const min = typeof autoscaling.minReplicas === 'number' ? autoscaling.minReplicas : undefined;
  const resolved = {
    minReplicas: min ?? (local ? 2 : 1),
    maxReplicas: autoscaling.maxReplicas ?? Math.max(5, min ?? 0),
    targetCPUUtilizationPercentage: autoscaling.targetCPUUtilizationPercentage ?? 80,
  };
  problems.push(
    wholeNumber('autoscaling.minReplicas', autoscaling.minReplicas, 1, 2147483647, 'pass the fewest gateway pods (2 or more with externalTrafficPolicy Local)'),
    wholeNumber('autoscaling.maxReplicas', autoscaling.maxReplicas, 1, 2147483647, 'pass the most gateway pods'),
    wholeNumber('autoscaling.targetCPUUtilizationPercentage', autoscaling.targetCPUUtilizationPercentage, 1, 2147483647, 'pass a percentage such as 80'),
    typeof resolved.minReplicas === 'number' && typeof resolved.maxReplicas === 'number' && resolved.maxReplicas < resolved.minReplicas
      ? mustBe('autoscaling.maxReplicas', `at least minReplicas (${resolved.minReplicas})`, autoscaling.maxReplicas, 'raise maxReplicas or lower minReplicas')
      : undefined,
  );
  return resolved;
}

function resourceProblems(resources: GatewayResources | undefined): Problem[] {
  if (resources === undefined) {
    return [];
  }
  if (!isPlainMap(resources)) {
    return [mustBe('resources', 'an object of GatewayResources', resources, 'write resources: { requests: { cpu: "100m", memory: "128Mi" } }')];
  }
  return (['requests', 'limits'] as const).flatMap((group) => {
    const quantities = resources[group];
    if (quantities === undefined) {
      return [];
    }
    if (!isPlainMap(quantities)) {
      return [mustBe(`resources.${group}`, 'an object with cpu and memory', quantities, `write resources.${group}: { cpu: "100m", memory: "128Mi" }`)];
    }
    return (['cpu', 'memory'] as const).map((field) => {
      const value = quantities[field];
      return value === undefined || (typeof value === 'string' && QUANTITY.test(value)) ? undefined
        : mustBe(`resources.${group}.${field}`, 'a Kubernetes quantity such as "100m", "2" or "128Mi"', value, 'write the quantity as a string');
    });
  });
}

function resolveResources(resources: GatewayResources | undefined): ResolvedGatewayResources {
  const given = isPlainMap(resources) ? resources : {};
  return {
    requests: { ...DEFAULT_RESOURCES.requests, ...(isPlainMap(given.requests) ? given.requests : {}) },
    limits: { ...DEFAULT_RESOURCES.limits, ...(isPlainMap(given.limits) ? given.limits : {}) },
  };
}

/** What is risky about settings that are valid: spreading and replicas with Local, and every cross-layer check against the edge. */
function settingsWarnings(settings: GatewaySourceIpSettings, props: GatewaySourceIpProps): GatewaySettingsWarning[] {
  const warnings: GatewaySettingsWarning[] = [];
  const add = (id: string, message: string, subject?: string) => warnings.push(subject === undefined ? { id, message } : { id, message, subject });
  const local = settings.externalTrafficPolicy === ExternalTrafficPolicy.LOCAL;
  if (local && settings.replicas < 2) {
    add('local-traffic-policy-single-replica', `externalTrafficPolicy Local with ${plural(settings.replicas, 'replica')}: only nodes running a gateway pod take traffic, `
      + `and a restart or node loss drops all of it. Fix: set ${settings.autoscaling === undefined ? 'replicas' : 'autoscaling.minReplicas'} to 2 or more`);
  }
  if (local && !settings.spreadAcrossNodes) {
    add('local-traffic-policy-no-spread', 'externalTrafficPolicy Local without spreading: gateway pods may share a node, so one node carries all '
      + 'traffic and its loss drops it. Fix: leave spreadAcrossNodes on');
  }
  if (settings.edge !== undefined) {
    edgeWarnings(add, settings.edge, props, settings);
  }
  for (const block of settings.loadBalancerSourceRanges ?? []) {
    if (block.hostBitsCleared) {
      add('ip-block-host-bits', hostBitsMessage('loadBalancerSourceRanges', block), `loadBalancerSourceRanges ${block.input}`);
    }
  }
  return warnings;
}

/** Cross-layer checks between the described hops and the gateway as configured. Warnings only. */
function edgeWarnings(add: (id: string, message: string, subject?: string) => void, edge: EdgeChain, props: GatewaySourceIpProps, actual: GatewaySourceIpSettings): void {
  const derived = edge.gatewaySettings();
  const hop = edge.gatewayHop;
  const overridden = (prop: string, chainValue: unknown, given: unknown) => add('edge-setting-overridden',
    `'${prop}' is ${JSON.stringify(given)}, but the edge (${edge}) calls for ${JSON.stringify(chainValue)}; the explicit value wins. `
    + `Fix: remove '${prop}' to use the derived value, or describe the edge as it really is`, prop);

  if (props.serviceType !== undefined && props.serviceType !== edge.serviceType) {
    overridden('serviceType', edge.serviceType, props.serviceType);
  }
  if (props.externalTrafficPolicy !== undefined && props.externalTrafficPolicy !== derived.externalTrafficPolicy) {
    overridden('externalTrafficPolicy', derived.externalTrafficPolicy, props.externalTrafficPolicy);
  }
  if (props.topology !== undefined && props.topology.numTrustedProxies !== derived.numTrustedProxies) {
    overridden('topology.numTrustedProxies', derived.numTrustedProxies, props.topology.numTrustedProxies);
  }
  for (const [key, value] of Object.entries(props.serviceAnnotations ?? {})) {
    const chainValue = derived.serviceAnnotations[key];
    if (chainValue !== undefined && chainValue !== value) {
      overridden(`serviceAnnotations["${key}"]`, chainValue, value);
    }
  }

  // PROXY protocol on one side only breaks every connection.
  if (actual.topology.proxyProtocol && !derived.proxyProtocol) {
    if (!hop.canSendProxyProtocol) {
      add('proxy-protocol-unsupported-by-hop', `the gateway expects PROXY protocol, but ${hop.name} cannot send it, `
        + 'so every connection is refused. Fix: turn proxyProtocol off, or put a load balancer that sends PROXY protocol in front');
    } else {
      add('proxy-protocol-mismatch', `the gateway expects PROXY protocol, but ${hop.name} is not set up to send it, `
        + 'so every connection is refused. Fix: turn PROXY protocol on in the hop\'s factory options, or turn proxyProtocol off');
    }
  } else if (!actual.topology.proxyProtocol && derived.proxyProtocol) {
    add('proxy-protocol-mismatch', `${hop.name} sends PROXY protocol, but the gateway does not expect it, so requests `
      + 'start with a PROXY header the gateway cannot parse. Fix: leave topology.proxyProtocol to the edge, or turn PROXY protocol off on the hop');
  }
  if (hop.proxyProtocolBreaksLocalHealthChecks && actual.topology.proxyProtocol && actual.externalTrafficPolicy === ExternalTrafficPolicy.LOCAL) {
    add('proxy-protocol-local-health-check', `${hop.name} with PROXY protocol and externalTrafficPolicy Local: the load balancer's `
      + 'HTTP health checks to the health check node port fail. Fix: use externalTrafficPolicy Cluster (PROXY protocol carries the client anyway), or ip targets');
  }
  if (hop.requiresLocal && actual.externalTrafficPolicy !== ExternalTrafficPolicy.LOCAL) {
    add('edge-requires-local', `${hop.name} is set up to keep the client address, which is only valid with externalTrafficPolicy Local, `
      + `but the Service has ${actual.externalTrafficPolicy ?? 'none (ClusterIP)'}. Fix: remove externalTrafficPolicy to use Local`);
  }
  // Only the entry the gateway reads matters: an ip:port entry elsewhere in the header is skipped.
  const n = actual.topology.numTrustedProxies;
  const portHop = edge.hopWritingTrustedPortEntry(n);
  if (portHop !== undefined) {
    add('xff-entry-with-port', `${portHop.name} writes its X-Forwarded-For entry as "ip:port", and that is the entry the gateway reads `
      + `(numTrustedProxies ${n}: the ${n === 1 ? 'rightmost' : `${n}th from the right`}); Envoy cannot parse it, so the gateway falls back to the TCP peer `
      + '(a proxy) as the client. Fix: turn the port off on that hop (ALB: routing.http.xff_client_port.enabled=false; '
      + 'Application Gateway: rewrite X-Forwarded-For with add_x_forwarded_for_proxy)', portHop.name);
  }
  if (!edge.carriesClientAddress) {
    add('client-address-lost', `no hop of ${edge} carries the client address to the gateway: no X-Forwarded-For entry, no PROXY protocol, `
      + 'and the packet source is the load balancer. Fix: turn on PROXY protocol or client IP preservation on the load balancer');
  }
}

/**
 * ProxyConfig `gatewayTopology` fields the user wrote in `podAnnotations` that would make the gateway
 * run differently from its `topology`: `proxyProtocol` while the topology has it off (every check
 * of this library would then reason without it), and unknown keys, which Istio drops silently.
 * `forwardClientCertDetails` may stay there: nothing here depends on it.
 */
function userTopologyProblems(merged: Record<string, unknown>, rendered: object): Problem[] {
  const user = merged.gatewayTopology;
  if (user === null || typeof user !== 'object') {
    return [];
  }
  const prop = `podAnnotations["${PROXY_CONFIG_ANNOTATION}"] gatewayTopology`;
  return Object.keys(user).flatMap((key) => {
    const value = (user as Record<string, unknown>)[key];
    if (!TOPOLOGY_FIELDS.includes(key)) {
      const near = TOPOLOGY_FIELDS.find((field) => field.toLowerCase().startsWith(key.toLowerCase().slice(0, 6)));
      return [mustBe(`${prop}.${key}`, `one of the Topology fields ${TOPOLOGY_FIELDS.join(', ')} (Istio drops unknown fields without a word)`, value,
        near === undefined ? 'remove it' : `did you mean ${near}? Set it through topology: GatewayTopology.of({ ${near}: ... })`)];
    }
    if (key === 'proxyProtocol' && !(key in rendered)) {
      return [mustBe(`${prop}.proxyProtocol`, 'absent while topology.proxyProtocol is off', value,
        'set it through topology: GatewayTopology.of({ proxyProtocol: true }) so the gateway and this library agree')];
    }
    return [];
  });
}

/** The fields of ProxyConfig `Topology` in Istio 1.30 (istio.md §1). */
const TOPOLOGY_FIELDS = ['numTrustedProxies', 'forwardClientCertDetails', 'proxyProtocol'];
