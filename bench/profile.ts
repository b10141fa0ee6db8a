/**
 * CPU profile of one variant (default: `ours` at 5,000 workloads) and module load times.
 *
 *   npx tsx bench/profile.ts [--variant ours] [--workloads 5000] [--top 25]
 *
 * Runs the compiled variant once under `node --cpu-prof` (profile kept in bench/out/profile/ for
 * Chrome DevTools), then prints self time by package, the top functions by self time, and the time
 * spent inside our code (src/ and imports/, callees included) by entry point. Then times module
 * loading in fresh processes, compiled and under tsx (the path `npm run synth` takes).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BUILD_DIR, cleanEnv, compile, median, ROOT, runVariant, Variant, VARIANTS,
} from './build';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const PROFILE_DIR = path.join(ROOT, 'bench', 'out', 'profile');

function option(flag: string, fallback: string): string {
  const at = process.argv.indexOf(flag);
  return at === -1 ? fallback : process.argv[at + 1];
}

const isOurs = (url: string): boolean => url.includes('/bench/out/build/src/') || url.includes('/bench/out/build/imports/');

/** Package (last node_modules segment), our code, Node internals or V8 pseudo-frames. */
function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    return functionName.startsWith('RegExp:') ? '(regexp, native)' : functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  }
  const packages = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (packages.length > 0) {
    return packages[packages.length - 1][1];
  }
  if (url.includes('/bench/out/build/src/')) {
    return 'OURS src/';
  }
  if (url.includes('/bench/out/build/imports/')) {
    return 'OURS imports/ (generated)';
  }
  if (url.includes('/bench/out/build/bench/')) {
    return 'bench harness';
  }
  return url.startsWith('node:') ? 'node internals' : url;
}

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|bench\/out\/build)\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}${file === '' ? '' : `:${frame.lineNumber + 1}`}`;
}

function printSorted(title: string, entries: Map<string, number>, total: number, top: number): void {
  console.log(`\n${title}`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${(100 * ms / total).toFixed(1).padStart(5)}%  ${name}`);
  }
}

function summarize(profile: CpuProfile, top: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) {
      parent.set(c, n.id);
    }
  }
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const underOurs = new Map<string, number>();
  let total = 0;
  let oursInclusive = 0;
  const add = (m: Map<string, number>, k: string, v: number): void => {
    m.set(k, (m.get(k) ?? 0) + v);
  };
  profile.samples.forEach((sample, i) => {
    const ms = profile.timeDeltas[i] / 1000;
    total += ms;
    const leaf = byId.get(sample);
    if (leaf === undefined) {
      return;
    }
    add(byCategory, category(leaf.callFrame), ms);
    add(byFunction, frameName(leaf.callFrame), ms);
    // Outermost frame of our code on the stack, if any: time spent in our code and its callees.
    let outermost: ProfileNode | undefined;
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node !== undefined && isOurs(node.callFrame.url)) {
        outermost = node;
      }
    }
    if (outermost !== undefined) {
      oursInclusive += ms;
      add(underOurs, frameName(outermost.callFrame), ms);
    }
  });
  console.log(`\nsampled ${total.toFixed(0)} ms`);
  printSorted('Self time by package:', byCategory, total, 30);
  printSorted(`Top ${top} functions by self time:`, byFunction, total, top);
  printSorted(`Inside our code, callees included: ${oursInclusive.toFixed(0)} ms (${(100 * oursInclusive / total).toFixed(1)}%), by outermost frame:`,
    underOurs, total, top);
}

/** Median load time of each module, required in order, in `runs` fresh processes. */
function moduleLoad(modules: readonly string[], runs: number): Map<string, number> {
  const code = 'const { performance } = require("node:perf_hooks"); const out = { boot: performance.now() }; let t = out.boot;'
    + 'for (const m of JSON.parse(process.argv[1])) { require(m); const u = performance.now(); out[m] = u - t; t = u; }'
    + 'console.log(JSON.stringify(out));';
  const samples = new Map<string, number[]>();
  for (let r = 0; r < runs; r++) {
    const result = spawnSync(process.execPath, ['-e', code, JSON.stringify(modules)], { cwd: ROOT, encoding: 'utf8', env: cleanEnv() });
    if (result.status !== 0) {
      throw new Error(result.stderr);
    }
    for (const [m, ms] of Object.entries(JSON.parse(result.stdout) as Record<string, number>)) {
      samples.set(m, [...samples.get(m) ?? [], ms]);
    }
  }
  return new Map([...samples].map(([m, xs]) => [m, median(xs)]));
}

