/**
 * Extracts the CRDs' `openAPIV3Schema`s: Istio 1.30.3's into `src/validation/schemas/istio-1.30.3.json`,
 * the Gateway API's into `src/validation/schemas/gateway-api-v1.5.1.json`, Istio 1.20.8's into
 * `src/validation/schemas/istio-1.20.8.json` (see `CRD_SETS`).
 *
 * Usage: `tsx scripts/extract-schemas.ts [<istio-file> [<gateway-api-file> [<istio-1.20-file>]]]`, or
 * `ISTIO_CRDS=<file>`, `GATEWAY_API_CRDS=<file>` and `ISTIO_1_20_CRDS=<file>`; `npm run import` calls it
 * with the same files it imports, so the schemas and the generated types always come from one
 * pinned CRD file each. Defaults: `../shared/istio/crd-all.gen-1.30.3.yaml`,
 * `../shared/gateway-api/standard-crds-v1.5.1.yaml` and `../shared/istio/crd-all.gen-1.20.8.yaml`.
 *
 * The JSON is committed and shipped with the package: schema validation (the plugin and
 * `validateManifests`) then needs nothing outside it. Descriptions are stripped and keys sorted,
 * so the bytes only change when the CRD file does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CRD_SETS, crdFileOf, stripDescriptions } from './crd-file';

/** Where the Istio schemas go, relative to the repository root. */
export const SCHEMA_FILE = CRD_SETS[0].schemaFile;

interface Crd {
  readonly kind?: string;
  readonly spec?: {
    readonly group: string;
    readonly names: { readonly kind: string };
    readonly versions: readonly { readonly name: string; readonly schema?: { readonly openAPIV3Schema?: unknown } }[];
  };
}

/** Deep copy with every object's keys in sorted order (arrays keep their order). */
function sortKeys(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(sortKeys);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const obj = node as Record<string, unknown>;
  return Object.fromEntries(Object.keys(obj).sort().map((key) => [key, sortKeys(obj[key])]));
}

/** Writes the schemas of every CRD version in `crdFile` to `outFile`; returns how many. */
export function extractSchemas(crdFile: string, outFile: string = SCHEMA_FILE): number {
  const schemas: Record<string, unknown> = {};
  for (const doc of parseAllDocuments(fs.readFileSync(crdFile, 'utf8'))) {
    const crd = doc.toJS() as Crd | null;
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec === undefined) {
      continue;
    }
    for (const version of crd.spec.versions) {
      const schema = version.schema?.openAPIV3Schema;
      if (schema !== undefined) {
        schemas[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = stripDescriptions(schema);
      }
    }
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(sortKeys({ source: path.basename(crdFile), schemas }))}\n`);
  return Object.keys(schemas).length;
}

function main(): void {
  for (const set of CRD_SETS) {
    const crdFile = crdFileOf(set, 'schemas');
    const count = extractSchemas(crdFile, set.schemaFile);
    process.stdout.write(`${set.schemaFile} written from ${crdFile} (${count} schemas, descriptions stripped)\n`);
  }
}

if (require.main === module) {
  main();
}
