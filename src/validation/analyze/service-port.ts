// IST0118 (and IST0150 for ExternalName Services): a Service port whose protocol Istio cannot
// tell from its name or appProtocol.
//
// Follows istio/istio 1.30.x pkg/config/analysis/analyzers/service/portname.go (PortNameAnalyzer),
// pkg/config/kube/conversion.go (ConvertProtocol) and pkg/config/protocol/instance.go (Parse).
import { IGNORED_NAMESPACES } from './injection';
import { asArray, asObject, asString, KubeObject, ManifestSet, objectsOf } from './model';
import { finding } from './rules';
import { AnalysisFinding } from './types';

const PROTOCOLS = new Set(['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql']);
// Ports treated as TCP when nothing names the protocol (SMTP, DNS, MySQL, MongoDB).
const WELL_KNOWN_PORTS = new Set([25, 53, 3306, 27017]);
// Kubernetes' standard appProtocol values that Istio maps.
const KUBERNETES_APP_PROTOCOLS = new Set(['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss']);

/** Whether Istio can tell the protocol of a Service port (ConvertProtocol is not "unsupported"). */
export function protocolKnown(port: number, name: string, protocol: string | undefined, appProtocol: string | undefined): boolean {
  if (protocol === 'UDP') {
    return true;
  }
  let text = name;
  if (appProtocol !== undefined) {
    if (KUBERNETES_APP_PROTOCOLS.has(appProtocol)) {
      return true;
    }
    text = appProtocol;
  }
  if (text.toLowerCase().startsWith('grpc-web')) {
    return true;
  }
  const dash = text.indexOf('-');
  const prefix = (dash >= 0 ? text.slice(0, dash) : text).toLowerCase();
  return PROTOCOLS.has(prefix) || WELL_KNOWN_PORTS.has(port);
}

/** Runs the port-name rule. */
export function analyzeServicePorts(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const service of objectsOf(set, '', 'Service')) {
    // The analyzer skips system namespaces and Istio's own Services (label `istio`, or
    // `release: istio`), such as the istio-ingressgateway Service.
    if (IGNORED_NAMESPACES.has(service.namespace!) || 'istio' in service.labels || service.labels.release === 'istio') {
      continue;
    }
    findings.push(...checkService(service));
  }
  return findings;
}

function checkService(service: KubeObject): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  const externalName = service.spec.type === 'ExternalName';
  for (const port of asArray(service.spec.ports).map(asObject)) {
    if (port === undefined) {
      continue;
    }
    const name = asString(port.name) ?? '';
    const number = Number(port.port);
    const known = protocolKnown(number, name, asString(port.protocol), asString(port.appProtocol));
    if (known && !(externalName && name === 'tcp')) {
      continue;
    }
    if (externalName) {
      findings.push(finding('IST0150', service.ref,
        `Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly (port ${number}).`,
        `Name port ${number} after its protocol other than plain "tcp" (e.g. "https-${number}", "tls-${number}"), or set appProtocol.`));
      continue;
    }
    const target = port.targetPort === undefined ? String(number) : String(port.targetPort);
    findings.push(finding('IST0118', service.ref,
      `Port name ${name === '' ? '(none)' : name} (port: ${number}, targetPort: ${target}) doesn't follow the naming convention of Istio port.`,
      `Name the port <protocol>[-<suffix>] with an Istio protocol (http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis), e.g. "http-web", or set appProtocol (e.g. appProtocol: http).`));
  }
  return findings;
}
