/**
 * Copies each example file into the README code block that follows its `<!-- example: ... -->`
 * marker, and renders the provider table between its markers. `npm test` checks that both match;
 * run `npm run docs` after editing an example or a preset.
 */
import * as fs from 'node:fs';
import { renderProviderTable } from '../src/edge/provider-table';

const readme = fs.readFileSync('README.md', 'utf8');
const updated = readme.replace(/(<!-- example: (examples\/[\w.-]+) -->\n```ts\n)[\s\S]*?```/g,
  (_match, head: string, file: string) => `${head}${fs.readFileSync(file, 'utf8')}\`\`\``);
fs.writeFileSync('README.md', updated.replace(/(<!-- provider-table:start -->\n)[\s\S]*?(<!-- provider-table:end -->)/,
  (_m, start: string, end: string) => `${start}${renderProviderTable()}${end}`));
