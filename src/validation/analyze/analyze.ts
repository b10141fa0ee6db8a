import { analyzeAuthorizationPolicies } from './authorization-policy';
import { analyzeDestinationRules } from './destination-rule';
import { analyzeGateways } from './gateway';
import { analyzeGatewayApi, generatedGatewayPods } from './gateway-api';
import { buildManifestSet, KubeObject } from './model';
import { analyzeNamespaces } from './namespace';
import { checkInputs } from './options';
import { analyzeProxyProtocol } from './proxy-protocol';
import { analyzeServicePorts } from './service-port';
import { analyzeTproxy } from './tproxy';
import { AnalysisFinding, AnalysisLevel, AnalyzeOptions } from './types';
import { analyzeVirtualServices } from './virtual-service';

// istioctl's per-object suppression annotation: a comma list of codes, or "*".
const SUPPRESS = 'galley.istio.io/analyze-suppress';

const LEVEL_ORDER: Record<AnalysisLevel, number> = { [AnalysisLevel.ERROR]: 0, [AnalysisLevel.WARNING]: 1, [AnalysisLevel.INFO]: 2 };

/**
 * Checks a set of Kubernetes manifests (parsed YAML documents, e.g. a `cdk8s synth` output folder)
 * the way `istioctl analyze` would against a cluster with Istio installed, plus the rules a
 * working client-IP path needs.
 *
 * Istio's rules (IST0101 referenced resources, IST0102, IST0112, IST0118, IST0127, IST0132,
 * IST0145, IST0146, IST0150, IST0162, IST0166, IST0174) follow the 1.30 analyzers, with one change:
 * where an analyzer reads running Pods, this reads the pod templates of the workloads in the set
 * (and `installedGateways`, and the pods istiod deploys for Gateway API Gateways). The working-path
 * rules check that every namespace used exists, that Gateways select gateway pods that will run and
 * gateway pods have a Gateway, that TPROXY pods get a sidecar, that PROXY protocol is on at the
 * gateway exactly when a load balancer is told to send it, and that Gateway API routes, policy
 * targetRefs and gateway parameters name what is there. Pure: data in, data out; nothing is read
 * from a cluster.
 *
 * @param docs the documents; empty ones are skipped, a `kind: List` is read as its items
 * @returns the findings, errors first, sorted by object and code; empty when nothing is wrong
 * @throws SourceIpValidationError when `docs` is not a list or an option is malformed
 * @see https://istio.io/latest/docs/reference/config/analysis/
 */
export function analyzeManifests(docs: readonly unknown[], options: AnalyzeOptions = {}): AnalysisFinding[] {
  checkInputs(docs, options);
  const built = buildManifestSet(docs, options);
  const findings = built.findings;
  // The pods istiod deploys for Gateway API Gateways count as running pods, as in a live cluster.
  const set = { ...built.set, podTemplates: [...built.set.podTemplates, ...generatedGatewayPods(built.set.objects)] };
  findings.push(
    ...analyzeNamespaces(set),
    ...analyzeServicePorts(set),
    ...analyzeVirtualServices(set),
    ...analyzeDestinationRules(set),
    ...analyzeGateways(set),
    ...analyzeAuthorizationPolicies(set),
    ...analyzeTproxy(set),
    ...analyzeProxyProtocol(set),
    ...analyzeGatewayApi(set),
  );
  const byIndex = new Map<number, KubeObject>(set.objects.map((o) => [o.ref.index!, o]));
  const kept = dedupe(findings).filter((f) => !suppressed(f, f.object.index === undefined ? undefined : byIndex.get(f.object.index)));
  return kept.sort(compareFindings);
}

function suppressed(f: AnalysisFinding, object: KubeObject | undefined): boolean {
  const codes = object?.annotations[SUPPRESS];
  if (codes === undefined) {
    return false;
  }
  const list = codes.split(',').map((c) => c.trim());
  return list.includes('*') || list.includes(f.code);
}

// Several Istio analyzers report the same message (IST0101 for a Gateway selector comes from
// three of them); istioctl prints it once.
function dedupe(findings: readonly AnalysisFinding[]): AnalysisFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.object.index}\u0000${f.object.kind}\u0000${f.object.name}\u0000${f.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

function compareFindings(a: AnalysisFinding, b: AnalysisFinding): number {
  return LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]
    || a.object.kind.localeCompare(b.object.kind)
    || (a.object.namespace ?? '').localeCompare(b.object.namespace ?? '')
    || a.object.name.localeCompare(b.object.name)
    || a.code.localeCompare(b.code)
    || a.message.localeCompare(b.message);
}
