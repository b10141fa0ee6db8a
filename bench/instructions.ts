/**
 * `npm run bench -- --instructions`: the workload benchmark counted in instructions instead of
 * timed. Each variant runs under valgrind's cachegrind (`--cache-sim=no`: it only counts), which
 * counts every instruction the process executes. Node runs with `--single-threaded`: V8 then
 * compiles, marks and sweeps on the main thread instead of in helper threads, the same work done in
 * a fixed order. With helper threads the count moves with thread timing (seen here: 3.8 to 4.9
 * billion for one process at 200 workloads, and about 1 % apart at 2,000); single-threaded, two
 * runs agree within 0.4 %. Time on this kind of machine swings by 10–40 % with what the memory
 * system is doing; the count does not depend on other load. Counts are comparable between
 * variants of one run of this command, not across machines or node versions.
 *
 * Processes run under valgrind about 25 times slower than natively, as many at a time as there
 * are cores (the count of one does not depend on the others).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanEnv, freshOutdir, median, ROOT, rotate, Variant, variantScript } from './build';

/** One variant at one size: the instructions of each run. */
export interface InstructionCounts {
  readonly variant: Variant;
  readonly workloads: number;
  readonly instructions: number[];
  /** SHA-256 of each run's manifest file. */
  readonly sha256: string[];
}

/** The valgrind command, or why there is none. */
export function valgrindProblem(): string | undefined {
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined
    : '--instructions runs each variant under valgrind, which is not installed here. Fix: install it (Debian: apt-get install valgrind), or time the runs without --instructions';
}

/** `I refs:` in cachegrind's summary on stderr, e.g. `==12== I   refs:      38,938,854,776`. */
export function instructionsOf(stderr: string): number | undefined {
  const match = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  return match === null ? undefined : Number(match[1].replace(/,/g, ''));
}

/** One variant run under cachegrind: its instruction count and the hash of what it wrote. */
function countOnce(variant: Variant, workloads: number): Promise<{ instructions: number; sha256: string }> {
  const outdir = freshOutdir(`icount-${variant}-${workloads}`);
  const args = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', variantScript(variant), String(workloads), outdir];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        const instructions = instructionsOf(stderr);
        if (status !== 0 || instructions === undefined) {
          throw new Error(`variant ${variant} (${workloads} workloads) under valgrind failed with status ${status}:\n${stderr.slice(-4000)}`);
        }
        const sha256 = createHash('sha256').update(fs.readFileSync(path.join(outdir, 'bench.k8s.yaml'))).digest('hex');
        resolve({ instructions, sha256 });
      } catch (error) {
        reject(error);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    });
  });
}

/** Runs `jobs` with at most `parallel` of them at a time, results in the jobs' order. */
async function inParallel<T>(jobs: readonly (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      results[k] = await jobs[k]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  return results;
}

/** `runs` counts of every variant at every size, the variants of one round side by side. */
export async function countInstructions(workloads: readonly number[], variants: readonly Variant[], runs: number,
  log: (line: string) => void): Promise<InstructionCounts[]> {
  const problem = valgrindProblem();
  if (problem !== undefined) {
    throw new Error(problem);
  }
  const counts = workloads.flatMap((n) => variants.map((variant): InstructionCounts => ({ variant, workloads: n, instructions: [], sha256: [] })));
  const parallel = Math.max(1, os.availableParallelism());
  for (let round = 0; round < runs; round++) {
    for (const [k, n] of workloads.entries()) {
      const order = rotate(variants, round + k);
      const results = await inParallel(order.map((variant) => () => countOnce(variant, n)), parallel);
      order.forEach((variant, i) => {
        const entry = counts.find((c) => c.variant === variant && c.workloads === n) as InstructionCounts;
        entry.instructions.push(results[i].instructions);
        entry.sha256.push(results[i].sha256);
        log(`instructions ${round + 1}/${runs}  ${String(n).padStart(6)} workloads  ${variant.padEnd(5)}  ${(results[i].instructions / 1e9).toFixed(3)} G`);
      });
    }
  }
  return counts;
}

/** The median count of `variant` at `n`. */
export function medianCount(counts: readonly InstructionCounts[], variant: Variant, n: number): number {
  return median(counts.find((c) => c.variant === variant && c.workloads === n)?.instructions ?? [NaN]);
}

/** The least-squares line through a variant's counts by size: what one workload costs, and what none do. */
export interface CostLine {
  /** Instructions per workload (the slope). */
  readonly perWorkload: number;
  /** Instructions at 0 workloads, extrapolated (the intercept): start-up, module loading, warm-up. */
  readonly fixed: number;
}

/** The line through `(workloads, instructions)` points, or `undefined` with fewer than two sizes or a value that is not finite. */
export function costLine(points: readonly (readonly [number, number])[]): CostLine | undefined {
  const sizes = new Set(points.map(([n]) => n));
  if (sizes.size < 2 || points.some(([n, x]) => !Number.isFinite(n) || !Number.isFinite(x))) {
    return undefined;
  }
  const meanN = points.reduce((s, [n]) => s + n, 0) / points.length;
  const meanX = points.reduce((s, [, x]) => s + x, 0) / points.length;
  const covariance = points.reduce((s, [n, x]) => s + (n - meanN) * (x - meanX), 0);
  const variance = points.reduce((s, [n]) => s + (n - meanN) ** 2, 0);
  const perWorkload = covariance / variance;
  return { perWorkload, fixed: meanX - perWorkload * meanN };
}

/**
 * The workload count from which on `a <= limit × b` holds on these lines (for that count and every
 * larger one; with `b` positive, `a / b <= limit`): `0` if it holds at every count from 0,
 * `undefined` if it does not hold for large counts (a workload of `a` costs at least `limit` times
 * one of `b`, and `a` starts higher).
 */
export function sizeWithin(a: CostLine, b: CostLine, limit: number): number | undefined {
  const room = limit * b.perWorkload - a.perWorkload;
  const excess = a.fixed - limit * b.fixed;
  if (excess <= 0) {
    return room >= 0 ? 0 : undefined;
  }
  return room > 0 ? Math.ceil(excess / room) : undefined;
}
