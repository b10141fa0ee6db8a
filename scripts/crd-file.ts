/** The pinned CRD files the generators read, and the description stripping they share. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Istio CRD file used when none is given. */
export const DEFAULT_CRDS = '../shared/istio/crd-all.gen-1.30.3.yaml';

/** The Istio 1.20.8 CRD file (schemas only, for apps that target Istio 1.20 or 1.21) used when none is given. */
export const DEFAULT_ISTIO_1_20_CRDS = '../shared/istio/crd-all.gen-1.20.8.yaml';

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
  /** Where to download the default file (the upstream release's own file). */
  readonly url: string;
  /** The upstream release page. */
  readonly release: string;
  /**
   * Whether `npm run import` generates `imports/` types from it. One file per API group may:
   * the constructs write from the newest Istio's types; older sets only feed the validation.
   */
  readonly importTypes: boolean;
}

/**
 * Every CRD set this repository reads: Istio 1.30.3's and the Gateway API's (types and schemas),
 * then Istio 1.20.8's (schemas only). Each `argIndex` is its position in `npm run schemas -- …`.
 */
export const CRD_SETS: readonly CrdSet[] = [
  {
    name: 'Istio 1.30.3', argIndex: 2, envVar: 'ISTIO_CRDS', defaultFile: DEFAULT_CRDS,
    schemaFile: path.join('src', 'validation', 'schemas', 'istio-1.30.3.json'),
    url: 'https://raw.githubusercontent.com/istio/istio/1.30.3/manifests/charts/base/files/crd-all.gen.yaml',
    release: 'https://github.com/istio/istio/releases/tag/1.30.3',
    importTypes: true,
  },
  {
    name: 'Gateway API v1.5.1', argIndex: 3, envVar: 'GATEWAY_API_CRDS', defaultFile: DEFAULT_GATEWAY_API_CRDS,
    schemaFile: path.join('src', 'validation', 'schemas', 'gateway-api-v1.5.1.json'),
    url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml',
    release: 'https://github.com/kubernetes-sigs/gateway-api/releases/tag/v1.5.1',
    importTypes: true,
  },
  {
    name: 'Istio 1.20.8', argIndex: 4, envVar: 'ISTIO_1_20_CRDS', defaultFile: DEFAULT_ISTIO_1_20_CRDS,
    schemaFile: path.join('src', 'validation', 'schemas', 'istio-1.20.8.json'),
    url: 'https://raw.githubusercontent.com/istio/istio/1.20.8/manifests/charts/base/crds/crd-all.gen.yaml',
    release: 'https://github.com/istio/istio/releases/tag/1.20.8',
    importTypes: false,
  },
];

/**
 * The CRD file of one set: its argument, else its environment variable, else its default.
 *
 * Exits with a message when the file does not exist, naming where to download it and both ways to pass one.
 */
export function crdFileOf(set: CrdSet, tool: string): string {
  const crdFile = path.resolve(process.argv[set.argIndex] ?? process.env[set.envVar] ?? set.defaultFile);
  if (!fs.existsSync(crdFile)) {
    process.stderr.write(`${tool}: ${set.name} CRD file ${crdFile} does not exist. Fix: download it from ${set.url} `
      + `(release: ${set.release}), then pass its path (npm run ${tool} -- <istio-1.30-file> <gateway-api-file> <istio-1.20-file>) or set ${set.envVar}=<file>\n`);
    process.exit(1);
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
