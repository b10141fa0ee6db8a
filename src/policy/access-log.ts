import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
// Types only: the generated module is never loaded at run time (see bench/README.md).
import type { TelemetrySpec, TelemetrySpecAccessLoggingMatchMode } from '../../imports/telemetry.istio.io';
import {
  AccessLogEncoding, AccessLogReport, ClientIpReportParts, clientIpLogLabels, clientIpLogText, IClientIpReportContributor,
} from '../analysis/client-ip-log';
import { PolicyTarget } from '../authorization-policy';
import type { IIngressGateway } from '../gateway/gateway';
import { IstioVersion } from '../istio-version';
import { guardObjectSizes } from '../private/object-size';
import { failIfAny, listProblem, mustBe, oneOf, requireObject, resourceName } from '../private/problems';
import { checkedScope } from '../private/scope';
import { policyTargetProblems, telemetrySelector } from './target';

/**
 * One `meshConfig.extensionProviders` entry of kind `envoyFileAccessLog`, as istioctl and the
 * istiod chart read it.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
 */
export interface MeshConfigExtensionProvider {
  /** The provider's name, which Telemetry `accessLogging.providers` refer to. */
  readonly name: string;
  /** The file access log provider. */
  readonly envoyFileAccessLog: {
    /** The file the proxies write to. */
    readonly path: string;
    /** The line format: JSON `labels` or `text`. */
    readonly logFormat: { readonly labels: Readonly<Record<string, string>> } | { readonly text: string };
  };
}

/** Props of a `ClientIpAccessLog`. */
export interface ClientIpAccessLogProps {
  /** The ingress gateway whose requests are logged: `PolicyTarget.gateway(gateway)`. */
  readonly target: PolicyTarget;

  /**
   * Workloads whose sidecars log their inbound requests too (`PolicyTarget.workload(...)`), with
   * the same format: their `client_ip` is what a sidecar trusts, the rightmost `X-Forwarded-For`
   * entry.
   *
   * @default - only the gateway logs
   */
  readonly workloads?: readonly PolicyTarget[];

  /**
   * The name of the mesh-config extension provider (`meshConfig.extensionProviders[].name`).
   *
   * @default 'client-ip-access-log'
   */
  readonly providerName?: string;

  /**
   * JSON objects or `key=value` text.
   *
   * @default AccessLogEncoding.JSON
   */
  readonly encoding?: AccessLogEncoding;

  /**
   * The file the proxies write their lines to (Istio's provider default).
   *
   * @default '/dev/stdout'
   */
  readonly path?: string;

  /**
   * `metadata.name` of the gateway's Telemetry (the workloads' are generated).
   *
   * @default - generated from the construct path
   */
  readonly name?: string;
}

const DEFAULT_PROVIDER = 'client-ip-access-log';
const DEFAULT_PATH = '/dev/stdout';
/** A provider name: lower-case letters, digits, '-' and '.' (Istio matches names case-insensitively). */
const PROVIDER_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
/** An absolute file path without whitespace (control characters included). */
const FILE_PATH = /^\/[^\s\p{Cc}]*$/u;

/**
 * Access logs that say who the client is: Istio Telemetry (`telemetry.istio.io/v1`; `v1alpha1` for a
 * target below Istio 1.22, see `IstioVersion`) objects that
 * turn on logging for an ingress gateway (and optionally workloads' sidecars) through a file access
 * log provider whose format records, as separate fields, the address the proxy trusts
 * (`client_ip`), the TCP peer (`peer_ip`), `X-Forwarded-For` and `x-envoy-external-address`
 * (see `CLIENT_IP_LOG_FIELDS`).
 *
 * The provider itself is mesh config, which no Kubernetes object of the app can carry: write it
 * with `writeMeshConfig(app)` after `app.synth()` and install it with istioctl or the istiod Helm
 * chart first. A Telemetry naming a provider the mesh config lacks logs nothing, without a word.
 *
 * Istio's built-in formats log `%DOWNSTREAM_REMOTE_ADDRESS%` (with its port) and `X-Forwarded-For`
 * only, so whether a line names the client, a load balancer or a node stays unknown (istio/istio
 * #23481). The gateway's Telemetry has no `match` (a gateway's listeners count as the CLIENT side);
 * a workload's logs its inbound (SERVER) requests only (istio/istio `pilot/pkg/model/telemetry.go`,
 * `workloadMode`). Each Telemetry goes to its target's namespace, where its selector applies.
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/#AccessLogging
 * @see https://istio.io/latest/docs/tasks/observability/logs/access-log/
 */
