import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
// Types only: the generated module is never loaded at run time (see bench/README.md).
import type {
  EnvoyFilterSpec, EnvoyFilterSpecConfigPatches, EnvoyFilterSpecConfigPatchesApplyTo, EnvoyFilterSpecConfigPatchesMatchContext,
  EnvoyFilterSpecConfigPatchesPatchOperation,
} from '../../imports/networking.istio.io';
import { ClientIpReportParts, IClientIpReportContributor, RateLimitReport } from '../analysis/client-ip-log';
import { PolicyTarget } from '../authorization-policy';
import { ExternalTrafficPolicy } from '../gateway-service';
import type { IIngressGateway } from '../gateway/gateway';
import { hostBitsMessage, IpBlock } from '../ip-block';
import { IstioVersion } from '../istio-version';
import { guardObjectSizes } from '../private/object-size';
import { failIfAny, listProblem, mustBe, Problem, requireObject, resourceName, wholeNumber } from '../private/problems';
import { checkedScope } from '../private/scope';
import { Warnings } from '../warnings';
import { envoyFilterSelector, policyTargetProblems } from './target';
import { trustedAddressProblem } from './trusted-address';

/** Props of a `ClientRateLimit`. */
export interface ClientRateLimitProps {
  /** The ingress gateway that limits its clients: `PolicyTarget.gateway(gateway)`. */
  readonly target: PolicyTarget;

  /**
   * Requests each client address may make per `interval`, per gateway pod (Envoy's token bucket
   * `tokens_per_fill`). Every gateway pod counts on its own, so with N pods a client may make up
   * to N times as many.
   */
  readonly requestsPerInterval: number;

  /**
   * The interval the allowance refills over (Envoy `fill_interval`, at least 50 ms).
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * The most requests a client may make at once: the bucket's size, full at the start (Envoy
   * `max_tokens`).
   *
   * @default - `requestsPerInterval`
   */
  readonly burst?: number;

  /**
   * Client ranges the limit does not apply to, matched against the same trusted address the limit
   * counts (e.g. your office, a monitoring service).
   *
   * @default - none: every client is limited
   */
  readonly exempt?: readonly IpBlock[];

  /**
   * How many client addresses each gateway pod keeps a bucket for (Envoy
   * `max_dynamic_descriptors`): beyond that the least recently seen address loses its bucket and
   * starts again with a full one.
   *
   * @default 10000 (Envoy's own default is 20)
   */
  readonly maxClients?: number;

  /**
   * The Istio minor versions whose gateway proxies get the filter (EnvoyFilter
   * `match.proxy.proxyVersion`), e.g. `['1.30']`. Other proxies get nothing: after an upgrade the
   * limit stops until you check it against the new Envoy and add the version. Each must be 1.26
   * or later: per-client (dynamic) buckets came with Envoy 1.34.0, and Istio 1.26 is the first
   * release on Envoy 1.34 (Istio minors track Envoy minors one to one, 1.18 on 1.26; an
   * inference from istio.io "Supported Envoy Versions").
   *
   * @default - the app's target Istio version (`IstioVersion.targetOf`: 1.30 unless set)
   */
  readonly istioVersions?: readonly string[];

  /**
   * Whether requests over the limit are refused with 429. When false the filter only counts them
   * (Envoy `filter_enforced` 0 %, the `rate_limited` stat), to try a limit before enforcing it.
   *
   * @default true
   */
  readonly enforced?: boolean;

  /**
   * `metadata.name` of the EnvoyFilter.
   *
   * @default - generated from the construct path
   */
  readonly name?: string;
}

/** The first Istio minor whose Envoy (1.34) has dynamic local rate limit descriptors. */
const MIN_ISTIO_MINOR = 26;
/** Envoy refuses a fill interval below 50 ms (`local_ratelimit_impl.cc`). */
const MIN_INTERVAL_MS = 50;
const UINT32_MAX = 4294967295;
const DEFAULT_MAX_CLIENTS = 10000;
/** Istio's EnvoyFilter analyzer warns about relative patches (INSERT_BEFORE, MERGE) with priority 0 (IST0151, IST0155). */
const PRIORITY = 10;
/** The descriptor entry value of a client that is not exempt (the action's `descriptor_value`). */
const LIMITED = 'limited';
/** The header Envoy's ip_tagging filter writes a client's tags to. */
const IP_TAGS_HEADER = 'x-envoy-ip-tags';

