import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GatewayPortProtocol } from '../gateway-service';
import { GatewayTopology } from '../gateway-topology';
import {
  failIfAny, labelMapProblems, listProblem, mustBe, oneOf, Problem, requireObject, resourceName, wholeNumber,
} from '../private/problems';
import { GatewayPort, IIngressGateway } from './gateway';
import { reportGatewayWarnings } from './report-warnings';
import { GatewaySourceIpProps, GatewaySourceIpSettings } from './settings';
import { SettingsBackedGateway } from './settings-gateway';
import { IstioVersion } from '../istio-version';
import { guardObjectSizes } from '../private/object-size';
import { checkedScope } from '../private/scope';
import { gatewaysOf, takeCensusAtSynth } from '../private/synth-census';

/**
 * Props of an `IngressGateway`: its client-address settings (`GatewaySourceIpProps`), and how the
 * objects that run it are named and labelled.
 */
export interface IngressGatewayProps extends GatewaySourceIpProps {
  /**
   * Name of the ServiceAccount, Deployment, Service, Role and the other objects.
   *
   * @default 'ingress-gateway'
   */
  readonly name?: string;

  /**
   * Namespace of every object. A gateway this library deploys lives in a namespace of its own, as
   * Istio's "Installing Gateways" page does; the app must create it (or declare it as existing).
   *
   * @default - the chart's namespace, else `istio-ingress`
   */
  readonly namespace?: string;

  /**
   * Value of the `app` selector label.
   *
   * @default - `name`
   */
  readonly appLabel?: string;

  /**
   * Value of the `istio` selector label, which Istio `Gateway` resources select on.
   *
   * @default - `name` without a leading `istio-`, as Istio's gateway chart does
   */
  readonly istioLabel?: string;

  /**
   * Service ports. Name each with an Istio protocol prefix (`http2`, `https`, `tcp-…`) or give it an
   * `appProtocol`.
   *
   * @default - `status-port` 15021 (appProtocol `tcp`), `http2` 80 and `https` 443, all TCP (Istio's gateway chart ports)
   */
  readonly ports?: readonly GatewayPort[];

  /**
   * Extra labels on the gateway pods. They cannot replace the selector labels or the injection label.
   *
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** The default name: not the name istioctl and the `istio/gateway` chart give their gateways. */
const DEFAULT_NAME = 'ingress-gateway';
const DEFAULT_NAMESPACE = 'istio-ingress';
const DEFAULT_PORTS: readonly GatewayPort[] = [
  // The health port is not routed; appProtocol keeps Istio's protocol check (IST0118) quiet.
  { name: 'status-port', port: 15021, appProtocol: 'tcp' },
  { name: 'http2', port: 80 },
  { name: 'https', port: 443 },
];

/** What istioctl's default profile installs: a gateway this library must never overwrite. */
const INSTALLED_DEFAULT = { name: 'istio-ingressgateway', namespace: 'istio-system', app: 'istio-ingressgateway', istio: 'ingressgateway' };

/**
 * An Istio ingress gateway deployed by gateway injection, set up to keep the client's address.
 *
 * Creates a ServiceAccount, a Role and RoleBinding to read TLS secrets, a Deployment whose pods
 * carry the label `sidecar.istio.io/inject: "true"` and the annotation
 * `inject.istio.io/templates: gateway` (container image `auto`, filled in by the injector), a
 * Service (LoadBalancer, `externalTrafficPolicy: Local` by default), a PodDisruptionBudget with two
 * or more pods, and an optional HorizontalPodAutoscaler. What the gateway does with the client's
 * address comes from one `GatewaySourceIpSettings` value (derived from `edge` and the props), the
 * same value every other way of running a gateway renders.
 *
 * It never takes over a gateway an installer owns: `istio-ingressgateway` with the default
 * profile's labels in `istio-system` is refused, and two gateways of one app never share a name in
 * a namespace or their selector labels.
 *
 * Warnings (ids in `WARNING_CATALOG`): replicas and spreading with `externalTrafficPolicy: Local`,
 * host bits in source ranges, and, with an `edge`, every cross-layer check between the described
 * hops and the gateway as configured, including the Envoy simulator's findings.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/gateway/
 */
export class IngressGateway extends SettingsBackedGateway implements IIngressGateway {
  /** Labels that select the gateway pods: `app` and `istio`. */
  public readonly selectorLabels: Readonly<Record<string, string>>;

  /** Every label on the gateway pods. */
  public readonly podLabels: Readonly<Record<string, string>>;

  /** The namespace of the gateway objects. */
  public readonly namespace: string;

  /** The name of the Deployment, Service and the other objects. */
  public readonly name: string;

