/**
 * The shape check `renderSourceIpReport` runs on its input, so a plain-JavaScript caller that
 * passes something other than `explainIngressGateways` results gets the library's own error.
 */
import { failIfAny, firstHole, isPlainObject, mustBe, Problem } from '../private/problems';

function runOk(run: unknown): boolean {
  return isPlainObject(run) && Array.isArray(run.layers) && run.layers.length > 0 && run.layers.every(isPlainObject);
}

/** Throws unless `entries` is a list of `{ name, result }` with `result` from `explain`. */
export function requireReportEntries(entries: unknown): void {
  const problems: Problem[] = [];
  if (!Array.isArray(entries) || firstHole(entries) !== undefined) {
    problems.push(mustBe('entries', 'a list without holes of { name, result } (what explainIngressGateways returns)', entries,
      'pass explainIngressGateways(app)'));
  } else {
    entries.forEach((entry: unknown, i) => {
      const result = isPlainObject(entry) ? entry.result : undefined;
      const ok = isPlainObject(entry) && typeof entry.name === 'string' && isPlainObject(result)
        && isPlainObject(result.path) && Array.isArray(result.path.hops) && isPlainObject(result.path.gateway)
        && runOk(result.normal) && runOk(result.spoofed) && Array.isArray(result.findings);
      if (!ok) {
        problems.push(mustBe(`entries[${i}]`, '{ name, result } with result from explain(...)', entry, 'pass explainIngressGateways(app)'));
      }
    });
  }
  failIfAny('renderSourceIpReport', problems);
}
