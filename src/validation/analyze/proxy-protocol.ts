// Working path: PROXY protocol must be on at both ends or at neither. A gateway whose
// `proxy.istio.io/config` sets `gatewayTopology.proxyProtocol` closes every connection that does not
// start with a PROXY header, so a load balancer must be told to send one (a Service annotation);
// and a load balancer told to send PROXY headers to gateway pods that do not expect them breaks
// every request the same way (istio.md §2, peers.md "Notes that cut across rows").
import { yaml } from '../../private/lazy-yaml';
import { gatewayPodStatus } from './injection';
import { proxyProtocolAnnotationsIn } from './lb-proxy-annotations';
import { asObject, describeTemplate, KubeObject, ManifestSet, objectsOf, PodTemplateInfo } from './model';
import { finding } from './rules';
import { selectorMatches, selectorOf } from './selectors';
import { AnalysisFinding } from './types';

const PROXY_CONFIG = 'proxy.istio.io/config';

/** Whether the pod template's ProxyConfig annotation turns `gatewayTopology.proxyProtocol` on. */
export function expectsProxyProtocol(template: PodTemplateInfo): boolean {
  const text = template.annotations[PROXY_CONFIG];
  if (text === undefined) {
    return false;
  }
  try {
    const topology = asObject(asObject(yaml().parse(text))?.gatewayTopology);
    return topology?.proxyProtocol !== undefined && topology.proxyProtocol !== null;
  } catch {
    // A ProxyConfig that does not parse is another rule's business (annotation validation).
    return false;
  }
}

/** Services that select the pods of `template`: same namespace, a selector, all its labels on the pods. */
function servicesSelecting(set: ManifestSet, template: PodTemplateInfo): KubeObject[] {
  return objectsOf(set, '', 'Service').filter((s) => {
    const selector = selectorOf(s.spec.selector);
    return s.namespace === template.namespace && Object.keys(selector).length > 0 && selectorMatches(selector, template.labels);
  });
}

/** Runs the PROXY protocol rules. */
export function analyzeProxyProtocol(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const template of set.podTemplates) {
    if (template.owner === undefined) {
      continue;
    }
    const services = servicesSelecting(set, template);
    const sending = services.filter((s) => proxyProtocolAnnotationsIn(s.annotations, set.proxyProtocolAnnotations).length > 0);
    if (expectsProxyProtocol(template)) {
      if (sending.length === 0) {
        const seen = services.length === 0
          ? 'no Service selects its pods'
          : `the Services selecting its pods (${services.map((s) => `${s.namespace}/${s.name}, type ${String(s.spec.type ?? 'ClusterIP')}`).join('; ')}) carry no annotation that makes a load balancer send PROXY headers`;
        findings.push(finding('proxy-protocol-without-lb', template.owner.ref,
          `${describeTemplate(template)} sets gatewayTopology.proxyProtocol in ${PROXY_CONFIG}, so it rejects every connection without a PROXY header, but ${seen}.`,
          'Annotate the gateway Service for the load balancer in front (e.g. service.beta.kubernetes.io/aws-load-balancer-proxy-protocol: "*", '
          + 'load-balancer.hetzner.cloud/uses-proxyprotocol: "true"; an unlisted load balancer: proxyProtocolAnnotations), '
          + 'or remove proxyProtocol if the load balancer does not send PROXY headers.'));
      }
      continue;
    }
    if (sending.length > 0 && gatewayPodStatus(set, template).injected) {
      for (const service of sending) {
        findings.push(finding('proxy-protocol-not-expected', service.ref,
          `Service ${service.namespace}/${service.name} tells its load balancer to send PROXY headers (${proxyProtocolAnnotationsIn(service.annotations, set.proxyProtocolAnnotations).join(', ')}) `
          + `to the gateway pods of ${describeTemplate(template)}, whose ${PROXY_CONFIG} does not set gatewayTopology.proxyProtocol: they read the header as the request and fail it.`,
          `Set gatewayTopology.proxyProtocol: {} in the gateway's ${PROXY_CONFIG} (unless meshConfig.defaultConfig already does for every gateway), or remove the annotation.`));
      }
    }
  }
  return findings;
}

