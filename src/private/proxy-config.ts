import { parse } from 'yaml';
import { show } from './problems';

/** The pod annotation Istio reads a per-pod ProxyConfig from. */
export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

/** A JSON value as it can appear in a ProxyConfig. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The merged annotation text, or why it could not be merged. */
export type MergeResult = { readonly ok: true; readonly text: string; readonly config: Record<string, JsonValue> }
| { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses a `proxy.istio.io/config` value. Istio accepts YAML or JSON (JSON is YAML), with the
 * ProxyConfig's camelCase field names.
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/#ProxyConfig
 */
export function parseProxyConfig(text: string): Record<string, JsonValue> | string {
  let value: unknown;
  try {
    value = parse(text);
  } catch (e) {
    return `it is not valid YAML or JSON (${(e as Error).message.split('\n')[0]})`;
  }
  if (value === null || value === undefined) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return `it is a ${Array.isArray(value) ? 'list' : typeof value}, not a map of ProxyConfig fields`;
  }
  return value as Record<string, JsonValue>;
}

/**
 * Merges `patch` into the ProxyConfig already in the annotation (if any), field by field.
 *
 * The `kubectl patch` commands in the usual guides each replace the whole annotation, so a second
 * patch silently drops the first one's fields. Here every field the user already set survives, a
 * field set to the same value is fine, and a field set to a different value is a conflict: it is
 * reported naming both values, never overwritten.
 */
export function mergeProxyConfig(existing: string | undefined, patch: Record<string, JsonValue>): MergeResult {
  const base = existing === undefined ? {} : parseProxyConfig(existing);
  if (typeof base === 'string') {
    return { ok: false, problems: [`the existing ${PROXY_CONFIG_ANNOTATION} annotation ${show(existing)} cannot be merged: ${base}. Fix: write it as a JSON or YAML map, e.g. {"concurrency": 2}`] };
  }
  const problems: string[] = [];
  const merged = mergeInto(base, patch, '', problems);
  if (problems.length > 0) {
    return { ok: false, problems };
  }
  return { ok: true, text: JSON.stringify(merged), config: merged };
}

function mergeInto(base: Record<string, JsonValue>, patch: Record<string, JsonValue>, path: string,
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
    if (isMap(current) && isMap(value)) {
      out[key] = mergeInto(current, value, at, problems);
    } else if (!sameJson(current, value)) {
      problems.push(`${PROXY_CONFIG_ANNOTATION} already sets ${at} to ${JSON.stringify(current)}, and this construct would set ${JSON.stringify(value)}. `
        + `Fix: remove ${at} from the annotation you pass in, or make both values agree`);
    }
  }
  return out;
}

function isMap(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(value)) {
    return value.map((v) => sortKeys(v) as JsonValue);
  }
  if (isMap(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k]) as JsonValue]));
  }
  return value;
}
