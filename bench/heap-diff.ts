/**
 * Where the live heap per workload goes: V8 heap snapshots of two variants at two sizes, and the
 * difference of their slopes, by object type and constructor name.
 *
 *   npx tsx bench/heap-diff.ts [--variants ours,kplus] [--workloads 1000,3000] [--at construction|synth] [--top 30]
 *
 * Each variant runs at both sizes under `node --expose-gc`, and writes a snapshot at the end of
 * construction (or of synth) after full collections (see `Clock.mark`). For every (type, name)
 * the script takes (bytes at the larger size − bytes at the smaller) / (difference in workloads),
 * so fixed costs (modules, code) cancel, and prints the first variant's slope minus the second's.
 * Snapshots are written to a temporary directory and removed (they are about 50 MB each).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanEnv, compile, freshOutdir, ROOT, Variant, VARIANTS, variantScript } from './build';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Bytes and count per "type name" key; strings are grouped by their first characters with digits folded. */
type Totals = Map<string, { bytes: number; count: number }>;

function option(flag: string, fallback: string): string {
  const at = process.argv.indexOf(flag);
  return at === -1 ? fallback : process.argv[at + 1];
}

function keyOf(type: string, name: string): string {
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') {
    return `string ${JSON.stringify(name.slice(0, 30).replace(/\d+/g, '#'))}`;
  }
  return type === 'code' || type === 'number' ? type : `${type} ${name.slice(0, 50)}`;
}

function totalsOf(file: string): Totals {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const totals: Totals = new Map();
  for (let i = 0; i < data.nodes.length; i += fields.length) {
    const key = keyOf(types[data.nodes[i + type]], data.strings[data.nodes[i + name]]);
    const entry = totals.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += data.nodes[i + size];
    entry.count += 1;
    totals.set(key, entry);
  }
  return totals;
}

function snapshotOf(variant: Variant, workloads: number, at: number, dir: string): Totals {
  const file = path.join(dir, `${variant}-${workloads}.heapsnapshot`);
  const outdir = freshOutdir(`heap-${variant}-${workloads}`);
  const result = spawnSync(process.execPath, ['--expose-gc', variantScript(variant), String(workloads), outdir], {
    cwd: ROOT, encoding: 'utf8', env: cleanEnv({ BENCH_HEAP_SNAPSHOT: file, BENCH_HEAP_SNAPSHOT_AT: String(at) }),
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0 || !fs.existsSync(file)) {
    throw new Error(`variant ${variant} (${workloads} workloads) failed with status ${result.status}:\n${result.stderr}`);
  }
  const totals = totalsOf(file);
  fs.rmSync(file);
  return totals;
}

function main(): void {
  const variants = option('--variants', 'ours,kplus').split(',') as Variant[];
  const [small, large] = option('--workloads', '1000,3000').split(',').map(Number);
  const at = option('--at', 'construction') === 'synth' ? 2 : 1;
  const top = Number(option('--top', '30'));
  if (variants.length !== 2 || variants.some((v) => !VARIANTS.includes(v)) || !(small > 0 && large > small)) {
    throw new Error('usage: npx tsx bench/heap-diff.ts [--variants ours,kplus] [--workloads 1000,3000] [--at construction|synth] [--top 30]');
  }
  compile((line) => process.stderr.write(`${line}\n`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-bench-heap-'));
  const slopes = variants.map((variant) => {
    const [a, b] = [small, large].map((n) => snapshotOf(variant, n, at, dir));
    const slope = new Map<string, { bytes: number; count: number }>();
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      const [x, y] = [a.get(key), b.get(key)];
      slope.set(key, { bytes: ((y?.bytes ?? 0) - (x?.bytes ?? 0)) / (large - small), count: ((y?.count ?? 0) - (x?.count ?? 0)) / (large - small) });
    }
    return slope;
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const rows = [...new Set([...slopes[0].keys(), ...slopes[1].keys()])].map((key) => ({
    key,
    bytes: (slopes[0].get(key)?.bytes ?? 0) - (slopes[1].get(key)?.bytes ?? 0),
    count: (slopes[0].get(key)?.count ?? 0) - (slopes[1].get(key)?.count ?? 0),
  }));
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  console.log(`${variants[0]} − ${variants[1]}, per workload, after ${at === 1 ? 'construction' : 'synth'} (slope ${small} → ${large}): ${Math.round(total)} bytes`);
  console.log('   bytes   objects  type and name');
  for (const row of rows.sort((p, q) => Math.abs(q.bytes) - Math.abs(p.bytes)).slice(0, top)) {
    console.log(`${Math.round(row.bytes).toString().padStart(8)}  ${row.count.toFixed(2).padStart(8)}  ${row.key}`);
  }
}

main();
