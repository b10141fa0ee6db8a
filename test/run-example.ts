import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Manifest } from './util';

/** The folder of the example apps. */
export const EXAMPLES = path.join(__dirname, '..', 'examples');

/** Every example app file name, sorted. */
export function exampleFiles(): string[] {
  return fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();
}

/** What an example app wrote: its objects, its printed warnings, and each file's bytes, by path. */
export interface ExampleRun {
  readonly objects: Manifest[];
  readonly warnings: string;
  readonly files: Record<string, string>;
}

/**
 * Runs an example app as `cdk8s synth` would, into `outdir` (a fresh temporary folder, removed
 * afterwards, when not given).
 */
export function runExampleFiles(file: string, outdir?: string): ExampleRun {
  const dir = outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
  const previous = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = dir;
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    jest.isolateModules(() => {
      // An example is a whole app that synthesizes on load, exactly as `cdk8s synth` runs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(EXAMPLES, file));
    });
    const warnings = stderr.mock.calls.map((call) => String(call[0])).join('');
    // Every file, subfolders included, by its path relative to the output folder (`report/source-ip-report.md`).
    const names = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
    const files = Object.fromEntries(names.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    // Only the manifests directly in the folder: what `kubectl apply -f <folder>/` reads.
    const objects = names.filter((f) => !f.includes(path.sep) && f.endsWith('.yaml')).flatMap((f) => parseAllDocuments(files[f]).map((d) => d.toJS() as Manifest));
    return { objects, warnings, files };
  } finally {
    stderr.mockRestore();
    if (previous === undefined) {
      delete process.env.CDK8S_OUTDIR;
    } else {
      process.env.CDK8S_OUTDIR = previous;
    }
    if (outdir === undefined) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Runs an example app; returns its objects and printed warnings (as `test/examples.test.ts` needs them). */
export function runExample(file: string): { objects: Manifest[]; warnings: string } {
  const { objects, warnings } = runExampleFiles(file);
  return { objects, warnings };
}
