import { SourceIpValidationError } from '../../errors';
import { show } from '../../private/problems';
import { AnalysisFinding, AnalysisLevel, ManifestRef } from './types';

/** One rule of the manifest analyzer: its stable code, message name, level and what it checks. */
export interface AnalysisRule {
  /** `IST0101`, or this library's id (`namespace-missing`). */
  readonly code: string;
  /** The message name, e.g. `ReferencedResourceNotFound`. */
  readonly name: string;
  /** How bad a finding of this rule is. */
  readonly level: AnalysisLevel;
  /** One line: what the rule checks. */
  readonly summary: string;
}

// Codes, names and levels of the IST rules are Istio's own
// (istio/istio pkg/config/analysis/msg/messages.yaml, 1.30.x).
const RULES = [
  { code: 'IST0101', name: 'ReferencedResourceNotFound', level: AnalysisLevel.ERROR, summary: 'A VirtualService gateway or destination host (or host:port), a Gateway selector or credentialName Secret, or an AuthorizationPolicy namespace names nothing in the set.' },
  { code: 'IST0102', name: 'NamespaceNotInjected', level: AnalysisLevel.INFO, summary: 'A Namespace has neither an `istio-injection` nor an `istio.io/rev` label.' },
  { code: 'IST0112', name: 'VirtualServiceDestinationPortSelectorRequired', level: AnalysisLevel.ERROR, summary: 'A route goes to a Service with several ports and names none.' },
  { code: 'IST0118', name: 'PortNameIsNotUnderNamingConvention', level: AnalysisLevel.INFO, summary: 'A Service port has neither an Istio protocol prefix in its name nor an `appProtocol`.' },
  { code: 'IST0127', name: 'NoMatchingWorkloadsFound', level: AnalysisLevel.WARNING, summary: 'An AuthorizationPolicy selects no pod template in the mesh.' },
  { code: 'IST0132', name: 'VirtualServiceHostNotFoundInGateway', level: AnalysisLevel.WARNING, summary: 'No host of a VirtualService is served by a Gateway it binds to.' },
  { code: 'IST0145', name: 'ConflictingGateways', level: AnalysisLevel.ERROR, summary: 'Two Gateways with the same selector claim the same port and host.' },
  { code: 'IST0146', name: 'ImageAutoWithoutInjectionWarning', level: AnalysisLevel.WARNING, summary: 'A pod template with `image: auto` (gateway injection) will not be injected.' },
  { code: 'IST0150', name: 'ExternalNameServiceTypeInvalidPortName', level: AnalysisLevel.WARNING, summary: 'An ExternalName Service port is named `tcp` or has no protocol.' },
  { code: 'IST0162', name: 'GatewayPortNotDefinedOnService', level: AnalysisLevel.WARNING, summary: 'A Gateway server port is not a (target) port of a Service selecting the gateway pods.' },
  { code: 'IST0166', name: 'IneffectiveSelector', level: AnalysisLevel.WARNING, summary: 'An AuthorizationPolicy selector matches the pods istiod deploys for a Kubernetes Gateway API Gateway (use targetRefs).' },
  { code: 'IST0174', name: 'UnknownDestinationRuleHost', level: AnalysisLevel.WARNING, summary: 'A DestinationRule host matches no Service or ServiceEntry.' },
  { code: 'not-a-manifest', name: 'NotAManifest', level: AnalysisLevel.ERROR, summary: 'A document (or a file `kubectl apply -f <folder>/` reads) is not a Kubernetes object with `apiVersion` and `kind`.' },
  { code: 'namespace-missing', name: 'NamespaceMissing', level: AnalysisLevel.ERROR, summary: 'A namespaced object lands in a namespace neither created by the set nor declared as existing.' },
  { code: 'gateway-no-gateway-pods', name: 'GatewaySelectsNoGatewayPods', level: AnalysisLevel.ERROR, summary: 'A Gateway selects pods, but none is a gateway that will run (gateway injection, or a declared installed gateway).' },
  { code: 'gateway-without-listeners', name: 'GatewayWithoutListeners', level: AnalysisLevel.WARNING, summary: 'Gateway pods that no Istio Gateway selects: they open no port.' },
  { code: 'tproxy-not-injected', name: 'TproxyPodNotInjected', level: AnalysisLevel.ERROR, summary: 'A pod template asks for TPROXY interception but will get no sidecar.' },
  { code: 'tproxy-on-gateway', name: 'TproxyOnGateway', level: AnalysisLevel.WARNING, summary: 'TPROXY interception on a gateway pod, where it does nothing.' },
  { code: 'proxy-protocol-without-lb', name: 'ProxyProtocolWithoutLoadBalancer', level: AnalysisLevel.ERROR, summary: 'A gateway expects PROXY headers, but no Service selecting it tells a load balancer to send them.' },
  { code: 'policy-target-not-found', name: 'PolicyTargetNotFound', level: AnalysisLevel.ERROR, summary: 'An AuthorizationPolicy targetRefs entry names a Gateway API Gateway that is not in its namespace.' },
  { code: 'route-parent-not-found', name: 'RouteParentNotFound', level: AnalysisLevel.ERROR, summary: 'An HTTPRoute parentRef names a Gateway, or a listener of one, that is not there.' },
  { code: 'route-not-allowed-by-listener', name: 'RouteNotAllowedByListeners', level: AnalysisLevel.ERROR, summary: 'No listener an HTTPRoute names admits it (protocol, allowedRoutes kinds or namespaces).' },
  { code: 'route-backend-not-found', name: 'RouteBackendNotFound', level: AnalysisLevel.ERROR, summary: 'An HTTPRoute backendRef names a Service or port not in the set, or one in another namespace without a ReferenceGrant.' },
  { code: 'gateway-parameters-invalid', name: 'GatewayParametersInvalid', level: AnalysisLevel.ERROR, summary: 'A Gateway of class istio names parameters istiod cannot use: not a ConfigMap, missing, or with unsupported overlay keys.' },
  { code: 'proxy-protocol-not-expected', name: 'LoadBalancerProxyProtocolNotExpected', level: AnalysisLevel.ERROR, summary: 'A Service tells its load balancer to send PROXY headers to gateway pods that do not expect them.' },
] as const;

