import { ApiObject, ApiObjectProps, Duration } from 'cdk8s';
import { networkingApiVersion } from './istio-version';
import { Construct } from 'constructs';
// Types only: the generated module (900 KB of TypeScript) is never loaded at run time.
import type {
  DestinationRuleSpec, DestinationRuleSpecTrafficPolicyLoadBalancer,
  DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash, DestinationRuleSpecTrafficPolicyLoadBalancerSimple,
} from '../imports/networking.istio.io';
import { nameAtResourceChild } from './private/object-name';
import { GuardOptions, guardObjectSizes } from './private/object-size';
import {
  failIfAny, generatedNameProblem, isPlainObject, mustBe, oneOf, Problem, requireObject, resourceName, show, wholeNumber,
} from './private/problems';
import { checkedScope } from './private/scope';
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
    // One shared value: it has no parameters, and a ConsistentHash never changes.
    SOURCE_IP ??= new ConsistentHash({ useSourceIp: true }, 'source IP');
    return SOURCE_IP;
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
    const ttlMs = options.ttl instanceof Duration ? millisecondsOf(options.ttl) : undefined;
    failIfAny('ConsistentHash.cookie', [
      ttlMs === undefined || (Number.isInteger(ttlMs) && ttlMs >= 0 && ttlMs <= MAX_GO_DURATION_MS) ? undefined
        : mustBe('ttl', `a whole number of milliseconds from 0 to ${MAX_GO_DURATION_MS} (Go's time.Duration, which istiod parses it into, holds no more)`,
          Number.isNaN(ttlMs) ? 'a fraction of a millisecond' : `${ttlMs} ms`, 'write e.g. Duration.hours(1), or Duration.seconds(0) for a session cookie'),
      typeof options.name === 'string' && TOKEN.test(options.name) ? undefined
        : mustBe('name', 'a cookie name (letters, digits and !#$%&\'*+-.^_`|~)', options.name, 'write the cookie name alone, e.g. "session"'),
      options.path === undefined || (typeof options.path === 'string' && options.path.startsWith('/') && !/[\s;]/.test(options.path)) ? undefined
        : mustBe('path', 'a path starting with "/" without spaces or ";"', options.path, 'write e.g. "/"'),
      options.ttl === undefined || options.ttl instanceof Duration ? undefined
        : mustBe('ttl', 'a cdk8s Duration', options.ttl, 'write e.g. Duration.hours(1), or Duration.seconds(0) for a session cookie'),
    ]);
    const ttl = ttlMs === undefined ? undefined : ttlMs % 1000 === 0 ? `${(ttlMs / 1000).toFixed(0)}s` : `${ttlMs.toFixed(0)}ms`;
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
   * Accepted exactly as istiod validates it: a whole number from 1 to 5000010 that Envoy's
   * `Primes::isPrime` (which istiod copies) calls prime, so 1 is accepted (a table of one slot
   * sends every key to one endpoint).
   *
   * @param tableSize lookup table size; must be prime and below 5000011 (Envoy's default 65537)
   * @throws SourceIpValidationError unless `tableSize` is a prime below 5000011
   */
  public static maglev(tableSize = 65537): HashAlgorithm {
    const problem = wholeNumber('tableSize', tableSize, 1, 5000010, 'pass a prime such as 65537 (Envoy\'s default) or 131071')
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
    if (algorithm !== undefined) {
      return new LoadBalancer({ consistentHash: { ...hash._key, ...algorithm._fields } }, hash);
    }
    // One value per hash (values never change), so a rule per workload does not make one each.
    let shared = WITH_DEFAULT_ALGORITHM.get(hash);
    if (shared === undefined) {
      shared = new LoadBalancer({ consistentHash: { ...hash._key } }, hash);
      WITH_DEFAULT_ALGORITHM.set(hash, shared);
    }
    return shared;
  }

  private fieldsBytes?: number;

  private constructor(
    /** @internal */
    public readonly _fields: DestinationRuleSpecTrafficPolicyLoadBalancer,
    /** The hash key, for a consistent-hash load balancer. */
    public readonly hash: ConsistentHash | undefined,
  ) {}

  /**
   * Bytes of `_fields` as JSON, measured on first use (a load balancer never changes).
   *
   * @internal
   */
  public _bytes(): number {
    this.fieldsBytes ??= JSON.stringify(this._fields).length;
    return this.fieldsBytes;
  }
}

