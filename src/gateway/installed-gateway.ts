import { Construct } from 'constructs';
import { GatewayPortProtocol } from '../gateway-service';
import { IstioVersion } from '../istio-version';
import {
  failIfAny, labelMapProblems, mustBe, Problem, requireObject, resourceName, show,
} from '../private/problems';
import { checkedScope } from '../private/scope';
import { Warnings } from '../warnings';
import { GatewayPort, IIngressGateway } from './gateway';
import { collisionProblems, portProblems } from './ingress-gateway';
import {
  GatewayPatches, helmGatewayValues, InstalledGatewayTarget, istioOperatorComponent, istioOperatorOverlay, JsonObject, meshGatewayTopology,
  strategicMergePatches,
} from './installer-renderings';
import { reportGatewayWarnings } from './report-warnings';
import { GatewaySourceIpProps, GatewaySourceIpSettings } from './settings';
import { SettingsBackedGateway } from './settings-gateway';
import { takeCensusAtSynth } from '../private/synth-census';

/** Who owns an installed gateway's Deployment and Service, and so in which form a change must go. */
export enum GatewayInstaller {
  /** `istioctl install` (an IstioOperator): changed with an IstioOperator overlay. */
  ISTIOCTL = 'istioctl',
  /** The `istio/gateway` Helm chart: changed with chart values. */
  HELM = 'helm',
  /** Plain manifests applied with kubectl (or a GitOps tool): changed with strategic-merge patches. */
  MANIFEST = 'manifest',
}

/** What every installed gateway takes: its client-address settings, its ports, and labels it already has. */
export interface InstalledGatewayProps extends GatewaySourceIpProps {
  /**
   * The gateway Service's ports, as installed. Routes may only listen on these.
   *
   * @default - the installer's defaults (see each factory)
   */
  readonly ports?: readonly GatewayPort[];

  /**
   * Labels the installer already puts on the gateway pods besides the selector labels, e.g. a
   * revision label. Only read (for the checks that two gateways' labels do not overlap); the
   * change never writes labels, because a Deployment's selector cannot change.
   *
   * @default - the labels each installer is known to set (see each factory)
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/**
 * Props of `InstalledGateway.istioctl`: the gateway istioctl installed from an IstioOperator's
 * `spec.components.ingressGateways[]` entry.
 *
 * Pods: when neither `replicas` nor `autoscaling` is set, the change keeps the autoscaler istioctl's
 * default profile gives the gateway (max 5 pods, 80% CPU), with at least 2 pods under
 * `externalTrafficPolicy: Local`. The overlay writes the autoscaler's bounds as `hpaSpec`, which
 * istioctl applies to the autoscaler it renders; if your install turned the autoscaler off
 * (`autoscaleEnabled: false`), set `replicas`.
 */
export interface IstioctlGatewayProps extends InstalledGatewayProps {
  /**
   * The entry's `name`: the Deployment's and Service's name.
   *
   * @default 'istio-ingressgateway' (the default profile's gateway)
   */
  readonly name?: string;

  /**
   * The entry's `namespace`.
   *
   * @default 'istio-system'
   */
  readonly namespace?: string;

  /**
   * The entry's `label`, if the gateway was installed with one. istioctl merges it over the
   * chart's `app: istio-ingressgateway` and `istio: ingressgateway`, so a gateway installed
   * without one has those labels whatever its name. The overlay repeats it (istioctl replaces the
   * whole `ingressGateways` list with the overlay's).
   *
   * @default - none: the pods carry `app: istio-ingressgateway` and `istio: ingressgateway`
   */
  readonly label?: Readonly<Record<string, string>>;

  /**
   * Whether the topology goes mesh-wide, to `spec.meshConfig.defaultConfig.gatewayTopology`,
   * instead of the gateway pods' `proxy.istio.io/config` annotation. It then applies to every
   * gateway of the mesh (egress and east-west ones too) that has no annotation of its own, and
   * needs a restart of the gateway pods (warning `mesh-wide-gateway-topology`).
   *
   * @default false
   * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
   */
  readonly meshWideTopology?: boolean;
}

/**
 * Props of `InstalledGateway.helm`: a release of the `istio/gateway` chart.
 *
 * Pods: when neither `replicas` nor `autoscaling` is set, the change keeps the chart's autoscaler
 * (max 5 pods, 80% CPU), with at least 2 pods under `externalTrafficPolicy: Local`.
 */
export interface HelmGatewayProps extends InstalledGatewayProps {
  /** The Helm release name (`helm install <releaseName> istio/gateway`): it names the gateway and its labels. */
  readonly releaseName: string;

