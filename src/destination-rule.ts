import { ApiObject, Duration, Lazy } from 'cdk8s';
import { networkingApiVersion } from './istio-version';
import { Construct } from 'constructs';
// Types only: the generated module (900 KB of TypeScript) is never loaded at run time.
import type {
  DestinationRuleSpec, DestinationRuleSpecTrafficPolicyLoadBalancer,
  DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash, DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
} from '../imports/networking.istio.io';
import { GuardOptions, guardObjectSizes } from './private/object-size';
import { failIfAny, mustBe, oneOf, Problem, requireObject, resourceName, wholeNumber } from './private/problems';
import { Warnings } from './warnings';

/**
 * A load-balancing policy that does not look at the request (`loadBalancer.simple`).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-SimpleLB
 */
export enum SimpleLb {
  /** Round robin across healthy endpoints. */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** Fewest outstanding requests among two random picks (Istio's usual default). */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** A random endpoint. */
  RANDOM = 'RANDOM',
  /** Send to the address the caller asked for, without load balancing. */
  PASSTHROUGH = 'PASSTHROUGH',
}

const SIMPLE_WIRE: Record<SimpleLb, DestinationRuleSpecTrafficPolicyLoadBalancerSimple> = {
  [SimpleLb.ROUND_ROBIN]: 'ROUND_ROBIN' as DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
  [SimpleLb.LEAST_REQUEST]: 'LEAST_REQUEST' as DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
  [SimpleLb.RANDOM]: 'RANDOM' as DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
  [SimpleLb.PASSTHROUGH]: 'PASSTHROUGH' as DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
};

/** Options for `ConsistentHash.cookie`. */
export interface CookieHashOptions {
  /** Cookie name. */
  readonly name: string;

  /**
   * Cookie path.
   *
   * @default - no path attribute
   */
  readonly path?: string;

  /**
   * Lifetime of the cookie Envoy creates when the request has none; `Duration.seconds(0)` makes a
   * session cookie.
   *
   * @default - Envoy does not create the cookie; requests without it are hashed without a key
   */
  readonly ttl?: Duration;
}

/** An HTTP token (RFC 9110 §5.6.2): what a header or cookie name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What a consistent hash is computed from (`consistentHash` hash key, exactly one).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB
 */
export class ConsistentHash {
  /**
   * The client address the calling proxy trusts: at an ingress gateway, the address derived from
   * `X-Forwarded-For` / PROXY protocol; at a sidecar, the rightmost `X-Forwarded-For` entry when
   * the request has one, else the connection's source. Works for TCP too (the connection's source).
   */
  public static sourceIp(): ConsistentHash {
    return new ConsistentHash({ useSourceIp: true }, 'source IP');
  }

  /**
   * A request header. Header names are case-insensitive and written in lower case.
   *
   * @throws SourceIpValidationError if `name` is not an HTTP header name
   */
  public static header(name: string): ConsistentHash {
    failIfAny('ConsistentHash.header', [typeof name === 'string' && TOKEN.test(name) ? undefined
      : mustBe('name', 'an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~, no spaces or colons)', name,
        'write the header name alone, e.g. "x-user-id"')]);
    return new ConsistentHash({ httpHeaderName: name.toLowerCase() }, `header ${name.toLowerCase()}`);
  }

  /**
   * A cookie; with `ttl`, Envoy creates it when the request has none.
   *
   * @throws SourceIpValidationError listing every bad option
   */
  public static cookie(options: CookieHashOptions): ConsistentHash {
    requireObject('ConsistentHash.cookie', 'options', options, 'pass { name: "session" }');
    const ttlMs = options.ttl instanceof Duration ? options.ttl.toMilliseconds() : undefined;
    failIfAny('ConsistentHash.cookie', [
      typeof options.name === 'string' && TOKEN.test(options.name) ? undefined
        : mustBe('name', 'a cookie name (letters, digits and !#$%&\'*+-.^_`|~)', options.name, 'write the cookie name alone, e.g. "session"'),
      options.path === undefined || (typeof options.path === 'string' && options.path.startsWith('/') && !/[\s;]/.test(options.path)) ? undefined
        : mustBe('path', 'a path starting with "/" without spaces or ";"', options.path, 'write e.g. "/"'),
      options.ttl === undefined || options.ttl instanceof Duration ? undefined
        : mustBe('ttl', 'a cdk8s Duration', options.ttl, 'write e.g. Duration.hours(1), or Duration.seconds(0) for a session cookie'),
    ]);
    const ttl = ttlMs === undefined ? undefined : ttlMs % 1000 === 0 ? `${ttlMs / 1000}s` : `${ttlMs}ms`;
    return new ConsistentHash({ httpCookie: { name: options.name, path: options.path, ttl } }, `cookie ${options.name}`);
  }

