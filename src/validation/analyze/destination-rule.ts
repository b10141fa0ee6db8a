// IST0174: a DestinationRule host that matches no Service or ServiceEntry.
//
// Follows istio/istio 1.30.x pkg/config/analysis/analyzers/destinationrule/subset.go
// (PodNotSelectedAnalyzer), which looks the host up like VirtualService destinations, with the
// DestinationRule's own exportTo.
import { buildHostIndex, lookUpHost, stringList } from './hosts';
import { ManifestSet, objectsOf } from './model';
import { finding } from './rules';
import { AnalysisFinding } from './types';

/** Runs the DestinationRule rule. */
export function analyzeDestinationRules(set: ManifestSet): AnalysisFinding[] {
  const hosts = buildHostIndex(set);
  const findings: AnalysisFinding[] = [];
  for (const dr of objectsOf(set, 'networking.istio.io', 'DestinationRule')) {
    const host = typeof dr.spec.host === 'string' ? dr.spec.host : '';
    if (lookUpHost(hosts, dr.namespace!, stringList(dr.spec.exportTo), host) !== undefined) {
      continue;
    }
    const short = host.split('.')[0];
    const sameName = [...hosts.values()].map((e) => e.object).find((o) => o.kind === 'Service' && o.name === short);
    findings.push(finding('IST0174', dr.ref, `The host ${host} defined in the DestinationRule does not match any services in the mesh.`,
      sameName !== undefined
        ? `Service ${sameName.namespace}/${sameName.name} exists: write its host as "${sameName.name}.${sameName.namespace}.svc.cluster.local"`
          + (sameName.namespace === dr.namespace ? ` (or "${sameName.name}")` : '') + '.'
        : `Point spec.host at a Service in the set (short name in namespace ${dr.namespace}, or <name>.<namespace>.svc.cluster.local), or create the Service.`));
  }
  return findings;
}