  /** The release's namespace (`helm install -n <namespace>`). */
  readonly namespace: string;

  /**
   * The chart's `name` value, if the release set it: it then names the gateway instead of the release.
   *
   * @default - the release name
   */
  readonly name?: string;

  /**
   * The chart's `labels.app` value, if the release set it.
   *
   * @default - the gateway's name
   */
  readonly appLabel?: string;

  /**
   * The chart's `labels.istio` value, if the release set it.
   *
   * @default - the gateway's name without a leading `istio-`
   */
  readonly istioLabel?: string;
}

/**
 * Props of `InstalledGateway.manifest`: a gateway deployed from plain manifests (its Deployment and
 * Service share one name).
 *
 * Pods: the Deployment patch sets `spec.replicas` to `replicas` (2 with `externalTrafficPolicy:
 * Local`, otherwise 1, when unset), so pass the count you run.
 */
export interface ManifestGatewayProps extends InstalledGatewayProps {
  /** The Deployment's and Service's name. */
  readonly name: string;

  /** Their namespace. */
  readonly namespace: string;

  /** The labels the Service selects the gateway pods with (and Istio `Gateway` resources and policies will). */
  readonly selectorLabels: Readonly<Record<string, string>>;

  /** The gateway Service's ports. */
  readonly ports: readonly GatewayPort[];

  /**
   * The name of the proxy container the env and resources patches go to.
   *
   * @default 'istio-proxy'
   */
  readonly containerName?: string;
}

/** The default profile's gateway Service ports (istioctl's `gateways/istio-ingress` chart values: 80→8080, 443→8443). */
const ISTIOCTL_PORTS: readonly GatewayPort[] = [
  { name: 'status-port', port: 15021, targetPort: 15021, protocol: GatewayPortProtocol.TCP },
  { name: 'http2', port: 80, targetPort: 8080, protocol: GatewayPortProtocol.TCP },
  { name: 'https', port: 443, targetPort: 8443, protocol: GatewayPortProtocol.TCP },
];

/** The `istio/gateway` chart's default Service ports (`service.ports` in its values.yaml). */
const HELM_PORTS: readonly GatewayPort[] = [
  { name: 'status-port', port: 15021, targetPort: 15021, protocol: GatewayPortProtocol.TCP },
  { name: 'http2', port: 80, targetPort: 80, protocol: GatewayPortProtocol.TCP },
  { name: 'https', port: 443, targetPort: 443, protocol: GatewayPortProtocol.TCP },
];

/** The labels istioctl's gateway chart gives the pods when the entry has no `label`. */
const ISTIOCTL_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' };

/** The installer's own injection settings, which a pod annotation must not contradict. */
const INJECTION_ANNOTATIONS = ['sidecar.istio.io/inject', 'inject.istio.io/templates'];

/** A Helm release name: a DNS label of at most 53 characters (Helm's limit). */
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What a subclass tells the base about the gateway it describes. */
interface Identity {
  readonly installer: GatewayInstaller;
  readonly name: string;
  readonly namespace: string;
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** Labels the installer puts on the pods besides the selector labels. */
  readonly installerLabels: Readonly<Record<string, string>>;
  readonly ports: readonly GatewayPort[];
  readonly containerName: string;
  /** The props the settings are derived from (with the installer's autoscaler default filled in). */
  readonly sourceIpProps: GatewaySourceIpProps;
  /** The installer's own checks, reported with the others. */
  readonly problems: readonly Problem[];
}

/**
 * An ingress gateway that an installer already runs (istioctl, the `istio/gateway` Helm chart, or
 * plain manifests), described so that routes, policies, the report and every cross-layer check
 * work on it exactly as on a deployed `IngressGateway`, and changed through its installer.
 *
 * It writes no Kubernetes object of its own: the installer owns the Deployment and Service, and
 * would take back any change made behind its back (istioctl applies with server-side apply and
 * force; `helm upgrade` renders from values). The change comes from the same
 * `GatewaySourceIpSettings` an `IngressGateway` renders, in the installer's form:
 * `writeInstallerChanges(app)` writes it under `installers/` of the output directory.
 *
 * Refused: settings the installer has no field for (`healthCheckNodePort` with Helm), labels that
 * contradict the installer's naming, and injection annotations the installer sets itself.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/gateway/
 */
export abstract class InstalledGateway extends SettingsBackedGateway implements IIngressGateway {
  /**
   * The gateway `istioctl install` runs, by default the default profile's `istio-ingressgateway`
   * in `istio-system` (labels `app: istio-ingressgateway`, `istio: ingressgateway`; Service ports
   * 15021, 80 → 8080 and 443 → 8443), changed with an IstioOperator overlay.
   */
  public static istioctl(scope: Construct, id: string, props: IstioctlGatewayProps = {}): IstioctlGateway {
    return new IstioctlGateway(scope, id, props);
  }

