/**
 * Markdown escaping for generated reports. Pure.
 */

/** Plain text for Markdown prose and table cells: Markdown punctuation escaped, one line. */
export function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|]/g, '\\$&');
}

/** A code span that survives any content (a longer backtick fence when needed), with `|` escaped for tables. */
export function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((run) => run.length)) + 1);
  const body = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}