/**
 * Median wall time of `tsx <file>` for each file, in fresh processes, the files interleaved in
 * each round (TSX_DISABLE_CACHE=1 when cold).
 */
function tsxWalls(files: readonly string[], cold: boolean, runs: number): number[] {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const xs = files.map((): number[] => []);
  for (let r = 0; r < runs; r++) {
    files.forEach((file, k) => {
      const started = process.hrtime.bigint();
      const result = spawnSync(tsx, [file], { cwd: ROOT, encoding: 'utf8', env: cleanEnv(cold ? { TSX_DISABLE_CACHE: '1' } : {}) });
      if (result.status !== 0) {
        throw new Error(result.stderr);
      }
      xs[k].push(Number(process.hrtime.bigint() - started) / 1e6);
    });
  }
  return xs.map(median);
}

function main(): void {
  const variant = option('--variant', 'ours') as Variant;
  const workloads = Number(option('--workloads', '5000'));
  const top = Number(option('--top', '25'));
  if (!VARIANTS.includes(variant)) {
    throw new Error(`--variant must be one of ${VARIANTS.join(', ')}`);
  }
  compile((line) => console.log(line));
  fs.rmSync(PROFILE_DIR, { recursive: true, force: true });
  fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const run = runVariant(variant, workloads, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] });
  console.log(`\n${variant} at ${workloads} workloads under --cpu-prof: ${run.total_ms} ms (load ${run.load_ms}, build ${run.build_ms}, `
    + `synth ${run.synth_ms}, warnings ${run.warnings_ms}), peak RSS ${run.peak_rss_mb} MiB`);
  const file = fs.readdirSync(PROFILE_DIR).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) {
    throw new Error('no .cpuprofile written');
  }
  console.log(`profile: ${path.relative(ROOT, path.join(PROFILE_DIR, file))} (open in Chrome DevTools > Performance)`);
  summarize(JSON.parse(fs.readFileSync(path.join(PROFILE_DIR, file), 'utf8')) as CpuProfile, top);

  const runs = 5;
  const compiled = [
    'cdk8s', 'cdk8s-plus-27', 'yaml',
    path.join(BUILD_DIR, 'imports', 'security.istio.io.js'),
    path.join(BUILD_DIR, 'imports', 'networking.istio.io.js'),
    path.join(BUILD_DIR, 'src', 'index.js'),
  ];
  console.log(`\nModule load, compiled JS, each required after the ones above it (median of ${runs} fresh processes):`);
  for (const [m, ms] of moduleLoad(compiled, runs)) {
    console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${m === 'boot' ? '(node bootstrap, until the first statement)' : m.replace(`${ROOT}/`, '')}`);
  }

  // Throwaway entry files in a temporary directory (under bench/ they would be type-checked by
  // tsconfig.dev.json), importing by absolute path.
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-bench-tsx-'));
  const probe = (name: string, body: string): string => {
    const f = path.join(probeDir, name);
    fs.writeFileSync(f, body);
    return f;
  };
  const kplus = `import '${require.resolve('cdk8s')}';\nimport '${require.resolve('cdk8s-plus-27')}';\n`;
  const files = [
    probe('empty.ts', 'export {};\n'),
    probe('kplus.ts', kplus),
    probe('networking.ts', `${kplus}import '${path.join(ROOT, 'imports', 'networking.istio.io')}';\n`),
    probe('library.ts', `${kplus}import '${path.join(ROOT, 'src', 'index')}';\n`),
  ];
  const tsxRuns = 7;
  console.log(`\nUnder tsx, as \`npm run synth\` loads the app (median wall of ${tsxRuns} interleaved processes; cold = TSX_DISABLE_CACHE=1):`);
  for (const cold of [true, false]) {
    const [empty, base, networking, library] = tsxWalls(files, cold, tsxRuns);
    const plus = (ms: number): string => `${ms >= 0 ? '+' : ''}${ms.toFixed(0)} ms`;
    console.log(`  ${cold ? 'cold' : 'warm'}: empty file ${empty.toFixed(0)} ms; cdk8s + cdk8s-plus-27 ${plus(base - empty)}; on top of those, `
      + `imports/networking.istio.io.ts ${plus(networking - base)}, src/index.ts (the whole library) ${plus(library - base)} (differences below ~50 ms are noise)`);
  }
  fs.rmSync(probeDir, { recursive: true, force: true });
}

main();
