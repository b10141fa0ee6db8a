/**
 * The schema transformation and ajv options shared by the runtime compile (`crd-schema-validator.ts`)
 * and the build-time one (`precompile.ts`): both must compile exactly the same thing.
 */
import type { Options } from 'ajv';

/**
 * ajv's options for CRD schemas. `strict: false` because CRD schemas carry `x-kubernetes-*`
 * keywords ajv does not know; `allErrors` so every violation is reported, not only the first.
 */
export function ajvOptions(): Options {
  return { strict: false, allErrors: true };
}

/**
 * A deep copy of a structural schema that refuses unknown fields: `additionalProperties: false`
 * wherever `properties` are listed and unknown fields are not explicitly preserved, as kubectl's
 * strict field validation does. The root also requires `apiVersion`, `kind` and `metadata.name`.
 */
export function closeSchema(schema: unknown, root = false): unknown {
  if (Array.isArray(schema)) {
    return schema.map((item) => closeSchema(item));
  }
  if (schema === null || typeof schema !== 'object') {
    return schema;
  }
  const node = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, closeSchema(sub)]));
    } else if (['items', 'additionalProperties', 'oneOf', 'anyOf', 'allOf', 'not'].includes(key)) {
      out[key] = closeSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (root) {
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      // The API server requires a name (or generateName, which cdk8s never writes).
      metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
      ...(out.properties as Record<string, unknown> | undefined),
    };
    out.required = [...new Set([...((out.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])];
  }
  if (out.properties !== undefined && out.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}