  /**
   * A query parameter of the request URL.
   *
   * @throws SourceIpValidationError if `name` is empty or has spaces, `&`, `=` or `#`
   */
  public static queryParameter(name: string): ConsistentHash {
    failIfAny('ConsistentHash.queryParameter', [typeof name === 'string' && name.length > 0 && !/[\s&=#?]/.test(name) ? undefined
      : mustBe('name', 'a query parameter name (not empty, no spaces, &, =, # or ?)', name, 'write the parameter name alone, e.g. "user"')]);
    return new ConsistentHash({ httpQueryParameterName: name }, `query parameter ${name}`);
  }

  private constructor(
    /** @internal */
    public readonly _key: DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash,
    /** What is hashed, for messages. */
    public readonly description: string,
  ) {}

  /** The header name, when hashing on a header. */
  public get headerName(): string | undefined {
    return this._key.httpHeaderName;
  }

  /** Whether the hash key is the source address. */
  public get usesSourceIp(): boolean {
    return this._key.useSourceIp === true;
  }
}

/**
 * How a consistent hash maps keys to endpoints (`ringHash` or `maglev`, at most one).
 */
export class HashAlgorithm {
  /**
   * Ketama ring hash.
   *
   * @param minimumRingSize ring entries; more gives a finer spread at more memory (Envoy's default 1024)
   * @throws SourceIpValidationError unless `minimumRingSize` is a whole number from 1 to 8388608
   */
  public static ringHash(minimumRingSize?: number): HashAlgorithm {
    failIfAny('HashAlgorithm.ringHash', [wholeNumber('minimumRingSize', minimumRingSize, 1, 8388608, 'pass e.g. 1024 (Envoy\'s default)')]);
    return new HashAlgorithm({ ringHash: { minimumRingSize } });
  }

  /**
   * Maglev: faster lookups and less disruption when endpoints change.
   *
   * @param tableSize lookup table size; must be prime and below 5000011 (Envoy's default 65537)
   * @throws SourceIpValidationError unless `tableSize` is a prime below 5000011
   */
  public static maglev(tableSize = 65537): HashAlgorithm {
    const problem = wholeNumber('tableSize', tableSize, 2, 5000010, 'pass a prime such as 65537 (Envoy\'s default) or 131071')
      ?? (isPrime(tableSize) ? undefined
        : mustBe('tableSize', 'a prime number (Istio rejects others)', tableSize, `use ${nearestPrimes(tableSize)}`));
    failIfAny('HashAlgorithm.maglev', [problem]);
    return new HashAlgorithm({ maglev: { tableSize } });
  }

  private constructor(
    /** @internal */
    public readonly _fields: Pick<DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash, 'ringHash' | 'maglev'>,
  ) {}
}

/**
 * The load balancer of a destination: simple or consistent hash, never both.
 *
 * Istio's `simple` and `consistentHash` are a `oneOf`; this class has one factory for each, so
 * "both set" cannot be written.
 */
export class LoadBalancer {
  /** A load balancer that does not look at the request. */
  public static simple(policy: SimpleLb): LoadBalancer {
    failIfAny('LoadBalancer.simple', [oneOf('policy', policy, SimpleLb, 'use a SimpleLb member')]);
    return new LoadBalancer({ simple: SIMPLE_WIRE[policy] }, undefined);
  }

  /**
   * Session affinity: requests with the same key go to the same endpoint while the set of
   * endpoints stays the same.
   *
   * @param hash what to hash on
   * @param algorithm how keys map to endpoints (default: ring hash with Envoy's defaults)
   */
  public static consistentHash(hash: ConsistentHash, algorithm?: HashAlgorithm): LoadBalancer {
    failIfAny('LoadBalancer.consistentHash', [
      hash instanceof ConsistentHash ? undefined : mustBe('hash', 'a ConsistentHash', hash, 'pass ConsistentHash.sourceIp(), .header(...), .cookie(...) or .queryParameter(...)'),
      algorithm === undefined || algorithm instanceof HashAlgorithm ? undefined
        : mustBe('algorithm', 'a HashAlgorithm', algorithm, 'pass HashAlgorithm.ringHash(...) or HashAlgorithm.maglev(...)'),
    ]);
    return new LoadBalancer({ consistentHash: { ...hash._key, ...algorithm?._fields } }, hash);
  }

  private constructor(
    /** @internal */
    public readonly _fields: DestinationRuleSpecTrafficPolicyLoadBalancer,
    /** The hash key, for a consistent-hash load balancer. */
    public readonly hash: ConsistentHash | undefined,
  ) {}
}

/** Props of a `ClientAffinity`. */
export interface ClientAffinityProps {
  /**
   * The destination host, as in the DestinationRule: a short Service name (resolved in the
   * rule's namespace) or a fully qualified one, e.g. `echo.default.svc.cluster.local`.
   */
  readonly host: string;

  /** The load balancer: `LoadBalancer.consistentHash(...)` or `LoadBalancer.simple(...)`. */
  readonly loadBalancer: LoadBalancer;

