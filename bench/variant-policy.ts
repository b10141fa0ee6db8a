/**
 * `policy`: one DENY `IpAccessPolicy` on the ingress gateway with a long `ipBlocks` list, as a
 * team loading a block list would write it; then `app.synth()`.
 *
 *   node bench/out/build/bench/variant-policy.js <random|adjacent> <ranges> <outdir>
 *
 * Prints one JSON line (`PolicyReport`). Timed phases: parsing the texts (`IpBlock.ofAll`),
 * constructing the policy (reducing the list to its minimal cover and spreading it over objects
 * that fit), and synth (validation, including the size check, and writing the YAML). After the
 * clock stops it reads the YAML back, counts the ranges written, and compares them with the minimal
 * cover computed by `siblingMergeCover` (another algorithm) from the generated ranges.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Chart } from 'cdk8s';
import { IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget } from '../src/index';
import { minimalCidrCover } from '../src/private/cidr-set';
import { clientSideApplyBytes } from '../src/private/object-size';
import { POLICY_KINDS, PolicyKind, rangesOf, siblingMergeCover, textsOf } from './policy-recipe';

/** What the policy variant prints, as one JSON line. */
export interface PolicyReport {
  readonly kind: PolicyKind;
  readonly input_ranges: number;
  /** Ranges in the written YAML, over every AuthorizationPolicy. */
  readonly written_ranges: number;
  /** Size of the minimal cover by `siblingMergeCover`. */
  readonly minimal_cover: number;
  /** Whether the written ranges are exactly the minimal cover (same set, none twice). */
  readonly cover_equal: boolean;
  /** AuthorizationPolicy objects written. */
  readonly objects: number;
  /** Bytes of the written YAML file. */
  readonly bytes: number;
  /** The largest object as client-side `kubectl apply` stores it. */
  readonly max_object_bytes: number;
  /** `IpBlock.ofAll` over the texts. */
  readonly parse_ms: number;
  /** `new IpAccessPolicy(...)`: reduction and splitting. */
  readonly construct_ms: number;
  /** `app.synth()`: validations (the size check among them) and the YAML. */
  readonly synth_ms: number;
  readonly construct_synth_ms: number;
  /** `minimalCidrCover` alone on the parsed blocks, measured again after the run. */
  readonly reduce_ms: number;
  /** CPU time (user + system) of each phase: less affected than wall time by other work on the machine. */
  readonly parse_cpu_ms: number;
  readonly construct_cpu_ms: number;
  readonly synth_cpu_ms: number;
  readonly construct_synth_cpu_ms: number;
  readonly reduce_cpu_ms: number;
  /** Process start to the end of synth (Node's bootstrap and module loading included). */
  readonly total_ms: number;
  /** CPU time (user + system) until the end of synth. */
  readonly cpu_ms: number;
  readonly peak_rss_mb: number;
}

const round = (x: number): number => Math.round(x * 10) / 10;
/** CPU time of the process so far, ms. */
const cpuNow = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const [kindArg, countArg, outdir] = process.argv.slice(2);
const kind = kindArg as PolicyKind;
const count = Number(countArg);
if (!POLICY_KINDS.includes(kind) || !Number.isInteger(count) || count < 1 || outdir === undefined) {
  throw new Error(`usage: node ${process.argv[1]} <${POLICY_KINDS.join('|')}> <ranges> <outdir>`);
}

const ranges = rangesOf(kind, count);
const texts = textsOf(ranges);
const c0 = cpuNow();
const t0 = performance.now();
const blocks = IpBlock.ofAll(texts);
const t1 = performance.now();
const c1 = cpuNow();
const app = new App({ outdir });
const chart = new Chart(app, 'bench');
const policy = new IpAccessPolicy(chart, 'blocklist', {
  name: 'blocked-ranges',
  target: PolicyTarget.labels({ app: 'istio-ingressgateway', istio: 'ingressgateway' }, { namespace: 'istio-system', isGateway: true }),
  action: IpAccessAction.DENY,
  ipBlocks: blocks,
});
const t2 = performance.now();
const c2 = cpuNow();
app.synth();
const t3 = performance.now();
const c3 = cpuNow();

// Not timed: read back what was written and compare it with an independent minimal cover.
const file = path.join(outdir, 'bench.k8s.yaml');
const yaml = fs.readFileSync(file, 'utf8');
const written = [...yaml.matchAll(/^ *- (\d+\.\d+\.\d+\.\d+\/\d+)$/gm)].map((m) => m[1]);
const cover = siblingMergeCover(ranges);
const distinct = new Set(written);
const prefixes = blocks.map((block) => block._prefix);
const canonical = blocks.map((block) => block.toString());
const reduceCpu = cpuNow();
const reduceStart = performance.now();
minimalCidrCover(prefixes, canonical);
const reduceMs = performance.now() - reduceStart;
const reduceCpuMs = cpuNow() - reduceCpu;

const report: PolicyReport = {
  kind,
  input_ranges: count,
  written_ranges: written.length,
  minimal_cover: cover.size,
  cover_equal: distinct.size === written.length && written.length === cover.size && written.every((text) => cover.has(text)),
  objects: (yaml.match(/^kind: AuthorizationPolicy$/gm) ?? []).length,
  bytes: fs.statSync(file).size,
  max_object_bytes: Math.max(...policy.resources.map((object) => clientSideApplyBytes(object.toJson()))),
  parse_ms: round(t1 - t0),
  construct_ms: round(t2 - t1),
  synth_ms: round(t3 - t2),
  construct_synth_ms: round(t3 - t1),
  reduce_ms: round(reduceMs),
  parse_cpu_ms: round(c1 - c0),
  construct_cpu_ms: round(c2 - c1),
  synth_cpu_ms: round(c3 - c2),
  construct_synth_cpu_ms: round(c3 - c1),
  reduce_cpu_ms: round(reduceCpuMs),
  total_ms: round(t3),
  cpu_ms: round(c3),
  peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
};
process.stdout.write(`${JSON.stringify(report)}\n`);
