// Kubernetes Gateway API rules. A `Gateway` of class `istio` makes istiod deploy gateway pods
// (istio-discovery files/kube-gateway.yaml), so the set gets those pods for the other rules, as a
// live cluster would have them. Then: IST0166 (a policy selector on those pods), and the working
// path: a policy's targetRefs, a route's parents and listeners, its backends, and the Gateway's
// parametersRef ConfigMap as istiod reads it (research/istio.md §8).
import { asArray, asObject, asString, KubeObject, ManifestSet, objectsOf, PodTemplateInfo, StringMap, asStringMap } from './model';
import { finding } from './rules';
import { selectorMatches, selectorOf } from './selectors';
import { AnalysisFinding } from './types';

const GROUP = 'gateway.networking.k8s.io';
/** The class istiod deploys ingress gateways for (classinfo.go). */
const ISTIO_CLASS = 'istio';
/** Keys istiod's template leaves out when it copies the infrastructure annotations. */
const OMITTED = ['kubectl.kubernetes.io/last-applied-configuration', 'gateway.istio.io/name-override', 'gateway.istio.io/service-account', 'gateway.istio.io/controller-version'];
/** The ConfigMap keys istiod applies as overlays; any other is an error. */
const OVERLAY_KEYS = ['deployment', 'service', 'serviceAccount', 'horizontalPodAutoscaler', 'podDisruptionBudget'];
/** Route kinds each listener protocol accepts by default (Gateway API, Istio's implementation). */
const ROUTE_KINDS: Readonly<Record<string, readonly string[]>> = { HTTP: ['HTTPRoute', 'GRPCRoute'], HTTPS: ['HTTPRoute', 'GRPCRoute'] };

const copyable = (map: StringMap) => Object.fromEntries(Object.entries(map).filter(([k]) => !OMITTED.includes(k) && !k.startsWith(`${GROUP}/`)));

/** The Gateways of the set that istiod deploys pods for. */
function istioGateways(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.group === GROUP && o.kind === 'Gateway' && asString(o.spec.gatewayClassName) === ISTIO_CLASS);
}

/**
 * The pods istiod generates for each Gateway of class `istio` in `objects`, labelled and annotated
 * as its template does (`<name>-istio`, or the `gateway.istio.io/name-override` annotation).
 */
export function generatedGatewayPods(objects: readonly KubeObject[]): PodTemplateInfo[] {
  return istioGateways(objects).map((gateway) => {
    const infrastructure = asObject(gateway.spec.infrastructure);
    const annotations = copyable(infrastructure?.annotations === undefined ? gateway.annotations : asStringMap(infrastructure.annotations));
    const labels = copyable(infrastructure?.labels === undefined ? gateway.labels : asStringMap(infrastructure.labels));
    const name = gateway.annotations['gateway.istio.io/name-override'] ?? `${gateway.name}-${ISTIO_CLASS}`;
    return {
      generatedBy: gateway,
      kind: 'Deployment',
      name,
      namespace: gateway.namespace!,
      labels: {
        'sidecar.istio.io/inject': 'false', 'service.istio.io/canonical-name': name, 'service.istio.io/canonical-revision': 'latest', ...labels,
        [`${GROUP}/gateway-name`]: gateway.name, [`${GROUP}/gateway-class-name`]: ISTIO_CLASS, 'gateway.istio.io/managed': 'istio.io-gateway-controller',
      },
      annotations: { ...annotations, 'istio.io/rev': 'default' },
      spec: { containers: [{ name: 'istio-proxy', args: ['proxy', 'router'] }] },
    };
  });
}

/** Runs the Gateway API rules. */
export function analyzeGatewayApi(set: ManifestSet): AnalysisFinding[] {
  return [...checkSelectors(set), ...checkPolicyTargets(set), ...checkRoutes(set), ...checkParameters(set)];
}

// IST0166 (gateway analyzer, IneffectiveSelector): a selector policy that matches Gateway API pods.
function checkSelectors(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  const generated = set.podTemplates.filter((t) => t.generatedBy !== undefined);
  for (const policy of objectsOf(set, 'security.istio.io', 'AuthorizationPolicy')) {
    const selector = selectorOf(asObject(policy.spec.selector)?.matchLabels);
    if (Object.keys(selector).length === 0) {
      continue;
    }
    for (const pods of generated) {
      if ((policy.namespace === set.rootNamespace || pods.namespace === policy.namespace) && selectorMatches(selector, pods.labels)) {
        findings.push(finding('IST0166', policy.ref, `Ineffective selector on Kubernetes Gateway ${pods.generatedBy!.name}. Use the TargetRef field instead.`,
          `Replace selector with targetRefs: [{group: ${GROUP}, kind: Gateway, name: ${pods.generatedBy!.name}}] (PolicyTarget.gateway(gateway) does that for a KubernetesGateway).`));
      }
    }
  }
  return findings;
}

