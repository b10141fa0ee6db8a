// The manifests as the rules read them: objects with their resolved namespace, labels and
// annotations, the pod templates of workloads, and the namespaces that exist.
import { finding } from './rules';
import { AnalysisFinding, AnalyzeOptions, InstalledGateway, ManifestRef, ProxyProtocolAnnotation } from './types';

/** A string-to-string map read from a manifest (non-string values are dropped). */
export type StringMap = Readonly<Record<string, string>>;

/** One Kubernetes object of the set. */
export interface KubeObject {
  readonly raw: Readonly<Record<string, unknown>>;
  readonly apiVersion: string;
  /** API group (`networking.istio.io`); `''` for the core group. */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** Resolved namespace (the default namespace when left out); undefined for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  /** `spec`, or `{}`. */
  readonly spec: Readonly<Record<string, unknown>>;
  readonly ref: ManifestRef;
}

/** The pod template of a workload in the set, or the pods of a declared installed gateway. */
export interface PodTemplateInfo {
  /** The workload; undefined for an installed gateway and for pods istiod generates. */
  readonly owner?: KubeObject;
  readonly installed?: InstalledGateway;
  /** The Kubernetes Gateway API `Gateway` istiod generates these pods for (gateway-api.ts). */
  readonly generatedBy?: KubeObject;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  /** The pod `spec` (containers, hostNetwork, ...); `{}` for an installed gateway. */
  readonly spec: Readonly<Record<string, unknown>>;
}

/** A namespace that exists: created by the set, or declared by the caller (or built in). */
export interface NamespaceInfo {
  readonly name: string;
  readonly labels: StringMap;
  /** The Namespace object, when the set creates it. */
  readonly object?: KubeObject;
}

/** Everything the rules need. */
export interface ManifestSet {
  readonly objects: readonly KubeObject[];
  readonly podTemplates: readonly PodTemplateInfo[];
  /** Namespaces in the set or declared as existing, by name. */
  readonly namespaces: ReadonlyMap<string, NamespaceInfo>;
  readonly existingSecrets: ReadonlySet<string>;
  readonly proxyProtocolAnnotations: readonly ProxyProtocolAnnotation[];
  /** undefined: any revision counts as installed. */
  readonly revisions?: ReadonlySet<string>;
  readonly rootNamespace: string;
  readonly defaultNamespace: string;
}

/** Namespaces every cluster with Istio installed has. */
export const BUILT_IN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-system'];

// Kinds without a namespace (kubectl api-resources --namespaced=false), for the kinds a cdk8s
// app can emit. Anything else is treated as namespaced.
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding', 'IngressClass', 'RuntimeClass', 'APIService', 'CSIDriver', 'CSINode',
  'VolumeAttachment', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'GatewayClass',
  'ClusterIssuer', 'ComponentStatus', 'VolumeSnapshotClass', 'VolumeSnapshotContent', 'IPAddress', 'ServiceCIDR',
]);

/** Whether objects of `kind` have no namespace. */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

// Where the pod template sits in each workload kind.
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** A plain object (not null, not an array), or undefined. */
export function asObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

