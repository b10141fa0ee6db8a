/**
 * Listeners of a Kubernetes Gateway API `Gateway`, and which namespaces may attach routes to them.
 *
 * Values only: no construct is imported.
 */
// Types only: the generated module is never loaded at run time (see bench/README.md).
import type {
  GatewaySpecListeners, GatewaySpecListenersAllowedRoutesNamespaces, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode,
} from '../../imports/gateway.networking.k8s.io';
import { failIfAny, listProblem, mustBe, Problem, requireObject, resourceName, wholeNumber } from '../private/problems';

/** A lower-case DNS name, optionally with a leading `*.` label (Gateway API `Hostname`). */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A Gateway API `SectionName`: a DNS subdomain. */
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Ports the gateway's Envoy and agent bind themselves (Istio's reserved ports); a listener there cannot bind. */
const RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

type RouteNamespacesFrom = 'Same' | 'All' | 'Selector';

/**
 * Which namespaces may attach routes to a listener (`allowedRoutes.namespaces`).
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces
 */
export class RouteNamespaces {
  /** Only routes in the Gateway's own namespace (the Gateway API default). */
  public static same(): RouteNamespaces {
    return new RouteNamespaces('Same', []);
  }

  /** Routes in any namespace. */
  public static all(): RouteNamespaces {
    return new RouteNamespaces('All', []);
  }

  /**
   * Routes in these namespaces only, selected by the `kubernetes.io/metadata.name` label that
   * Kubernetes puts on every namespace.
   *
   * @throws SourceIpValidationError when no name is given or one is not a namespace name
   */
  public static named(...namespaces: string[]): RouteNamespaces {
    failIfAny('RouteNamespaces.named', [
      namespaces.length === 0 ? mustBe('namespaces', 'at least one namespace name', namespaces, 'name the namespaces the routes live in') : undefined,
      ...namespaces.map((ns, i) => resourceName(`namespaces[${i}]`, ns, 'namespace')),
      new Set(namespaces).size === namespaces.length ? undefined : mustBe('namespaces', 'distinct names', namespaces, 'name each namespace once'),
    ]);
    return new RouteNamespaces('Selector', [...namespaces].sort());
  }

  private constructor(
    /** `Same`, `All` or `Selector`. */
    private readonly from: RouteNamespacesFrom,
    /** The namespaces a `Selector` admits. */
    private readonly names: readonly string[],
  ) {}

  /** Whether a route in `namespace` may attach to a listener of a Gateway in `gatewayNamespace`. */
  public allows(namespace: string, gatewayNamespace: string): boolean {
    switch (this.from) {
      case 'All':
        return true;
      case 'Same':
        return namespace === gatewayNamespace;
      default:
        return this.names.includes(namespace);
    }
  }

  /** `same`, `all`, or `named: a, b`. */
  public toString(): string {
    return this.from === 'Selector' ? `named: ${this.names.join(', ')}` : this.from.toLowerCase();
  }

  /** The `allowedRoutes.namespaces` object. @internal */
  public _render(): GatewaySpecListenersAllowedRoutesNamespaces {
    const from = this.from as GatewaySpecListenersAllowedRoutesNamespacesFrom;
    return this.from === 'Selector'
      ? { from, selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...this.names] }] } }
      : { from };
  }
}

/** Options shared by every kind of listener. */
export interface GatewayListenerOptions {
  /**
   * The listener's name, unique in the Gateway. Routes attach to it by this name (`sectionName`),
   * and istiod names the gateway Service port after it.
   *
   * @default - the protocol in lower case (`http`, `https`), with `-<port>` when the port is not the protocol's default
   */
  readonly name?: string;
  /**
   * The port the gateway listens on (also the port of the Service istiod generates).
   *
   * @default - 80 for HTTP, 443 for HTTPS
   */
  readonly port?: number;
  /**
   * The host name the listener answers (`*.example.com` for a suffix).
   *
   * @default - any host
   */
  readonly hostname?: string;
  /**
   * Which namespaces may attach routes to this listener.
   *
   * @default RouteNamespaces.same() (the Gateway API default: routes in the Gateway's namespace only)
   */
  readonly routeNamespaces?: RouteNamespaces;
}

/** Options for `GatewayListener.https`. */
export interface HttpsGatewayListenerOptions extends GatewayListenerOptions {
  /**
   * The Secrets (`kubernetes.io/tls`, in the Gateway's namespace) holding the certificate and key,
   * as `tls.certificateRefs` names them. TLS is terminated at the gateway.
   */
  readonly certificateRefs: readonly string[];
}

