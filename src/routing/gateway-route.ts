import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { SourceIpValidationError } from '../errors';
import { GatewayPort, IIngressGateway } from '../gateway/gateway';
import { networkingApiVersion } from '../istio-version';
import {
  failIfAny, firstHole, mustBe, Problem, requireObject, resourceName, show, wholeNumber,
} from '../private/problems';
import { checkedScope } from '../private/scope';
import { Warnings } from '../warnings';
import { guardObjectSizes } from '../private/object-size';

/** Options for `RouteListener.http`. */
export interface HttpListenerOptions {
  /**
   * The port the gateway pods listen on: the gateway Service's `targetPort` (8080 for the
   * `istio-ingressgateway` istioctl installs, whose Service sends port 80 there).
   *
   * @default 80
   */
  readonly port?: number;
}

/** Options for `RouteListener.https`. */
export interface HttpsListenerOptions {
  /**
   * The Secret (in the gateway's namespace) holding the certificate and key, as Istio `Gateway`
   * `tls.credentialName` names it.
   */
  readonly credentialName: string;
  /**
   * The port the gateway pods listen on: the gateway Service's `targetPort` (8443 for the
   * `istio-ingressgateway` istioctl installs, whose Service sends port 443 there).
   *
   * @default 443
   */
  readonly port?: number;
}

/**
 * One server of an Istio `Gateway`: a port of the gateway Service and its protocol.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */
export class RouteListener {
  /** Plain HTTP. */
  public static http(options: HttpListenerOptions = {}): RouteListener {
    requireObject('RouteListener.http', 'options', options, 'pass { port }, or nothing');
    failIfAny('RouteListener.http', [wholeNumber('port', options.port, 1, 65535, 'pass a port of the gateway Service')]);
    return new RouteListener('HTTP', options.port ?? 80);
  }

  /** HTTPS, terminated at the gateway with the certificate in Secret `credentialName`. */
  public static https(options: HttpsListenerOptions): RouteListener {
    requireObject('RouteListener.https', 'options', options, 'pass { credentialName }');
    failIfAny('RouteListener.https', [
      wholeNumber('port', options.port, 1, 65535, 'pass a port of the gateway Service'),
      resourceName('credentialName', options.credentialName, 'name')
        ?? (options.credentialName === undefined ? mustBe('credentialName', 'a Secret name', undefined, 'name the TLS Secret in the gateway namespace') : undefined),
    ]);
    return new RouteListener('HTTPS', options.port ?? 443, options.credentialName);
  }

  private constructor(
    /** `HTTP` or `HTTPS`, as Istio's `Port.protocol` writes it. */
    public readonly protocol: string,
    /** The gateway Service port. */
    public readonly port: number,
    /** The TLS Secret, for HTTPS. */
    public readonly credentialName?: string,
  ) {}

  /** The server's port name, unique per Gateway. @internal */
  public get _portName(): string {
    return `${this.protocol.toLowerCase()}-${this.port}`;
  }
}

/** Options for `RouteBackend.service`. */
export interface ServiceBackendOptions {
  /**
   * The Service port to send requests to.
   *
   * @default - the Service's only port; required when it has several
   */
  readonly port?: number;
}

/** Options for `RouteBackend.fromName`. */
export interface NamedBackendOptions {
  /** The Service name. */
  readonly name: string;
  /** The Service namespace. */
  readonly namespace: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The port's name, when known: Istio reads the protocol from its prefix.
   *
   * @default - unknown, and not checked
   */
  readonly portName?: string;
}

/** What a route sends requests to, resolved. */
interface ResolvedBackend {
  readonly name: string;
  readonly namespace?: string;
  readonly port: number;
  /** Why the port's protocol is unknown to Istio (no prefix, no appProtocol), when it is. */
  readonly protocolProblem?: string;
}

interface ServicePortJson {
  readonly name?: string;
  readonly port?: number;
  readonly appProtocol?: string;
}

/** Istio's protocol prefixes for Service port names (protocol selection). */
const PROTOCOL_PREFIXES = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'mongo', 'mysql', 'redis', 'udp'];

/**
 * The Kubernetes Service a route sends requests to.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Destination
 */
