/**
 * Copies each example file into the README code block that follows its `<!-- example: ... -->`
 * marker, and renders the provider table between its markers. `npm test` checks that both match;
 * run `npm run docs` after editing an example or a preset.
 */
import * as fs from 'node:fs';
import { renderProviderTable } from '../src/edge/provider-table';
import { renderWarningTable } from '../src/warning-catalog';

const readme = fs.readFileSync('README.md', 'utf8');
const updated = readme.replace(/(<!-- example: (examples\/[\w.-]+) -->\n```ts\n)[\s\S]*?```/g,
  (_match, head: string, file: string) => `${head}${fs.readFileSync(file, 'utf8')}\`\`\``);
const tables: Record<string, () => string> = { 'provider-table': renderProviderTable, 'warning-table': renderWarningTable };
fs.writeFileSync('README.md', Object.entries(tables).reduce((text, [marker, render]) =>
  text.replace(new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`),
    (_m, start: string, end: string) => `${start}${render()}${end}`), updated));
