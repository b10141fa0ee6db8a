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
    const where = constructPath === undefined ? '' : `[${constructPath}] `;
    const body = problems.length === 1
      ? `${where}${subject}: ${problems[0]}`
      : `${where}${subject}: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
    super(body);
    this.name = 'SourceIpValidationError';
    this.constructPath = constructPath;
    this.problems = problems;
  }
}