const HCM = 'envoy.filters.network.http_connection_manager';
const ROUTER = 'envoy.filters.http.router';

/**
 * A per-client rate limit at an ingress gateway: Envoy's local rate limit filter, keyed on the
 * address the gateway trusts as the client (the `remote_address` descriptor), as an EnvoyFilter
 * pinned to the Istio proxy versions it was checked against. Each gateway pod gives each client
 * address `requestsPerInterval` requests per `interval` (bursts of `burst`) and answers 429 beyond
 * that; every pod counts on its own, so the limit is per replica.
 *
 * What it renders, in one EnvoyFilter in the gateway's namespace:
 *
 * - an HTTP filter `envoy.filters.http.local_ratelimit` before the router, with one descriptor
 *   `remote_address` whose value is empty: since Envoy 1.34 an empty value makes a bucket per
 *   distinct address (a dynamic descriptor, kept in an LRU of `maxClients`); without a default
 *   bucket, requests without the descriptor pass;
 * - a `rate_limits` action `remote_address` on every virtual host of the gateway, which gives each
 *   request its trusted address as the descriptor value (Envoy: "populated using the trusted
 *   address from x-forwarded-for");
 * - with `exempt`: an `envoy.filters.http.ip_tagging` filter before it that tags exempt clients by
 *   the same trusted address (header `x-envoy-ip-tags`, which Envoy strips from every request that
 *   is not internal, so a client cannot forge it), and a `header_value_match` action that gives
 *   tagged requests no descriptor at all.
 *
 * A limit is only as good as its key: on a gateway whose described edge lets a client forge the
 * trusted address, or makes it a proxy's, the limit gets the same findings as a `remoteIpBlocks`
 * policy there (`client-rate-limit-spoofable`, `client-rate-limit-sees-proxy`).
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter
 * @see https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/
 */
export class ClientRateLimit extends Construct implements IClientIpReportContributor {
  /**
   * Whether gateway proxies of Istio `version` have per-client (dynamic) buckets: Istio 1.26 and
   * later (Envoy 1.34 and later).
   */
  public static isSupportedOn(version: IstioVersion): boolean {
    failIfAny('ClientRateLimit.isSupportedOn', [version instanceof IstioVersion ? undefined
      : mustBe('version', 'an IstioVersion', version, 'pass e.g. IstioVersion.V1_30 or IstioVersion.of("1.26")')]);
    return version.minor >= MIN_ISTIO_MINOR;
  }