// Working path: a targetRefs entry to a Gateway that is not there attaches the policy to nothing.
function checkPolicyTargets(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const policy of objectsOf(set, 'security.istio.io', 'AuthorizationPolicy')) {
    const refs = [...asArray(policy.spec.targetRefs), ...(policy.spec.targetRef === undefined ? [] : [policy.spec.targetRef])].map(asObject);
    for (const ref of refs) {
      if (asString(ref?.group) !== GROUP || asString(ref?.kind) !== 'Gateway') {
        continue;
      }
      const name = asString(ref?.name);
      if (!objectsOf(set, GROUP, 'Gateway').some((g) => g.name === name && g.namespace === policy.namespace)) {
        findings.push(finding('policy-target-not-found', policy.ref,
          `targetRefs names Gateway ${policy.namespace}/${name}, which is not in the set, so the policy applies to nothing.`,
          `Create Gateway ${name} in namespace ${policy.namespace}, or fix the name (targetRefs never cross namespaces).`));
      }
    }
  }
  return findings;
}

function checkRoutes(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const route of objectsOf(set, GROUP, 'HTTPRoute')) {
    for (const parent of asArray(route.spec.parentRefs).map(asObject)) {
      findings.push(...checkParent(set, route, parent ?? {}));
    }
    for (const rule of asArray(route.spec.rules).map(asObject)) {
      for (const backend of asArray(rule?.backendRefs).map(asObject)) {
        findings.push(...checkBackend(set, route, backend ?? {}));
      }
    }
  }
  return findings;
}

function checkParent(set: ManifestSet, route: KubeObject, parent: Readonly<Record<string, unknown>>): AnalysisFinding[] {
  if ((asString(parent.group) ?? GROUP) !== GROUP || (asString(parent.kind) ?? 'Gateway') !== 'Gateway') {
    return [];
  }
  const namespace = asString(parent.namespace) ?? route.namespace!;
  const name = asString(parent.name);
  const gateway = objectsOf(set, GROUP, 'Gateway').find((g) => g.name === name && g.namespace === namespace);
  const where = `Gateway ${namespace}/${name}`;
  if (gateway === undefined) {
    return [finding('route-parent-not-found', route.ref, `parentRefs names ${where}, which is not in the set, so the route attaches to nothing.`,
      `Create ${where}, or fix parentRefs.`)];
  }
  const section = asString(parent.sectionName);
  const listeners = asArray(gateway.spec.listeners).map(asObject).filter((l): l is Readonly<Record<string, unknown>> => l !== undefined);
  const chosen = section === undefined ? listeners : listeners.filter((l) => l.name === section);
  if (chosen.length === 0) {
    return [finding('route-parent-not-found', route.ref, `parentRefs names listener ${JSON.stringify(section)} of ${where}, which has no such listener `
      + `(it has ${listeners.map((l) => JSON.stringify(l.name)).join(', ') || 'none'}).`, 'Use one of its listener names as sectionName.')];
  }
  const admitting = chosen.filter((l) => listenerAdmits(set, l, route, namespace));
  if (admitting.length > 0) {
    return [];
  }
  return [finding('route-not-allowed-by-listener', route.ref,
    `No listener of ${where}${section === undefined ? '' : ` named ${JSON.stringify(section)}`} admits an HTTPRoute from namespace ${route.namespace} `
    + `(${chosen.map((l) => `${String(l.name)}: ${String(l.protocol)}, routes from ${allowedFrom(l)}`).join('; ')}), so the route is not attached (NotAllowedByListeners).`,
    `Let the listener admit routes from namespace ${route.namespace} (allowedRoutes.namespaces: from: Selector on kubernetes.io/metadata.name, or All), `
    + 'or attach the route to an HTTP or HTTPS listener.')];
}

function allowedFrom(listener: Readonly<Record<string, unknown>>): string {
  return asString(asObject(asObject(listener.allowedRoutes)?.namespaces)?.from) ?? 'Same';
}

/** Whether a listener takes an HTTPRoute from `route`'s namespace: its protocol, `allowedRoutes.kinds` and `.namespaces`. */
function listenerAdmits(set: ManifestSet, listener: Readonly<Record<string, unknown>>, route: KubeObject, gatewayNamespace: string): boolean {
  const allowed = asObject(listener.allowedRoutes);
  const kinds = asArray(allowed?.kinds).map(asObject);
  const kindOk = kinds.length === 0 ? (ROUTE_KINDS[String(listener.protocol)] ?? []).includes('HTTPRoute')
    : kinds.some((k) => asString(k?.kind) === 'HTTPRoute' && (asString(k?.group) ?? GROUP) === GROUP);
  if (!kindOk) {
    return false;
  }
  const namespaces = asObject(allowed?.namespaces);
  switch (asString(namespaces?.from) ?? 'Same') {
    case 'All':
      return true;
    case 'Same':
      return route.namespace === gatewayNamespace;
    case 'Selector': {
      const info = set.namespaces.get(route.namespace!);
      if (info === undefined) {
        return true; // unknown namespace: the namespace-missing rule reports it
      }
      return labelSelectorMatches(asObject(namespaces?.selector), { ...info.labels, 'kubernetes.io/metadata.name': info.name });
    }
    default:
      return false;
  }
}

