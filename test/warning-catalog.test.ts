import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExplainFindingId, WARNING_CATALOG } from '../src';
import { renderWarningTable } from '../src/warning-catalog';

const SRC = path.join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : []);
}

describe('WARNING_CATALOG', () => {
  test('lists exactly the warning ids the source raises', () => {
    const raised = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/\badd\('([a-z0-9-]+)'/g)) {
        raised.add(match[1]);
      }
    }
    // The policy analysis returns warnings by id (`id: '...'`), which IpAccessPolicy raises as they are.
    for (const file of sourceFiles(path.join(SRC, 'policy'))) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/id: '([a-z0-9-]+)'/g)) {
        raised.add(match[1]);
      }
    }
    // IngressGateway raises the simulator's findings by their ids (all but the PROXY mismatch, which
    // its own check words more precisely).
    raised.add(ExplainFindingId.XFF_SPOOFABLE).add(ExplainFindingId.TRUSTS_PROXY_ADDRESS).add(ExplainFindingId.XFF_SPOOFABLE_BY_BYPASS);
    expect([...raised].sort()).toEqual(Object.keys(WARNING_CATALOG).sort());
  });

  test('uses lower-case kebab-case ids', () => {
    expect(Object.keys(WARNING_CATALOG).filter((id) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))).toEqual([]);
  });

  test('is the table in the README', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(/<!-- warning-table:start -->\n([\s\S]*?)<!-- warning-table:end -->/.exec(readme)?.[1]).toBe(renderWarningTable());
  });
});