export class RouteBackend {
  /**
   * A Service of the app: a cdk8s-plus `Service` (any version) or a raw `KubeService`. Its name,
   * namespace and ports are read from it.
   */
  public static service(service: IConstruct, options: ServiceBackendOptions = {}): RouteBackend {
    requireObject('RouteBackend.service', 'options', options, 'pass { port }, or nothing');
    const object = serviceObjectOf(service);
    const json = object.toJson() as { metadata?: { namespace?: string }; spec?: { ports?: ServicePortJson[] } };
    const ports = json.spec?.ports ?? [];
    const namespace = object.metadata.namespace ?? Chart.of(object).namespace;
    const problems: Problem[] = [wholeNumber('port', options.port, 1, 65535, 'pass a port of the Service')];
    let chosen: ServicePortJson | undefined;
    if (options.port !== undefined) {
      chosen = ports.find((p) => p.port === options.port);
      if (chosen === undefined && problems[0] === undefined) {
        problems.push(mustBe('port', `a port of Service ${object.name} (${ports.map((p) => p.port).join(', ') || 'it has none'})`, options.port,
          'pick one of its ports, or add the port to the Service'));
      }
    } else if (ports.length === 1) {
      chosen = ports[0];
    } else {
      problems.push(ports.length === 0
        ? `Service ${object.name} has no ports. Fix: add a port to the Service before routing to it`
        : mustBe('port', `one of the ports of Service ${object.name} (${ports.map((p) => `${p.port}${p.name === undefined ? '' : ` "${p.name}"`}`).join(', ')}), because it has several`,
          undefined, 'pass RouteBackend.service(service, { port })'));
    }
    failIfAny('RouteBackend.service', problems, service);
    const port = chosen as ServicePortJson;
    return new RouteBackend({ name: object.name, namespace, port: port.port as number, protocolProblem: protocolProblem(port) });
  }

  /** A Service created elsewhere, by name. */
  public static fromName(options: NamedBackendOptions): RouteBackend {
    requireObject('RouteBackend.fromName', 'options', options, 'pass { name, namespace, port }');
    failIfAny('RouteBackend.fromName', [
      resourceName('name', options.name, 'name') ?? (options.name === undefined ? mustBe('name', 'a Service name', undefined, 'name the Service') : undefined),
      resourceName('namespace', options.namespace, 'namespace')
        ?? (options.namespace === undefined ? mustBe('namespace', 'a namespace', undefined, 'name the Service\'s namespace') : undefined),
      wholeNumber('port', options.port, 1, 65535, 'pass the Service port') ?? (options.port === undefined ? mustBe('port', 'a port number', undefined, 'pass the Service port') : undefined),
      options.portName === undefined || typeof options.portName === 'string' ? undefined : mustBe('portName', 'a string', options.portName, 'pass the Service port\'s name, or leave it out'),
    ]);
    return new RouteBackend({
      name: options.name, namespace: options.namespace, port: options.port,
      protocolProblem: options.portName === undefined ? undefined : protocolProblem({ name: options.portName }),
    });
  }

  private constructor(private readonly resolved: ResolvedBackend) {}

  /** The Service's name. */
  public get serviceName(): string {
    return this.resolved.name;
  }

  /** The Service's namespace, when known. */
  public get namespace(): string | undefined {
    return this.resolved.namespace;
  }

  /** The Service port. */
  public get port(): number {
    return this.resolved.port;
  }

  /** The fully qualified host, e.g. `echo-server.apps.svc.cluster.local`. */
  public get host(): string {
    return `${this.resolved.name}.${this.resolved.namespace}.svc.cluster.local`;
  }

  /** @internal */
  public get _protocolProblem(): string | undefined {
    return this.resolved.protocolProblem;
  }
}

