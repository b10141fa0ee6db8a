// cspell:ignore Einumk KMGTP
import { IConstruct } from 'constructs';
import { Warnings } from '../warnings';
import { ISTIO_ANNOTATIONS, IstioAnnotationEntry } from './data/istio-annotations';
import { parseIpPrefix } from './ip';
import { mustBe } from './problems';
import { PROXY_CONFIG_ANNOTATION, proxyConfigProblems } from './proxy-config';
import { editDistance } from './proxy-config-decode';

/**
 * What Istio 1.30 makes of the `*.istio.io/*` annotations on one object, as `istioctl analyze`
 * and the sidecar injector see them:
 * - a name not in Istio's registry is ignored by Istio: a warning (IST0108 UnknownAnnotation);
 * - a name registered for other kinds only is ignored on this one: an error (IST0107
 *   MisplacedAnnotation), since the setting the user meant never takes effect;
 * - a deprecated name: a warning (IST0135 DeprecatedAnnotation);
 * - on a Pod, a value the injector refuses rejects the pod: an error (IST0125 InvalidAnnotation).
 *
 * The registry is Istio's `annotations.yaml` (generated into `data/istio-annotations.ts` by
 * `scripts/extract-annotations.ts`). The analyzer only looks at keys whose prefix ends in
 * `istio.io`, and so does this check.
 *
 * @see https://github.com/istio/istio/blob/release-1.30/pkg/config/analysis/analyzers/annotations/annotations.go
 * @see https://github.com/istio/istio/blob/release-1.30/pkg/kube/inject/validate.go
 */
export function istioAnnotationProblems(kind: AnnotationKind, prop: string, annotations: unknown, ignore: readonly string[] = []): AnnotationFindings {
  const findings: AnnotationFindings = { errors: [], warnings: [] };
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
    return findings;
  }
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    if (!isIstioKey(key) || ignore.includes(key)) {
      continue;
    }
    const at = `${prop}["${key}"]`;
    const entry = REGISTRY.get(key);
    if (entry === undefined) {
      const near = nearest(key);
      findings.warnings.push({
        id: 'istio-annotation-unknown',
        message: `${at} is not an annotation Istio 1.30 knows, so Istio ignores it (istioctl analyze: IST0108 UnknownAnnotation). `
          + `Fix: ${near === undefined ? 'remove it, or check the name against https://istio.io/latest/docs/reference/config/annotations/' : `did you mean ${near}?`}`,
      });
      continue;
    }
    if (!entry.resources.includes('Any') && !entry.resources.includes(kind)) {
      findings.errors.push(mustBe(`${prop} key`, `an annotation Istio reads on a ${kind}`, key,
        `move it to the ${entry.resources.join(' or ')} metadata${entry.resources.includes('Pod') ? ' (podAnnotations)' : entry.resources.includes('Service') ? ' (serviceAnnotations)' : ''}: `
        + `Istio reads ${key} on ${entry.resources.join(', ')} only and ignores it here (istioctl analyze: IST0107 MisplacedAnnotation)`));
      continue;
    }
    if (entry.deprecated) {
      findings.warnings.push({
        id: 'istio-annotation-deprecated',
        message: `${at} is deprecated in Istio 1.30 (istioctl analyze: IST0135 DeprecatedAnnotation). Fix: ${DEPRECATION_FIX[key] ?? 'remove it'}`,
      });
    }
    if (kind === 'Pod' && typeof value === 'string') {
      findings.errors.push(...podValueProblems(at, key, value));
    }
  }
  return findings;
}

/** A resource kind in Istio's annotation registry. */
export type AnnotationKind = 'Pod' | 'Service' | 'Deployment' | 'Namespace' | 'Gateway' | 'ServiceEntry' | 'AuthorizationPolicy';

/** Errors (refuse) and warnings (record) about a set of annotations. */
export interface AnnotationFindings {
  readonly errors: string[];
  readonly warnings: { readonly id: 'istio-annotation-unknown' | 'istio-annotation-deprecated'; readonly message: string }[];
}

/** Records the warnings of `findings` on `scope`. */
export function reportAnnotationWarnings(scope: IConstruct, findings: AnnotationFindings): void {
  const warnings = Warnings.of(scope);
  for (const warning of findings.warnings) {
    if (warning.id === 'istio-annotation-unknown') {
      warnings.add('istio-annotation-unknown', warning.message);
    } else {
      warnings.add('istio-annotation-deprecated', warning.message);
    }
  }
}

/** Whether Istio's analyzer treats `key` as an Istio annotation: its prefix is or ends in `istio.io`. */
export function isIstioKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? '' : key.slice(0, slash);
  return prefix === 'istio.io' || prefix.endsWith('.istio.io');
}

const REGISTRY = new Map<string, IstioAnnotationEntry>(ISTIO_ANNOTATIONS.map((entry) => [entry.name, entry]));

