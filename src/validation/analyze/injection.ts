// Whether a pod template gets an Istio proxy, decided as the API server and istiod decide it.
//
// 1. The API server calls the injector only if one of the sidecar injector webhooks matches the
//    namespace labels and the pod labels. The four webhooks of a default install (revision tag
//    `default`) are in istio/istio 1.30.x
//    manifests/charts/istio-control/istio-discovery/templates/revision-tags-mwc.yaml:
//    - rev.namespace: namespace `istio.io/rev` = <revision>, no `istio-injection` label;
//      pod label `sidecar.istio.io/inject` is not "false".
//    - rev.object: namespace has neither label; pod label `istio.io/rev` = <revision> and
//      `sidecar.istio.io/inject` is not "false".
//    - namespace: namespace `istio-injection` = enabled; pod label `sidecar.istio.io/inject` is
//      not "false".
//    - object: namespace has neither label; pod label `sidecar.istio.io/inject` = "true" and no
//      pod `istio.io/rev` label.
// 2. istiod then skips hostNetwork pods and the namespaces kube-system, kube-public,
//    kube-node-lease and local-path-storage, and honours `sidecar.istio.io/inject` "false" from the
//    pod label, or, when there is no such label, from the (deprecated) pod annotation
//    (pkg/kube/inject/inject.go injectRequired, IgnoredNamespaces).
//
// The analyzers' own notion of "in the mesh" (IST0127) is simpler and is kept separate.
import { asArray, asObject, asString, ManifestSet, namespaceLabels, PodTemplateInfo, StringMap } from './model';

const INJECT = 'sidecar.istio.io/inject';
const REVISION = 'istio.io/rev';
const NAMESPACE_INJECTION = 'istio-injection';
const TEMPLATES = 'inject.istio.io/templates';

/** Namespaces istiod never injects (pkg/kube/inject IgnoredNamespaces). */
export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Whether a pod template gets a proxy, and why (a sentence fragment for messages). */
export interface InjectionDecision {
  readonly injected: boolean;
  readonly reason: string;
}

function revisionInstalled(set: ManifestSet, revision: string): boolean {
  return set.revisions === undefined || set.revisions.has(revision);
}

/** Whether the sidecar injector will add a proxy to pods of `template`. */
export function injectionOf(set: ManifestSet, template: PodTemplateInfo): InjectionDecision {
  if (template.installed !== undefined) {
    return { injected: true, reason: 'it is a declared installed gateway' };
  }
  const ns = template.namespace;
  const known = namespaceLabels(set, ns);
  const nsLabels: StringMap = known ?? {};
  const where = known === undefined ? `namespace ${ns} (not in the set, so its labels are unknown)` : `namespace ${ns}`;
  const pod = template.labels;
  const podInject = pod[INJECT];
  const nsHasInjection = NAMESPACE_INJECTION in nsLabels;
  const nsHasRevision = REVISION in nsLabels;

  const byRevisionNamespace = nsHasRevision && !nsHasInjection && podInject !== 'false' && revisionInstalled(set, nsLabels[REVISION]);
  const byRevisionObject = !nsHasRevision && !nsHasInjection && podInject !== 'false' && REVISION in pod && revisionInstalled(set, pod[REVISION]);
  const byNamespace = nsLabels[NAMESPACE_INJECTION] === 'enabled' && podInject !== 'false';
  const byObject = !nsHasRevision && !nsHasInjection && podInject === 'true' && !(REVISION in pod);

  if (!(byRevisionNamespace || byRevisionObject || byNamespace || byObject)) {
    return { injected: false, reason: noWebhookReason(set, where, nsLabels, pod) };
  }
  if (template.spec.hostNetwork === true) {
    return { injected: false, reason: 'it uses hostNetwork, which istiod never injects' };
  }
  if (IGNORED_NAMESPACES.has(ns)) {
    return { injected: false, reason: `istiod never injects pods in ${ns}` };
  }
  // The pod label wins over the deprecated annotation when both are present.
  const choice = INJECT in pod ? pod[INJECT] : template.annotations[INJECT];
  if (choice === 'false') {
    const from = INJECT in pod ? 'label' : 'annotation';
    return { injected: false, reason: `its pod ${from} ${INJECT}: "false" opts it out` };
  }
  const how = byNamespace ? `${where} has ${NAMESPACE_INJECTION}=enabled`
    : byRevisionNamespace ? `${where} has ${REVISION}=${nsLabels[REVISION]}`
      : byRevisionObject ? `its pod label ${REVISION}=${pod[REVISION]}` : `its pod label ${INJECT}: "true"`;
  return { injected: true, reason: how };
}

