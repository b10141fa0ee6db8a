/**
 * The policy benchmark: one `IpAccessPolicy` with 10k / 100k / 1M input ranges of each kind
 * (`policy-recipe.ts`), each in a fresh `node` process (`variant-policy.ts`). Reports, per size and
 * kind, the ranges given and written, the minimal cover computed independently (they must be
 * equal), the objects and bytes written, and the time to construct and synthesize.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, freshOutdir, ROOT } from './build';
import { POLICY_KINDS, PolicyKind } from './policy-recipe';
import type { PolicyReport } from './variant-policy';

/** The markers around the generated table in README.md. */
const README_START = '<!-- bench-policy-table:start -->';
const README_END = '<!-- bench-policy-table:end -->';

/** One size and kind: the median run (by construct + synth CPU time). */
export type PolicyResult = PolicyReport;

/** Runs the policy variant once, in a fresh process and output directory. */
function runPolicy(kind: PolicyKind, count: number): PolicyReport {
  const outdir = freshOutdir(`policy-${kind}-${count}`);
  try {
    const script = path.join(ROOT, 'bench', 'out', 'build', 'bench', 'variant-policy.js');
    const result = spawnSync(process.execPath, [script, kind, String(count), outdir], { cwd: ROOT, encoding: 'utf8', env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });
    if (result.status !== 0) {
      throw new Error(`the policy variant (${kind}, ${count} ranges) failed with status ${result.status}:\n${result.stderr}`);
    }
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as PolicyReport;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every size × kind, `runs` times each (interleaved), the median run of each. */
export function policyBench(sizes: readonly number[], runs: number, log: (line: string) => void): PolicyResult[] {
  const all = new Map<string, PolicyReport[]>();
  for (let r = 0; r < runs; r++) {
    for (const count of sizes) {
      for (const kind of POLICY_KINDS) {
        const report = runPolicy(kind, count);
        all.set(`${kind} ${count}`, [...all.get(`${kind} ${count}`) ?? [], report]);
        log(`policy run ${r + 1}/${runs}  ${kind.padEnd(8)} ${String(count).padStart(8)} ranges  written ${report.written_ranges} (cover ${report.minimal_cover}, `
          + `${report.cover_equal ? 'equal' : 'NOT EQUAL'})  ${report.objects} objects  ${report.bytes} bytes  parse ${report.parse_ms} ms, construct ${report.construct_ms} ms, `
          + `synth ${report.synth_ms} ms, cover alone ${report.reduce_ms} ms; CPU: parse ${report.parse_cpu_ms}, construct ${report.construct_cpu_ms}, `
          + `synth ${report.synth_cpu_ms}, cover alone ${report.reduce_cpu_ms} ms  peak RSS ${report.peak_rss_mb} MiB`);
      }
    }
  }
  return sizes.flatMap((count) => POLICY_KINDS.map((kind) => {
    const reports = all.get(`${kind} ${count}`) ?? [];
    // The run whose construct + synth CPU time is the median (the lower middle for an even count).
    const sorted = [...reports].sort((a, b) => a.construct_synth_cpu_ms - b.construct_synth_cpu_ms);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  }));
}

const thousands = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const size = (bytes: number): string => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

/** The rows both tables show. */
function rows(results: readonly PolicyResult[]): string[][] {
  return results.map((p) => [p.kind, thousands(p.input_ranges), thousands(p.written_ranges), thousands(p.minimal_cover), p.cover_equal ? 'yes' : 'NO',
    thousands(p.objects), size(p.bytes), size(p.max_object_bytes),
    seconds(p.parse_cpu_ms), seconds(p.construct_cpu_ms), seconds(p.synth_cpu_ms), `${seconds(p.construct_synth_cpu_ms)} (${seconds(p.construct_synth_ms)})`,
    seconds(p.reduce_cpu_ms), `${Math.round(p.peak_rss_mb)} MiB`]);
}

const HEADER = ['kind', 'input ranges', 'written', 'minimal cover', 'equal', 'objects', 'YAML', 'largest object', 'parse', 'construct', 'synth',
  'construct + synth (wall)', 'cover alone', 'peak RSS'];

/** The text table for stdout. */
export function policyLines(results: readonly PolicyResult[]): string[] {
  const all = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [
    'Policies: one DENY IpAccessPolicy with N input ranges, fresh process each; times are CPU time (wall in parentheses). parse = IpBlock.ofAll;',
    'construct = new IpAccessPolicy: reduction and splitting; synth = app.synth(): validation, size check, YAML; cover alone = minimalCidrCover on the parsed blocks, warm.',
    '',
    line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(results).map(line),
  ];
}

/** The Markdown table for README.md. */
export function policyMarkdown(results: readonly PolicyResult[], runs: number): string {
  return `${[`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`, ...rows(results).map((r) => `| ${r.join(' | ')} |`)].join('\n')}\n`
    + `\n_Generated by \`npm run bench -- --readme\` (${runs === 1 ? '1 run' : `median of ${runs} runs`} per row, Node ${process.versions.node})._\n`;
}

/** Writes the table between the README markers. */
export function updateReadme(results: readonly PolicyResult[], runs: number): void {
  const file = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(file, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start) {
    throw new Error(`README.md has no ${README_START} ... ${README_END} section`);
  }
  fs.writeFileSync(file, `${readme.slice(0, start + README_START.length)}\n${policyMarkdown(results, runs)}${readme.slice(end)}`);
}