  /**
   * Whether locality load balancing applies to this host (`localityLbSetting.enabled`).
   *
   * Istio turns it on mesh-wide by default; it gives each proxy a different view of the endpoints,
   * which breaks consistent hashing. Set `false` to turn it off for this host.
   *
   * @default - not set: the mesh setting applies (on unless changed)
   */
  readonly localityLoadBalancing?: boolean;

  /**
   * `metadata.name` of the DestinationRule.
   *
   * @default - generated from the construct path
   */
  readonly name?: string;

  /**
   * Namespace of the DestinationRule.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/** How every ClientAffinity registers its DestinationRule for the size check (one shared object). */
const SIZE_GUARD: GuardOptions = {
  ownBytes: (object) => JSON.stringify((object.node.scope as ClientAffinity)._render()).length + object.name.length
    + (object.metadata.namespace?.length ?? 0) + 300,
};

/**
 * An Istio DestinationRule (`networking.istio.io/v1`) that sets how requests to one host are
 * balanced, typically to keep a client on one endpoint.
 *
 * Warnings: `consistent-hash-with-locality-lb`, `consistent-hash-on-xff`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 */
export class ClientAffinity extends Construct {
  /** The DestinationRule object (construct id `Resource`). */
  public readonly resource: ApiObject;

  /** The destination host. */
  public readonly host: string;

  /** The load balancer. */
  public readonly loadBalancer: LoadBalancer;

  private readonly localityLoadBalancing?: boolean;

  constructor(scope: Construct, id: string, props: ClientAffinityProps) {
    super(scope, id);
    requireObject('ClientAffinity', 'props', props, 'pass { host, loadBalancer }', this);
    guardObjectSizes(this, SIZE_GUARD);
    failIfAny('ClientAffinity', [
      hostProblem(props.host),
      props.loadBalancer instanceof LoadBalancer ? undefined
        : mustBe('loadBalancer', 'a LoadBalancer', props.loadBalancer, 'pass LoadBalancer.consistentHash(...) or LoadBalancer.simple(...)'),
      props.localityLoadBalancing === undefined || typeof props.localityLoadBalancing === 'boolean' ? undefined
        : mustBe('localityLoadBalancing', 'true or false', props.localityLoadBalancing, 'pass a boolean'),
      resourceName('name', props.name, 'name'),
      resourceName('namespace', props.namespace, 'namespace'),
    ], this);
    this.host = props.host;
    this.loadBalancer = props.loadBalancer;
    this.localityLoadBalancing = props.localityLoadBalancing;

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: networkingApiVersion(this),
      kind: 'DestinationRule',
      // Never `name: undefined`: ApiObject spreads metadata over the name it generates.
      metadata: props.name === undefined ? { namespace: props.namespace } : { name: props.name, namespace: props.namespace },
      spec: Lazy.any({ produce: () => this._render() }),
    });

    const hash = props.loadBalancer.hash;
    const warnings = Warnings.of(this);
    if (hash !== undefined && props.localityLoadBalancing !== false) {
      warnings.add('consistent-hash-with-locality-lb', `consistent hashing on ${hash.description} for ${props.host} while locality load balancing is on `
        + '(Istio\'s mesh default): each proxy sees a different set of endpoints, so the same key can land on different endpoints. '
        + 'Fix: set localityLoadBalancing: false');
    }
    if (hash?.headerName === 'x-forwarded-for') {
      warnings.add('consistent-hash-on-xff', `hashing on the whole x-forwarded-for header for ${props.host}: every proxy hop appends to it, `
        + 'so the key changes with the path, and clients can write it. Fix: hash on ConsistentHash.header("x-envoy-external-address") '
        + '(the client address the gateway trusts) or ConsistentHash.sourceIp() at the gateway');
    }
  }

  /**
   * The DestinationRule spec.
   *
   * @internal
   */
  public _render(): DestinationRuleSpec {
    return {
      host: this.host,
      trafficPolicy: {
        loadBalancer: {
          ...this.loadBalancer._fields,
          ...(this.localityLoadBalancing === undefined ? {} : { localityLbSetting: { enabled: this.localityLoadBalancing } }),
        },
      },
    };
  }
}

function hostProblem(host: unknown): Problem {
  if (typeof host === 'string' && host.length > 0 && host.length <= 253
    && /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host)) {
    return undefined;
  }
  return mustBe('host', 'a lower-case DNS name such as "echo" or "echo.default.svc.cluster.local" (no scheme, port or path)', host,
    'write the Service name only');
}

function isPrime(n: number): boolean {
  if (n < 2) {
    return false;
  }
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) {
      return false;
    }
  }
  return true;
}

function nearestPrimes(n: number): string {
  let below = Math.min(n, 5000011) - 1;
  while (below > 1 && !isPrime(below)) {
    below--;
  }
  let above = n + 1;
  while (!isPrime(above)) {
    above++;
  }
  return above < 5000011 && below > 1 ? `${below} or ${above}` : below > 1 ? `${below}` : `${above}`;
}
