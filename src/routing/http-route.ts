import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
// Types only: the generated module is never loaded at run time (see bench/README.md).
import type { HttpRouteSpec, HttpRouteSpecRules, HttpRouteSpecRulesMatchesPathType } from '../../imports/gateway.networking.k8s.io';
import { KubernetesGateway } from '../gateway/kubernetes-gateway';
import { failIfAny, listProblem, mustBe, Problem, requireObject, resourceName } from '../private/problems';
import { checkedScope } from '../private/scope';
import { Warnings } from '../warnings';
import { RouteBackend } from './gateway-route';
import { guardObjectSizes } from '../private/object-size';

/** Props of an `HttpRoute`. */
export interface HttpRouteProps {
  /** The Gateway API gateway the route attaches to. */
  readonly gateway: KubernetesGateway;
  /** Where matching requests go. */
  readonly backend: RouteBackend;
  /**
   * The listeners of the gateway the route attaches to, by name (`parentRefs[].sectionName`).
   *
   * @default - every HTTP and HTTPS listener of the gateway
   */
  readonly sectionNames?: readonly string[];
  /**
   * Host names the route answers (`*.example.com` for a suffix).
   *
   * @default - every host the listeners answer
   */
  readonly hostnames?: readonly string[];
  /**
   * The path prefix routed to the backend.
   *
   * @default '/'
   */
  readonly pathPrefix?: string;
  /**
   * `metadata.name` of the HTTPRoute.
   *
   * @default - generated from the construct path
   */
  readonly name?: string;
  /**
   * Namespace of the HTTPRoute: the backend's, since a route in another namespace would need a
   * ReferenceGrant there to reach it.
   *
   * @default - the chart's namespace, else the backend's
   */
  readonly namespace?: string;
}

