// What the tests know about Istio's `istio/gateway` Helm chart at 1.30.3, from the copies in
// imports/charts/gateway/ (regenerate with `npm run import:chart`): its values.schema.json, its
// defaults, and the `.Values` paths its templates read.
import Ajv from 'ajv';
import facts from '../../imports/charts/gateway/chart-facts.json';
import schema from '../../imports/charts/gateway/values.schema.json';

/** The chart's defaults and the `.Values` paths its templates read (and guard with `with`/`if`). */
export const CHART_FACTS: { readonly source: string; readonly defaults: Record<string, unknown>; readonly valuesRead: string[]; readonly valuesGuarded: string[] } = facts;

// The schema names an unknown meta-schema (`http://json-schema.org/schema#`) and a sibling
// `defaults` keyword; Helm's validator ignores both, so does this one (strict off).
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

/** Every way `values` breaks the chart's values.schema.json, one line each (empty when valid). */
export function helmSchemaErrors(values: unknown): string[] {
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

/**
 * Values the templates hand over whole (`toYaml`, `range`, `include`), so any key inside them
 * reaches the rendered object. Every other value must be read by its own path.
 */
const WHOLE_VALUES = ['podAnnotations', 'env', 'affinity', 'podDisruptionBudget', 'resources', 'service.annotations', 'service.loadBalancerSourceRanges'];

/** Dotted paths of every leaf of `values`. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
    return [prefix];
  }
  return Object.entries(value).flatMap(([key, v]) => leafPaths(v, prefix === '' ? key : `${prefix}.${key}`));
}

/** The leaves of `values` that no template reads (a value the chart would silently ignore). */
export function unreadValuePaths(values: unknown): string[] {
  const read = new Set(CHART_FACTS.valuesRead);
  return leafPaths(values).filter((leaf) => {
    const parts = leaf.split('.');
    return !parts.some((_, i) => {
      const p = parts.slice(0, i + 1).join('.');
      return read.has(p) && (p === leaf || WHOLE_VALUES.includes(p));
    });
  });
}
