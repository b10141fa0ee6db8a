import { IConstruct } from 'constructs';
import { SourceIpValidationError } from './errors';
import { mustBe, show } from './private/problems';

/** The construct context key that holds an app's target Istio version. */
export const ISTIO_VERSION_CONTEXT = 'cdk8s-istio-source-ip:istioVersion';

/** The oldest and newest Istio minor versions the library writes for. */
const OLDEST_MINOR = 20;
const NEWEST_MINOR = 30;

/**
 * The Istio version an app's output must run on (`1.20` to `1.30`): it picks the API versions
 * written, refuses features the target lacks (naming the version that has them, or the fallback),
 * and picks the CRD schemas the validation uses.
 *
 * Set it once per app, before adding constructs: `IstioVersion.V1_20.applyTo(app)`, or construct
 * context `cdk8s-istio-source-ip:istioVersion`. Without it, 1.30.
 *
 * @see https://istio.io/latest/docs/releases/supported-releases/
 */
export class IstioVersion {
  /** Istio 1.20 (the seed article's test bed ran 1.20.1). */
  public static readonly V1_20 = new IstioVersion(20);
  /** Istio 1.22, the first with `networking.istio.io/v1` and `telemetry.istio.io/v1`. */
  public static readonly V1_22 = new IstioVersion(22);
  /** Istio 1.24. */
  public static readonly V1_24 = new IstioVersion(24);
  /** Istio 1.27, the first whose status port accepts PROXY headers. */
  public static readonly V1_27 = new IstioVersion(27);
  /** Istio 1.30, the default. */
  public static readonly V1_30 = new IstioVersion(30);
  /** The default target. */
  public static readonly DEFAULT = IstioVersion.V1_30;

  /**
   * A version from its text, `1.20` to `1.30` (a patch such as `1.20.1` is accepted and dropped).
   *
   * @throws SourceIpValidationError for anything else
   */
  public static of(text: string): IstioVersion {
    const match = typeof text === 'string' ? /^1\.(\d{1,2})(\.\d{1,3})?$/.exec(text.trim()) : null;
    const minor = match === null ? NaN : Number(match[1]);
    if (!(minor >= OLDEST_MINOR && minor <= NEWEST_MINOR)) {
      throw new SourceIpValidationError('IstioVersion.of', [mustBe('version', `an Istio version from 1.${OLDEST_MINOR} to 1.${NEWEST_MINOR}`,
        text, `write e.g. "1.${NEWEST_MINOR}"; older releases are out of Istio's support and not modelled`)]);
    }
    return new IstioVersion(minor);
  }

  /**
   * The target version of the app `scope` belongs to (construct context), or 1.30.
   *
   * @throws SourceIpValidationError when the context holds something that is not a version
   */
  public static targetOf(scope: IConstruct): IstioVersion {
    requireScope('IstioVersion.targetOf', scope);
    const value: unknown = scope.node.tryGetContext(ISTIO_VERSION_CONTEXT);
    if (value === undefined) {
      return IstioVersion.DEFAULT;
    }
    if (value instanceof IstioVersion) {
      return value;
    }
    if (typeof value !== 'string') {
      throw new SourceIpValidationError('IstioVersion.targetOf', [`context ${ISTIO_VERSION_CONTEXT} must be a version such as "1.20", got ${show(value)}. `
        + 'Fix: set it with IstioVersion.of("1.20").applyTo(app)'], scope.node.path);
    }
    return IstioVersion.of(value);
  }

  private constructor(
    /** The minor version: 20 for 1.20. */
    public readonly minor: number,
  ) {}

  /**
   * Makes this the target of everything added to `app` from now on (construct context, which a
   * scope must get before it has children).
   */
  public applyTo(app: IConstruct): void {
    requireScope('IstioVersion.applyTo', app);
    if (app.node.children.length > 0) {
      throw new SourceIpValidationError('IstioVersion.applyTo', [`the app must get its target before it has children, but ${show(app.node.path || '(the App)')} `
        + `has ${app.node.children.length}. Fix: call applyTo right after new App()`], app.node.path);
    }
    app.node.setContext(ISTIO_VERSION_CONTEXT, this.toString());
  }

  /** Whether this version is `other` or newer. */
  public isAtLeast(other: IstioVersion): boolean {
    if (!(other instanceof IstioVersion)) {
      throw new SourceIpValidationError('IstioVersion.isAtLeast', [mustBe('other', 'an IstioVersion', other, 'pass e.g. IstioVersion.V1_22')]);
    }
    return this.minor >= other.minor;
  }

