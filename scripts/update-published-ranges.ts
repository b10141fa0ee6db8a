/**
 * Regenerates src/edge/data/published-ranges.ts from the providers' published lists. Needs the
 * internet, so it is not part of `npm test`; the generated file is committed. Google's Front End
 * ranges are documented in prose, not served as a list, so they are carried over as they are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GOOGLE_FRONT_END_RANGES } from '../src/edge/data/published-ranges';

async function lines(url: string): Promise<string[]> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return (await response.text()).split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
}

async function main(): Promise<void> {
  const cloudflare = [...await lines('https://www.cloudflare.com/ips-v4'), ...await lines('https://www.cloudflare.com/ips-v6')];
  const file = path.join(__dirname, '..', 'src', 'edge', 'data', 'published-ranges.ts');
  const today = new Date().toISOString().slice(0, 10);
  const text = fs.readFileSync(file, 'utf8');
  const block = (name: string, cidrs: readonly string[], retrieved: string) => {
    const start = text.indexOf(`export const ${name}`);
    const end = text.indexOf('};', start) + 2;
    const body = text.slice(start, end)
      .replace(/retrieved: '[^']*'/, `retrieved: '${retrieved}'`)
      .replace(/cidrs: \[[^\]]*\]/, `cidrs: [\n${cidrs.map((c) => `    '${c}',`).join('\n')}\n  ]`);
    return { start, end, body };
  };
  let out = text;
  for (const { start, end, body } of [block('CLOUDFLARE_RANGES', cloudflare, today), block('GOOGLE_FRONT_END_RANGES', GOOGLE_FRONT_END_RANGES.cidrs, GOOGLE_FRONT_END_RANGES.retrieved)].reverse()) {
    out = out.slice(0, start) + body + out.slice(end);
  }
  fs.writeFileSync(file, out);
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