  /** The gateway that limits its clients. */
  public readonly target: PolicyTarget;
  /** Requests per interval, per client, per gateway pod. */
  public readonly requestsPerInterval: number;
  /** The refill interval. */
  public readonly interval: Duration;
  /** The bucket size. */
  public readonly burst: number;
  /** Client ranges the limit does not apply to. */
  public readonly exempt: readonly IpBlock[];
  /** Client addresses with a bucket, per gateway pod. */
  public readonly maxClients: number;
  /** The Istio minor versions whose proxies get the filter. */
  public readonly istioVersions: readonly string[];
  /** Whether requests over the limit are refused. */
  public readonly enforced: boolean;
  /** The EnvoyFilter (construct id `Resource`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ClientRateLimitProps) {
    super(checkedScope('ClientRateLimit', scope, id), id);
    requireObject('ClientRateLimit', 'props', props, 'pass { target: PolicyTarget.gateway(gateway), requestsPerInterval: 100 }', this);
    guardObjectSizes(this);
    const exempt = Array.isArray(props.exempt) ? props.exempt : [];
    const target = IstioVersion.targetOf(this);
    const versions = Array.isArray(props.istioVersions) ? props.istioVersions : [target.toString()];
    const intervalMs = props.interval instanceof Duration ? props.interval.toMilliseconds({ integral: false }) : undefined;
    failIfAny('ClientRateLimit', [
      ...policyTargetProblems('target', props.target, 'gateway', 'pass PolicyTarget.gateway(gateway): a per-client limit needs the address a gateway trusts'),
      props.requestsPerInterval === undefined ? mustBe('requestsPerInterval', 'set', undefined, 'pass the requests each client may make per interval, e.g. 100')
        : wholeNumber('requestsPerInterval', props.requestsPerInterval, 1, UINT32_MAX, 'pass the requests each client may make per interval, e.g. 100'),
      wholeNumber('burst', props.burst, 1, UINT32_MAX, 'pass the most requests a client may make at once'),
      wholeNumber('maxClients', props.maxClients, 1, UINT32_MAX, 'pass how many client addresses each gateway pod tracks, e.g. 10000'),
      props.interval !== undefined && !(props.interval instanceof Duration)
        ? mustBe('interval', 'a Duration', props.interval, 'write interval: Duration.minutes(1)') : undefined,
      intervalMs !== undefined && (!Number.isInteger(intervalMs) || intervalMs < MIN_INTERVAL_MS)
        ? mustBe('interval', `whole milliseconds, at least ${MIN_INTERVAL_MS} ms (Envoy refuses a shorter fill interval)`, `${intervalMs} ms`,
          'write interval: Duration.seconds(1) or longer') : undefined,
      listProblem('exempt', props.exempt, 'write exempt: IpBlock.ofAll([...])'),
      ...exempt.map((block, i) => (block instanceof IpBlock ? undefined
        : mustBe(`exempt[${i}]`, 'an IpBlock', block, `write IpBlock.of(${JSON.stringify(String(block))})`))),
      ...versionProblems(props.istioVersions),
      props.istioVersions === undefined && !ClientRateLimit.isSupportedOn(target)
        ? mustBe('istioVersions', `set when the app targets Istio ${target} (per-client buckets need Envoy 1.34, which Istio 1.${MIN_ISTIO_MINOR} is the first to ship)`,
          undefined, `upgrade to Istio 1.${MIN_ISTIO_MINOR} or later before adding a per-client limit, or list the newer proxy versions it is for`)
        : undefined,
      props.enforced === undefined || typeof props.enforced === 'boolean' ? undefined : mustBe('enforced', 'true or false', props.enforced, 'pass a boolean'),
      resourceName('name', props.name, 'name'),
    ], this);

    this.target = props.target;
    this.requestsPerInterval = props.requestsPerInterval;
    this.interval = props.interval ?? Duration.minutes(1);
    this.burst = props.burst ?? props.requestsPerInterval;
    this.exempt = [...exempt];
    this.maxClients = props.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.istioVersions = [...versions];
    this.enforced = props.enforced ?? true;
    for (const block of this.exempt) {
      if (block.hostBitsCleared) {
        Warnings.of(this).add('ip-block-host-bits', hostBitsMessage('exempt', block));
      }
    }

    const namespace = this.target.namespace;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { ...(props.name === undefined ? {} : { name: props.name }), ...(namespace === undefined ? {} : { namespace }) },
      spec: Lazy.any({ produce: () => this._render() }),
    });
    this.node.addValidation({ validate: () => this.checkKey() });
  }

  /** The EnvoyFilter's `match.proxy.proxyVersion`: an RE2 expression for the Istio versions, e.g. `^1\.30([.-]|$)`. */
  public get proxyVersion(): string {
    const minors = this.istioVersions.map((version) => version.split('.')[1]);
    const alternatives = minors.length === 1 ? minors[0] : `(${minors.join('|')})`;
    return `^1\\.${alternatives}([.-]|$)`;
  }

  /** What this limit adds to the source IP report of `gateway` (its section, when it limits that gateway). */
  public clientIpReportFor(gateway: IIngressGateway): Partial<ClientIpReportParts> | undefined {
    if (this.target.gateway !== gateway) {
      return undefined;
    }
    const report: RateLimitReport = {
      requestsPerInterval: this.requestsPerInterval,
      interval: envoyDuration(this.interval),
      burst: this.burst,
      exempt: this.exempt,
      istioVersions: this.istioVersions,
    };
    return { rateLimits: [report] };
  }