/** Props of a `GatewayRoute`. */
export interface GatewayRouteProps {
  /** The ingress gateway whose pods serve the route. */
  readonly gateway: IIngressGateway;
  /** Where matching requests go. */
  readonly backend: RouteBackend;
  /**
   * Host names the route answers, as Istio `Gateway` and `VirtualService` hosts (`*` for any,
   * `*.example.com` for a suffix).
   *
   * @default ['*']
   */
  readonly hosts?: readonly string[];
  /**
   * The gateway servers: ports of the gateway Service and their protocols.
   *
   * @default [RouteListener.http()] (port 80)
   */
  readonly listeners?: readonly RouteListener[];
  /**
   * The URI prefix routed to the backend.
   *
   * @default '/'
   */
  readonly pathPrefix?: string;
  /**
   * `metadata.name` of the Gateway and the VirtualService.
   *
   * @default - generated from the construct path
   */
  readonly name?: string;
  /**
   * Namespace of the Gateway and the VirtualService.
   *
   * @default - the chart's namespace, else the backend's
   */
  readonly namespace?: string;
}

/** A DNS-1123 host with an optional leading `*.` wildcard label, or `*`. */
const HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/**
 * Exposes a Service through an ingress gateway: an Istio `Gateway` (`networking.istio.io/v1`)
 * whose selector is the gateway's pod labels and whose servers sit on ports the gateway Service
 * exposes, and a `VirtualService` bound to it that routes a path prefix to the Service.
 *
 * Refused: a server port the gateway Service does not expose (`istioctl analyze` IST0162); two
 * routes claiming the same host and port on the same gateway pods (IST0145, checked at synth).
 * Warning `route-port-protocol-unknown` when the backend port has neither an Istio protocol
 * prefix nor `appProtocol` (IST0118).
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-control/
 */
export class GatewayRoute extends Construct {
  /** The Istio Gateway (construct id `Resource`). */
  public readonly gatewayResource: ApiObject;
  /** The VirtualService. */
  public readonly virtualService: ApiObject;
  /** The gateway whose pods serve the route. */
  public readonly gateway: IIngressGateway;
  /** The host names. */
  public readonly hosts: readonly string[];
  /** The servers. */
  public readonly listeners: readonly RouteListener[];
  /** Where requests go, by path prefix, in the order they are matched. */
  private readonly paths: { readonly pathPrefix: string; readonly backend: RouteBackend }[] = [];

  constructor(scope: Construct, id: string, props: GatewayRouteProps) {
    super(checkedScope('GatewayRoute', scope, id), id);
    requireObject('GatewayRoute', 'props', props, 'pass { gateway, backend }', this);
    guardObjectSizes(this);
    const hosts = props.hosts ?? ['*'];
    const listeners = props.listeners ?? [RouteListener.http()];
    const gatewayOk = props.gateway !== null && typeof props.gateway === 'object' && Array.isArray(props.gateway.ports);
    failIfAny('GatewayRoute', [
      gatewayOk ? undefined : mustBe('gateway', 'an IngressGateway (or another IIngressGateway)', props.gateway, 'pass the gateway construct'),
      // Istio Gateway servers on a Gateway API gateway's pods would compete with its own listeners.
      gatewayOk && props.gateway.policyTargetRef !== undefined
        ? mustBe('gateway', 'a gateway whose pods Istio Gateway resources select (not a Kubernetes Gateway API gateway)', props.gateway.node.path,
          'route a KubernetesGateway with HttpRoute')
        : undefined,
      props.backend instanceof RouteBackend ? undefined
        : mustBe('backend', 'a RouteBackend', props.backend, 'pass RouteBackend.service(service) or RouteBackend.fromName({...})'),
      ...hostProblems(hosts),
      ...listenerProblems(listeners, gatewayOk ? props.gateway : undefined),
      resourceName('name', props.name, 'name'),
      resourceName('namespace', props.namespace, 'namespace'),
    ], this);
    const namespace = props.namespace ?? Chart.of(this).namespace ?? props.backend.namespace;
    this.gateway = props.gateway;
    this.hosts = [...hosts];
    this.listeners = [...listeners];

    const metadata = (suffix: string) => (props.name === undefined ? { namespace } : { name: `${props.name}${suffix}`, namespace });
    this.gatewayResource = new ApiObject(this, 'Resource', {
      apiVersion: networkingApiVersion(this),
      kind: 'Gateway',
      metadata: metadata(''),
      spec: {
        selector: { ...props.gateway.selectorLabels },
        servers: listeners.map((listener) => ({
          port: { number: listener.port, name: listener._portName, protocol: listener.protocol },
          hosts: [...hosts],
          ...(listener.credentialName === undefined ? {} : { tls: { mode: 'SIMPLE', credentialName: listener.credentialName } }),
        })),
      },
    });
    this.virtualService = new ApiObject(this, 'VirtualService', {
      apiVersion: networkingApiVersion(this),
      kind: 'VirtualService',
      metadata: metadata(''),
      spec: {
        hosts: [...hosts],
        gateways: [`${namespace ?? 'default'}/${this.gatewayResource.name}`],
        // Longest prefix first, so a later, more specific path is not shadowed by "/".
        http: Lazy.any({
          produce: () => [...this.paths].sort((a, b) => b.pathPrefix.length - a.pathPrefix.length).map((path) => ({
            match: [{ uri: { prefix: path.pathPrefix } }],
            route: [{ destination: { host: path.backend.host, port: { number: path.backend.port } } }],
          })),
        }),
      },
    });
    this.addPath(props.pathPrefix ?? '/', props.backend);
    this.node.addValidation({ validate: () => conflictProblems(this) });
  }

