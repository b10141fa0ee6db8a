/**
 * Regenerates `imports/` from the pinned CRD files: Istio 1.30.3's and the Gateway API's (standard
 * channel); Istio 1.20.8's file only feeds its validation schemas (see `CRD_SETS`).
 *
 * Usage: `npm run import [-- <istio-file> [<gateway-api-file> [<istio-1.20-file>]]]`, or
 * `ISTIO_CRDS=<file>`, `GATEWAY_API_CRDS=<file>` and `ISTIO_1_20_CRDS=<file>`. Defaults:
 * `../shared/istio/crd-all.gen-1.30.3.yaml`, `../shared/gateway-api/standard-crds-v1.5.1.yaml` and
 * `../shared/istio/crd-all.gen-1.20.8.yaml`.
 *
 * Every schema `description` is stripped first: the generated layer then carries field names and
 * types only (it loads faster), and our documentation lives on the L2 constructs. The same files'
 * schemas go to `src/validation/schemas/` for validation (scripts/extract-schemas.ts).
 * The cdk8s CLI runs with `--no-check-upgrade`, so nothing waits on the network.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { CRD_SETS, crdFileOf, CrdSet, stripDescriptions } from './crd-file';
import { extractSchemas } from './extract-schemas';

function importSet(set: CrdSet): void {
  const crdFile = crdFileOf(set, 'import');
  const docs = parseAllDocuments(fs.readFileSync(crdFile, 'utf8'))
    .map((doc) => doc.toJS() as unknown)
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc) => stripDescriptions(doc));

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-'));
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
  const schemas = extractSchemas(crdFile, set.schemaFile);
  process.stdout.write(`imports/ regenerated from ${crdFile} (${set.name}, ${docs.length} documents, descriptions stripped); `
    + `${set.schemaFile}: ${schemas} schemas\n`);
}

function main(): void {
  for (const set of CRD_SETS) {
    if (set.importTypes) {
      importSet(set);
    } else {
      const crdFile = crdFileOf(set, 'import');
      process.stdout.write(`${set.schemaFile} written from ${crdFile} (${set.name}, schemas only): ${extractSchemas(crdFile, set.schemaFile)} schemas\n`);
    }
  }
}

if (require.main === module) {
  main();
}