/**
 * `{"host":…,"trafficPolicy":{"loadBalancer":{…,"localityLbSetting":{"enabled":false}}}}` less
 * the host and the load balancer's fields: 83 bytes at most; rounded up.
 */
const SPEC_FRAME_BYTES = 100;

let SOURCE_IP: ConsistentHash | undefined;
const WITH_DEFAULT_ALGORITHM = new WeakMap<ConsistentHash, LoadBalancer>();

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
   * Istio turns it on mesh-wide by default, but it only changes which endpoints a proxy prefers
   * when failover can happen: with `outlierDetection` on the rule (or, without a
   * `localityLbSetting` here, a Service `trafficDistribution` or a mesh-wide `distribute`). Then
   * each proxy sees its own endpoint priorities, which breaks consistent hashing; set `false`
   * to turn it off for this host.
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
  ownBytes: (object) => (object as ClientAffinity)._specBytes() + object.name.length + (object.metadata.namespace?.length ?? 0) + 300,
};

/**
 * An Istio DestinationRule (`networking.istio.io/v1`) that sets how requests to one host are
 * balanced, typically to keep a client on one endpoint.
 *
 * Warnings: `consistent-hash-with-locality-lb`, `consistent-hash-on-xff`.
 *
 * The rule is its DestinationRule object, an `ApiObject` (JSON patches and metadata apply to it).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 */
export class ClientAffinity extends ApiObject {
  /**
   * Whether `instance` is a `ClientAffinity` (by its prototype chain). `ApiObject` answers
   * `instanceof` for every ApiObject, and subclasses inherit that; this answers for these only.
   */
  public static override [Symbol.hasInstance](instance: unknown): instance is ClientAffinity {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }

  /** The destination host. */
  public readonly host: string;

  /** The load balancer. */
  public readonly loadBalancer: LoadBalancer;

  private readonly localityLoadBalancing?: boolean;

  constructor(scope: Construct, id: string, props: ClientAffinityProps) {
    super(checkedScope('ClientAffinity', scope, id), id, objectProps(scope, id, props));
    try {
      checkProps(this, props);
    } catch (error) {
      // A constructor that throws leaves nothing behind: an object in the tree would be synthesized.
      scope.node.tryRemoveChild(this.node.id);
      throw error;
    }
    this.host = props.host;
    this.loadBalancer = props.loadBalancer;
    this.localityLoadBalancing = props.localityLoadBalancing;
    guardObjectSizes(this, SIZE_GUARD);

    const hash = props.loadBalancer.hash;
    const warnings = Warnings.of(this);
    if (hash !== undefined && props.localityLoadBalancing !== false) {
      // Istio 1.30 applies locality priorities only when failover can happen, which needs outlier
      // detection on the cluster (cluster_traffic_policy.go applyLocalityLoadBalancer:
      // enableFailover := failover || c.OutlierDetection != nil). This rule writes none; a JSON
      // patch can add one, so look at the object as it is synthesized.
      this.node.addValidation({ validate: () => this.checkLocality(hash, warnings) });
    }
    if (hash?.headerName === 'x-forwarded-for') {
      warnings.add('consistent-hash-on-xff', `hashing on the whole x-forwarded-for header for ${props.host}: every proxy hop appends to it, `
        + 'so the key changes with the path, and clients can write it. Fix: hash on ConsistentHash.header("x-envoy-external-address") '
        + '(the client address the gateway trusts) or ConsistentHash.sourceIp() at the gateway');
    }
  }

