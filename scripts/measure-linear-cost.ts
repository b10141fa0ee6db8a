/**
 * Measures that warnings and acknowledgements cost linear time: one IpAccessPolicy with N blocks
 * that each raise a warning (`ip-block-host-bits`, one subject per block), half of them
 * acknowledged by subject, then synth and `Warnings.collect`. Prints the median time per N and the
 * ratio between the largest and the smallest N (4 for linear cost when N grows 4×, 16 for quadratic).
 *
 *   npx tsx scripts/measure-linear-cost.ts [--src <path to a src/ folder>] [4000 16000]
 *
 * Each size runs 3 times in a fresh process, so one run's garbage does not slow the next.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

interface Sample { readonly n: number; readonly ms: number; readonly warnings: number }

async function once(src: string, n: number): Promise<Sample> {
  const lib = await import(path.resolve(src, 'index.ts')) as typeof import('../src');
  const { App, Chart, Testing } = await import('cdk8s');
  const texts = Array.from({ length: n }, (_, i) => `10.${(i >> 14) & 255}.${(i >> 6) & 255}.${((i & 63) << 2) + 1}/30`);
  const start = process.hrtime.bigint();
  const chart = new Chart(new App({ outdir: '/tmp/measure-linear-cost' }), 'c');
  const policy = new lib.IpAccessPolicy(chart, 'p', { target: lib.PolicyTarget.labels({ app: 'x' }), action: lib.IpAccessAction.DENY, ipBlocks: lib.IpBlock.ofAll(texts) });
  const warnings = lib.Warnings.of(policy);
  // A library without subjects ignores the third argument, and each acknowledgement then covers the id.
  for (let i = 0; i < n; i += 2) {
    (warnings.acknowledge as (...a: unknown[]) => void)('ip-block-host-bits', 'measured', { subject: `ipBlocks ${texts[i]}` });
  }
  Testing.synth(chart);
  const left = lib.Warnings.collect(chart).length;
  return { n, ms: Number(process.hrtime.bigint() - start) / 1e6, warnings: left };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const srcAt = args.indexOf('--src');
  const src = srcAt === -1 ? path.join(__dirname, '..', 'src') : args[srcAt + 1];
  const sizes = args.filter((a, i) => /^[0-9]+$/.test(a) && (srcAt === -1 || i !== srcAt + 1)).map(Number);
  if (process.env.MEASURE_ONE !== undefined) {
    process.stdout.write(JSON.stringify(await once(src, Number(process.env.MEASURE_ONE))));
    return;
  }
  const results: Record<number, Sample[]> = {};
  for (const n of sizes.length > 0 ? sizes : [4000, 16000]) {
    for (let run = 0; run < 3; run++) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--src', src], { env: { ...process.env, MEASURE_ONE: String(n) } });
      (results[n] ??= []).push(JSON.parse(String(out)) as Sample);
    }
  }
  const median = (samples: Sample[]) => [...samples].sort((a, b) => a.ms - b.ms)[1].ms;
  const ns = Object.keys(results).map(Number).sort((a, b) => a - b);
  for (const n of ns) {
    process.stdout.write(`N=${n}: median ${median(results[n]).toFixed(0)} ms (runs ${results[n].map((s) => s.ms.toFixed(0)).join(', ')}), ${results[n][0].warnings} warnings left\n`);
  }
  const low = ns[0];
  const high = ns[ns.length - 1];
  process.stdout.write(`ratio time(${high}) / time(${low}) = ${(median(results[high]) / median(results[low])).toFixed(2)} for ${high / low}x the blocks\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
