import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkApplyFolder, readApplyFolder } from '../../../src/validation/analyze';
import { validationErrorOf } from '../../util';

const MANIFEST = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: apps\n';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apply-folder-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

afterEach(() => {
  for (const d of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('apply-folder-'))) {
    fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
  }
});

describe('checkApplyFolder', () => {
  test('fires on a JSON file that is not a manifest, as construct-metadata.json is', () => {
    const dir = folder({ 'app.k8s.yaml': MANIFEST, 'construct-metadata.json': '{"version":"1.0.0","resources":{}}' });
    const found = checkApplyFolder(dir);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'not-a-manifest', object: { kind: 'File', file: 'construct-metadata.json' } });
    expect(found[0].message).toMatch(/is an object without apiVersion and kind/);
  });

  test('fires on a YAML document without kind, a List with a bad item, and a file that does not parse', () => {
    const dir = folder({
      'a.yaml': 'apiVersion: v1\nmetadata:\n  name: x\n',
      'b.yml': 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    metadata: {}\n',
      'c.yaml': 'key: [unclosed\n',
    });
    expect(checkApplyFolder(dir).map((f) => f.object.file)).toEqual(['a.yaml', 'b.yml', 'c.yaml']);
  });

  test('stays quiet for manifests only, ignoring empty documents', () => {
    expect(checkApplyFolder(folder({ 'app.k8s.yaml': MANIFEST, 'list.json': '{"apiVersion":"v1","kind":"List","items":[]}' }))).toEqual([]);
  });

  test('reads only what kubectl reads: .yaml, .yml, .json directly in the folder', () => {
    const dir = folder({
      'app.k8s.yaml': MANIFEST,
      'source-ip-report.md': '# not read',
      'NOTES.YAML': 'not: read (extensions are case-sensitive)',
      'meta/construct-metadata.json': '{"not":"read"}',
    });
    const contents = readApplyFolder(dir);
    expect(contents.files).toEqual(['app.k8s.yaml']);
    expect(contents.findings).toEqual([]);
    expect(contents.manifests.map((m) => [m.file, m.position, m.manifest.kind])).toEqual([['app.k8s.yaml', 0, 'Namespace'], ['app.k8s.yaml', 2, 'ConfigMap']]);
  });

  test('fails if the folder does not exist', () => {
    expect(validationErrorOf(() => checkApplyFolder('/no/such/folder')).message).toMatch(/'dir' must be a readable folder, got "\/no\/such\/folder"/);
  });
});
