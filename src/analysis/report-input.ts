/**
 * The shape check `renderSourceIpReport` runs on its input, so a plain-JavaScript caller that
 * passes something other than `explainIngressGateways` results gets the library's own error.
 */
import { IpBlock } from '../ip-block';
import { failIfAny, firstHole, isPlainObject, mustBe, Problem } from '../private/problems';

function runOk(run: unknown): boolean {
  return isPlainObject(run) && Array.isArray(run.layers) && run.layers.length > 0 && run.layers.every(isPlainObject);
}

/** Whether `result` has the shape of an `explain` result (what the report and the try-it steps read). */
function resultOk(result: unknown): boolean {
  return isPlainObject(result) && isPlainObject(result.path) && Array.isArray(result.path.hops) && isPlainObject(result.path.gateway)
    && runOk(result.normal) && runOk(result.spoofed) && Array.isArray(result.findings);
}

/** Throws unless `run` has the shape of a run of an `explain` result (`result.normal`, `result.spoofed`). */
export function requireExplainRun(subject: string, run: unknown): void {
  failIfAny(subject, [runOk(run) ? undefined : mustBe('run', 'a run of an explain(...) result (result.normal or result.spoofed)', run, 'pass explain(path).normal')]);
}

/** Throws unless `result` has the shape of an `explain` result. */
export function requireExplainResult(subject: string, result: unknown): void {
  failIfAny(subject, [resultOk(result) ? undefined : mustBe('result', 'what explain(...) returns', result, 'pass explain(path)')]);
}

/**
 * Throws unless `parts` has the shape of `clientIpReportPartsFor(...)`'s result: lists of access
 * log and rate limit reports.
 */
export function requireClientIpReportParts(subject: string, parts: unknown): void {
  const list = (value: unknown, entryOk: (entry: Record<string, unknown>) => boolean) => Array.isArray(value) && firstHole(value) === undefined
    && value.every((entry) => isPlainObject(entry) && entryOk(entry));
  const isString = (v: unknown) => typeof v === 'string';
  const ok = isPlainObject(parts)
    && list(parts.accessLogs, (log) => isString(log.providerName) && (log.encoding === 'JSON' || log.encoding === 'TEXT') && isString(log.path)
      && typeof log.sidecars === 'boolean')
    && list(parts.rateLimits, (limit) => typeof limit.requestsPerInterval === 'number' && isString(limit.interval) && typeof limit.burst === 'number'
      && Array.isArray(limit.exempt) && firstHole(limit.exempt) === undefined && limit.exempt.every((block) => block instanceof IpBlock)
      && Array.isArray(limit.istioVersions) && limit.istioVersions.every(isString));
  failIfAny(subject, [ok ? undefined : mustBe('parts', 'what clientIpReportPartsFor(app, gateway) returns: { accessLogs: [...], rateLimits: [...] }', parts,
    'pass clientIpReportPartsFor(app, gateway)')]);
}

/** Throws unless `result` comes from `explain` and `options` are try-it options. */
export function requireTryItInput(result: unknown, options: unknown): void {
  const o = isPlainObject(options) ? options : undefined;
  const eastWest = o?.eastWest;
  failIfAny('tryItSteps', [
    resultOk(result) ? undefined : mustBe('result', 'what explain(...) returns', result, 'pass explain(path)'),
    o !== undefined ? undefined : mustBe('options', 'an object', options, 'pass { gatewayAddress }, or nothing'),
    o?.gatewayAddress === undefined || (typeof o.gatewayAddress === 'string' && o.gatewayAddress.length > 0) ? undefined
      : mustBe('options.gatewayAddress', 'a non-empty string', o.gatewayAddress, 'pass the gateway\'s address or host name'),
    eastWest === undefined || (isPlainObject(eastWest) && typeof eastWest.namespace === 'string' && eastWest.namespace.length > 0
      && ['client', 'service'].every((k) => eastWest[k] === undefined || typeof eastWest[k] === 'string'))
      ? undefined : mustBe('options.eastWest', '{ namespace, client?, service?, interceptionMode? } with string names', eastWest, 'name the namespace of the echo server'),
  ]);
}

/** Throws unless `steps` is a list of try-it steps `{ title, command, expect }`. */
export function requireTryItSteps(steps: unknown): void {
  const ok = Array.isArray(steps) && firstHole(steps) === undefined && steps.every((step) => isPlainObject(step)
    && typeof step.title === 'string' && typeof step.command === 'string' && Array.isArray(step.expect) && step.expect.every((line: unknown) => typeof line === 'string'));
  failIfAny('renderTryIt', [ok ? undefined : mustBe('steps', 'a list of { title, command, expect }', steps, 'pass tryItSteps(result)')]);
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
      const ok = isPlainObject(entry) && typeof entry.name === 'string' && resultOk(result);
      if (!ok) {
        problems.push(mustBe(`entries[${i}]`, '{ name, result } with result from explain(...)', entry, 'pass explainIngressGateways(app)'));
      }
    });
  }
  failIfAny('renderSourceIpReport', problems);
}