  /**
   * A release of the `istio/gateway` Helm chart: named after the release (or the chart's `name`
   * value), labelled `app: <name>` and `istio: <name without "istio-">` (Service ports 15021, 80
   * and 443), changed with chart values.
   */
  public static helm(scope: Construct, id: string, props: HelmGatewayProps): HelmGateway {
    return new HelmGateway(scope, id, props);
  }

  /** A gateway deployed from plain manifests, changed with strategic-merge patches. */
  public static manifest(scope: Construct, id: string, props: ManifestGatewayProps): ManifestGateway {
    return new ManifestGateway(scope, id, props);
  }

  /** Who owns the gateway's objects. */
  public readonly installer: GatewayInstaller;
  /** Labels that select the gateway pods: `app` and `istio` for Istio's installers. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Every label known on the gateway pods. */
  public readonly podLabels: Readonly<Record<string, string>>;
  /** The gateway's namespace. */
  public readonly namespace: string;
  /** The Deployment's and Service's name. */
  public readonly name: string;
  /** The Service ports. */
  public readonly ports: readonly GatewayPort[];
  /** Everything about the client's address: derived from `edge` and the props, as for a deployed gateway. */
  public readonly settings: GatewaySourceIpSettings;
  /** The proxy container's name. */
  public readonly containerName: string;
  /** Whether `resources` were given (requests and limits are changed only then). */
  private readonly resourcesGiven: boolean;

  protected constructor(scope: Construct, id: string, subject: string, identity: Identity, props: InstalledGatewayProps) {
    super(checkedScope(subject, scope, id), id);
    const { settings, problems } = GatewaySourceIpSettings._derive(identity.sourceIpProps, IstioVersion.targetOf(this));
    const known = { ...identity.installerLabels, ...identity.selectorLabels };
    failIfAny(subject, [
      ...problems,
      ...identity.problems,
      resourceName('name', identity.name, 'name'),
      resourceName('namespace', identity.namespace, 'namespace'),
      ...portProblems(props.ports),
      ...labelMapProblems('podLabels', props.podLabels),
      ...Object.keys(props.podLabels ?? {}).filter((key) => key in known && props.podLabels?.[key] !== known[key]).map((key) =>
        mustBe(`podLabels["${key}"]`, `${JSON.stringify(known[key])} or absent (the ${identity.installer} installer sets it)`, props.podLabels?.[key],
          key in identity.selectorLabels ? `remove it: ${installerNaming(identity.installer)}` : 'remove it')),
    ], this);

    this.installer = identity.installer;
    this.name = identity.name;
    this.namespace = identity.namespace;
    this.selectorLabels = { ...identity.selectorLabels };
    this.podLabels = { ...props.podLabels, ...known };
    this.ports = (props.ports ?? identity.ports).map((p) => ({ ...p }));
    this.containerName = identity.containerName;
    this.settings = settings;
    this.resourcesGiven = props.resources !== undefined;

    reportGatewayWarnings(this, settings);
    // The other gateways come from the app's census, taken once per synth pass.
    takeCensusAtSynth(this);
    this.node.addValidation({ validate: () => collisionProblems(this) });
  }







  /** @internal What the renderings need besides the settings. */
  public get _target(): InstalledGatewayTarget {
    return { name: this.name, namespace: this.namespace, selectorLabels: this.selectorLabels, containerName: this.containerName, resourcesGiven: this.resourcesGiven };
  }
}

/**
 * The gateway `istioctl install` runs. Create it with `InstalledGateway.istioctl`.
 *
 * @see https://istio.io/latest/docs/setup/install/istioctl/
 */
export class IstioctlGateway extends InstalledGateway {
  /** The entry's `label`, when the gateway was installed with one. */
  public readonly label?: Readonly<Record<string, string>>;
  /** Whether the topology goes to `meshConfig.defaultConfig.gatewayTopology`. */
  public readonly meshWideTopology: boolean;

