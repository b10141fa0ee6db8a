// Public types of the manifest analyzer. Pure data: nothing here knows about constructs.

/** How bad a finding is; the words `istioctl analyze` prints. */
export enum AnalysisLevel {
  /** The configuration does not work as written (an object fails to apply, a route goes nowhere). */
  ERROR = 'Error',
  /** Probably wrong; it works only in a case the analyzer cannot see. */
  WARNING = 'Warning',
  /** Worth knowing; nothing is broken. */
  INFO = 'Info',
}

/** The manifest a finding is about. */
export interface ManifestRef {
  /** `apiVersion` of the object, when it has one. */
  readonly apiVersion?: string;
  /** `kind` of the object; `(none)` for a document without one, `File` for a file-level finding. */
  readonly kind: string;
  /** `metadata.name`; for a document without one, its position (`document 3`). */
  readonly name: string;
  /**
   * The namespace the object lands in: `metadata.namespace`, or the analyzer's default namespace
   * when the manifest leaves it out. Absent for cluster-scoped kinds.
   */
  readonly namespace?: string;
  /** Position of the document in the list given to `analyzeManifests` (0-based). */
  readonly index?: number;
  /** The file the document came from, for folder checks. */
  readonly file?: string;
}

/** One problem found in a set of manifests. */
export interface AnalysisFinding {
  /**
   * Stable id: the `istioctl analyze` code where Istio has one (`IST0101`), otherwise this
   * library's own id for a working-path rule (`namespace-missing`).
   */
  readonly code: string;
  /** The message name (`ReferencedResourceNotFound`, `NamespaceMissing`). */
  readonly name: string;
  /** How bad it is. */
  readonly level: AnalysisLevel;
  /** The object the finding is reported on. */
  readonly object: ManifestRef;
  /** What is wrong, in Istio's words where the finding has an Istio code. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** A namespace that exists in the cluster without being in the manifests. */
export interface ExistingNamespace {
  /** The namespace name. */
  readonly name: string;
  /**
   * Its labels, as far as injection cares (`istio-injection`, `istio.io/rev`,
   * `istio.io/dataplane-mode`).
   *
   * @default - no labels
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A port of the Service in front of an installed gateway. */
export interface InstalledGatewayPort {
  /** The Service `port`. */
  readonly port: number;
  /**
   * The Service `targetPort` (the port the gateway pod listens on).
   *
   * @default - same as `port`
   */
  readonly targetPort?: number;
}

/**
 * An Istio gateway deployment that exists in the cluster without being in the manifests (for
 * example the `istio-ingressgateway` of Istio's default install profile).
 *
 * Counts as running gateway pods, injected and in the mesh, selected by a Service with `ports`.
 */
export interface InstalledGateway {
  /** A name to show in messages, e.g. `istio-ingressgateway`. */
  readonly name: string;
  /** The namespace its pods run in. */
  readonly namespace: string;
  /** The labels on its pods (what a Gateway `selector` matches). */
  readonly labels: Readonly<Record<string, string>>;
  /** The ports of the Service that selects its pods. */
  readonly ports: readonly InstalledGatewayPort[];
}

/** A Service annotation that tells a load balancer this analyzer does not know to send PROXY headers. */
export interface ProxyProtocolAnnotation {
  /** The annotation key, e.g. `example.com/lb-proxy-protocol`. */
  readonly key: string;
  /**
   * The values that turn PROXY on (compared ignoring case).
   *
   * @default - any value except empty, `false`, `off`, `none` and `disabled`
   */
  readonly values?: readonly string[];
}

/** What the analyzer may assume about the cluster the manifests are applied to. */
export interface AnalyzeOptions {
  /**
   * Namespaces that exist in the cluster although the manifests do not create them.
   *
   * Added to `default`, `kube-system`, `kube-public`, `kube-node-lease` (every cluster has them)
   * and `istio-system` (where Istio is installed), which always count as existing.
   *
   * @default - only the namespaces listed above
   */
  readonly existingNamespaces?: readonly ExistingNamespace[];
  /**
   * Gateway deployments installed outside the manifests (istioctl, Helm).
   *
   * @default - none: only gateway pods in the manifests count
   */
  readonly installedGateways?: readonly InstalledGateway[];
  /**
   * Secrets that exist in the cluster (`namespace/name`), e.g. TLS Secrets made by cert-manager,
   * for the Gateway `credentialName` check.
   *
   * @default - none
   */
  readonly existingSecrets?: readonly string[];
  /**
   * Service annotations of load balancers not in the built-in list that send PROXY protocol.
   *
   * @default - none beyond the built-in list
   */
  readonly proxyProtocolAnnotations?: readonly ProxyProtocolAnnotation[];
  /**
   * Istio revisions (and revision tags) installed, for `istio.io/rev` labels.
   *
   * @default - any revision named by a label is taken as installed
   */
  readonly revisions?: readonly string[];
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`): a policy there applies mesh-wide.
   *
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The namespace of manifests that leave `metadata.namespace` out (what `kubectl apply` takes
   * from the current context).
   *
   * @default 'default'
   */
  readonly defaultNamespace?: string;
}

/**
 * The `istio-ingressgateway` that Istio's `default` install profile creates in `istio-system`:
 * pod labels `app: istio-ingressgateway`, `istio: ingressgateway`; Service ports 15021, 80 → 8080,
 * 443 → 8443.
 *
 * @see https://github.com/istio/istio/blob/1.30.3/manifests/charts/gateways/istio-ingress/values.yaml
 */
export const ISTIO_DEFAULT_PROFILE_GATEWAY: InstalledGateway = Object.freeze({
  name: 'istio-ingressgateway',
  namespace: 'istio-system',
  labels: Object.freeze({ app: 'istio-ingressgateway', istio: 'ingressgateway' }),
  ports: Object.freeze([
    Object.freeze({ port: 15021 }),
    Object.freeze({ port: 80, targetPort: 8080 }),
    Object.freeze({ port: 443, targetPort: 8443 }),
  ]),
});