  /**
   * The EnvoyFilter spec.
   *
   * @internal
   */
  public _render(): EnvoyFilterSpec {
    const match = (extra: object) => ({
      context: 'GATEWAY' as EnvoyFilterSpecConfigPatchesMatchContext,
      proxy: { proxyVersion: this.proxyVersion },
      ...extra,
    });
    const beforeRouter = (value: object): EnvoyFilterSpecConfigPatches => ({
      applyTo: 'HTTP_FILTER' as EnvoyFilterSpecConfigPatchesApplyTo,
      match: match({ listener: { filterChain: { filter: { name: HCM, subFilter: { name: ROUTER } } } } }),
      patch: { operation: 'INSERT_BEFORE' as EnvoyFilterSpecConfigPatchesPatchOperation, value },
    });
    const patches: EnvoyFilterSpecConfigPatches[] = [];
    if (this.exempt.length > 0) {
      patches.push(beforeRouter(this.ipTaggingFilter()));
    }
    patches.push(beforeRouter(this.localRateLimitFilter()));
    patches.push({
      applyTo: 'VIRTUAL_HOST' as EnvoyFilterSpecConfigPatchesApplyTo,
      match: match({}),
      patch: { operation: 'MERGE' as EnvoyFilterSpecConfigPatchesPatchOperation, value: { rate_limits: [{ actions: this.actions() }] } },
    });
    return { ...envoyFilterSelector(this.target), priority: PRIORITY, configPatches: patches };
  }

  /** The tag exempt clients get (unique per limit, so two limits never exempt each other's clients). */
  private get exemptTag(): string {
    return `${this.resource.name}-exempt`;
  }