  constructor(scope: Construct, id: string, props: IstioctlGatewayProps = {}) {
    requireObject('InstalledGateway.istioctl', 'props', props, 'pass an object of IstioctlGatewayProps, or nothing', scope);
    const name = props.name ?? 'istio-ingressgateway';
    const labelOk = props.label === undefined || (props.label !== null && typeof props.label === 'object' && !Array.isArray(props.label));
    const label = labelOk ? props.label : undefined;
    super(scope, id, 'InstalledGateway.istioctl', {
      installer: GatewayInstaller.ISTIOCTL,
      name,
      namespace: props.namespace ?? 'istio-system',
      selectorLabels: { ...ISTIOCTL_LABELS, ...label },
      // What the chart's Deployment template puts on every gateway pod (istio-ingress deployment.yaml).
      installerLabels: { 'sidecar.istio.io/inject': 'false', 'service.istio.io/canonical-name': name, 'istio.io/dataplane-mode': 'none' },
      ports: ISTIOCTL_PORTS,
      containerName: 'istio-proxy',
      sourceIpProps: withInstallerAutoscaler(props),
      problems: [
        labelOk ? undefined : mustBe('label', 'a map of labels', props.label, 'write label: { istio: "my-gateway" }'),
        ...labelMapProblems('label', label),
        props.meshWideTopology === undefined || typeof props.meshWideTopology === 'boolean' ? undefined
          : mustBe('meshWideTopology', 'true or false', props.meshWideTopology, 'pass a boolean'),
        ...injectionProblems(props.podAnnotations, undefined, 'istioctl\'s gateway runs without injection (its chart sets sidecar.istio.io/inject: "false")'),
      ],
    }, props);
    this.label = label === undefined ? undefined : { ...label };
    this.meshWideTopology = props.meshWideTopology === true;
    if (this.meshWideTopology) {
      Warnings.of(this).add('mesh-wide-gateway-topology', `the topology ${JSON.stringify(meshGatewayTopology(this.settings))} goes to `
        + 'meshConfig.defaultConfig.gatewayTopology, so it applies to every gateway of the mesh without a proxy.istio.io/config annotation of its '
        + `own (egress and east-west gateways too${this.topology.proxyProtocol ? ', which then refuse connections without a PROXY header' : ''}), `
        + 'and only after their pods restart. Fix: leave meshWideTopology off to set it on this gateway\'s pods only');
    }
  }

  /** This gateway's entry of `spec.components.ingressGateways[]`, carrying the change. */
  public istioOperatorComponent(): JsonObject {
    return istioOperatorComponent(this.settings, this._target, { label: this.label, meshWideTopology: this.meshWideTopology });
  }

  /**
   * An IstioOperator overlay with this gateway alone, for `istioctl install -f <your file> -f <this>`.
   * `writeInstallerChanges` writes one overlay with every istioctl gateway of the app.
   */
  public istioOperatorOverlay(): JsonObject {
    return istioOperatorOverlay([this.istioOperatorComponent()], this.meshWideTopology ? meshGatewayTopology(this.settings) : undefined);
  }
}

/**
 * A release of the `istio/gateway` Helm chart. Create it with `InstalledGateway.helm`.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/gateway/#deploying-a-gateway
 */
export class HelmGateway extends InstalledGateway {
  /** The release name. */
  public readonly releaseName: string;

  constructor(scope: Construct, id: string, props: HelmGatewayProps) {
    requireObject('InstalledGateway.helm', 'props', props, 'pass { releaseName, namespace }', scope);
    const release = props.releaseName;
    const releaseOk = typeof release === 'string' && release.length <= 53 && RELEASE_NAME.test(release);
    // The chart's _helpers.tpl: gateway.name = .Values.name | release name; app = labels.app | name;
    // istio = labels.istio | name without a leading "istio-".
    const name = props.name ?? (releaseOk ? release : 'istio-ingressgateway');
    // A name that is not a string is refused with the others (resourceName), not read here.
    const selectorLabels = { app: props.appLabel ?? name, istio: props.istioLabel ?? (typeof name === 'string' ? name.replace(/^istio-/, '') : name) };
    super(scope, id, 'InstalledGateway.helm', {
      installer: GatewayInstaller.HELM,
      name,
      namespace: props.namespace,
      selectorLabels,
      // The chart's Deployment template: injection, app.kubernetes.io labels, and its default `labels` value.
      installerLabels: {
        'sidecar.istio.io/inject': 'true',
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/instance': releaseOk ? release : name,
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/part-of': 'istio',
        'istio.io/dataplane-mode': 'none',
      },
      ports: HELM_PORTS,
      containerName: 'istio-proxy',
      sourceIpProps: withInstallerAutoscaler(props),
      problems: [
        releaseOk ? undefined : mustBe('releaseName', 'a Helm release name (at most 53 lower-case letters, digits and \'-\')', release,
          'pass the name `helm list -n <namespace>` shows'),
        props.namespace === undefined ? mustBe('namespace', 'the release\'s namespace', undefined, 'pass the namespace `helm list -A` shows for the release') : undefined,
        ...labelMapProblems('appLabel/istioLabel', selectorLabels),
        props.healthCheckNodePort === undefined ? undefined
          : mustBe('healthCheckNodePort', 'unset for a Helm-installed gateway (the istio/gateway chart has no value for it: istio/istio#42227)',
            props.healthCheckNodePort, 'remove it, and set spec.healthCheckNodePort with a Helm post-renderer (istio.io "Customizing the installation with Helm")'),
        ...injectionProblems(props.podAnnotations, { 'sidecar.istio.io/inject': 'true', 'inject.istio.io/templates': 'gateway' },
          'the istio/gateway chart deploys the gateway by gateway injection'),
      ],
    }, props);
    this.releaseName = release;
  }

