// AuthorizationPolicy rules: IST0127 (the selector matches no workload in the mesh) and IST0101
// (a source namespace that does not exist).
//
// Follows istio/istio 1.30.x pkg/config/analysis/analyzers/authz/authorizationpolicies.go
// (AuthorizationPoliciesAnalyzer). Pods are the pod templates of the set's workloads (and the
// declared installed gateways); like the analyzer, only pods "in the mesh" count (util/in_mesh.go).
import { inMeshForAnalyzers } from './injection';
import { asArray, asObject, describeTemplate, KubeObject, ManifestSet, objectsOf, PodTemplateInfo, selectorString } from './model';
import { finding } from './rules';
import { selectorMatches, selectorOf } from './selectors';
import { stringList } from './hosts';
import { AnalysisFinding } from './types';

/** Runs the AuthorizationPolicy rules. */
export function analyzeAuthorizationPolicies(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  const meshPods = set.podTemplates.filter((t) => inMeshForAnalyzers(set, t));
  for (const policy of objectsOf(set, 'security.istio.io', 'AuthorizationPolicy')) {
    findings.push(...checkWorkloads(set, policy, meshPods), ...checkNamespaces(set, policy));
  }
  return findings;
}

function considered(set: ManifestSet, pods: readonly PodTemplateInfo[], namespace: string | undefined): string {
  const all = set.podTemplates.filter((t) => namespace === undefined || t.namespace === namespace);
  if (all.length === 0) {
    return namespace === undefined ? 'there are no pod templates in the set' : `there are no pod templates in namespace ${namespace}`;
  }
  return `pod templates considered: ${all.map((t) => `${describeTemplate(t)} {${selectorString(t.labels)}}${pods.includes(t) ? '' : ' (not in the mesh)'}`).join('; ')}`;
}

function checkWorkloads(set: ManifestSet, policy: KubeObject, meshPods: readonly PodTemplateInfo[]): AnalysisFinding[] {
  const rawSelector = asObject(policy.spec.selector);
  const selector = selectorOf(rawSelector?.matchLabels);
  const shown = selectorString(selector);
  const fix = 'Set selector.matchLabels to the labels of the pods the policy is for (for a gateway, its pod labels), and make sure those pods get a proxy '
    + '(namespace label istio-injection=enabled or pod label sidecar.istio.io/inject: "true"; the analyzer does not count istio.io/rev).';
  if (policy.namespace === set.rootNamespace) {
    // A policy in the root namespace applies mesh-wide; with a selector it must match some pod.
    if (rawSelector !== undefined && !meshPods.some((p) => selectorMatches(selector, p.labels))) {
      return [finding('IST0127', policy.ref, `No matching workloads for this resource with the following labels: ${shown} (${considered(set, meshPods, undefined)}).`, fix)];
    }
    return [];
  }
  const inNamespace = meshPods.filter((p) => p.namespace === policy.namespace);
  if (rawSelector === undefined) {
    if (inNamespace.length === 0) {
      return [finding('IST0127', policy.ref, `No matching workloads for this resource with the following labels:  (${considered(set, meshPods, policy.namespace)}).`, fix)];
    }
    return [];
  }
  if (!inNamespace.some((p) => selectorMatches(selector, p.labels))) {
    return [finding('IST0127', policy.ref,
      `No matching workloads for this resource with the following labels: ${shown} (${considered(set, meshPods, policy.namespace)}).`, fix)];
  }
  return [];
}

// namespaceMatch: "*", a "*suffix", a "prefix*", or the name (case-insensitive).
function namespaceMatches(name: string, pattern: string): boolean {
  if (pattern === '*') {
    return true;
  }
  if (pattern.startsWith('*')) {
    return name.endsWith(pattern.slice(1));
  }
  if (pattern.endsWith('*')) {
    return name.startsWith(pattern.slice(0, -1));
  }
  return name.toLowerCase() === pattern.toLowerCase();
}

function checkNamespaces(set: ManifestSet, policy: KubeObject): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  const names = [...set.namespaces.keys()];
  for (const rule of asArray(policy.spec.rules).map(asObject)) {
    for (const from of asArray(rule?.from).map(asObject)) {
      const source = asObject(from?.source);
      for (const ns of [...stringList(source?.namespaces), ...stringList(source?.notNamespaces)]) {
        if (!names.some((n) => namespaceMatches(n, ns))) {
          findings.push(finding('IST0101', policy.ref, `Referenced namespace not found: "${ns}".`,
            `Create Namespace ${ns}, declare that it exists (existingNamespaces / --exists ${ns}), or fix the name in rules[].from[].source.`));
        }
      }
    }
  }
  return findings;
}