  /**
   * Routes another URI prefix of the same hosts to `backend`. Longer prefixes are matched first.
   *
   * @throws SourceIpValidationError if the prefix does not start with "/" or is routed already
   */
  public addPath(pathPrefix: string, backend: RouteBackend): void {
    failIfAny('GatewayRoute.addPath', [
      typeof pathPrefix === 'string' && pathPrefix.startsWith('/') ? undefined : mustBe('pathPrefix', 'a path starting with "/"', pathPrefix, 'write e.g. "/api"'),
      this.paths.some((p) => p.pathPrefix === pathPrefix) ? mustBe('pathPrefix', 'not routed yet', pathPrefix, 'route each prefix once') : undefined,
      backend instanceof RouteBackend ? undefined : mustBe('backend', 'a RouteBackend', backend, 'pass RouteBackend.service(service) or RouteBackend.fromName({...})'),
    ], this);
    this.paths.push({ pathPrefix, backend });
    const protocol = backend._protocolProblem;
    if (protocol !== undefined) {
      Warnings.of(this).add('route-port-protocol-unknown', `${protocol}, so Istio treats its traffic as opaque TCP (istioctl analyze IST0118) and `
        + 'HTTP routing, retries and headers such as x-envoy-external-address do not apply. Fix: name the port with a protocol prefix '
        + '(e.g. "http"), or set appProtocol: http');
    }
  }

  /** The backends, by path prefix. */
  public get backends(): Readonly<Record<string, RouteBackend>> {
    return Object.fromEntries(this.paths.map((p) => [p.pathPrefix, p.backend]));
  }
}

/** The Service ApiObject behind a cdk8s-plus Service or a raw KubeService. */
function serviceObjectOf(service: IConstruct): ApiObject {
  if (service === null || typeof service !== 'object' || (service as Partial<IConstruct>).node === undefined) {
    throw new SourceIpValidationError('RouteBackend.service', [mustBe('service', 'a cdk8s-plus Service or a KubeService', service, 'pass the Service construct')]);
  }
  let object: ApiObject | undefined;
  try {
    object = ApiObject.isApiObject(service) ? service : ApiObject.of(service);
  } catch {
    object = undefined; // no default child: not a Service construct
  }
  if (object === undefined || object.kind !== 'Service') {
    throw new SourceIpValidationError('RouteBackend.service', [`'service' must be a cdk8s-plus Service or a KubeService, got ${object === undefined
      ? `a ${service.constructor.name}` : `an ApiObject of kind ${object.kind}`}. Fix: pass the Service construct (e.g. the one deployment.exposeViaService() returns)`],
    service.node.path);
  }
  return object;
}

function protocolProblem(port: ServicePortJson): string | undefined {
  if (port.appProtocol !== undefined) {
    return undefined;
  }
  const name = port.name ?? '';
  const prefix = name.split('-')[0];
  if (PROTOCOL_PREFIXES.includes(prefix) || PROTOCOL_PREFIXES.includes(name)) {
    return undefined;
  }
  return name === '' ? `the backend Service port ${port.port} has no name and no appProtocol`
    : `the backend Service port ${show(name)} has no Istio protocol prefix and no appProtocol`;
}