function noWebhookReason(set: ManifestSet, where: string, nsLabels: StringMap, pod: StringMap): string {
  if (pod[INJECT] === 'false') {
    return `its pod label ${INJECT}: "false" opts it out`;
  }
  if (NAMESPACE_INJECTION in nsLabels && nsLabels[NAMESPACE_INJECTION] !== 'enabled') {
    return `${where} has ${NAMESPACE_INJECTION}=${nsLabels[NAMESPACE_INJECTION]}, which turns injection off (a pod label cannot turn it back on)`;
  }
  if (REVISION in nsLabels) {
    return `${where} has ${REVISION}=${nsLabels[REVISION]}, a revision not installed (installed: ${[...set.revisions ?? []].join(', ')})`;
  }
  if (REVISION in pod) {
    return pod[INJECT] === 'true'
      ? `its pod has both ${INJECT}: "true" and ${REVISION}=${pod[REVISION]}; with ${REVISION} only the revision webhook applies, and revision ${pod[REVISION]} is not installed`
      : `its pod label ${REVISION}=${pod[REVISION]} names a revision not installed`;
  }
  return `${where} has neither ${NAMESPACE_INJECTION}=enabled nor ${REVISION}, and its pods have no ${INJECT}: "true" label`;
}

/** Whether the template asks for gateway injection (`inject.istio.io/templates` includes `gateway`). */
export function usesGatewayTemplate(template: PodTemplateInfo): boolean {
  return (template.annotations[TEMPLATES] ?? '').split(',').map((t) => t.trim()).includes('gateway');
}

function containers(template: PodTemplateInfo): Readonly<Record<string, unknown>>[] {
  return [...asArray(template.spec.containers), ...asArray(template.spec.initContainers)]
    .map(asObject).filter((c): c is Readonly<Record<string, unknown>> => c !== undefined);
}

/** The `istio-proxy` container of the template, if it declares one. */
export function proxyContainer(template: PodTemplateInfo): Readonly<Record<string, unknown>> | undefined {
  return containers(template).find((c) => c.name === 'istio-proxy');
}

/**
 * Whether pods of `template` run as an Istio gateway: a declared installed gateway, a template
 * using gateway injection that will be injected, or a pod that runs `pilot-agent proxy router`
 * itself (as `istioctl manifest generate` writes gateways).
 */
export function gatewayPodStatus(set: ManifestSet, template: PodTemplateInfo): InjectionDecision {
  if (template.installed !== undefined) {
    return { injected: true, reason: 'it is a declared installed gateway' };
  }
  const proxy = proxyContainer(template);
  const image = asString(proxy?.image);
  if (proxy !== undefined && image !== undefined && image !== 'auto' && asArray(proxy.args).includes('router')) {
    return { injected: true, reason: 'it runs the proxy as a router' };
  }
  if (!usesGatewayTemplate(template)) {
    return { injected: false, reason: `it is not a gateway (no gateway injection: annotation ${TEMPLATES}: gateway)` };
  }
  const decision = injectionOf(set, template);
  return decision.injected
    ? { injected: true, reason: `it uses gateway injection and ${decision.reason}` }
    : { injected: false, reason: `it uses gateway injection but will not be injected: ${decision.reason}` };
}

/**
 * The analyzers' "pod is in the mesh" test (istio/istio 1.30.x
 * pkg/config/analysis/analyzers/util/in_mesh.go): an `istio-proxy` container with an image; else
 * the pod label `sidecar.istio.io/inject`, else the annotation, equal to "true"; else the
 * namespace label `istio-injection=enabled`. Note that `istio.io/rev` does not count here.
 */
export function inMeshForAnalyzers(set: ManifestSet, template: PodTemplateInfo): boolean {
  if (template.installed !== undefined || template.generatedBy !== undefined) {
    return true;
  }
  const image = asString(proxyContainer(template)?.image);
  if (image !== undefined && image !== '') {
    return true;
  }
  if (INJECT in template.labels) {
    return template.labels[INJECT] === 'true';
  }
  if (INJECT in template.annotations) {
    return template.annotations[INJECT] === 'true';
  }
  const ns = set.namespaces.get(template.namespace);
  return ns?.labels[NAMESPACE_INJECTION] === 'enabled';
}
