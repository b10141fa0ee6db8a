import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { explainDescribedEdge } from './analysis/assumed-path';
import { ExplainFindingId } from './analysis/explain';
import { EdgeChain } from './edge/edge-chain';
import { ExternalTrafficPolicy, GatewayPortProtocol, GatewayServiceType } from './gateway-service';
import { GatewayTopology } from './gateway-topology';
import { hostBitsMessage, IpBlock } from './ip-block';
import { mergeProxyConfig, PROXY_CONFIG_ANNOTATION } from './private/proxy-config';
import {
  annotationMapProblems, failIfAny, labelMapProblems, listProblem, mustBe, oneOf, plural, Problem, requireObject, resourceName, wholeNumber,
} from './private/problems';
import { Warnings } from './warnings';

/** One port of the gateway Service. */
export interface GatewayPort {
  /** Port name, e.g. `http2`. Istio reads the protocol from the name prefix. */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The container port.
   *
   * @default - the same as `port` (gateway pods may bind ports below 1024)
   */
  readonly targetPort?: number;
  /**
   * The transport protocol.
   *
   * @default GatewayPortProtocol.TCP
   */
  readonly protocol?: GatewayPortProtocol;
}

/**
 * What a policy or an analysis needs to know about a gateway, whatever deploys it.
 *
 * `IngressGateway` implements it for gateways deployed by gateway injection; a Kubernetes Gateway
 * API gateway can implement the same interface.
 */
export interface IIngressGateway extends IConstruct {
  /** Labels that select the gateway pods (for AuthorizationPolicy `selector`). */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** The namespace the gateway runs in, when known. */
  readonly namespace?: string;
  /** The network in front of the gateway, as its ProxyConfig declares it. */
  readonly topology: GatewayTopology;
  /** The Service's `externalTrafficPolicy`, or `undefined` for a ClusterIP Service. */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /** The Service type. */
  readonly serviceType: GatewayServiceType;
  /** The hops in front of the gateway, when described. */
  readonly edge?: EdgeChain;
  /** The AuthorizationPolicy field that sees the client at this gateway, as configured. */
  readonly clientIpField: 'ipBlocks' | 'remoteIpBlocks';
}

/**
 * Props of an `IngressGateway`.
 */
export interface IngressGatewayProps {
  /**
   * The hops between the client and the gateway, from the client inwards. The Service type and
   * annotations, `externalTrafficPolicy` and the topology are derived from it; explicit props win,
   * with a warning (`edge-setting-overridden`) where they contradict the chain.
   *
   * @default - no description: the props (or their defaults) decide everything
   */
  readonly edge?: EdgeChain;

  /**
   * Name of the ServiceAccount, Deployment, Service and Role.
   *
   * @default 'istio-ingressgateway'
   */
  readonly name?: string;

  /**
   * Namespace of every object.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Value of the `app` selector label.
   *
   * @default - `name` (so `istio-ingressgateway`)
   */
  readonly appLabel?: string;