/**
 * One listener of a Kubernetes Gateway API `Gateway`: a port, a protocol, an optional host name.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#listener
 */
export class GatewayListener {
  /** Plain HTTP. */
  public static http(options: GatewayListenerOptions = {}): GatewayListener {
    requireObject('GatewayListener.http', 'options', options, 'pass { port, hostname, ... }, or nothing');
    failIfAny('GatewayListener.http', commonProblems(options));
    return new GatewayListener('HTTP', options, 80, []);
  }

  /** HTTPS, terminated at the gateway with the certificates in `certificateRefs`. */
  public static https(options: HttpsGatewayListenerOptions): GatewayListener {
    requireObject('GatewayListener.https', 'options', options, 'pass { certificateRefs: ["my-cert"] }');
    const refs = options.certificateRefs;
    failIfAny('GatewayListener.https', [
      ...commonProblems(options),
      listProblem('certificateRefs', refs, 'write certificateRefs: ["my-cert"]'),
      refs === undefined || (Array.isArray(refs) && refs.length === 0)
        ? mustBe('certificateRefs', 'at least one Secret name (an HTTPS listener needs a certificate)', refs, 'name the TLS Secret in the gateway namespace')
        : undefined,
      ...(Array.isArray(refs) ? refs.map((ref, i) => resourceName(`certificateRefs[${i}]`, ref, 'name')
        ?? (typeof ref === 'string' ? undefined : mustBe(`certificateRefs[${i}]`, 'a Secret name', ref, 'name the TLS Secret'))) : []),
    ]);
    return new GatewayListener('HTTPS', options, 443, [...refs]);
  }

  /** `HTTP` or `HTTPS`, as the Gateway API writes it. */
  public readonly protocol: string;
  /** The port. */
  public readonly port: number;
  /** The listener's name. */
  public readonly name: string;
  /** The host name, when restricted. */
  public readonly hostname?: string;
  /** Which namespaces may attach routes. */
  public readonly routeNamespaces: RouteNamespaces;
  /** The TLS Secrets, for HTTPS. */
  public readonly certificateRefs: readonly string[];

  private constructor(protocol: string, options: GatewayListenerOptions, defaultPort: number, certificateRefs: readonly string[]) {
    this.protocol = protocol;
    this.port = options.port ?? defaultPort;
    this.name = options.name ?? (this.port === defaultPort ? protocol.toLowerCase() : `${protocol.toLowerCase()}-${this.port}`);
    this.hostname = options.hostname;
    this.routeNamespaces = options.routeNamespaces ?? RouteNamespaces.same();
    this.certificateRefs = certificateRefs;
  }

  /** The `spec.listeners[]` entry. @internal */
  public _render(): GatewaySpecListeners {
    return {
      name: this.name,
      port: this.port,
      protocol: this.protocol,
      ...(this.hostname === undefined ? {} : { hostname: this.hostname }),
      allowedRoutes: { namespaces: this.routeNamespaces._render() },
      ...(this.certificateRefs.length === 0 ? {} : {
        tls: { mode: 'Terminate' as GatewaySpecListenersTlsMode, certificateRefs: this.certificateRefs.map((name) => ({ group: '', kind: 'Secret', name })) },
      }),
    };
  }
}

function commonProblems(options: GatewayListenerOptions): Problem[] {
  return [
    wholeNumber('port', options.port, 1, 65535, 'pass the port the gateway listens on'),
    typeof options.port === 'number' && RESERVED_PORTS.includes(options.port)
      ? mustBe('port', `a port Istio does not reserve for the proxy itself (${RESERVED_PORTS.join(', ')})`, options.port, 'listen on another port, e.g. 8080')
      : undefined,
    options.name === undefined || (typeof options.name === 'string' && options.name.length <= 253 && SECTION_NAME.test(options.name)) ? undefined
      : mustBe('name', 'lower-case letters, digits, \'-\' and \'.\' (at most 253)', options.name, 'name the listener e.g. "http" or "shop-https"'),
    options.hostname === undefined || (typeof options.hostname === 'string' && options.hostname.length <= 253 && HOSTNAME.test(options.hostname)) ? undefined
      : mustBe('hostname', 'a lower-case DNS name, optionally starting with "*." (no bare "*": leave it unset for any host)', options.hostname,
        'write e.g. "shop.example.com", or leave it unset'),
    options.routeNamespaces === undefined || options.routeNamespaces instanceof RouteNamespaces ? undefined
      : mustBe('routeNamespaces', 'a RouteNamespaces', options.routeNamespaces, 'write RouteNamespaces.named("shop"), .same() or .all()'),
  ];
}
