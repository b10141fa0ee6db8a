/**
 * The generated parts of the README: example code blocks, the explain summary of each example,
 * and the tables rendered from the code. `npm run docs` writes them; a test checks they match.
 */

/** The README marker that precedes the code of an example. */
export const EXAMPLE_MARKER = /(<!-- example: (examples\/[\w.-]+) -->\n```ts\n)[\s\S]*?```/g;

/** The README markers around the explain summary of an example. */
export const EXPLAIN_MARKER = /(<!-- explain: (examples\/[\w.-]+) -->\n)[\s\S]*?(<!-- \/explain -->)/g;

/**
 * The part of a one-gateway source IP report the README shows under its example: the path, what
 * sees the client, the findings, the normal request's table, and the "try it" commands with what
 * the echo server prints (the forged request's table and the diagram stay in the report).
 */
export function reportSummary(report: string): string {
  const start = report.indexOf('**Path');
  const end = report.indexOf('### Request with forged headers');
  const tryIt = report.indexOf('### Try it');
  if (start === -1 || end === -1 || tryIt === -1) {
    throw new Error('reportSummary: the report has no "**Path" paragraph, no forged-request section or no "Try it" section');
  }
  const summary = report.slice(start, end).replace('### Normal request', '**Normal request:**').trimEnd();
  const steps = report.slice(tryIt).replace('### Try it', '**Try it**').trimEnd();
  return `${summary}\n\n${steps}\n`;
}
