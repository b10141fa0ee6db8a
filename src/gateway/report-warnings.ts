import { explainDescribedEdge } from '../analysis/assumed-path';
import { ExplainFindingId } from '../analysis/explain';
import { Warnings } from '../warnings';
import { IIngressGateway } from './gateway';
import { GatewaySourceIpSettings } from './settings';

/**
 * Records a gateway's warnings: those its settings call for, and what Envoy's own rules find on its
 * described edge. Every way of running a gateway calls this, so each gets the same warnings for the
 * same settings.
 */
export function reportGatewayWarnings(gateway: IIngressGateway, settings: GatewaySourceIpSettings): void {
  const warnings = Warnings.of(gateway);
  for (const warning of settings.warnings) {
    warnings.add(warning.id, warning.message, warning.subject);
  }
  // Walk a normal and a forged request through the described hops with Envoy's own rules.
  for (const finding of explainDescribedEdge(gateway)?.findings ?? []) {
    if (finding.id !== ExplainFindingId.PROXY_PROTOCOL_MISMATCH) { // the settings' own check says it more precisely
      warnings.add(finding.id, `${finding.message} Fix: ${finding.fix}`, finding.subject);
    }
  }
}
