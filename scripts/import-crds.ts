/**
 * Regenerates `imports/` from a pinned Istio CRD file.
 *
 * Usage: `npm run import [-- <crd-file>]`, or `ISTIO_CRDS=<crd-file> npm run import`.
 * Default: `../shared/istio/crd-all.gen-1.30.3.yaml`.
 *
 * Every schema `description` is stripped first: the generated layer then carries field names and
 * types only (it loads faster), and our documentation lives on the L2 constructs.
 * The cdk8s CLI runs with `--no-check-upgrade`, so nothing waits on the network.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const DEFAULT_CRDS = '../shared/istio/crd-all.gen-1.30.3.yaml';

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

function main(): void {
  const crdFile = path.resolve(process.argv[2] ?? process.env.ISTIO_CRDS ?? DEFAULT_CRDS);
  if (!fs.existsSync(crdFile)) {
    throw new Error(`npm run import: CRD file ${crdFile} does not exist; pass a path (npm run import -- <file>) or set ISTIO_CRDS`);
  }
  const docs = parseAllDocuments(fs.readFileSync(crdFile, 'utf8'))
    .map((doc) => doc.toJS() as unknown)
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc) => stripDescriptions(doc));

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-crds-'));
  try {
    const stripped = path.join(tmpDir, path.basename(crdFile));
    fs.writeFileSync(stripped, docs.map((doc) => stringify(doc)).join('---\n'));
    execFileSync('npx', ['cdk8s', 'import', stripped, '--no-check-upgrade', '--no-save', '--language', 'typescript', '--output', 'imports'], {
      stdio: 'inherit',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  process.stdout.write(`imports/ regenerated from ${crdFile} (${docs.length} documents, descriptions stripped)\n`);
}

if (require.main === module) {
  main();
}