  /** The DestinationRule object: this rule. Kept for code written when it was a child with id `Resource`. */
  public get resource(): ApiObject {
    return this;
  }


  /** Warns when the synthesized rule has outlier detection and locality load balancing is not off. */
  private checkLocality(hash: ConsistentHash, warnings: Warnings): string[] {
    const spec = (this.toJson() as { spec?: { trafficPolicy?: TrafficPolicyJson; subsets?: { trafficPolicy?: TrafficPolicyJson }[] } }).spec;
    const policies = [spec?.trafficPolicy, ...(spec?.subsets ?? []).map((subset) => subset?.trafficPolicy)];
    const where = policies.flatMap((policy) => [policy, ...(policy?.portLevelSettings ?? [])])
      .find((policy) => policy?.outlierDetection !== undefined && policy?.outlierDetection !== null);
    const locality = spec?.trafficPolicy?.loadBalancer?.localityLbSetting?.enabled;
    if (where !== undefined && locality !== false) {
      warnings.add('consistent-hash-with-locality-lb', `consistent hashing on ${hash.description} for ${this.host} with outlierDetection, while `
        + 'locality load balancing is on (Istio\'s mesh default): with outlier detection Istio gives each proxy its own endpoint priorities '
        + '(its own zone first), so the same key can land on different endpoints from different proxies. Fix: set localityLoadBalancing: false');
    }
    return [];
  }

  /**
   * The DestinationRule spec.
   *
   * @internal
   */
  public _render(): DestinationRuleSpec {
    return affinitySpec(this.host, this.loadBalancer, this.localityLoadBalancing);
  }

  /**
   * At least the bytes of the spec as JSON, without rendering it: the host, the load balancer's
   * fields (measured once per LoadBalancer) and a fixed frame for the keys and the locality setting.
   *
   * @internal
   */
  public _specBytes(): number {
    return JSON.stringify(this.host).length + this.loadBalancer._bytes() + SPEC_FRAME_BYTES;
  }
}

function affinitySpec(host: string, loadBalancer: LoadBalancer, localityLoadBalancing: boolean | undefined): DestinationRuleSpec {
  return {
    host,
    trafficPolicy: {
      // Object.assign, not spread syntax: Node 20's optimized spread gives each result a hidden
      // class of its own (about 180 bytes per rule, kept for the rule's life; measured in a heap
      // snapshot of `npm run bench`).
      loadBalancer: Object.assign({}, loadBalancer._fields,
        localityLoadBalancing === undefined ? undefined : { localityLbSetting: { enabled: localityLoadBalancing } }),
    },
  };
}

/**
 * What `ApiObject` needs before the rule exists: kind, name, namespace and the spec, rendered now
 * (host, load balancer and locality setting are fixed at construction: a Lazy spec would cost a
 * producer per rule and change nothing). Props are checked after, in the constructor; nothing
 * here throws on bad props (the spec is then left empty, and the constructor throws).
 */
function objectProps(scope: Construct, id: string, props: ClientAffinityProps): ApiObjectProps {
  const given: Partial<ClientAffinityProps> = isPlainObject(props) ? props : {};
  const apiVersion = networkingApiVersion(scope);
  const name = typeof given.name === 'string' ? given.name : undefined;
  return {
    apiVersion,
    kind: KIND,
    metadata: { name: name ?? nameAtResourceChild(scope, id, apiVersion, KIND), namespace: typeof given.namespace === 'string' ? given.namespace : undefined },
    spec: given.loadBalancer instanceof LoadBalancer && (given.localityLoadBalancing === undefined || typeof given.localityLoadBalancing === 'boolean')
      ? affinitySpec(given.host as string, given.loadBalancer, given.localityLoadBalancing) : {},
  };
}

const KIND = 'DestinationRule';

