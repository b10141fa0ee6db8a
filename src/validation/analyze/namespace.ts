// Namespace rules: IST0102 (a Namespace not labelled for injection) and the working-path rule
// that every namespace an object lands in exists.
//
// IST0102 follows istio/istio 1.30.x pkg/config/analysis/analyzers/injection/injection.go
// (injection.Analyzer): it fires on each Namespace object except istio-system and ambient
// namespaces that has neither an `istio-injection` value nor an `istio.io/rev` label.
import { IGNORED_NAMESPACES } from './injection';
import { describeTemplate, KubeObject, ManifestSet } from './model';
import { finding } from './rules';
import { AnalysisFinding } from './types';

/** Runs the namespace rules. */
export function analyzeNamespaces(set: ManifestSet): AnalysisFinding[] {
  return [...checkInjectionLabels(set), ...checkNamespacesExist(set)];
}

function checkInjectionLabels(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const info of set.namespaces.values()) {
    const ns = info.object;
    if (ns === undefined || ns.name === 'istio-system' || IGNORED_NAMESPACES.has(ns.name)) {
      continue;
    }
    if (ns.labels['istio.io/dataplane-mode'] === 'ambient') {
      continue;
    }
    if ((ns.labels['istio-injection'] ?? '') === '' && !('istio.io/rev' in ns.labels)) {
      // Pods that ask for injection themselves (gateways: sidecar.istio.io/inject: "true") are only
      // injected while the namespace has no istio-injection label (the "object" webhook), so
      // istio-injection=disabled would break them.
      const selfInjected = set.podTemplates.filter((t) => t.namespace === ns.name && t.labels['sidecar.istio.io/inject'] === 'true');
      findings.push(finding('IST0102', ns.ref,
        `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${ns.name} istio-injection=enabled' to enable it, `
        + `or 'kubectl label namespace ${ns.name} istio-injection=disabled' to explicitly mark it as not needing injection.`,
        selfInjected.length > 0
          ? `Give Namespace ${ns.name} the label istio-injection=enabled (or istio.io/rev=<revision>). Not istio-injection=disabled: `
            + `${selfInjected.map(describeTemplate).join(', ')} ask${selfInjected.length === 1 ? 's' : ''} for injection with the pod label sidecar.istio.io/inject: "true", which only works while the namespace has no istio-injection label.`
          : `Give Namespace ${ns.name} the label istio-injection=enabled (or istio.io/rev=<revision>) if its pods belong in the mesh, or istio-injection=disabled if not.`));
    }
  }
  return findings;
}

// One finding per missing namespace, on the first object that lands in it, naming them all.
function checkNamespacesExist(set: ManifestSet): AnalysisFinding[] {
  const missing = new Map<string, KubeObject[]>();
  for (const object of set.objects) {
    if (object.namespace !== undefined && !set.namespaces.has(object.namespace)) {
      missing.set(object.namespace, [...missing.get(object.namespace) ?? [], object]);
    }
  }
  return [...missing].map(([ns, objects]) => finding('namespace-missing', objects[0].ref,
    `Namespace "${ns}" is neither created by these manifests nor declared as existing, so applying `
    + `${objects.map((o) => `${o.kind} ${o.name}`).join(', ')} fails (namespaces "${ns}" not found).`,
    `Add a Namespace ${ns} to the manifests, or declare that it exists in the cluster (existingNamespaces / --exists ${ns}).`));
}