  /** `envoy.filters.http.ip_tagging`: tags exempt clients by the trusted address. */
  private ipTaggingFilter(): object {
    return {
      name: 'envoy.filters.http.ip_tagging',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.ip_tagging.v3.IPTagging',
        ip_tags: [{
          ip_tag_name: this.exemptTag,
          ip_list: this.exempt.map((block) => {
            const [address, bits] = block.toString().split('/');
            return { address_prefix: address, prefix_len: Number(bits) };
          }),
        }],
      },
    };
  }

  /** `envoy.filters.http.local_ratelimit` with one dynamic descriptor: a bucket per trusted address. */
  private localRateLimitFilter(): object {
    const percent = (numerator: number, key: string) => ({ runtime_key: key, default_value: { numerator, denominator: 'HUNDRED' } });
    const entries = [
      ...(this.exempt.length > 0 ? [{ key: 'header_match', value: LIMITED }] : []),
      // An empty value: one bucket per distinct value (a dynamic descriptor, Envoy 1.34 and later).
      { key: 'remote_address', value: '' },
    ];
    return {
      name: 'envoy.filters.http.local_ratelimit',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
        stat_prefix: 'client_ip_rate_limit',
        filter_enabled: percent(100, 'client_ip_rate_limit_enabled'),
        filter_enforced: percent(this.enforced ? 100 : 0, 'client_ip_rate_limit_enforced'),
        // No default bucket: a request without the descriptor (an exempt client) is not counted.
        always_consume_default_token_bucket: false,
        max_dynamic_descriptors: this.maxClients,
        descriptors: [{
          entries,
          token_bucket: { max_tokens: this.burst, tokens_per_fill: this.requestsPerInterval, fill_interval: envoyDuration(this.interval) },
        }],
      },
    };
  }

  /** The virtual hosts' rate limit actions: (not exempt,) then the trusted address. */
  private actions(): object[] {
    return [
      // expect_match false: the entry is added when the tag header is absent; an exempt client's
      // request gets no entry, so the whole descriptor is dropped.
      ...(this.exempt.length > 0
        ? [{ header_value_match: { descriptor_value: LIMITED, expect_match: false, headers: [{ name: IP_TAGS_HEADER, present_match: true }] } }]
        : []),
      { remote_address: {} },
    ];
  }

  /** Cross-construct checks: is the key the client's address, and is this the gateway's only limit? */
  private checkKey(): string[] {
    const gateway = this.target.gateway;
    const target = this.target.description ?? JSON.stringify(this.target.selectorLabels);
    const errors = this.otherLimits().map((other) => `ClientRateLimit ${other.node.path} limits the same gateway (${target}); `
      + 'their filters would count every request twice and read each other\'s exemptions. Fix: keep one ClientRateLimit per gateway');
    if (gateway === undefined) {
      return errors;
    }
    const warnings = Warnings.of(this);
    const problem = trustedAddressProblem(gateway);
    if (problem?.kind === 'spoofable') {
      warnings.add('client-rate-limit-spoofable', `the per-client rate limit on ${target}: with the described edge (${problem.edge}), a client can choose the `
        + `address the gateway trusts with a forged X-Forwarded-For${problem.bypass ? ' by connecting past the first hop' : ''}, so it escapes the limit`
        + ' with a new forged address each time and can drain another '
        + `client's bucket. Fix: ${problem.fix}`);
    } else if (problem?.kind === 'sees-proxy') {
      warnings.add('client-rate-limit-sees-proxy', `the per-client rate limit on ${target}: with the described edge (${problem.edge}), the gateway trusts `
        + `${problem.trusted}, not the client, so every client behind that address shares one bucket. Fix: ${problem.fix}`);
    } else if (gateway.edge === undefined && gateway.externalTrafficPolicy === ExternalTrafficPolicy.CLUSTER
      && gateway.topology.numTrustedProxies === 0 && !gateway.topology.proxyProtocol) {
      // Without a described edge, reason from the settings alone, as IpAccessPolicy does for ipBlocks.
      warnings.add('client-rate-limit-sees-proxy', `the per-client rate limit on ${target}, whose Service has externalTrafficPolicy Cluster and which trusts `
        + 'no proxy and no PROXY protocol: nodes replace the client address (SNAT), so the key is a node and its clients share one bucket. '
        + 'Fix: set externalTrafficPolicy Local, or describe the edge so the gateway reads the client from a header or PROXY protocol');
    }
    return errors;
  }

  /** Other limits in the app on the same gateway pods. */
  private otherLimits(): ClientRateLimit[] {
    const same = (other: ClientRateLimit) => other !== this && other.target.namespace === this.target.namespace
      && JSON.stringify(other.target.selectorLabels) === JSON.stringify(this.target.selectorLabels);
    return this.node.root.node.findAll().filter((c: IConstruct): c is ClientRateLimit => c instanceof ClientRateLimit).filter(same);
  }
}

/** A Duration as protobuf JSON (`60s`, `0.5s`). */
function envoyDuration(duration: Duration): string {
  return `${duration.toMilliseconds({ integral: false }) / 1000}s`;
}

function versionProblems(versions: readonly string[] | undefined): Problem[] {
  if (versions === undefined) {
    return [];
  }
  const list = listProblem('istioVersions', versions, 'write istioVersions: ["1.30"]');
  if (list !== undefined) {
    return [list];
  }
  if (versions.length === 0) {
    return [mustBe('istioVersions', 'a non-empty list of Istio minor versions', versions, 'write istioVersions: ["1.30"]')];
  }
  const problems: Problem[] = [];
  const seen = new Set<string>();
  versions.forEach((version, i) => {
    const match = typeof version === 'string' ? /^1\.(0|[1-9][0-9]*)$/.exec(version) : null;
    if (match === null) {
      problems.push(mustBe(`istioVersions[${i}]`, 'an Istio minor version such as "1.30"', version, 'write the major and minor version only'));
    } else if (Number(match[1]) < MIN_ISTIO_MINOR) {
      problems.push(mustBe(`istioVersions[${i}]`, `1.${MIN_ISTIO_MINOR} or later (per-client buckets need Envoy 1.34, which Istio 1.${MIN_ISTIO_MINOR} is the first to ship)`,
        version, 'upgrade Istio, or drop this version'));
    } else if (seen.has(version)) {
      problems.push(mustBe(`istioVersions[${i}]`, 'listed once', version, 'remove the duplicate'));
    }
    if (typeof version === 'string') {
      seen.add(version);
    }
  });
  return problems;
}
