// Working path: a pod template that asks for TPROXY interception gets it only with a sidecar.
// The annotation is read by the sidecar injector (istio-init / CNI rules), so on a pod that is not
// injected it does nothing, and the app sees the sidecar's address instead of the client's. The
// gateway injection template sets up no interception at all, so the annotation does nothing on a
// gateway either.
import { injectionOf, usesGatewayTemplate } from './injection';
import { describeTemplate, ManifestSet } from './model';
import { finding } from './rules';
import { AnalysisFinding } from './types';

const INTERCEPTION_MODE = 'sidecar.istio.io/interceptionMode';

/** Runs the TPROXY rules. */
export function analyzeTproxy(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const template of set.podTemplates) {
    if (template.owner === undefined || template.annotations[INTERCEPTION_MODE] !== 'TPROXY') {
      continue;
    }
    if (usesGatewayTemplate(template)) {
      findings.push(finding('tproxy-on-gateway', template.owner.ref,
        `${describeTemplate(template)} uses gateway injection and asks for ${INTERCEPTION_MODE}: TPROXY; a gateway intercepts nothing, so the annotation does nothing.`,
        `Remove ${INTERCEPTION_MODE} from the gateway pods; keep it on the application pods behind the gateway.`));
      continue;
    }
    const decision = injectionOf(set, template);
    if (!decision.injected) {
      findings.push(finding('tproxy-not-injected', template.owner.ref,
        `${describeTemplate(template)} asks for ${INTERCEPTION_MODE}: TPROXY but gets no sidecar: ${decision.reason}. Without a sidecar the annotation does nothing.`,
        `Label namespace ${template.namespace} istio-injection=enabled (or istio.io/rev=<revision>; declare it with existingNamespaces / --injected if it is created elsewhere), `
        + 'or give the pod template the label sidecar.istio.io/inject: "true"; remove a sidecar.istio.io/inject: "false" label or annotation.'));
    }
  }
  return findings;
}
