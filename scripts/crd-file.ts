/** The pinned CRD files the generators read, and the description stripping they share. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Istio CRD file used when none is given. */
export const DEFAULT_CRDS = '../shared/istio/crd-all.gen-1.30.3.yaml';

/** The Gateway API CRD file (standard channel) used when none is given. */
export const DEFAULT_GATEWAY_API_CRDS = '../shared/gateway-api/standard-crds-v1.5.1.yaml';

/** One pinned CRD file: where it comes from, and where its schemas go. */
export interface CrdSet {
  /** For messages, e.g. `Istio`. */
  readonly name: string;
  /** The position of the command-line argument that names the file (`process.argv` index). */
  readonly argIndex: number;
  /** The environment variable that names the file when no argument does. */
  readonly envVar: string;
  /** The file used when neither names one. */
  readonly defaultFile: string;
  /** Where the extracted schemas go, relative to the repository root. */
  readonly schemaFile: string;
}

/** Every CRD set this repository imports: Istio's, then the Gateway API's. */
export const CRD_SETS: readonly CrdSet[] = [
  { name: 'Istio', argIndex: 2, envVar: 'ISTIO_CRDS', defaultFile: DEFAULT_CRDS, schemaFile: path.join('imports', 'schemas', 'istio-crds.json') },
  {
    name: 'Gateway API', argIndex: 3, envVar: 'GATEWAY_API_CRDS', defaultFile: DEFAULT_GATEWAY_API_CRDS,
    schemaFile: path.join('imports', 'schemas', 'gateway-api-crds.json'),
  },
];

/**
 * The CRD file of one set: its argument, else its environment variable, else its default.
 *
 * @throws when the file does not exist, naming both ways to pass one
 */
export function crdFileOf(set: CrdSet, tool: string): string {
  const crdFile = path.resolve(process.argv[set.argIndex] ?? process.env[set.envVar] ?? set.defaultFile);
  if (!fs.existsSync(crdFile)) {
    throw new Error(`${tool}: ${set.name} CRD file ${crdFile} does not exist; pass a path (npm run ${tool} -- <istio-file> <gateway-api-file>) `
      + `or set ${set.envVar}`);
  }
  return crdFile;
}

/**
 * Removes the `description` keyword from every schema node, keeping properties that happen to be
 * named `description` (keys of a `properties` map are field names, not keywords).
 */
export function stripDescriptions(node: unknown, parentKey?: string): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => stripDescriptions(item));
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' && parentKey !== 'properties') {
      continue;
    }
    out[key] = stripDescriptions(value, key);
  }
  return out;
}