/** A lower-case DNS name with an optional leading `*.` label (Gateway API `Hostname`, no bare `*`). */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Exposes a Service through a Kubernetes Gateway API gateway: an `HTTPRoute`
 * (`gateway.networking.k8s.io/v1`) attached to the gateway's listeners by `sectionName`, routing a
 * path prefix to a Service port.
 *
 * Refused at construction: a listener name the gateway does not have, or one that is not HTTP(S);
 * a backend in another namespace than the route (it would need a ReferenceGrant). Refused at synth:
 * a route whose namespace a listener does not admit (`allowedRoutes`), or whose host names match
 * none of a listener's, since Istio would not attach it there. Warning
 * `route-port-protocol-unknown` when the backend port has neither an Istio protocol prefix nor
 * `appProtocol` (IST0118).
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
export class HttpRoute extends Construct {
  /** The HTTPRoute (construct id `Resource`). */
  public readonly resource: ApiObject;
  /** The gateway the route attaches to. */
  public readonly gateway: KubernetesGateway;
  /** The listeners it attaches to, by name. */
  public readonly sectionNames: readonly string[];
  /** The host names, when restricted. */
  public readonly hostnames?: readonly string[];
  /** The route's namespace. */
  public readonly namespace: string;
  /** Where requests go, by path prefix, in the order they are matched. */
  private readonly paths: { readonly pathPrefix: string; readonly backend: RouteBackend }[] = [];

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(checkedScope('HttpRoute', scope, id), id);
    requireObject('HttpRoute', 'props', props, 'pass { gateway, backend }', this);
    guardObjectSizes(this);
    const gatewayOk = props.gateway instanceof KubernetesGateway;
    const routable = gatewayOk ? props.gateway.listeners.filter((l) => l.protocol === 'HTTP' || l.protocol === 'HTTPS') : [];
    const sectionNames = props.sectionNames ?? routable.map((l) => l.name);
    failIfAny('HttpRoute', [
      gatewayOk ? undefined : mustBe('gateway', 'a KubernetesGateway', props.gateway, 'pass the KubernetesGateway construct (an IngressGateway is routed with GatewayRoute)'),
      props.backend instanceof RouteBackend ? undefined
        : mustBe('backend', 'a RouteBackend', props.backend, 'pass RouteBackend.service(service) or RouteBackend.fromName({...})'),
      ...(gatewayOk ? sectionProblems(props.sectionNames, props.gateway) : []),
      ...hostnameProblems(props.hostnames),
      resourceName('name', props.name, 'name'),
      resourceName('namespace', props.namespace, 'namespace'),
    ], this);
    const namespace = props.namespace ?? Chart.of(this).namespace ?? props.backend.namespace;
    failIfAny('HttpRoute', [namespace === undefined
      ? mustBe('namespace', 'known', undefined, 'pass namespace, or route to a Service whose namespace is set') : undefined], this);
    this.gateway = props.gateway;
    this.sectionNames = [...sectionNames];
    this.hostnames = props.hostnames === undefined ? undefined : [...props.hostnames];
    this.namespace = namespace as string;

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      // Never `name: undefined`: ApiObject spreads metadata over the name it generates.
      metadata: props.name === undefined ? { namespace } : { name: props.name, namespace },
      spec: Lazy.any({ produce: () => this._render() }),
    });
    this.addPath(props.pathPrefix ?? '/', props.backend);
    this.node.addValidation({ validate: () => this.attachmentProblems() });
  }

  /**
   * Routes another path prefix of the same hosts to `backend`. Longer prefixes are matched first
   * (the Gateway API's own precedence).
   *
   * @throws SourceIpValidationError if the prefix does not start with "/", is routed already, or the
   *   backend is in another namespace than the route
   */
  public addPath(pathPrefix: string, backend: RouteBackend): void {
    failIfAny('HttpRoute.addPath', [
      typeof pathPrefix === 'string' && pathPrefix.startsWith('/') && !pathPrefix.includes('//') && pathPrefix.length <= 1024 ? undefined
        : mustBe('pathPrefix', 'a path starting with "/" (no "//", at most 1024 characters)', pathPrefix, 'write e.g. "/api"'),
      this.paths.some((p) => p.pathPrefix === pathPrefix) ? mustBe('pathPrefix', 'not routed yet', pathPrefix, 'route each prefix once') : undefined,
      backend instanceof RouteBackend ? undefined : mustBe('backend', 'a RouteBackend', backend, 'pass RouteBackend.service(service) or RouteBackend.fromName({...})'),
      backend instanceof RouteBackend && backend.namespace !== undefined && backend.namespace !== this.namespace
        ? mustBe('backend', `a Service in the route's namespace ${this.namespace} (another namespace needs a ReferenceGrant there)`,
          `${backend.namespace}/${backend.serviceName}`, `put the route in namespace ${backend.namespace}, with a route per namespace`)
        : undefined,
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

  /**
   * The HTTPRoute spec.
   *
   * @internal
   */
  public _render(): HttpRouteSpec {
    const rules: HttpRouteSpecRules[] = [...this.paths].sort((a, b) => b.pathPrefix.length - a.pathPrefix.length).map((path) => ({
      matches: [{ path: { type: 'PathPrefix' as HttpRouteSpecRulesMatchesPathType, value: path.pathPrefix } }],
      backendRefs: [{ group: '', kind: 'Service', name: path.backend.serviceName, port: path.backend.port }],
    }));
    return {
      parentRefs: this.sectionNames.map((sectionName) => ({
        group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.gateway.gatewayName, namespace: this.gateway.namespace, sectionName,
      })),
      ...(this.hostnames === undefined ? {} : { hostnames: [...this.hostnames] }),
      rules,
    };
  }

  /** Whether every listener the route names admits it: its namespace, and at least one host name in common. */
  private attachmentProblems(): string[] {
    const problems: string[] = [];
    for (const name of this.sectionNames) {
      const listener = this.gateway.listener(name);
      if (listener === undefined) {
        continue; // refused at construction
      }
      if (!listener.routeNamespaces.allows(this.namespace, this.gateway.namespace)) {
        problems.push(`listener ${JSON.stringify(name)} of gateway ${this.gateway.node.path} admits routes from ${listener.routeNamespaces} `
          + `(namespace ${this.gateway.namespace}), not from this route's namespace ${this.namespace}, so the route would not attach (NotAllowedByListeners). `
          + `Fix: create the listener with routeNamespaces: RouteNamespaces.named(${JSON.stringify(this.namespace)})`);
      }
      if (listener.hostname !== undefined && this.hostnames !== undefined && !this.hostnames.some((h) => hostnamesIntersect(h, listener.hostname as string))) {
        problems.push(`none of the route's hostnames (${this.hostnames.join(', ')}) matches listener ${JSON.stringify(name)}'s hostname ${listener.hostname}, `
          + 'so the route would not attach (NoMatchingListenerHostname). Fix: use a hostname the listener answers');
      }
    }
    return problems;
  }
}

function sectionProblems(sectionNames: readonly string[] | undefined, gateway: KubernetesGateway): Problem[] {
  const names = gateway.listeners.map((l) => l.name);
  if (sectionNames === undefined) {
    return gateway.listeners.some((l) => l.protocol === 'HTTP' || l.protocol === 'HTTPS') ? []
      : [mustBe('gateway', 'a gateway with an HTTP or HTTPS listener', names, 'add GatewayListener.http() to the gateway')];
  }
  const list = listProblem('sectionNames', sectionNames, 'write sectionNames: ["http"]');
  if (list !== undefined) {
    return [list];
  }
  if (sectionNames.length === 0) {
    return [mustBe('sectionNames', 'a non-empty list of listener names', sectionNames, 'leave it unset for every HTTP(S) listener')];
  }
  return sectionNames.map((name, i) => {
    const listener = gateway.listener(name);
    if (listener === undefined) {
      return mustBe(`sectionNames[${i}]`, `a listener of gateway ${gateway.gatewayName} (${names.join(', ')})`, name, 'name one of its listeners');
    }
    return sectionNames.indexOf(name) !== i ? mustBe(`sectionNames[${i}]`, 'listed once', name, 'remove the duplicate') : undefined;
  });
}

function hostnameProblems(hostnames: readonly string[] | undefined): Problem[] {
  if (hostnames === undefined) {
    return [];
  }
  const list = listProblem('hostnames', hostnames, 'write hostnames: ["shop.example.com"]');
  if (list !== undefined) {
    return [list];
  }
  if (hostnames.length === 0 || hostnames.length > 16) {
    return [mustBe('hostnames', 'a list of 1 to 16 host names', hostnames, 'leave hostnames unset for any host the listeners answer')];
  }
  return hostnames.map((host, i) => (typeof host === 'string' && host.length <= 253 && HOSTNAME.test(host) ? undefined
    : mustBe(`hostnames[${i}]`, 'a lower-case DNS name, optionally starting with "*." (no bare "*")', host, 'write e.g. "shop.example.com"')));
}

/** Whether a route host name and a listener host name can match the same request (Gateway API hostname matching). */
function hostnamesIntersect(a: string, b: string): boolean {
  const matches = (pattern: string, host: string) => pattern === host
    || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1);
  return matches(a, b) || matches(b, a);
}
