// Whether Istio's sidecar injector gives a pod a sidecar, from the labels and annotations the app
// writes. Pure: no constructs, no cdk8s. Mirrors Istio 1.30 with its default install values:
//
// 1. Which webhook the API server calls. The injector's MutatingWebhookConfiguration
//    (istio/istio manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml,
//    and its copy for revision tags, revision-tags-mwc.yaml) has four webhooks, selected by
//    namespaceSelector and objectSelector:
//      rev.namespace.  namespace istio.io/rev In [R], istio-injection DoesNotExist;
//                      pod sidecar.istio.io/inject NotIn [false]
//      rev.object.     namespace istio.io/rev DoesNotExist, istio-injection DoesNotExist;
//                      pod sidecar.istio.io/inject NotIn [false], istio.io/rev In [R]
//      namespace.      namespace istio-injection In [enabled]; pod sidecar.istio.io/inject NotIn [false]
//      object.         namespace istio-injection DoesNotExist, istio.io/rev DoesNotExist;
//                      pod sidecar.istio.io/inject In [true], istio.io/rev DoesNotExist
//    (R is the revision or one of its tags; the default revision answers to "default". The last two
//    exist for the default revision only. `enableNamespacesByDefault` adds an `auto.` webhook; it is
//    off by default and not modelled. Selectors see labels only, never annotations.)
// 2. What the webhook then decides: `injectRequired` (istio/istio pkg/kube/inject/inject.go)
//    refuses pods with hostNetwork and pods in the ignored namespaces (IgnoredNamespaces,
//    pkg/kube/inject/initializer.go: kube-system, kube-public, kube-node-lease,
//    local-path-storage); then reads the pod label sidecar.istio.io/inject, or, when the label is
//    absent, the deprecated annotation of the same name: "false" refuses, "true" injects, anything
//    else falls back to the policy (`autoInject: enabled` by default: inject).
//    `neverInjectSelector`/`alwaysInjectSelector` are empty by default and not modelled.

/** The namespace label that turns injection on for the default revision (`enabled`) or off. */
export const NAMESPACE_INJECTION_LABEL = 'istio-injection';
/** The namespace or pod label that picks a control-plane revision (or revision tag). */
export const REVISION_LABEL = 'istio.io/rev';
/** The pod label (and deprecated pod annotation) that opts a pod in or out. */
export const POD_INJECT_LABEL = 'sidecar.istio.io/inject';

/** Namespaces Istio's injector never injects (`IgnoredNamespaces`). */
export const IGNORED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

/** What the webhook selectors read of a namespace. */
export interface NamespaceInjectionLabels {
  /** `istio-injection`, when present. */
  readonly injection?: string;
  /** `istio.io/rev`, when present. */
  readonly revision?: string;
}

/** What the injector reads of one pod. */
export interface PodInjectionInput {
  /** The namespace the pods run in, when known. */
  readonly namespace?: string;
  /** The namespace's labels; `undefined` when the app does not know them. */
  readonly namespaceLabels?: NamespaceInjectionLabels;
  /** Pod label `sidecar.istio.io/inject`. */
  readonly injectLabel?: string;
  /** Pod annotation `sidecar.istio.io/inject` (deprecated, still read). */
  readonly injectAnnotation?: string;
  /** Pod label `istio.io/rev`. */
  readonly revisionLabel?: string;
  /** Pod `spec.hostNetwork`. */
  readonly hostNetwork?: boolean;
}

/** The outcome: injected (by which revision), not injected (why), or not knowable from the app. */
export type InjectionVerdict =
  | { readonly kind: 'injected'; readonly revision: string; readonly because: string }
  | { readonly kind: 'not-injected'; readonly because: string; readonly fix: string }
  | { readonly kind: 'unknown' };

const q = JSON.stringify;

/** Whether Istio's injector gives these pods a sidecar. */
export function sidecarInjectionOf(pod: PodInjectionInput): InjectionVerdict {
  // Facts that refuse injection whatever the namespace says.
  const certain = refusedByPod(pod);
  if (certain !== undefined) {
    return certain;
  }
  if (pod.namespaceLabels === undefined) {
    return { kind: 'unknown' };
  }
  const ns = pod.namespaceLabels;
  const where = pod.namespace === undefined ? 'the namespace' : `namespace ${q(pod.namespace)}`;
  const optIn = `label the pods ${POD_INJECT_LABEL}: "true"`;
  // 1. Which webhook, if any, the API server calls. At most one matches: their selectors exclude each other.
  let revision: string;
  let because: string;
  if (ns.injection !== undefined) {
    if (ns.injection !== 'enabled') {
      return {
        kind: 'not-injected',
        because: `${where} has the label ${NAMESPACE_INJECTION_LABEL}: ${q(ns.injection)}, and only "enabled" turns injection on `
          + `(with any other value no injection webhook selects its pods, whatever the pod labels say)`,
        fix: `set ${NAMESPACE_INJECTION_LABEL}: enabled on the namespace (SidecarInjection.enabled()), or run the workload in an injected namespace`,
      };
    }
    // The legacy label wins over istio.io/rev on the namespace and on the pod.
    revision = 'default';
    because = `${where} has ${NAMESPACE_INJECTION_LABEL}: enabled`;
  } else if (ns.revision !== undefined) {
    revision = ns.revision;
    because = `${where} has ${REVISION_LABEL}: ${q(ns.revision)}`;
  } else if (pod.revisionLabel !== undefined) {
    revision = pod.revisionLabel;
    because = `the pods have ${REVISION_LABEL}: ${q(pod.revisionLabel)}`;
  } else if (pod.injectLabel === 'true') {
    revision = 'default';
    because = `the pods have ${POD_INJECT_LABEL}: "true"`;
  } else {
    return {
      kind: 'not-injected',
      because: `${where} has neither ${NAMESPACE_INJECTION_LABEL}: enabled nor ${REVISION_LABEL}, and the pods do not ask for a sidecar `
        + `(label ${POD_INJECT_LABEL}: "true" or ${REVISION_LABEL}), so no injection webhook selects them`,
      fix: `enable injection on the namespace (MeshNamespace with SidecarInjection.enabled() or SidecarInjection.revision()), or ${optIn}`,
    };
  }
  // 2. injectRequired: the pod's own opt-out was checked above; the default policy injects.
  return { kind: 'injected', revision, because };
}

/** Pod facts that refuse injection whatever the namespace's labels are. */
function refusedByPod(pod: PodInjectionInput): InjectionVerdict | undefined {
  if (pod.hostNetwork === true) {
    return { kind: 'not-injected', because: 'the pods use hostNetwork, which Istio never injects', fix: 'drop hostNetwork, or do not set an interception mode' };
  }
  if (pod.namespace !== undefined && IGNORED_NAMESPACES.includes(pod.namespace)) {
    return { kind: 'not-injected', because: `Istio never injects pods in namespace ${q(pod.namespace)}`, fix: 'run the workload in another namespace' };
  }
  // Every webhook's objectSelector needs the label absent or not "false" (or exactly "true").
  if (pod.injectLabel === 'false') {
    return { kind: 'not-injected', because: `the pods opt out of injection with the label ${POD_INJECT_LABEL}: "false"`, fix: `remove the label (or set it to "true")` };
  }
  // The label, when present, wins over the annotation; without it the annotation decides.
  if (pod.injectLabel === undefined && pod.injectAnnotation === 'false') {
    return {
      kind: 'not-injected',
      because: `the pods opt out of injection with the annotation ${POD_INJECT_LABEL}: "false" (deprecated, still honoured)`,
      fix: 'remove the annotation',
    };
  }
  return undefined;
}