/** The registered annotation nearest to an unknown one, for "did you mean". */
function nearest(key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of REGISTRY.keys()) {
    const distance = name.toLowerCase() === lower ? 0 : editDistance(lower, name.toLowerCase(), 3);
    if (distance <= 3 && (best === undefined || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name;
}

const DEPRECATION_FIX: Readonly<Record<string, string>> = {
  'sidecar.istio.io/inject': 'use the pod label sidecar.istio.io/inject instead (podLabels), see https://istio.io/latest/docs/reference/config/labels/#SidecarInject',
  'traffic.sidecar.istio.io/kubevirtInterfaces': 'use istio.io/reroute-virtual-interfaces',
  'sidecar.istio.io/discoveryAddress': 'set discoveryAddress in proxy.istio.io/config',
  'sidecar.istio.io/statsInclusionPrefixes': 'set proxyStatsMatcher.inclusionPrefixes in proxy.istio.io/config',
  'sidecar.istio.io/statsInclusionSuffixes': 'set proxyStatsMatcher.inclusionSuffixes in proxy.istio.io/config',
  'sidecar.istio.io/statsInclusionRegexps': 'set proxyStatsMatcher.inclusionRegexps in proxy.istio.io/config',
  'sidecar.istio.io/extraStatTags': 'remove it: istio.stats is a native filter and needs no extra tags',
  'sidecar.istio.io/statsCompression': 'set statsCompression in proxy.istio.io/config',
};

/** A reason the injector refuses `value`, and the fix; `undefined` when it is accepted. */
type ValueRule = (value: string) => { readonly why: string; readonly fix: string } | undefined;

/**
 * The injector's `AnnotationValidation` table (validate.go), one rule per annotation, plus the
 * annotations its templates paste into the pod spec.
 */
const VALUE_RULES: Readonly<Record<string, { readonly allowed: string; readonly rule: ValueRule }>> = {
  // validate.go validateInterceptionMode
  'sidecar.istio.io/interceptionMode': {
    allowed: 'REDIRECT, TPROXY or NONE',
    rule: (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined
      : { why: 'interceptionMode invalid, use REDIRECT,TPROXY,NONE', fix: `write ${v.toUpperCase() === v ? 'REDIRECT' : v.toUpperCase()}` }),
  },
  // validate.go validateStatusPort: parsePort (spaces trimmed, 0-65535)
  'status.sidecar.istio.io/port': { allowed: 'a port number from 0 to 65535', rule: (v) => portProblem(v) },
  // validate.go validateUInt32 (strconv.ParseUint(value, 10, 32), no spaces)
  'readiness.status.sidecar.istio.io/initialDelaySeconds': { allowed: 'a whole number from 0 to 4294967295', rule: uint32Rule },
  'readiness.status.sidecar.istio.io/periodSeconds': { allowed: 'a whole number from 0 to 4294967295', rule: uint32Rule },
  'readiness.status.sidecar.istio.io/failureThreshold': { allowed: 'a whole number from 0 to 4294967295', rule: uint32Rule },
  // validate.go ValidateIncludeIPRanges / ValidateExcludeIPRanges: "*" (include only) or comma-separated CIDRs, no spaces
  'traffic.sidecar.istio.io/includeOutboundIPRanges': { allowed: '"*" or a comma-separated list of CIDRs without spaces', rule: (v) => (v === '*' ? undefined : cidrListProblem(v)) },
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': { allowed: 'a comma-separated list of CIDRs without spaces', rule: cidrListProblem },
  // validate.go ValidateIncludeInboundPorts / ValidateExcludeInboundPorts / ValidateExcludeOutboundPorts
  'traffic.sidecar.istio.io/includeInboundPorts': { allowed: '"*" or a comma-separated list of ports', rule: (v) => (v === '*' ? undefined : portListProblem(v)) },
  'traffic.sidecar.istio.io/excludeInboundPorts': { allowed: 'a comma-separated list of ports', rule: portListProblem },
  'traffic.sidecar.istio.io/excludeOutboundPorts': { allowed: 'a comma-separated list of ports', rule: portListProblem },
  // validate.go validateBool (strconv.ParseBool)
  'prometheus.istio.io/merge-metrics': {
    allowed: 'a boolean (true, false, 1, 0, t, f, TRUE, FALSE, True, False, T, F)',
    rule: (v) => (['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v) ? undefined
      : { why: `strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`, fix: 'write "true" or "false"' }),
  },
  // validate.go validateProxyConfig: the annotation applied to the defaults, then ValidateMeshConfigProxyConfig
  [PROXY_CONFIG_ANNOTATION]: {
    allowed: 'a ProxyConfig Istio accepts',
    rule: (v) => {
      const problems = proxyConfigProblems(v).problems;
      return problems.length === 0 ? undefined : { why: problems.join('; '), fix: 'correct the ProxyConfig as described' };
    },
  },
  // The sidecar injection template pastes these into `resources` as `cpu: "<value>"` and decodes a
  // Kubernetes quantity (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml).
  'sidecar.istio.io/proxyCPU': { allowed: 'a Kubernetes quantity such as 100m or 0.5', rule: quantityProblem },
  'sidecar.istio.io/proxyCPULimit': { allowed: 'a Kubernetes quantity such as 100m or 2', rule: quantityProblem },
  'sidecar.istio.io/proxyMemory': { allowed: 'a Kubernetes quantity such as 128Mi', rule: quantityProblem },
  'sidecar.istio.io/proxyMemoryLimit': { allowed: 'a Kubernetes quantity such as 1Gi', rule: quantityProblem },
};

/**
 * Annotations the injection templates paste into the pod spec as text (gateway-injection-template.yaml:
 * `image: "{{ annotation .ObjectMeta `sidecar.istio.io/proxyImage` ... }}"`, `--proxyLogLevel={{ ... }}`,
 * `name: {{ annotation .ObjectMeta `sidecar.istio.io/bootstrapOverride` "" }}`). A line break in the
 * value breaks the rendered YAML, or adds fields to the pod, so injection fails or does something else.
 */
const PASTED_INTO_TEMPLATE = [
  'sidecar.istio.io/proxyImage', 'sidecar.istio.io/logLevel', 'sidecar.istio.io/componentLogLevel', 'sidecar.istio.io/agentLogLevel',
  'sidecar.istio.io/bootstrapOverride', 'sidecar.istio.io/proxyCPU', 'sidecar.istio.io/proxyCPULimit', 'sidecar.istio.io/proxyMemory',
  'sidecar.istio.io/proxyMemoryLimit', 'sidecar.istio.io/interceptionMode', 'inject.istio.io/templates',
];

function podValueProblems(at: string, key: string, value: string): string[] {
  if (PASTED_INTO_TEMPLATE.includes(key) && /[\r\n]/.test(value)) {
    return [mustBe(at, 'a single line', value, 'remove the line break: the injector pastes this value into the pod template, '
      + 'where a line break breaks or rewrites the pod (istioctl analyze: IST0125 InvalidAnnotation)')];
  }
  const spec = VALUE_RULES[key];
  const failure = spec?.rule(value);
  if (spec === undefined || failure === undefined) {
    return [];
  }
  return [mustBe(at, spec.allowed, value, `${failure.fix}. The sidecar injector rejects the pod otherwise (${failure.why}; istioctl analyze: IST0125 InvalidAnnotation)`)];
}

function uint32Rule(value: string): { why: string; fix: string } | undefined {
  return /^[0-9]+$/.test(value) && BigInt(value) <= BigInt(4294967295) ? undefined
    : { why: `strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax or out of range`, fix: 'write a whole number of seconds or attempts, digits only' };
}

/** validate.go `parsePort`: `strconv.ParseUint(strings.TrimSpace(s), 10, 16)`. */
function portProblem(value: string): { why: string; fix: string } | undefined {
  const trimmed = value.trim();
  return /^[0-9]+$/.test(trimmed) && BigInt(trimmed) <= BigInt(65535) ? undefined
    : { why: `failed parsing port ${JSON.stringify(value)}`, fix: 'write a port number from 0 to 65535' };
}

/** validate.go `parsePorts`: trimmed; empty means none; else comma-separated `parsePort`s. */
function portListProblem(value: string): { why: string; fix: string } | undefined {
  const trimmed = value.trim();
  if (trimmed === '') {
    return undefined;
  }
  for (const port of trimmed.split(',')) {
    const problem = portProblem(port);
    if (problem !== undefined) {
      return { why: problem.why, fix: 'write port numbers from 0 to 65535 separated by commas, e.g. "8080,9090"' };
    }
  }
  return undefined;
}

/** validate.go `validateCIDRList`: empty means none; else `netip.ParsePrefix` on each comma-separated item, untrimmed. */
function cidrListProblem(value: string): { why: string; fix: string } | undefined {
  if (value === '') {
    return undefined;
  }
  for (const cidr of value.split(',')) {
    const parsed = parseIpPrefix(cidr);
    if (!parsed.ok) {
      const hint = cidr.trim() !== cidr ? 'remove the spaces around the commas' : !cidr.includes('/') ? `write ${JSON.stringify(`${cidr}/${cidr.includes(':') ? 128 : 32}`)} for a single address` : 'write each range as address/length';
      return { why: `failed parsing cidr ${JSON.stringify(cidr)}: ${parsed.reason}`, fix: hint };
    }
  }
  return undefined;
}

/** Kubernetes `resource.ParseQuantity`: a signed decimal number and an optional SI, binary or exponent suffix. */
function quantityProblem(value: string): { why: string; fix: string } | undefined {
  return /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/.test(value) ? undefined
    : { why: 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'', fix: 'write a number with an optional unit, e.g. "500m" or "256Mi"' };
}