/** Fails (our typed error, naming the rule's path) on bad props. */
function checkProps(rule: ClientAffinity, props: ClientAffinityProps): void {
  requireObject('ClientAffinity', 'props', props, 'pass { host, loadBalancer }', rule);
  failIfAny('ClientAffinity', [
    hostProblem(props.host),
    props.loadBalancer instanceof LoadBalancer ? undefined
      : mustBe('loadBalancer', 'a LoadBalancer', props.loadBalancer, 'pass LoadBalancer.consistentHash(...) or LoadBalancer.simple(...)'),
    props.localityLoadBalancing === undefined || typeof props.localityLoadBalancing === 'boolean' ? undefined
      : mustBe('localityLoadBalancing', 'true or false', props.localityLoadBalancing, 'pass a boolean'),
    resourceName('name', props.name, 'name'),
    resourceName('namespace', props.namespace, 'namespace'),
  ], rule);
  failIfAny('ClientAffinity', [generatedNameProblem(props.name, rule.name)], rule);
}

interface TrafficPolicyJson {
  readonly outlierDetection?: unknown;
  readonly loadBalancer?: { readonly localityLbSetting?: { readonly enabled?: boolean } };
  readonly portLevelSettings?: readonly { readonly outlierDetection?: unknown }[];
}

/** The longest cookie lifetime, in ms: Go's `time.Duration` (int64 nanoseconds), which istiod parses durations into. */
const MAX_GO_DURATION_MS = 9223372036854;

/** A Duration in milliseconds, or NaN when cdk8s cannot express it in whole milliseconds (it throws then). */
function millisecondsOf(duration: Duration): number {
  try {
    return duration.toMilliseconds();
  } catch {
    return NaN;
  }
}

const DNS1123_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

/**
 * Why istiod refuses `host` as a DestinationRule host, or `undefined`: its `ValidateWildcardDomain`
 * (pkg/config/validation/agent): at most 255 characters, not empty; a first label that is `*` or a
 * DNS-1123 label of at most 63 characters (optionally after `*` or `*-`); every further label a
 * DNS-1123 label of at most 63 characters (a trailing dot allowed), and a last label that is not
 * all-numeric (Go's `strconv.Atoi` accepts it).
 */
function wildcardDomainProblem(host: string): string | undefined {
  if (host.length === 0) {
    return 'it is empty';
  }
  if (host.length > 255) {
    return `it has ${host.length} characters (at most 255)`;
  }
  const dot = host.indexOf('.');
  const first = dot === -1 ? host : host.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) {
    return `the label ${show(first)} is not a DNS label of at most 63 letters, digits and '-' (a leading "*" or "*-" allowed)`;
  }
  if (dot === -1) {
    return undefined;
  }
  const rest = host.slice(dot + 1).split('.');
  const tld = rest[rest.length - 1];
  if (/^[+-]?[0-9]+$/.test(tld)) {
    return `the last label ${show(tld)} is all-numeric`;
  }
  for (let i = 0; i < rest.length; i++) {
    if (i === rest.length - 1 && rest[i] === '') {
      return undefined; // a trailing dot, as in "istio.io."
    }
    if (rest[i].length > 63 || !DNS1123_LABEL.test(rest[i])) {
      return `the label ${show(rest[i])} is not a DNS label of at most 63 letters, digits and '-'`;
    }
  }
  return undefined;
}

function hostProblem(host: unknown): Problem {
  const why = typeof host === 'string' ? wildcardDomainProblem(host) : 'it is not a string';
  return why === undefined ? undefined
    : mustBe('host', `a DNS name istiod accepts, such as "echo" or "echo.default.svc.cluster.local" (no scheme, port or path; ${why})`, host,
      'write the Service name only');
}

/**
 * Envoy's `Primes::isPrime` (source/common/common/utility.cc), which istiod copies for the maglev
 * table size: 1, 2 and 3 count as prime, even numbers do not, odd ones by trial division.
 */
function isPrime(n: number): boolean {
  if (n !== 0 && n < 4) {
    return true;
  }
  if (n % 2 === 0) {
    return false;
  }
  for (let d = 3; d * d <= n; d += 2) {
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