  /**
   * Value of the `istio` selector label, which Istio `Gateway` resources select on.
   *
   * @default - `name` without a leading `istio-` (so `ingressgateway`), as Istio's gateway chart does
   */
  readonly istioLabel?: string;

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
   * Service ports.
   *
   * @default - `status-port` 15021, `http2` 80 and `https` 443, all TCP (Istio's gateway chart defaults)
   */
  readonly ports?: readonly GatewayPort[];

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
   * Extra labels on the gateway pods. They cannot replace the selector labels or the injection label.
   *
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;

  /**
   * Number of gateway pods.
   *
   * @default - 2 with `externalTrafficPolicy: Local` (only nodes with a gateway pod take traffic), otherwise 1
   */
  readonly replicas?: number;

  /**
   * Whether to prefer placing gateway pods on different nodes (a preferred pod anti-affinity on
   * `kubernetes.io/hostname`).
   *
   * @default true
   */
  readonly spreadAcrossNodes?: boolean;

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

const DEFAULT_NAME = 'istio-ingressgateway';
const DEFAULT_PORTS: readonly GatewayPort[] = [
  { name: 'status-port', port: 15021 },
  { name: 'http2', port: 80 },
  { name: 'https', port: 443 },
];

/**
 * An Istio ingress gateway deployed by gateway injection, set up to keep the client's address.
 *
 * Creates a ServiceAccount, a Role and RoleBinding to read TLS secrets, a Deployment whose pods
 * carry the label `sidecar.istio.io/inject: "true"` and the annotation
 * `inject.istio.io/templates: gateway` (container image `auto`, filled in by the injector), and a
 * Service (LoadBalancer, `externalTrafficPolicy: Local` by default). The gateway topology is
 * written to the pods' `proxy.istio.io/config` annotation, merged with any ProxyConfig given in
 * `podAnnotations`.
 *
 * Warnings (ids in `WARNING_CATALOG`): replicas and spreading with `externalTrafficPolicy: Local`,
 * host bits in source ranges, and, with an `edge`, every cross-layer check between the described
 * hops and the gateway as configured, including the Envoy simulator's spoofing and trusted-proxy
 * findings.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/gateway/
 */
export class IngressGateway extends Construct implements IIngressGateway {
  /** Labels that select the gateway pods: `app` and `istio`. */
  public readonly selectorLabels: Readonly<Record<string, string>>;

  /** The namespace of the gateway objects, when known. */
  public readonly namespace?: string;

  /** The gateway topology written to the pods' ProxyConfig. */
  public readonly topology: GatewayTopology;

  /** `externalTrafficPolicy` of the Service (`undefined` for ClusterIP). */
  public readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /** Service type. */
  public readonly serviceType: GatewayServiceType;

  /** Number of gateway pods. */
  public readonly replicas: number;

  /** The hops in front of the gateway, when described. */
  public readonly edge?: EdgeChain;

  /** The gateway Deployment (construct id `Resource`). */
  public readonly deployment: k8s.KubeDeployment;

  /** The gateway Service. */
  public readonly service: k8s.KubeService;

  /** The gateway ServiceAccount. */
  public readonly serviceAccount: k8s.KubeServiceAccount;

  constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(scope, id);
    requireObject('IngressGateway', 'props', props, 'pass an object of IngressGatewayProps, or nothing', this);
    const name = props.name ?? DEFAULT_NAME;
    const edge = props.edge instanceof EdgeChain ? props.edge : undefined;
    const derived = edge?.gatewaySettings();
    const serviceType = props.serviceType ?? edge?.serviceType ?? GatewayServiceType.LOAD_BALANCER;
    const isExternal = serviceType !== GatewayServiceType.CLUSTER_IP;
    const derivedPolicy = derived === undefined ? ExternalTrafficPolicy.LOCAL
      : derived.externalTrafficPolicy === 'Local' ? ExternalTrafficPolicy.LOCAL : ExternalTrafficPolicy.CLUSTER;
    const externalTrafficPolicy = props.externalTrafficPolicy ?? (isExternal ? derivedPolicy : undefined);
    const replicas = props.replicas ?? (externalTrafficPolicy === ExternalTrafficPolicy.LOCAL ? 2 : 1);
    const topology = props.topology ?? (derived === undefined ? GatewayTopology.direct()
      : GatewayTopology.of({ numTrustedProxies: derived.numTrustedProxies, proxyProtocol: derived.proxyProtocol }));
    const serviceAnnotations = derived === undefined && props.serviceAnnotations === undefined ? undefined
      : { ...derived?.serviceAnnotations, ...props.serviceAnnotations };
    const selectorLabels = {
      app: props.appLabel ?? name,
      istio: props.istioLabel ?? name.replace(/^istio-/, ''),
    };
    const podLabels: Record<string, string> = { ...selectorLabels, 'sidecar.istio.io/inject': 'true' };

    // A non-string value is reported by annotationMapProblems; do not report it twice.
    const userProxyConfig = props.podAnnotations?.[PROXY_CONFIG_ANNOTATION];
    const renderedTopology = topology._render();
    const proxyConfig = mergeProxyConfig(typeof userProxyConfig === 'string' ? userProxyConfig : undefined, {
      gatewayTopology: { ...renderedTopology },
    });
    failIfAny('IngressGateway', [
      props.edge === undefined || props.edge instanceof EdgeChain ? undefined
        : mustBe('edge', 'an EdgeChain', props.edge, 'describe the hops with EdgeChain.of(EdgeHop..., ...)'),
      resourceName('name', props.name, 'name'),
      resourceName('namespace', props.namespace, 'namespace'),
      oneOf('serviceType', props.serviceType, GatewayServiceType, 'use a GatewayServiceType member'),
      oneOf('externalTrafficPolicy', props.externalTrafficPolicy, ExternalTrafficPolicy, 'use ExternalTrafficPolicy.LOCAL or CLUSTER'),
      !isExternal && props.externalTrafficPolicy !== undefined
        ? mustBe('externalTrafficPolicy', 'unset for a ClusterIP Service (Kubernetes rejects it there)', props.externalTrafficPolicy,
          'remove externalTrafficPolicy, or use serviceType LOAD_BALANCER or NODE_PORT')
        : undefined,
      wholeNumber('replicas', props.replicas, 0, 2147483647, 'pass the number of gateway pods (2 or more with externalTrafficPolicy Local)'),
      wholeNumber('healthCheckNodePort', props.healthCheckNodePort, 1, 65535, 'pass a node port number'),
      props.healthCheckNodePort !== undefined && !(serviceType === GatewayServiceType.LOAD_BALANCER && externalTrafficPolicy === ExternalTrafficPolicy.LOCAL)
        ? mustBe('healthCheckNodePort', 'set only with serviceType LOAD_BALANCER and externalTrafficPolicy LOCAL', props.healthCheckNodePort,
          'remove healthCheckNodePort, or use a LoadBalancer Service with externalTrafficPolicy Local')
        : undefined,
      props.loadBalancerSourceRanges !== undefined && serviceType !== GatewayServiceType.LOAD_BALANCER
        ? mustBe('loadBalancerSourceRanges', 'set only with serviceType LOAD_BALANCER', props.loadBalancerSourceRanges,
          'remove loadBalancerSourceRanges, or use a LoadBalancer Service')
        : undefined,
      listProblem('loadBalancerSourceRanges', props.loadBalancerSourceRanges, 'write loadBalancerSourceRanges: IpBlock.ofAll([...])'),
      ...(Array.isArray(props.loadBalancerSourceRanges) ? props.loadBalancerSourceRanges : []).map((block, i) => (block instanceof IpBlock ? undefined
        : mustBe(`loadBalancerSourceRanges[${i}]`, 'an IpBlock', block, `write IpBlock.of(${JSON.stringify(String(block))})`))),
      ...portProblems(props.ports),
      ...labelMapProblems('appLabel/istioLabel', selectorLabels),
      ...labelMapProblems('podLabels', props.podLabels),
      ...Object.keys(props.podLabels ?? {}).filter((key) => key in podLabels && props.podLabels?.[key] !== podLabels[key]).map((key) =>
        mustBe(`podLabels["${key}"]`, `${JSON.stringify(podLabels[key])} or absent (the gateway needs this label)`, props.podLabels?.[key],
          key === 'sidecar.istio.io/inject' ? 'remove it: gateway injection needs "true"' : `remove it, or set ${key === 'app' ? 'appLabel' : 'istioLabel'} instead`)),
      ...annotationMapProblems('serviceAnnotations', props.serviceAnnotations),
      ...annotationMapProblems('podAnnotations', props.podAnnotations),
      props.podAnnotations?.['inject.istio.io/templates'] !== undefined && props.podAnnotations['inject.istio.io/templates'] !== 'gateway'
        ? mustBe('podAnnotations["inject.istio.io/templates"]', '"gateway" or absent', props.podAnnotations['inject.istio.io/templates'],
          'remove it: gateway injection needs the gateway template')
        : undefined,
      ...(proxyConfig.ok ? userTopologyProblems(proxyConfig.config, renderedTopology)
        : proxyConfig.problems.map((p) => `'podAnnotations["${PROXY_CONFIG_ANNOTATION}"]': ${p}`)),
    ], this);

    this.selectorLabels = selectorLabels;
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.topology = topology;
    this.externalTrafficPolicy = externalTrafficPolicy;
    this.serviceType = serviceType;
    this.replicas = replicas;
    this.edge = edge;

    const metadata = { name, namespace: props.namespace };
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata });
    const role = new k8s.KubeRole(this, 'SecretReader', {
      metadata,
      // Gateways read the TLS secrets named by Gateway `credentialName` through SDS.
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
    });
    new k8s.KubeRoleBinding(this, 'SecretReaderBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccount.name }],
    });

    const spread = props.spreadAcrossNodes ?? true;
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata,
      spec: {
        replicas,
        selector: { matchLabels: { ...selectorLabels } },
        template: {
          metadata: {
            labels: { ...props.podLabels, ...podLabels },
            annotations: {
              ...props.podAnnotations,
              'inject.istio.io/templates': 'gateway',
              [PROXY_CONFIG_ANNOTATION]: proxyConfig.ok ? proxyConfig.text : '',
            },
          },
          spec: {
            serviceAccountName: this.serviceAccount.name,
            // Lets the proxy bind ports 80 and 443 without root, as Istio's gateway chart does.
            securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
            affinity: spread ? {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...selectorLabels } } },
                }],
              },
            } : undefined,
            containers: [{
              name: 'istio-proxy',
              image: 'auto',
              // The 15021 health port is a bootstrap listener that gatewayTopology.proxyProtocol does not cover;
              // Istio >= 1.27 accepts (optional) PROXY headers there with this variable, so load balancer
              // health checks that send PROXY keep working (istio/istio#39868).
              env: topology.proxyProtocol ? [{ name: 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL', value: 'true' }] : undefined,
              securityContext: {
                capabilities: { drop: ['ALL'] },
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 1337,
                runAsGroup: 1337,
              },
            }],
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { ...metadata, annotations: serviceAnnotations },
      spec: {
        type: serviceType,
        selector: { ...selectorLabels },
        externalTrafficPolicy,
        healthCheckNodePort: props.healthCheckNodePort,
        loadBalancerSourceRanges: props.loadBalancerSourceRanges?.map((block) => block.toString()),
        ports: (props.ports ?? DEFAULT_PORTS).map((p) => ({
          name: p.name,
          port: p.port,
          protocol: p.protocol ?? GatewayPortProtocol.TCP,
          targetPort: k8s.IntOrString.fromNumber(p.targetPort ?? p.port),
        })),
      },
    });

    const warnings = Warnings.of(this);
    if (externalTrafficPolicy === ExternalTrafficPolicy.LOCAL && replicas < 2) {
      warnings.add('local-traffic-policy-single-replica', `externalTrafficPolicy Local with ${plural(replicas, 'replica')}: only nodes running a gateway pod take traffic, `
        + 'and a restart or node loss drops all of it. Fix: set replicas to 2 or more');
    }
    if (externalTrafficPolicy === ExternalTrafficPolicy.LOCAL && !spread) {
      warnings.add('local-traffic-policy-no-spread', 'externalTrafficPolicy Local without spreading: gateway pods may share a node, so one node carries all '
        + 'traffic and its loss drops it. Fix: leave spreadAcrossNodes on');
    }
    if (edge !== undefined) {
      checkAgainstEdge(warnings, edge, props, { serviceType, externalTrafficPolicy, topology });
      // Walk a normal and a forged request through the described hops with Envoy's own rules.
      for (const finding of explainDescribedEdge(this)?.findings ?? []) {
        if (finding.id !== ExplainFindingId.PROXY_PROTOCOL_MISMATCH) { // checkAgainstEdge says it more precisely
          warnings.add(finding.id, `${finding.message} Fix: ${finding.fix}`);
        }
      }
    }
    for (const block of props.loadBalancerSourceRanges ?? []) {
      if (block.hostBitsCleared) {
        warnings.add('ip-block-host-bits', hostBitsMessage('loadBalancerSourceRanges', block));
      }
    }
  }

  /** The gateway Service's name. */
  public get serviceName(): string {
    return this.service.name;
  }

  /**
   * The AuthorizationPolicy field that sees the client at this gateway: `remoteIpBlocks` when the
   * gateway reads the client from `X-Forwarded-For` or PROXY protocol, `ipBlocks` otherwise.
   */
  public get clientIpField(): 'ipBlocks' | 'remoteIpBlocks' {
    return this.topology.clientIpField;
  }
}

