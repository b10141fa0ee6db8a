import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing, Yaml } from 'cdk8s';
import { SeedScenario } from '../src/seed';
import { exampleFiles, runExampleFiles } from './run-example';

/** Every file below `dir`, as name → bytes. */
function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Synthesizes the seed app and every example into `dir`, each example in its own folder. */
function synthEverything(dir: string): Record<string, string> {
  const seed = new App({ outdir: path.join(dir, 'seed') });
  new SeedScenario(seed, 'source-ip');
  seed.synth();
  for (const file of exampleFiles()) {
    const out = path.join(dir, file.replace(/\.ts$/, ''));
    fs.mkdirSync(out);
    runExampleFiles(file, out);
  }
  return readTree(dir);
}

describe('determinism', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'determinism-'));
    dirs.push(d);
    return d;
  };

  test('two full synths of the seed app and every example are byte-identical', () => {
    // GIVEN / WHEN
    const first = synthEverything(tempDir());
    const second = synthEverything(tempDir());
    // THEN
    const apps = ['seed', ...exampleFiles().map((f) => f.replace(/\.ts$/, ''))];
    expect([...new Set(Object.keys(first).map((f) => f.split('/')[0]))].sort()).toEqual(apps.sort());
    expect(second).toEqual(first);
  });

  test('the seed app synthesizes to exactly the committed dist/', () => {
    const fresh = synthEverything(tempDir())['seed/source-ip.k8s.yaml'];
    expect(fresh).toBe(fs.readFileSync(path.join(__dirname, '..', 'dist', 'source-ip.k8s.yaml'), 'utf8'));
  });

  test('the same chart synthesized twice in one process gives the same YAML', () => {
    const chart = new SeedScenario(new App(), 'source-ip');
    const first = Yaml.stringify(...Testing.synth(chart));
    expect(Yaml.stringify(...Testing.synth(chart))).toBe(first);
    expect(Yaml.stringify(...Testing.synth(new SeedScenario(new App(), 'source-ip')))).toBe(first);
  });

  test('nothing in the output depends on the clock, the host or chance', () => {
    const all = Object.values(synthEverything(tempDir())).join('\n');
    const year = String(new Date().getUTCFullYear());
    expect(all).not.toContain(year);
    expect(all).not.toContain(os.hostname());
    expect(all).not.toContain(os.tmpdir());
    expect(all).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });
});