  /** `1.20`. */
  public toString(): string {
    return `1.${this.minor}`;
  }
}

/** A capability that only some Istio versions have. */
export interface IstioFeature {
  /** What it is, for messages and the README table. */
  readonly name: string;
  /** The first minor version that has it. */
  readonly since: IstioVersion;
  /** Where that is written down. */
  readonly source: string;
  /** What to do on an older target instead. */
  readonly fallback: string;
}

/**
 * Every version-gated capability the library writes. The README's version table is rendered from
 * this list.
 */
export const ISTIO_FEATURES = {
  networkingV1: {
    name: '`networking.istio.io/v1` Gateway, VirtualService and DestinationRule',
    since: IstioVersion.V1_22,
    source: 'https://istio.io/latest/news/releases/1.22.x/announcing-1.22/',
    fallback: 'the library writes `networking.istio.io/v1beta1` (same fields) for older targets',
  },
  statusPortProxyProtocol: {
    name: 'PROXY headers on the 15021 health port (`ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL`)',
    since: IstioVersion.V1_27,
    source: 'https://github.com/istio/istio/issues/39868',
    fallback: 'point the load balancer\'s health check at the Service\'s healthCheckNodePort (kube-proxy answers it, without PROXY) or use a TCP health check',
  },
  kubernetesGatewayOverlays: {
    name: 'Gateway API gateways customized by `spec.infrastructure` and a `parametersRef` ConfigMap (`KubernetesGateway`)',
    since: IstioVersion.V1_30,
    source: 'https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/#automated-deployment',
    fallback: 'modelled on Istio 1.30.3\'s deployment controller only; on older targets deploy the gateway with `IngressGateway` (gateway injection)',
  },
} as const satisfies Record<string, IstioFeature>;

/**
 * Refuses a feature the target of `scope` lacks, naming the version that has it and the fallback.
 *
 * @throws SourceIpValidationError on an older target
 */
export function requireIstioFeature(scope: IConstruct, feature: IstioFeature, subject: string): void {
  requireScope('requireIstioFeature', scope);
  const f = feature as Partial<IstioFeature> | null;
  if (f === null || typeof f !== 'object' || !(f.since instanceof IstioVersion) || typeof f.name !== 'string' || typeof f.fallback !== 'string'
    || typeof subject !== 'string') {
    throw new SourceIpValidationError('requireIstioFeature', [mustBe('feature', 'one of ISTIO_FEATURES, and subject a string', feature,
      'pass e.g. (scope, ISTIO_FEATURES.networkingV1, "MyConstruct")')]);
  }
  const target = IstioVersion.targetOf(scope);
  if (!target.isAtLeast(feature.since)) {
    throw new SourceIpValidationError(subject, [`${feature.name} needs Istio ${feature.since} or later, but the app targets Istio ${target}. `
      + `Fix: ${feature.fallback}, or target a newer Istio`], scope.node.path);
  }
}

/** The API version of the Istio networking kinds (Gateway, VirtualService, DestinationRule) for the target of `scope`. */
export function networkingApiVersion(scope: IConstruct): string {
  requireScope('networkingApiVersion', scope);
  return IstioVersion.targetOf(scope).isAtLeast(ISTIO_FEATURES.networkingV1.since) ? 'networking.istio.io/v1' : 'networking.istio.io/v1beta1';
}

/** The README table of version-gated features, rendered from `ISTIO_FEATURES`. */
export function renderIstioFeatureTable(): string {
  return '| Feature | Since | On older targets |\n|---|---|---|\n'
    + Object.values(ISTIO_FEATURES).map((f: IstioFeature) => `| ${f.name} | [${f.since}](${f.source}) | ${f.fallback} |`).join('\n') + '\n';
}

/** Refuses a `scope` that is not a construct (plain-JavaScript callers). */
function requireScope(subject: string, scope: unknown): void {
  const node = (scope as { node?: { tryGetContext?: unknown } } | null)?.node;
  if (scope === null || typeof scope !== 'object' || node === null || typeof node !== 'object' || typeof node.tryGetContext !== 'function') {
    throw new SourceIpValidationError(subject, [mustBe('scope', 'a construct (the App, a Chart, or a construct in one)', scope, 'pass the app or a construct in it')]);
  }
}
