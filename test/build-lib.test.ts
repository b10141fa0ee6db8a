// scripts/build-lib.js decides whether `npm run synth` may run lib/ as it is: lib/ counts as up to
// date only when it was built from exactly the current sources.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const buildLib = require('../scripts/build-lib.js') as { inputs(): string[]; isFresh(): boolean; ensureFresh(): void };
const ROOT = path.join(__dirname, '..');

function filesBelow(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(path.join(ROOT, f)).isFile());
}

describe('build-lib', () => {
  test('hashes every source the build reads: src/, imports/, the compiler settings and the dependency versions', () => {
    const inputs = buildLib.inputs();
    expect([...filesBelow('src'), ...filesBelow('imports')].filter((f) => !inputs.includes(f))).toEqual([]);
    expect(inputs).toEqual(expect.arrayContaining(['tsconfig.json', 'package-lock.json', path.join('scripts', 'build-lib.js')]));
  });

  test('after a build, lib/ is up to date and --check agrees', () => {
    buildLib.ensureFresh();
    expect(buildLib.isFresh()).toBe(true);
    expect(() => execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-lib.js'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  test('fails --check when the recorded hash is not the one of the sources', () => {
    const stamp = path.join(ROOT, 'lib', '.build-stamp');
    const good = fs.readFileSync(stamp, 'utf8');
    // A stamp for other sources, in a copy of the script pointed at a scratch root, leaves the real lib/ alone.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'build-lib-'));
    try {
      fs.mkdirSync(path.join(scratch, 'scripts'));
      fs.mkdirSync(path.join(scratch, 'lib'));
      fs.copyFileSync(path.join(ROOT, 'scripts', 'build-lib.js'), path.join(scratch, 'scripts', 'build-lib.js'));
      fs.writeFileSync(path.join(scratch, 'lib', '.build-stamp'), good);
      const r = (() => {
        try {
          execFileSync(process.execPath, [path.join(scratch, 'scripts', 'build-lib.js'), '--check'], { stdio: 'pipe' });
          return 'fresh';
        } catch (e) {
          return String((e as { stderr?: Buffer }).stderr);
        }
      })();
      expect(r).toMatch(/lib\/ is out of date with src\/\. Fix: npm run compile/);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