/** Every rule of `analyzeManifests` and `checkApplyFolder`, in code order. */
export const ANALYSIS_RULES: readonly AnalysisRule[] = RULES.map((r) => Object.freeze({ ...r }));

/** A code of one of the rules above. */
export type RuleCode = typeof RULES[number]['code'];

const BY_CODE = new Map<string, AnalysisRule>(ANALYSIS_RULES.map((r) => [r.code, r]));

/** Builds a finding of rule `code` (name and level from the rule table). */
export function finding(code: RuleCode, object: ManifestRef, message: string, fix: string): AnalysisFinding {
  const rule = BY_CODE.get(code)!;
  return { code, name: rule.name, level: rule.level, object, message, fix };
}

/**
 * One line per finding, as `istioctl analyze` prints them:
 * `Error [IST0101] (VirtualService shop/web) Referenced gateway not found: "edge". Fix: ...`.
 */
export function formatFinding(f: AnalysisFinding): string {
  requireFinding(f);
  const ns = f.object.namespace === undefined ? '' : `${f.object.namespace}/`;
  const file = f.object.file === undefined || f.object.file === f.object.name ? '' : ` ${f.object.file}`;
  return `${f.level} [${f.code}] (${f.object.kind} ${ns}${f.object.name}${file}) ${f.message} Fix: ${f.fix}`;
}

/** Throws unless `f` is an analysis finding (plain-JavaScript callers get the library's own error). */
function requireFinding(f: unknown): void {
  const o = f as Partial<AnalysisFinding> | null;
  const ok = o !== null && typeof o === 'object' && typeof o.level === 'string' && typeof o.code === 'string' && typeof o.message === 'string'
    && typeof o.fix === 'string' && typeof o.object === 'object' && o.object !== null && typeof o.object.kind === 'string' && typeof o.object.name === 'string';
  if (!ok) {
    throw new SourceIpValidationError('formatFinding', [`'finding' must be an analysis finding { level, code, object: { kind, name }, message, fix }, got ${show(f)}. `
      + 'Fix: pass an entry of analyzeManifests(...)']);
  }
}