interface EffectiveSettings {
  readonly serviceType: GatewayServiceType;
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  readonly topology: GatewayTopology;
}

/** Cross-layer checks between the described hops and the gateway as configured. Warnings only. */
function checkAgainstEdge(warnings: Warnings, edge: EdgeChain, props: IngressGatewayProps, actual: EffectiveSettings): void {
  const derived = edge.gatewaySettings();
  const hop = edge.gatewayHop;
  const overridden = (prop: string, chainValue: unknown, given: unknown) => warnings.add('edge-setting-overridden',
    `'${prop}' is ${JSON.stringify(given)}, but the edge (${edge}) calls for ${JSON.stringify(chainValue)}; the explicit value wins. `
    + `Fix: remove '${prop}' to use the derived value, or describe the edge as it really is`);

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
      warnings.add('proxy-protocol-unsupported-by-hop', `the gateway expects PROXY protocol, but ${hop.name} cannot send it, `
        + 'so every connection is refused. Fix: turn proxyProtocol off, or put a load balancer that sends PROXY protocol in front');
    } else {
      warnings.add('proxy-protocol-mismatch', `the gateway expects PROXY protocol, but ${hop.name} is not set up to send it, `
        + 'so every connection is refused. Fix: turn PROXY protocol on in the hop\'s factory options, or turn proxyProtocol off');
    }
  } else if (!actual.topology.proxyProtocol && derived.proxyProtocol) {
    warnings.add('proxy-protocol-mismatch', `${hop.name} sends PROXY protocol, but the gateway does not expect it, so requests `
      + 'start with a PROXY header the gateway cannot parse. Fix: leave topology.proxyProtocol to the edge, or turn PROXY protocol off on the hop');
  }
  if (hop.proxyProtocolBreaksLocalHealthChecks && actual.topology.proxyProtocol && actual.externalTrafficPolicy === ExternalTrafficPolicy.LOCAL) {
    warnings.add('proxy-protocol-local-health-check', `${hop.name} with PROXY protocol and externalTrafficPolicy Local: the load balancer's `
      + 'HTTP health checks to the health check node port fail. Fix: use externalTrafficPolicy Cluster (PROXY protocol carries the client anyway), or ip targets');
  }
  if (hop.requiresLocal && actual.externalTrafficPolicy !== ExternalTrafficPolicy.LOCAL) {
    warnings.add('edge-requires-local', `${hop.name} is set up to keep the client address, which is only valid with externalTrafficPolicy Local, `
      + `but the Service has ${actual.externalTrafficPolicy ?? 'none (ClusterIP)'}. Fix: remove externalTrafficPolicy to use Local`);
  }
  for (const portHop of edge.hops.filter((h) => h.writesPortInXff)) {
    warnings.add('xff-entry-with-port', `${portHop.name} writes "ip:port" entries into X-Forwarded-For, which Envoy cannot parse, `
      + 'so the gateway falls back to the TCP peer (a proxy) as the client. Fix: turn the port off on that hop (ALB: routing.http.xff_client_port.enabled=false; '
      + 'Application Gateway: rewrite X-Forwarded-For with add_x_forwarded_for_proxy)');
  }
  if (!edge.carriesClientAddress) {
    warnings.add('client-address-lost', `no hop of ${edge} carries the client address to the gateway: no X-Forwarded-For entry, no PROXY protocol, `
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

function portProblems(ports: readonly GatewayPort[] | undefined): Problem[] {
  if (ports === undefined) {
    return [];
  }
  if (!Array.isArray(ports)) {
    return [mustBe('ports', 'a list of GatewayPort', ports, 'write ports: [{ name: "http2", port: 80 }]')];
  }
  const problems: Problem[] = [];
  if (ports.length === 0) {
    problems.push(mustBe('ports', 'a non-empty list', ports, 'leave ports unset for the defaults, or list at least one port'));
  }
  const names = new Set<string>();
  const numbers = new Set<string>();
  ports.forEach((port, i) => {
    if (port === null || typeof port !== 'object') {
      problems.push(mustBe(`ports[${i}]`, 'a GatewayPort object', port, 'write { name: "http2", port: 80 }'));
      return;
    }
    problems.push(
      wholeNumber(`ports[${i}].port`, port.port, 1, 65535, 'pass a port number'),
      wholeNumber(`ports[${i}].targetPort`, port.targetPort, 1, 65535, 'pass a container port number'),
      oneOf(`ports[${i}].protocol`, port.protocol, GatewayPortProtocol, 'use GatewayPortProtocol.TCP or UDP'),
    );
    if (typeof port.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port.name) || port.name.length > 15) {
      problems.push(mustBe(`ports[${i}].name`, 'at most 15 lower-case letters, digits and \'-\'', port.name, 'rename the port, e.g. "http2" or "https"'));
    }
    if (names.has(port.name)) {
      problems.push(mustBe(`ports[${i}].name`, 'unique', port.name, 'give each port its own name'));
    }
    const key = `${port.port}/${port.protocol ?? GatewayPortProtocol.TCP}`;
    if (numbers.has(key)) {
      problems.push(mustBe(`ports[${i}].port`, 'unique per protocol', port.port, 'remove the duplicate port'));
    }
    names.add(port.name);
    numbers.add(key);
  });
  return problems;
}