/** A Kubernetes LabelSelector (matchLabels and matchExpressions) against labels; an empty selector matches everything. */
function labelSelectorMatches(selector: Readonly<Record<string, unknown>> | undefined, labels: StringMap): boolean {
  if (!selectorMatches(selectorOf(selector?.matchLabels), labels)) {
    return false;
  }
  return asArray(selector?.matchExpressions).map(asObject).every((e) => {
    const key = asString(e?.key) ?? '';
    const values = asArray(e?.values).map(asString);
    switch (asString(e?.operator)) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: return false;
    }
  });
}

function checkBackend(set: ManifestSet, route: KubeObject, backend: Readonly<Record<string, unknown>>): AnalysisFinding[] {
  if ((asString(backend.group) ?? '') !== '' || (asString(backend.kind) ?? 'Service') !== 'Service') {
    return [];
  }
  const name = asString(backend.name);
  const namespace = asString(backend.namespace) ?? route.namespace!;
  const port = backend.port;
  const service = objectsOf(set, '', 'Service').find((s) => s.name === name && s.namespace === namespace);
  const where = `Service ${namespace}/${name}`;
  if (service === undefined) {
    return [finding('route-backend-not-found', route.ref, `backendRefs names ${where}, which is not in the set, so requests get 500 (BackendNotFound).`,
      `Create ${where}, or fix the backendRef.`)];
  }
  const ports = asArray(service.spec.ports).map((p) => asObject(p)?.port);
  if (!ports.includes(port)) {
    return [finding('route-backend-not-found', route.ref, `backendRefs names port ${String(port)} of ${where}, which has ports ${ports.join(', ') || 'none'}.`,
      'Use one of the Service\'s ports.')];
  }
  if (namespace !== route.namespace && !referenceGranted(set, route, namespace, String(name))) {
    return [finding('route-backend-not-found', route.ref, `backendRefs names ${where} in another namespace, and no ReferenceGrant there lets HTTPRoutes `
      + `of ${route.namespace} refer to it (RefNotPermitted).`, `Add a ReferenceGrant in ${namespace} from HTTPRoute in ${route.namespace} to Service ${name}, or move the route.`)];
  }
  return [];
}

function referenceGranted(set: ManifestSet, route: KubeObject, namespace: string, name: string): boolean {
  return objectsOf(set, GROUP, 'ReferenceGrant').some((grant) => grant.namespace === namespace
    && asArray(grant.spec.from).map(asObject).some((f) => asString(f?.group) === GROUP && asString(f?.kind) === 'HTTPRoute' && asString(f?.namespace) === route.namespace)
    && asArray(grant.spec.to).map(asObject).some((t) => (asString(t?.group) ?? '') === '' && asString(t?.kind) === 'Service' && (t?.name === undefined || t.name === name)));
}

// Working path: istiod renders nothing for a Gateway whose parameters it cannot read.
function checkParameters(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const gateway of istioGateways(set.objects)) {
    const ref = asObject(asObject(gateway.spec.infrastructure)?.parametersRef);
    if (ref === undefined) {
      continue;
    }
    if (asString(ref.group) !== '' || asString(ref.kind) !== 'ConfigMap') {
      findings.push(finding('gateway-parameters-invalid', gateway.ref, `istiod reads only a core ConfigMap as infrastructure parameters, got ${String(ref.group)}/${String(ref.kind)} `
        + '("unknown infrastructure parameters type"), so it deploys nothing for this Gateway.', 'Point parametersRef at a ConfigMap in the Gateway\'s namespace (group "").'));
      continue;
    }
    const configMap = objectsOf(set, '', 'ConfigMap').find((c) => c.name === ref.name && c.namespace === gateway.namespace);
    if (configMap === undefined) {
      findings.push(finding('gateway-parameters-invalid', gateway.ref, `parametersRef targets ConfigMap ${gateway.namespace}/${String(ref.name)}, which is not in the set `
        + '("configmap does not exist"), so istiod deploys nothing for this Gateway.', 'Add the ConfigMap to the manifests, in the Gateway\'s namespace.'));
      continue;
    }
    const unknown = Object.keys(asObject(configMap.raw.data) ?? {}).filter((key) => !OVERLAY_KEYS.includes(key));
    if (unknown.length > 0) {
      findings.push(finding('gateway-parameters-invalid', configMap.ref, `ConfigMap ${configMap.namespace}/${configMap.name} has data keys istiod does not apply `
        + `(${unknown.join(', ')}: "unsupported overlay"), so it deploys nothing for Gateway ${gateway.name}.`, `Keep only the keys ${OVERLAY_KEYS.join(', ')}.`));
    }
  }
  return findings;
}