/** An array, or `[]`. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A string, or undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The string values of a label or annotation map. */
export function asStringMap(value: unknown): StringMap {
  const object = asObject(value);
  if (object === undefined) {
    return {};
  }
  return Object.fromEntries(Object.entries(object).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Reads one document; a finding instead when it is not a Kubernetes object. */
export function readObject(doc: unknown, index: number, defaultNamespace: string): KubeObject | AnalysisFinding | undefined {
  // Empty YAML documents (`---` twice) are skipped by kubectl, and so here.
  if (doc === null || doc === undefined) {
    return undefined;
  }
  const raw = asObject(doc);
  const apiVersion = asString(raw?.apiVersion);
  const kind = asString(raw?.kind);
  if (raw === undefined || apiVersion === undefined || apiVersion === '' || kind === undefined || kind === '') {
    const missing = [apiVersion ? undefined : 'apiVersion', kind ? undefined : 'kind'].filter((m) => m !== undefined).join(' and ');
    const what = raw === undefined ? `a ${Array.isArray(doc) ? 'list' : typeof doc}, not an object` : `an object without ${missing}`;
    return finding('not-a-manifest', { kind: '(none)', name: `document ${index}`, index },
      `Document ${index} is ${what}; kubectl rejects it ("Object 'Kind' is missing").`,
      'Give every document apiVersion and kind, or keep what is not a manifest out of the set (and out of the folder kubectl applies).');
  }
  const metadata = asObject(raw.metadata) ?? {};
  const name = asString(metadata.name) ?? asString(metadata.generateName) ?? `document ${index}`;
  const namespace = isClusterScoped(kind) ? undefined : (asString(metadata.namespace) || defaultNamespace);
  return {
    raw, apiVersion, group: groupOf(apiVersion), kind, name, namespace,
    labels: asStringMap(metadata.labels),
    annotations: asStringMap(metadata.annotations),
    spec: asObject(raw.spec) ?? {},
    ref: { apiVersion, kind, name, ...(namespace === undefined ? {} : { namespace }), index },
  };
}

/** The pod template of a workload object, when it is one. */
export function podTemplateOf(object: KubeObject): PodTemplateInfo | undefined {
  const path = TEMPLATE_PATHS[object.kind];
  if (path === undefined || object.group !== groupFor(object.kind)) {
    return undefined;
  }
  let node: Readonly<Record<string, unknown>> | undefined = object.raw;
  for (const key of path) {
    node = asObject(node?.[key]);
  }
  if (node === undefined) {
    return undefined;
  }
  const metadata = asObject(node.metadata) ?? {};
  return {
    owner: object,
    kind: object.kind,
    name: object.name,
    namespace: object.namespace!,
    labels: asStringMap(metadata.labels),
    annotations: asStringMap(metadata.annotations),
    spec: asObject(node.spec) ?? {},
  };
}

function groupFor(kind: string): string {
  switch (kind) {
    case 'Pod': case 'ReplicationController': return '';
    case 'Job': case 'CronJob': return 'batch';
    default: return 'apps';
  }
}

/** Builds the set the rules read, and the findings for documents that are not objects. */
export function buildManifestSet(docs: readonly unknown[], options: AnalyzeOptions): { set: ManifestSet; findings: AnalysisFinding[] } {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const objects: KubeObject[] = [];
  const findings: AnalysisFinding[] = [];
  docs.forEach((doc, index) => {
    // A `kind: List` (kubectl's v1 List) is read as its items, as kubectl does.
    const list = asObject(doc);
    if (list !== undefined && list.kind === 'List' && Array.isArray(list.items)) {
      list.items.forEach((item) => collect(item, index));
      return;
    }
    collect(doc, index);
  });
  function collect(doc: unknown, index: number): void {
    const read = readObject(doc, index, defaultNamespace);
    if (read === undefined) {
      return;
    }
    if ('code' in read) {
      findings.push(read);
    } else {
      objects.push(read);
    }
  }

  const namespaces = new Map<string, NamespaceInfo>();
  for (const name of BUILT_IN_NAMESPACES) {
    namespaces.set(name, { name, labels: {} });
  }
  for (const existing of options.existingNamespaces ?? []) {
    namespaces.set(existing.name, { name: existing.name, labels: { ...existing.labels } });
  }
  for (const object of objects) {
    if (object.kind === 'Namespace' && object.group === '') {
      namespaces.set(object.name, { name: object.name, labels: object.labels, object });
    }
  }

  const podTemplates: PodTemplateInfo[] = [];
  for (const object of objects) {
    const template = podTemplateOf(object);
    if (template !== undefined) {
      podTemplates.push(template);
    }
  }
  for (const installed of options.installedGateways ?? []) {
    podTemplates.push({
      installed, kind: 'InstalledGateway', name: installed.name, namespace: installed.namespace,
      labels: { ...installed.labels }, annotations: {}, spec: {},
    });
  }

  return {
    set: {
      objects,
      podTemplates,
      namespaces,
      existingSecrets: new Set(options.existingSecrets ?? []),
      proxyProtocolAnnotations: options.proxyProtocolAnnotations ?? [],
      revisions: options.revisions === undefined ? undefined : new Set(options.revisions),
      rootNamespace: options.rootNamespace ?? 'istio-system',
      defaultNamespace,
    },
    findings,
  };
}

/** Objects of one API group and kind. */
export function objectsOf(set: ManifestSet, group: string, kind: string): KubeObject[] {
  return set.objects.filter((o) => o.group === group && o.kind === kind);
}

/** `Deployment apps/echo`, `installed gateway istio-system/istio-ingressgateway`. */
export function describeTemplate(template: PodTemplateInfo): string {
  if (template.generatedBy !== undefined) {
    return `the gateway istiod deploys for Gateway ${template.namespace}/${template.generatedBy.name}`;
  }
  return template.installed === undefined
    ? `${template.kind} ${template.namespace}/${template.name}`
    : `installed gateway ${template.namespace}/${template.name}`;
}

/** `a=1,b=2` with sorted keys, as Kubernetes prints a label selector built from a map. */
export function selectorString(labels: StringMap): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/** Labels of a namespace that exists; undefined when nothing is known about it. */
export function namespaceLabels(set: ManifestSet, namespace: string): StringMap | undefined {
  return set.namespaces.get(namespace)?.labels;
}