  /** The Service ports. */
  public readonly ports: readonly GatewayPort[];

  /** Everything about the client's address: derived from `edge` and the props. */
  public readonly settings: GatewaySourceIpSettings;

  /** The gateway Deployment (construct id `Resource`). */
  public readonly deployment: ApiObject;

  /** The gateway Service. */
  public readonly service: ApiObject;

  /** The gateway ServiceAccount. */
  public readonly serviceAccount: ApiObject;

  constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(checkedScope('IngressGateway', scope, id), id);
    requireObject('IngressGateway', 'props', props, 'pass an object of IngressGatewayProps, or nothing', this);
    guardObjectSizes(this);
    const name = props.name ?? DEFAULT_NAME;
    const namespace = props.namespace ?? Chart.of(this).namespace ?? DEFAULT_NAMESPACE;
    const { settings, problems } = GatewaySourceIpSettings._derive(props, IstioVersion.targetOf(this));
    const selectorLabels = {
      app: props.appLabel ?? name,
      istio: props.istioLabel ?? (typeof name === 'string' ? name.replace(/^istio-/, '') : name),
    };
    const ownLabels: Record<string, string> = { ...selectorLabels, 'sidecar.istio.io/inject': 'true' };
    const ports = props.ports ?? DEFAULT_PORTS;
    failIfAny('IngressGateway', [
      ...problems,
      resourceName('name', props.name, 'service'),
      resourceName('namespace', props.namespace, 'namespace'),
      takeoverProblem(name, namespace, selectorLabels),
      ...portProblems(props.ports),
      ...labelMapProblems('appLabel/istioLabel', selectorLabels),
      ...labelMapProblems('podLabels', props.podLabels),
      ...Object.keys(props.podLabels ?? {}).filter((key) => Object.hasOwn(ownLabels, key) && props.podLabels?.[key] !== ownLabels[key]).map((key) =>
        mustBe(`podLabels["${key}"]`, `${JSON.stringify(ownLabels[key])} or absent (the gateway needs this label)`, props.podLabels?.[key],
          key === 'sidecar.istio.io/inject' ? 'remove it: gateway injection needs "true"' : `remove it, or set ${key === 'app' ? 'appLabel' : 'istioLabel'} instead`)),
      props.podAnnotations?.['inject.istio.io/templates'] !== undefined && props.podAnnotations['inject.istio.io/templates'] !== 'gateway'
        ? mustBe('podAnnotations["inject.istio.io/templates"]', '"gateway" or absent', props.podAnnotations['inject.istio.io/templates'],
          'remove it: gateway injection needs the gateway template')
        : undefined,
    ], this);

    this.name = name;
    this.namespace = namespace;
    this.selectorLabels = selectorLabels;
    this.podLabels = { ...props.podLabels, ...ownLabels };
    this.ports = ports.map((p) => ({ ...p }));
    this.settings = settings;

    const metadata = { name, namespace };
    this.serviceAccount = new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount', metadata });
    const role = new ApiObject(this, 'SecretReader', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      // Gateways read the TLS secrets named by Gateway `credentialName` through SDS.
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
    });
    new ApiObject(this, 'SecretReaderBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccount.name }],
    });

    this.deployment = new ApiObject(this, 'Resource', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        // With an autoscaler, the autoscaler owns the count (Istio's chart leaves it out too).
        replicas: settings.autoscaling === undefined ? settings.replicas : undefined,
        selector: { matchLabels: { ...selectorLabels } },
        template: {
          metadata: {
            labels: { ...this.podLabels },
            annotations: { ...settings.podAnnotations, 'inject.istio.io/templates': 'gateway' },
          },
          spec: {
            serviceAccountName: this.serviceAccount.name,
            // Lets the proxy bind ports 80 and 443 without root, as Istio's gateway chart does.
            securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
            affinity: settings.spreadAcrossNodes ? {
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
              env: Object.keys(settings.env).length === 0 ? undefined
                : Object.entries(settings.env).map(([envName, value]) => ({ name: envName, value })),
              resources: {
                requests: quantities(settings.resources.requests),
                limits: quantities(settings.resources.limits),
              },
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

    this.service = new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...metadata, annotations: Object.keys(settings.serviceAnnotations).length === 0 ? undefined : { ...settings.serviceAnnotations } },
      spec: {
        type: settings.serviceType,
        selector: { ...selectorLabels },
        externalTrafficPolicy: settings.externalTrafficPolicy,
        healthCheckNodePort: settings.healthCheckNodePort,
        loadBalancerSourceRanges: settings.loadBalancerSourceRanges?.map((block) => block.toString()),
        ports: ports.map((p) => ({
          name: p.name,
          port: p.port,
          protocol: p.protocol ?? GatewayPortProtocol.TCP,
          appProtocol: p.appProtocol,
          targetPort: p.targetPort ?? p.port,
        })),
      },
    });

    if (settings.podDisruptionBudget) {
      // Keeps one pod through node drains: with Local, the nodes without a gateway pod take no traffic.
      new ApiObject(this, 'DisruptionBudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
        metadata,
        spec: { minAvailable: 1, selector: { matchLabels: { ...selectorLabels } } },
      });
    }
    if (settings.autoscaling !== undefined) {
      new ApiObject(this, 'Autoscaler', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.deployment.name },
          minReplicas: settings.autoscaling.minReplicas,
          maxReplicas: settings.autoscaling.maxReplicas,
          metrics: [{
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: settings.autoscaling.targetCPUUtilizationPercentage } },
          }],
        },
      });
    }

    reportGatewayWarnings(this, settings);
    // The other gateways come from the app's census, taken once per synth pass.
    takeCensusAtSynth(this);
    this.node.addValidation({ validate: () => collisionProblems(this) });
  }







  /** The gateway Service's name. */
  public get serviceName(): string {
    return this.service.name;
  }

}

