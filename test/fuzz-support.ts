// Shared by the fuzz files: explicit run counts (their sum is the floor of generated inputs per
// `npm test`, at least 100,000), and the helpers that count runs and accepted inputs.
import * as fc from 'fast-check';
import { SourceIpValidationError } from '../src';

/**
 * Every property's run count, by file; each file runs only its own. Pure functions (IP parsing,
 * topology values) take most of the runs: one costs tens of microseconds. The ProxyConfig merge,
 * which reads YAML 1.1, costs about half a millisecond a run and runs a few thousand times.
 * Properties that build constructs and synthesize a chart cost 1–3 ms a run, so they run a few
 * hundred times each: their inputs are small maps and lists, whose interesting shapes (empty,
 * invalid key, reserved key, duplicates) a few hundred runs reach many times over.
 */
export const RUNS = {
  ipBlockArbitraryText: 35_000,
  ipBlockIpv4: 12_000,
  ipBlockIpv6: 12_000,
  ipBlockNearMiss: 15_000,
  ipBlocksThroughPolicy: 400,
  gatewayTopology: 26_000,
  portsThroughGateway: 300,
  labelsThroughPolicy: 500,
  podLabelsThroughGateway: 300,
  podAnnotationsThroughGateway: 300,
  proxyConfigMerge: 4_000,
};
export type RunName = keyof typeof RUNS;

/** Counts per file (each jest file has its own module instance). */
export const counts = { generated: 0, accepted: 0, names: [] as RunName[] };

/** Runs a property with an explicit number of runs, counting them. */
export function check<T>(name: RunName, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  counts.accepted = 0;
  fc.assert(fc.property(arbitrary, predicate), { numRuns: RUNS[name], seed: 20261124 + Object.keys(RUNS).indexOf(name) });
  counts.generated += RUNS[name];
  counts.names.push(name);
}

/** Fails unless at least `share` of the last property's inputs were accepted (so the round-trip half is not vacuous). */
export function expectAcceptedShare(name: RunName, share: number): void {
  expect(counts.accepted / RUNS[name]).toBeGreaterThanOrEqual(share);
}

/** Calls `build`; the only error allowed out is a SourceIpValidationError. */
export function accepted<T>(build: () => T): T | undefined {
  try {
    const value = build();
    counts.accepted++;
    return value;
  } catch (e) {
    if (!(e instanceof SourceIpValidationError)) {
      throw e;
    }
    expect(e.problems.length).toBeGreaterThan(0);
    return undefined;
  }
}

/** Checks, after a file's properties ran, that each ran its full count. */
export function expectAllRan(names: readonly RunName[]): void {
  expect([...counts.names].sort()).toEqual([...names].sort());
  expect(counts.generated).toBe(names.reduce((sum, name) => sum + RUNS[name], 0));
}
