/**
 * The value a CEL rule sees (`self`), and a stable text of it: kept apart from `cel.ts` so a
 * cached verdict can be looked up without loading the CEL library.
 */
import { childSchema, SchemaNode } from './schema-sets';

/** Schema-directed conversion to CEL values: objects become Maps, integers become bigint. */
export function toCel(value: unknown, schema: SchemaNode | undefined): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => toCel(item, schema?.items));
  }
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([key, child]) => [key, toCel(child, schema === undefined ? undefined : childSchema(schema, key))]));
  }
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') {
    return BigInt(value);
  }
  return value;
}

/** A text that differs exactly when two `toCel` results differ (Maps keep their key order, as CEL iterates it). */
export function celValueText(value: unknown): string {
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${JSON.stringify(k)}:${celValueText(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(celValueText).join(',')}]`;
  }
  if (typeof value === 'bigint') {
    return `${value}n`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
