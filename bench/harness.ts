/**
 * What every variant process shares: its arguments, its clock and its one-line report.
 *
 * A variant runs as `node bench/out/build/bench/variant-<name>.js <workloads> <outdir>`, writes
 * `<outdir>/bench.k8s.yaml`, then prints one JSON line (`ChildReport`) on stdout. Times are read
 * with `performance.now()`, whose origin is the start of the process, so `total_ms` covers Node's
 * bootstrap, module loading, building and writing. Imports only Node built-ins.
 */
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';

/** What a variant process prints, as one JSON line. */
export interface ChildReport {
  readonly variant: string;
  readonly workloads: number;
  /** From process start until the manifests (and, for `ours`, the warnings) are done. */
  readonly total_ms: number;
  /** Process start until the variant's modules are loaded (its first statement runs). */
  readonly load_ms: number;
  /** Constructs created, or plain objects generated. */
  readonly build_ms: number;
  /** `app.synth()`, or `yaml.stringify` plus the file write. */
  readonly synth_ms: number;
  /** `Warnings.collect` + `format` (`ours` only, else 0). */
  readonly warnings_ms: number;
  /**
   * CPU time of the process (user + system, all threads) from start until `total_ms`: less
   * sensitive than wall time to other work on the machine, more sensitive to GC helper threads.
   */
  readonly cpu_ms: number;
  /** Peak resident set size of the process, MiB (`process.resourceUsage().maxRSS`). */
  readonly peak_rss_mb: number;
  /** Number of objects written. */
  readonly objects: number;
  /**
   * Heap runs only (`node --expose-gc`, see `Clock`): bytes of live JS heap (`heapUsed` after a
   * full GC) that building added, from the first statement (modules loaded) to the end of the
   * build phase; `null` in timed runs.
   */
  readonly live_heap_build_bytes: number | null;
  /** Heap runs only: the same, from the first statement to after `app.synth()` (what synth keeps). */
  readonly live_heap_synth_bytes: number | null;
}

/** The arguments every variant takes. */
export interface ChildArgs {
  readonly workloads: number;
  readonly outdir: string;
}

/** Parses `<workloads> <outdir>` from the command line. */
export function childArgs(): ChildArgs {
  const [count, outdir] = process.argv.slice(2);
  const workloads = Number(count);
  if (!Number.isInteger(workloads) || workloads < 0 || outdir === undefined) {
    throw new Error(`usage: node ${process.argv[1]} <workloads> <outdir>`);
  }
  return { workloads, outdir };
}

/** `global.gc` when the process runs with `--expose-gc` (heap runs), else `undefined`. */
const gc = (globalThis as { gc?: () => void }).gc;

/** Live heap: `heapUsed` after full collections (twice, so finalizers' garbage goes too). */
function liveHeap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Records phase boundaries; the first mark is the end of module loading.
 *
 * Under `--expose-gc` (a heap run, never a timed one: the forced collections cost time) it also
 * records the live heap at the start and at every mark.
 */
export class Clock {
  private readonly heapAtStart = gc === undefined ? 0 : liveHeap();
  private readonly marks: number[] = [performance.now()];
  private readonly heaps: number[] = [];
  private cpuAtEnd = 0;

  /** Ends the current phase. */
  public mark(): void {
    this.marks.push(performance.now());
    const cpu = process.cpuUsage();
    this.cpuAtEnd = (cpu.user + cpu.system) / 1000;
    if (gc !== undefined) {
      this.heaps.push(liveHeap() - this.heapAtStart);
      // `heap-diff.ts` asks for a snapshot at the end of a phase (1 = construction, 2 = synth).
      if (process.env.BENCH_HEAP_SNAPSHOT !== undefined && Number(process.env.BENCH_HEAP_SNAPSHOT_AT ?? '1') === this.marks.length - 1) {
        v8.writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
      }
    }
  }

  /** Prints the report line; call once, last. */
  public report(variant: string, args: ChildArgs, objects: number): void {
    const [loaded, built, synthesized, warned = synthesized] = this.marks;
    const report: ChildReport = {
      variant,
      workloads: args.workloads,
      total_ms: round(warned),
      load_ms: round(loaded),
      build_ms: round(built - loaded),
      synth_ms: round(synthesized - built),
      warnings_ms: round(warned - synthesized),
      cpu_ms: round(this.cpuAtEnd),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
      objects,
      live_heap_build_bytes: gc === undefined ? null : this.heaps[0],
      live_heap_synth_bytes: gc === undefined ? null : this.heaps[1],
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
