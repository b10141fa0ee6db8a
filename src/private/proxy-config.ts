import { IConstruct } from 'constructs';
import { Warnings } from '../warnings';
import { show } from './problems';
import { decodeMessage, DecodeReport, sameMeaning } from './proxy-config-decode';
import { FieldType, MessageType, PROXY_CONFIG } from './proxy-config-schema';
import { proxyConfigRuleProblems } from './proxy-config-validation';
import { decodeYaml11, JsonValue } from './yaml11';

export { JsonValue } from './yaml11';

/** The pod annotation Istio reads a per-pod ProxyConfig from. */
export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

/** A ProxyConfig read as Istio reads it, in canonical form, or why it cannot be read. */
export type ProxyConfigReading =
  | {
    readonly ok: true;
    /** JSON field names, enum names, plain integers; `null` fields dropped; unknown fields kept as written. */
    readonly config: Record<string, JsonValue>;
    /** One sentence per field Istio does not know and drops without a word. */
    readonly warnings: readonly string[];
  }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reads a `proxy.istio.io/config` value as Istio 1.30 does: YAML 1.1 (`sigs.k8s.io/yaml`), then
 * protobuf JSON (`jsonpb`): proto and JSON field names (`gateway_topology` = `gatewayTopology`),
 * quoted integers, enum names, Duration strings, wrapper values. The result is canonical, so two
 * spellings of one setting compare equal.
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/#ProxyConfig
 */
export function readProxyConfig(text: string): ProxyConfigReading {
  const yaml = decodeYaml11(text);
  if (!yaml.ok) {
    return { ok: false, problems: [`${show(text)} cannot be read: ${yaml.problem}. Fix: write it as a JSON or YAML map, e.g. {"concurrency": 2}`] };
  }
  const value = yaml.value;
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    return {
      ok: false,
      problems: [`${show(text)} cannot be read: it is a ${Array.isArray(value) ? 'list' : typeof value}, not a map of ProxyConfig fields. `
        + 'Fix: write it as a JSON or YAML map, e.g. {"concurrency": 2}'],
    };
  }
  const report: DecodeReport = { problems: [], unknown: [] };
  const config = decodeMessage(value, PROXY_CONFIG, '', report);
  if (config === undefined || report.problems.length > 0) {
    return { ok: false, problems: report.problems };
  }
  return {
    ok: true,
    config,
    warnings: report.unknown.map((u) => `ProxyConfig has no field ${u.path}, so Istio ignores it without a word. `
      + `Fix: ${u.suggestion === undefined ? 'remove it' : `did you mean ${u.path.replace(/[^.]+$/, u.suggestion)}?`}`),
  };
}

/**
 * Reads a `proxy.istio.io/config` value into its canonical form (JSON field names, enum names),
 * or returns why it cannot be read. Both spellings of a field are read: `interception_mode: 1`
 * comes back as `interceptionMode: "TPROXY"`.
 */
export function parseProxyConfig(text: string): Record<string, JsonValue> | string {
  const reading = readProxyConfig(text);
  return reading.ok ? reading.config : reading.problems[0];
}

/**
 * The inbound interception mode a `proxy.istio.io/config` value sets (`REDIRECT`, `TPROXY` or
 * `NONE`), whichever spelling or form it uses, or `undefined` when it sets none or cannot be read.
 */
export function proxyConfigInterceptionMode(text: string): string | undefined {
  const reading = readProxyConfig(text);
  const mode = reading.ok ? reading.config.interceptionMode : undefined;
  return typeof mode === 'string' ? mode : undefined;
}

/**
 * Every reason Istio 1.30 would refuse this `proxy.istio.io/config` value (the injector rejects
 * the pod), and the fields it would ignore.
 */
export function proxyConfigProblems(text: string): { readonly problems: readonly string[]; readonly warnings: readonly string[] } {
  const reading = readProxyConfig(text);
  return reading.ok ? { problems: proxyConfigRuleProblems(reading.config), warnings: reading.warnings } : { problems: reading.problems, warnings: [] };
}

/** The merged annotation text, or why it could not be merged. */
export type MergeResult =
  | { readonly ok: true; readonly text: string; readonly config: Record<string, JsonValue>; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Merges `patch` into the ProxyConfig already in the annotation (if any), field by field, and
 * checks the result as Istio's injector does.
 *
 * The `kubectl patch` commands in the usual guides each replace the whole annotation, so a second
 * patch silently drops the first one's fields. Here every field the user already set survives; a
 * field set to a value with the same meaning (`"2"` and `2` for an integer, `gateway_topology` and
 * `gatewayTopology`) is fine, and a different value is a conflict: it is reported naming both
 * values, never overwritten. The text written is canonical JSON, which Istio reads to the same
 * ProxyConfig.
 */
export function mergeProxyConfig(existing: string | undefined, patch: Record<string, JsonValue>): MergeResult {
  const base = existing === undefined ? { ok: true as const, config: {}, warnings: [] } : readProxyConfig(existing);
  if (!base.ok) {
    return { ok: false, problems: base.problems.map((p) => `the existing ${PROXY_CONFIG_ANNOTATION} annotation: ${p}`) };
  }
  const report: DecodeReport = { problems: [], unknown: [] };
  const canonicalPatch = decodeMessage(patch, PROXY_CONFIG, '', report) ?? {};
  const problems: string[] = [...report.problems];
  const merged = mergeInto(base.config, canonicalPatch, '', PROXY_CONFIG, problems);
  problems.push(...proxyConfigRuleProblems(merged));
  if (problems.length > 0) {
    return { ok: false, problems };
  }
  return { ok: true, text: JSON.stringify(merged), config: merged, warnings: base.warnings };
}

function mergeInto(base: Record<string, JsonValue>, patch: Record<string, JsonValue>, path: string, type: MessageType | undefined,
  problems: string[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const at = path === '' ? key : `${path}.${key}`;
    // Own keys only: `in` would also find Object.prototype names such as `constructor`, and a
    // plain assignment of `__proto__` would set the prototype instead of adding a field.
    if (!Object.prototype.hasOwnProperty.call(base, key)) {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const current = base[key];
    const spec = type?.fields.find((f) => f.json === key);
    const fieldType: FieldType | undefined = spec?.type;
    const nested = spec === undefined ? undefined : 'message' in spec.type && spec.repeated !== true && spec.map !== true ? spec.type.message : undefined;
    const mergeable = spec === undefined || nested !== undefined || spec.map === true;
    if (isMap(current) && isMap(value) && mergeable) {
      out[key] = mergeInto(current, value, at, nested, problems);
    } else if (!sameMeaning(current, value, fieldType)) {
      problems.push(`${PROXY_CONFIG_ANNOTATION} already sets ${at} to ${JSON.stringify(current)}, and this construct would set ${JSON.stringify(value)}. `
        + `Fix: remove ${at} from the annotation you pass in, or make both values agree`);
    }
  }
  return out;
}

function isMap(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Records on `scope` the fields of a ProxyConfig in `prop` that Istio ignores. */
export function reportProxyConfigWarnings(scope: IConstruct, prop: string, warnings: readonly string[]): void {
  for (const warning of warnings) {
    Warnings.of(scope).add('proxy-config-unknown-field', `${prop}: ${warning}`);
  }
}
