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
  /** A full synth in this process; each test below reads it, and the first one compares it with a second synth. */
  let first: Record<string, string> | undefined;
  const firstSynth = (): Record<string, string> => (first ??= synthEverything(tempDir()));

  test('two full synths of the seed app and every example are byte-identical', () => {
    // GIVEN / WHEN: everything synthesized here, and again: the seed app in this process, each
    // example by the test file that ran it first in this jest run (often another worker process).
    const once = firstSynth();
    const seedAgain = new App({ outdir: tempDir() });
    new SeedScenario(seedAgain, 'source-ip');
    seedAgain.synth();
    const twice = {
      ...Object.fromEntries(Object.entries(readTree(seedAgain.outdir)).map(([f, text]) => [path.join('seed', f), text])),
      ...Object.fromEntries(exampleFiles().flatMap((file) => Object.entries(runExampleFiles(file).files)
        .map(([f, text]) => [path.join(file.replace(/\.ts$/, ''), f), text]))),
    };
    // THEN
    const apps = ['seed', ...exampleFiles().map((f) => f.replace(/\.ts$/, ''))];
    expect([...new Set(Object.keys(once).map((f) => f.split('/')[0]))].sort()).toEqual(apps.sort());
    expect(twice).toEqual(once);
  });

  test('the seed app synthesizes to exactly the committed dist/', () => {
    const fresh = firstSynth()['seed/source-ip.k8s.yaml'];
    expect(fresh).toBe(fs.readFileSync(path.join(__dirname, '..', 'dist', 'source-ip.k8s.yaml'), 'utf8'));
  });

  test('the same chart synthesized twice in one process gives the same YAML', () => {
    const chart = new SeedScenario(new App(), 'source-ip');
    const once = Yaml.stringify(...Testing.synth(chart));
    expect(Yaml.stringify(...Testing.synth(chart))).toBe(once);
    expect(Yaml.stringify(...Testing.synth(new SeedScenario(new App(), 'source-ip')))).toBe(once);
  });

  test('nothing in the output depends on the clock, the host or chance', () => {
    const all = Object.values(firstSynth()).join('\n');
    expect(all.length).toBeGreaterThan(100_000);
    const year = String(new Date().getUTCFullYear());
    expect(all).not.toContain(year);
    expect(all).not.toContain(os.hostname());
    expect(all).not.toContain(os.tmpdir());
    expect(all).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });
});
