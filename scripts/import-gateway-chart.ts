/**
 * Copies what the tests need from Istio's `istio/gateway` Helm chart into `imports/charts/gateway/`:
 *
 * - `values.schema.json`, verbatim: the schema Helm checks every values file against;
 * - `chart-facts.json`: the chart's defaults (its `values.yaml` under `_internal_defaults_do_not_set`,
 *   comments dropped) and the `.Values` paths its templates read, with the ones they emit only
 *   when non-empty (`{{- with .Values.x }}` / `{{- if .Values.x }}`).
 *
 * Usage: `npm run import:chart [-- <chart-dir>]`. Default: `../shared/istio/1.30.3/charts/gateway`
 * (the chart at Istio 1.30.3, `manifests/charts/gateway/` of istio/istio). Both files are
 * committed, so the tests need nothing outside the repository; keys are sorted so the bytes only
 * change when the chart does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** Where the copies go, relative to the repository root. */
export const CHART_DATA_DIR = path.join('imports', 'charts', 'gateway');
const DEFAULT_CHART_DIR = path.join('..', 'shared', 'istio', '1.30.3', 'charts', 'gateway');

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

/** The `.Values` paths a template reads, and those it guards with `with` or `if` (emitted only when non-empty). */
export function valuesPathsOf(template: string): { read: string[]; guarded: string[] } {
  const read = [...template.matchAll(/\.Values\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/g)].map((m) => m[1]);
  const guarded = [...template.matchAll(/\{\{-?\s*(?:with|if)\s+\.Values\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*-?\}\}/g)].map((m) => m[1]);
  return { read, guarded };
}

/** Writes the schema and the facts of the chart in `chartDir` to `outDir`; returns the number of template files read. */
export function importGatewayChart(chartDir: string = DEFAULT_CHART_DIR, outDir: string = CHART_DATA_DIR): number {
  const values = parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as { _internal_defaults_do_not_set?: unknown };
  const templatesDir = path.join(chartDir, 'templates');
  const templates = fs.readdirSync(templatesDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.tpl')).sort();
  const read = new Set<string>();
  const guarded = new Set<string>();
  for (const file of templates) {
    const paths = valuesPathsOf(fs.readFileSync(path.join(templatesDir, file), 'utf8'));
    paths.read.forEach((p) => read.add(p));
    paths.guarded.forEach((p) => guarded.add(p));
  }
  const facts = {
    // The pinned copies live in a folder named after the Istio version (…/istio/1.30.3/charts/gateway).
    source: `istio/istio ${/\d+\.\d+\.\d+/.exec(path.resolve(chartDir))?.[0] ?? '(unknown version)'} manifests/charts/gateway`,
    defaults: values._internal_defaults_do_not_set,
    valuesRead: [...read].sort(),
    valuesGuarded: [...guarded].sort(),
  };
  fs.mkdirSync(outDir, { recursive: true });
  // Read and write rather than copy: the pinned source is read-only, and a copy would keep its mode.
  fs.writeFileSync(path.join(outDir, 'values.schema.json'), fs.readFileSync(path.join(chartDir, 'values.schema.json')));
  fs.writeFileSync(path.join(outDir, 'chart-facts.json'), `${JSON.stringify(sortKeys(facts), null, 1)}\n`);
  return templates.length;
}

if (require.main === module) {
  const chartDir = process.argv[2] ?? DEFAULT_CHART_DIR;
  const count = importGatewayChart(chartDir);
  console.log(`read ${count} templates of ${chartDir}; wrote ${CHART_DATA_DIR}/values.schema.json and chart-facts.json`);
}