function hostProblems(hosts: readonly string[]): Problem[] {
  if (!Array.isArray(hosts) || hosts.length === 0 || firstHole(hosts) !== undefined) {
    return [mustBe('hosts', 'a non-empty list of host names without holes', hosts, 'write hosts: ["shop.example.com"], or leave it unset for "*"')];
  }
  return hosts.map((host, i) => (typeof host === 'string' && host.length <= 253 && HOST.test(host) ? undefined
    : mustBe(`hosts[${i}]`, 'a lower-case DNS name, "*.<domain>" or "*"', host, 'write e.g. "shop.example.com"')));
}

function listenerProblems(listeners: readonly RouteListener[], gateway: IIngressGateway | undefined): Problem[] {
  if (!Array.isArray(listeners) || listeners.length === 0 || firstHole(listeners) !== undefined) {
    return [mustBe('listeners', 'a non-empty list of RouteListener without holes', listeners, 'write listeners: [RouteListener.http()]')];
  }
  const seen = new Set<number>();
  return listeners.flatMap((listener, i): Problem[] => {
    if (!(listener instanceof RouteListener)) {
      return [mustBe(`listeners[${i}]`, 'a RouteListener', listener, 'write RouteListener.http() or RouteListener.https({ credentialName })')];
    }
    const problems: Problem[] = [];
    if (seen.has(listener.port)) {
      problems.push(mustBe(`listeners[${i}].port`, 'unique', listener.port, 'give each listener its own port'));
    }
    seen.add(listener.port);
    // A Gateway server's port is the port the gateway pods listen on: the Service's targetPort
    // (istioctl analyze IST0162 checks target ports; istioctl's own gateway maps 80 to 8080).
    const listensOn = (p: GatewayPort) => p.targetPort ?? p.port;
    if (gateway !== undefined && !gateway.ports.some((p) => listensOn(p) === listener.port)) {
      const translated = gateway.ports.find((p) => p.port === listener.port);
      problems.push(translated !== undefined
        ? mustBe(`listeners[${i}].port`, `the port the gateway pods listen on: Service port ${translated.port} of ${gateway.name} sends to ${listensOn(translated)}`,
          listener.port, `listen on ${listensOn(translated)} (istioctl analyze IST0162 checks the Service's target ports)`)
        : mustBe(`listeners[${i}].port`, `a port the gateway pods listen on behind Service ${gateway.name} (${gateway.ports.map(listensOn).join(', ')})`,
          listener.port, 'listen on one of those ports, or add the port to the gateway (istioctl analyze IST0162)'));
    }
    return problems;
  });
}

/** Whether two Gateway hosts can match the same request host. */
function hostsOverlap(a: string, b: string): boolean {
  const matches = (pattern: string, host: string) => pattern === '*' || pattern === host
    || (pattern.startsWith('*.') && (host.endsWith(pattern.slice(1)) || (host.startsWith('*.') && host.endsWith(pattern.slice(1)))));
  return matches(a, b) || matches(b, a);
}

/** Another route on the same gateway pods with a server on the same port and an overlapping host (IST0145). */
function conflictProblems(self: GatewayRoute): string[] {
  const sameSelector = (a: IIngressGateway, b: IIngressGateway) => {
    const ka = Object.entries(a.selectorLabels);
    return ka.length === Object.keys(b.selectorLabels).length && ka.every(([k, v]) => b.selectorLabels[k] === v);
  };
  const problems: string[] = [];
  for (const other of self.node.root.node.findAll()) {
    if (!(other instanceof GatewayRoute) || other === self || !sameSelector(other.gateway, self.gateway)) {
      continue;
    }
    for (const listener of self.listeners) {
      if (!other.listeners.some((l) => l.port === listener.port)) {
        continue;
      }
      const host = self.hosts.find((h) => other.hosts.some((o) => hostsOverlap(h, o)));
      if (host !== undefined) {
        problems.push(`route ${other.node.path} also claims host ${JSON.stringify(host)} on port ${listener.port} of the same gateway pods, so Istio `
          + 'keeps only one of the two servers (istioctl analyze IST0145). Fix: give the routes different hosts, or route both paths from one route with addPath');
      }
    }
  }
  return problems;
}
