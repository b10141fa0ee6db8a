/**
 * The one error type this library throws for bad input.
 *
 * Value factories (`IpBlock.of`, `HashAlgorithm.maglev`, ...) throw it at once, without a construct
 * path. Constructs collect every problem with their props and throw once, with their path, so a user
 * sees all mistakes of one construct in one run.
 */
export class SourceIpValidationError extends Error {
  /** The construct path (`chart/Edge`), when a construct threw. */
  public readonly constructPath?: string;

  /** Each problem as a full sentence: prop as typed, value received, what is allowed, the fix. */
  public readonly problems: readonly string[];

  constructor(subject: string, problems: readonly string[], constructPath?: string) {
    // Never throw while reporting a problem, whatever a plain-JavaScript caller passes.
    problems = Array.isArray(problems) ? Array.from(problems, (p) => text(p)) : [text(problems)];
    subject = text(subject);
    constructPath = constructPath === undefined ? undefined : text(constructPath);
    const where = constructPath === undefined ? '' : `[${constructPath}] `;
    // The message lists at most MAX_LISTED problems (each quoting a bounded prefix of its value),
    // so no input makes a huge message; `problems` keeps them all.
    const listed = problems.slice(0, MAX_LISTED).map((p) => `  - ${p}`);
    if (problems.length > MAX_LISTED) {
      listed.push(`  - … and ${problems.length - MAX_LISTED} more (see the error's problems)`);
    }
    const body = problems.length === 1
      ? `${where}${subject}: ${problems[0]}`
      : `${where}${subject}: ${problems.length} problems:\n${listed.join('\n')}`;
    super(body);
    this.name = 'SourceIpValidationError';
    this.constructPath = constructPath;
    this.problems = problems;
  }
}

/** The most problems an error message lists. */
const MAX_LISTED = 20;

/** Any value as text, without throwing (`String` throws for objects without a prototype). */
function text(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
