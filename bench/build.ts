/**
 * Orchestration helpers shared by `run.ts` and `profile.ts`: compiling the variants, running one
 * variant in a fresh process, hashing its output.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildReport } from './harness';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..');

/** Where the compiled variants (and the src/ and imports/ they load) go. */
export const BUILD_DIR = path.join(ROOT, 'bench', 'out', 'build');

/** The variants, in the order tables list them. */
export const VARIANTS = ['ours', 'kplus', 'l1', 'floor'] as const;
export type Variant = (typeof VARIANTS)[number];

/** A variant run: what the process reported, plus what the parent saw. */
export interface RunResult extends ChildReport {
  /** Parent-side wall time, spawn to exit (includes process creation and teardown). */
  readonly wall_ms: number;
  /** SHA-256 of the written manifest file. */
  readonly sha256: string;
}

/**
 * Compiles the variants with tsc (bench/tsconfig.build.json, incremental) so they run on plain
 * `node`: no tsx loader, no on-the-fly transform in the timed processes.
 */
export function compile(log: (line: string) => void): void {
  const started = performance.now();
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'bench', 'tsconfig.build.json')], {
    cwd: ROOT, encoding: 'utf8',
  });
  // tsc exits 2 when it found type errors but still wrote every file: type checking is
  // `npm run typecheck`'s business, so say so and go on.
  if (result.status === 2) {
    log(`warning: tsc reported type errors (the JS was still written; run \`npm run typecheck\`):\n${result.stdout}${result.stderr}`);
  } else if (result.status !== 0) {
    throw new Error(`compiling the benchmark failed:\n${result.stdout}${result.stderr}`);
  }
  log(`compiled bench/ (and the src/, imports/ it loads) to ${path.relative(ROOT, BUILD_DIR)} in ${Math.round(performance.now() - started)} ms`);
}

/** The compiled entry point of a variant. */
export function variantScript(variant: Variant): string {
  return path.join(BUILD_DIR, 'bench', `variant-${variant}.js`);
}

/** A fresh, empty output directory. */
export function freshOutdir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-bench-${label}-`));
}

/** The environment of timed processes: ours, minus anything that would change how node runs. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.CDK8S_OUTDIR;
  delete env.CDK8S_DISABLE_SORT;
  delete env.CDK8S_LEGACY_HASH;
  return env;
}

/**
 * Runs one variant for `workloads` in a fresh `node` process writing to a fresh temporary directory,
 * and returns its report with the output's hash. The directory is removed unless `keep` is set.
 */
export function runVariant(variant: Variant, workloads: number, options: { nodeArgs?: string[]; keep?: boolean } = {}): RunResult & { outdir: string } {
  const outdir = freshOutdir(`${variant}-${workloads}`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [...options.nodeArgs ?? [], variantScript(variant), String(workloads), outdir], {
    cwd: ROOT, encoding: 'utf8', env: cleanEnv(), maxBuffer: 16 * 1024 * 1024,
  });
  const wall = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`variant ${variant} (${workloads} workloads) failed with status ${result.status}:\n${result.stderr}`);
  }
  const line = result.stdout.trim().split('\n').pop() ?? '';
  const report = JSON.parse(line) as ChildReport;
  const file = path.join(outdir, 'bench.k8s.yaml');
  const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  if (!options.keep) {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return { ...report, wall_ms: Math.round(wall * 10) / 10, sha256, outdir };
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `xs` rotated left by `k`, so each item takes every position in turn across rounds. */
export function rotate<T>(xs: readonly T[], k: number): T[] {
  const n = ((k % xs.length) + xs.length) % xs.length;
  return [...xs.slice(n), ...xs.slice(0, n)];
}
