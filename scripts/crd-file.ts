/** The pinned Istio CRD file both generators read, and the description stripping they share. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The CRD file used when none is given. */
export const DEFAULT_CRDS = '../shared/istio/crd-all.gen-1.30.3.yaml';

/**
 * The CRD file to read: the first argument, else `ISTIO_CRDS`, else `DEFAULT_CRDS`.
 *
 * @throws when the file does not exist, naming both ways to pass one
 */
export function crdFileFromArgs(tool: string): string {
  const crdFile = path.resolve(process.argv[2] ?? process.env.ISTIO_CRDS ?? DEFAULT_CRDS);
  if (!fs.existsSync(crdFile)) {
    throw new Error(`${tool}: CRD file ${crdFile} does not exist; pass a path (npm run ${tool} -- <file>) or set ISTIO_CRDS`);
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
