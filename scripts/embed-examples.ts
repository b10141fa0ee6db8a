/**
 * Refreshes the generated parts of the README (`npm run docs`): each example's code, each
 * example's explain summary (from the source-ip-report.md it writes), and the provider and warning
 * tables. `npm test` checks that they match; run this after editing an example, a preset or a
 * warning.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderClientIpDetectionTable } from '../src/edge/client-ip-plan';
import { renderProviderTable } from '../src/edge/provider-table';
import { renderProviderRangesTable } from '../src/edge/provider-ranges';
import { renderIstioFeatureTable } from '../src/istio-version';
import { renderSchemaSetTable } from '../src/validation/schema-sets';
import { renderWarningTable } from '../src/warning-catalog';
import { renderArticleGatewayChanges } from './readme-installers';
import { EXAMPLE_MARKER, EXPLAIN_MARKER, reportSummary } from './readme-sections';

/** Runs an example app as `cdk8s synth` would and returns its report. */
function exampleReport(file: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-'));
  try {
    execFileSync('npx', ['tsx', file], { env: { ...process.env, CDK8S_OUTDIR: outdir }, stdio: ['ignore', 'ignore', 'inherit'] });
    return fs.readFileSync(path.join(outdir, 'report', 'source-ip-report.md'), 'utf8');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const tables: Record<string, () => string> = {
  'provider-table': renderProviderTable,
  'warning-table': renderWarningTable,
  'istio-version-table': renderIstioFeatureTable,
  'schema-set-table': renderSchemaSetTable,
  'installer-changes': renderArticleGatewayChanges,
  'detection-table': renderClientIpDetectionTable,
  'provider-ranges-table': renderProviderRangesTable,
};
let readme = fs.readFileSync('README.md', 'utf8')
  .replace(EXAMPLE_MARKER, (_match, head: string, file: string) => `${head}${fs.readFileSync(file, 'utf8')}\`\`\``)
  .replace(EXPLAIN_MARKER, (_match, head: string, file: string, end: string) => `${head}${reportSummary(exampleReport(file))}${end}`);
for (const [marker, render] of Object.entries(tables)) {
  readme = readme.replace(new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`),
    (_match, start: string, end: string) => `${start}${render()}${end}`);
}
fs.writeFileSync('README.md', readme);