function quantities(q: { readonly cpu: string; readonly memory: string }): Record<string, string> {
  return { cpu: q.cpu, memory: q.memory };
}

/** Refuses to write over the gateway istioctl's default profile installs (istio/istio operator: server-side apply with force takes it back). */
function takeoverProblem(name: string, namespace: string, labels: Readonly<Record<string, string>>): Problem {
  const d = INSTALLED_DEFAULT;
  if (namespace !== d.namespace || (name !== d.name && !(labels.app === d.app && labels.istio === d.istio))) {
    return undefined;
  }
  return `this gateway would be ${d.name} in ${d.namespace} (or carry its labels app: ${d.app}, istio: ${d.istio}), the gateway istioctl's `
    + 'default profile installs: applying it would change that gateway in place, and the next istioctl install takes the fields back. '
    + `Fix: deploy into a namespace of its own (the default, ${DEFAULT_NAMESPACE}), or change the installed gateway through its installer instead`;
}

/**
 * Two gateways of one app with one name in one namespace, or whose Services would select each other's pods.
 *
 * @internal shared with the installed gateways
 */
export function collisionProblems(self: IIngressGateway): string[] {
  const others = gatewaysOf(self).filter((c): c is IIngressGateway => c !== self && isGateway(c));
  const problems: string[] = [];
  for (const other of others) {
    if (other.namespace === self.namespace && other.name === self.name) {
      problems.push(`gateway ${other.node.path} has the same name ${JSON.stringify(self.name)} in namespace ${self.namespace}, so one would overwrite `
        + 'the other on apply. Fix: give each gateway its own name');
    } else if (Object.entries(self.selectorLabels).every(([key, value]) => other.podLabels[key] === value)) {
      problems.push(`the selector labels ${JSON.stringify(self.selectorLabels)} also match the pods of gateway ${other.node.path}, so this gateway's `
        + 'Service, Istio Gateways and policies would also reach those pods (and a load balancer sending PROXY protocol would feed a gateway that does '
        + 'not expect it). Fix: give each gateway its own appLabel/istioLabel (or name)');
    }
  }
  return problems;
}

function isGateway(construct: IConstruct): construct is IIngressGateway {
  const candidate = construct as Partial<IIngressGateway>;
  return candidate.topology instanceof GatewayTopology && typeof candidate.name === 'string'
    && typeof candidate.selectorLabels === 'object' && typeof candidate.podLabels === 'object';
}

/** @internal shared with the installed gateways */
export function portProblems(ports: readonly GatewayPort[] | undefined): Problem[] {
  if (ports === undefined) {
    return [];
  }
  if (!Array.isArray(ports) || listProblem('ports', ports, '') !== undefined) {
    return [Array.isArray(ports) ? listProblem('ports', ports, '') : mustBe('ports', 'a list of GatewayPort', ports, 'write ports: [{ name: "http2", port: 80 }]')];
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
    // A Service port name is a DNS label (at most 63 characters; a container port name would be 15).
    if (typeof port.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port.name) || port.name.length > 63) {
      problems.push(mustBe(`ports[${i}].name`, 'at most 63 lower-case letters, digits and \'-\'', port.name, 'rename the port, e.g. "http2" or "https"'));
    }
    if (port.appProtocol !== undefined && (typeof port.appProtocol !== 'string' || port.appProtocol === '')) {
      problems.push(mustBe(`ports[${i}].appProtocol`, 'a non-empty string such as "http" or "tcp"', port.appProtocol, 'remove it, or name the protocol'));
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