export class ClientIpAccessLog extends Construct implements IClientIpReportContributor {
  /** The gateway whose requests are logged. */
  public readonly target: PolicyTarget;
  /** The workloads whose sidecars log too. */
  public readonly workloads: readonly PolicyTarget[];
  /** The mesh-config provider's name. */
  public readonly providerName: string;
  /** JSON or text. */
  public readonly encoding: AccessLogEncoding;
  /** The file the proxies write to. */
  public readonly path: string;
  /** The gateway's Telemetry (construct id `Resource`). */
  public readonly resource: ApiObject;
  /** The workloads' Telemetry objects, in the order of `workloads`. */
  public readonly workloadResources: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: ClientIpAccessLogProps) {
    super(checkedScope('ClientIpAccessLog', scope, id), id);
    requireObject('ClientIpAccessLog', 'props', props, 'pass { target: PolicyTarget.gateway(gateway) }', this);
    guardObjectSizes(this);
    const workloads = Array.isArray(props.workloads) ? props.workloads : [];
    failIfAny('ClientIpAccessLog', [
      ...policyTargetProblems('target', props.target, 'gateway', 'pass PolicyTarget.gateway(gateway); log workloads with workloads: [...]'),
      listProblem('workloads', props.workloads, 'write workloads: [PolicyTarget.workload(deployment)]'),
      ...workloads.flatMap((w, i) => policyTargetProblems(`workloads[${i}]`, w, 'workload',
        'pass PolicyTarget.workload(deployment); the gateway is the target')),
      props.providerName === undefined || (typeof props.providerName === 'string' && PROVIDER_NAME.test(props.providerName)) ? undefined
        : mustBe('providerName', 'at most 63 lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit', props.providerName,
          `write a name such as "${DEFAULT_PROVIDER}"`),
      oneOf('encoding', props.encoding, AccessLogEncoding, 'use AccessLogEncoding.JSON or TEXT'),
      props.path === undefined || (typeof props.path === 'string' && FILE_PATH.test(props.path)) ? undefined
        : mustBe('path', 'an absolute file path without spaces, such as /dev/stdout', props.path, 'write "/dev/stdout" or a file under a mounted volume'),
      resourceName('name', props.name, 'name'),
    ], this);

    this.target = props.target;
    this.workloads = [...workloads];
    this.providerName = props.providerName ?? DEFAULT_PROVIDER;
    this.encoding = props.encoding ?? AccessLogEncoding.JSON;
    this.path = props.path ?? DEFAULT_PATH;
    this.resource = this.telemetry('Resource', this.target, undefined, props.name);
    this.workloadResources = this.workloads.map((workload, i) => this.telemetry(`Workload${i}`, workload, 'SERVER'));
  }

  /**
   * The mesh-config provider the Telemetry objects name (`writeMeshConfig` writes it).
   */
  public get extensionProvider(): MeshConfigExtensionProvider {
    return {
      name: this.providerName,
      envoyFileAccessLog: {
        path: this.path,
        logFormat: this.encoding === AccessLogEncoding.JSON ? { labels: clientIpLogLabels() } : { text: clientIpLogText() },
      },
    };
  }

  /** What this access log adds to the source IP report of `gateway` (its section, when it logs that gateway). */
  public clientIpReportFor(gateway: IIngressGateway): Partial<ClientIpReportParts> | undefined {
    if (this.target.gateway !== gateway) {
      return undefined;
    }
    const report: AccessLogReport = { providerName: this.providerName, encoding: this.encoding, path: this.path, sidecars: this.workloads.length > 0 };
    return { accessLogs: [report] };
  }

  private telemetry(id: string, target: PolicyTarget, mode: 'SERVER' | undefined, name?: string): ApiObject {
    const metadata = { ...(name === undefined ? {} : { name }), ...(target.namespace === undefined ? {} : { namespace: target.namespace }) };
    return new ApiObject(this, id, {
      // telemetry.istio.io/v1 came with Istio 1.22; older targets read v1alpha1, with the same fields.
      apiVersion: IstioVersion.targetOf(this).isAtLeast(IstioVersion.V1_22) ? 'telemetry.istio.io/v1' : 'telemetry.istio.io/v1alpha1',
      kind: 'Telemetry',
      metadata,
      spec: Lazy.any({ produce: () => this.renderSpec(target, mode) }),
    });
  }

  private renderSpec(target: PolicyTarget, mode: 'SERVER' | undefined): TelemetrySpec {
    return {
      ...telemetrySelector(target),
      accessLogging: [{
        providers: [{ name: this.providerName }],
        ...(mode === undefined ? {} : { match: { mode: mode as TelemetrySpecAccessLoggingMatchMode } }),
      }],
    };
  }
}
