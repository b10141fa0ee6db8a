/**
 * The CRD schema sets the validator knows, and where their data lives.
 *
 * Each set is the `openAPIV3Schema` of every version of every CRD in one pinned upstream file,
 * extracted by `npm run schemas` into `src/validation/schemas/<set>.json` (descriptions stripped,
 * keys sorted). The library build precompiles each set's schemas to plain JavaScript
 * (`precompiled/<set>/`, see `precompile.ts`), which the validator uses when present.
 *
 * To add a set (another Istio release): add a member here and to `SCHEMA_SET_SOURCES`, and an
 * entry to `CRD_SETS` in `scripts/crd-file.ts` (then `npm run schemas` extracts its JSON).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A set of CRD schemas to validate against. */
export enum CrdSchemaSet {
  /** Every CRD of Istio 1.30.3 (`crd-all.gen-1.30.3.yaml`): networking, security, telemetry and extensions. */
  ISTIO_1_30_3 = 'istio-1.30.3',
  /** The Gateway API v1.5.1 standard channel (`standard-crds-v1.5.1.yaml`): Gateway, HTTPRoute, GRPCRoute, GatewayClass, ReferenceGrant. */
  GATEWAY_API_V1_5_1 = 'gateway-api-v1.5.1',
}

/** The upstream file each set is extracted from, where to get it, and what it covers. */
export const SCHEMA_SET_SOURCES: Readonly<Record<CrdSchemaSet, { readonly file: string; readonly url: string }>> = {
  [CrdSchemaSet.ISTIO_1_30_3]: {
    file: 'crd-all.gen-1.30.3.yaml',
    url: 'https://raw.githubusercontent.com/istio/istio/1.30.3/manifests/charts/base/files/crd-all.gen.yaml',
  },
  [CrdSchemaSet.GATEWAY_API_V1_5_1]: {
    file: 'standard-crds-v1.5.1.yaml',
    url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml',
  },
};

/** A structural schema node (only the keywords the validator reads are typed). */
export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly 'x-kubernetes-validations'?: readonly { readonly rule: string; readonly message?: string }[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly default?: unknown;
  readonly [keyword: string]: unknown;
}

/** The JSON of one schema set, as `npm run schemas` writes it. */
export interface SchemaSetData {
  /** The upstream file name, e.g. `crd-all.gen-1.30.3.yaml`. */
  readonly source: string;
  /** `group/version/Kind` → the version's `openAPIV3Schema`. */
  readonly schemas: Record<string, SchemaNode>;
}

/** The folder of the schema JSON files (next to this module, in `src/` and in `lib/src/`). */
export const SCHEMAS_DIR = path.join(__dirname, 'schemas');

/** The folder of the precompiled validators of the library build (absent in `src/`). */
export const PRECOMPILED_DIR = path.join(__dirname, 'precompiled');

const loaded = new Map<string, SchemaSetData>();

/** Every known set, in declaration order. */
export function allSchemaSets(): CrdSchemaSet[] {
  return Object.values(CrdSchemaSet);
}

/** Whether `value` names a known set. */
export function isSchemaSet(value: unknown): value is CrdSchemaSet {
  return typeof value === 'string' && (Object.values(CrdSchemaSet) as string[]).includes(value);
}

/** The schema of `obj[key]`: a declared property, or the map's value schema. */
export function childSchema(schema: SchemaNode, key: string): SchemaNode | undefined {
  if (schema.properties !== undefined && Object.prototype.hasOwnProperty.call(schema.properties, key)) {
    return schema.properties[key];
  }
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** The JSON of `set`, read once per process. */
export function loadSchemaSet(set: CrdSchemaSet, dir: string = SCHEMAS_DIR): SchemaSetData {
  const file = path.join(dir, `${set}.json`);
  let data = loaded.get(file);
  if (data === undefined) {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaSetData;
    loaded.set(file, data);
  }
  return data;
}