  /** Values for `helm upgrade <release> istio/gateway -n <namespace> --reuse-values -f <file>`. */
  public helmValues(): JsonObject {
    return helmGatewayValues(this.settings, this._target);
  }
}

/** A gateway deployed from plain manifests. Create it with `InstalledGateway.manifest`. */
export class ManifestGateway extends InstalledGateway {
  constructor(scope: Construct, id: string, props: ManifestGatewayProps) {
    requireObject('InstalledGateway.manifest', 'props', props, 'pass { name, namespace, selectorLabels, ports }', scope);
    const selectorLabels = props.selectorLabels;
    const labelsOk = selectorLabels !== null && typeof selectorLabels === 'object' && !Array.isArray(selectorLabels) && Object.keys(selectorLabels).length > 0;
    super(scope, id, 'InstalledGateway.manifest', {
      installer: GatewayInstaller.MANIFEST,
      name: props.name,
      namespace: props.namespace,
      selectorLabels: labelsOk ? selectorLabels : {},
      installerLabels: {},
      ports: [],
      containerName: props.containerName ?? 'istio-proxy',
      sourceIpProps: props,
      problems: [
        props.name === undefined ? mustBe('name', 'the Deployment\'s and Service\'s name', undefined, 'pass the name of the gateway Deployment') : undefined,
        props.namespace === undefined ? mustBe('namespace', 'the gateway\'s namespace', undefined, 'pass the namespace the gateway runs in') : undefined,
        labelsOk ? undefined : mustBe('selectorLabels', 'a non-empty map of the labels the Service selects', selectorLabels,
          'copy spec.selector of the gateway Service'),
        ...(labelsOk ? labelMapProblems('selectorLabels', selectorLabels) : []),
        props.ports === undefined ? mustBe('ports', 'the gateway Service\'s ports', undefined, 'copy spec.ports of the gateway Service, e.g. [{ name: "http2", port: 80 }]') : undefined,
        props.containerName === undefined || (typeof props.containerName === 'string' && RELEASE_NAME.test(props.containerName) && props.containerName.length <= 63)
          ? undefined : mustBe('containerName', 'a container name (at most 63 lower-case letters, digits and \'-\')', props.containerName, 'pass the proxy container\'s name'),
      ],
    }, props);
  }

  /** The Service and Deployment patches, and the objects to create. */
  public strategicMergePatches(): GatewayPatches {
    return strategicMergePatches(this.settings, this._target);
  }
}

/** Installers that run an autoscaler by default keep it when the user sets no pod count. */
function withInstallerAutoscaler(props: GatewaySourceIpProps): GatewaySourceIpProps {
  return props.replicas === undefined && props.autoscaling === undefined ? { ...props, autoscaling: {} } : props;
}

/** Pod annotations that would contradict how the installer injects (or does not inject) the gateway. */
function injectionProblems(annotations: Readonly<Record<string, string>> | undefined, required: Readonly<Record<string, string>> | undefined,
  why: string): Problem[] {
  if (annotations === null || typeof annotations !== 'object') {
    return [];
  }
  return INJECTION_ANNOTATIONS.filter((key) => annotations[key] !== undefined && annotations[key] !== required?.[key]).map((key) =>
    mustBe(`podAnnotations["${key}"]`, required?.[key] === undefined ? 'absent' : `${show(required[key])} or absent`, annotations[key],
      `remove it: ${why}`));
}

function installerNaming(installer: GatewayInstaller): string {
  switch (installer) {
    case GatewayInstaller.ISTIOCTL:
      return 'istioctl labels the pods with its entry\'s label (merged over app: istio-ingressgateway, istio: ingressgateway); set label instead';
    case GatewayInstaller.HELM:
      return 'the istio/gateway chart labels the pods app: <name>, istio: <name without "istio-">, from the release name; set appLabel/istioLabel if the release overrides them';
    default:
      return 'set selectorLabels instead';
  }
}
