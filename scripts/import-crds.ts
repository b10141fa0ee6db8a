/**
 * Regenerates `imports/` from a pinned Istio CRD file.
 *
 * Usage: `npm run import [-- <crd-file>]`, or `ISTIO_CRDS=<crd-file> npm run import`.
 * Default: `../shared/istio/crd-all.gen-1.30.3.yaml`.
 *
 * Every schema `description` is stripped first: the generated layer then carries field names and
 * types only (it loads faster), and our documentation lives on the L2 constructs. The same file's
 * schemas go to `imports/schemas/istio-crds.json` for validation (scripts/extract-schemas.ts).
 * The cdk8s CLI runs with `--no-check-upgrade`, so nothing waits on the network.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { crdFileFromArgs, stripDescriptions } from './crd-file';
import { extractSchemas, SCHEMA_FILE } from './extract-schemas';

function main(): void {
  const crdFile = crdFileFromArgs('import');
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
  const schemas = extractSchemas(crdFile);
  process.stdout.write(`imports/ regenerated from ${crdFile} (${docs.length} documents, descriptions stripped); ${SCHEMA_FILE}: ${schemas} schemas\n`);
}

if (require.main === module) {
  main();
}
