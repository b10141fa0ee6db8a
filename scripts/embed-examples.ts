/**
 * Copies each example file into the README code block that follows its `<!-- example: ... -->`
 * marker. `npm test` checks that they match; run `npm run docs` after editing an example.
 */
import * as fs from 'node:fs';

const readme = fs.readFileSync('README.md', 'utf8');
const updated = readme.replace(/(<!-- example: (examples\/[\w.-]+) -->\n```ts\n)[\s\S]*?```/g,
  (_match, head: string, file: string) => `${head}${fs.readFileSync(file, 'utf8')}\`\`\``);
fs.writeFileSync('README.md', updated);
