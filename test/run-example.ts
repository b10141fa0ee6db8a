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

/** A gateway an example describes as installed outside its manifests (`InstalledGateway.*`), as plain data. */
export interface ExampleInstalledGateway {
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly port: number; readonly targetPort?: number }[];
}

/** What an example app wrote: its objects, its printed warnings, and each file's bytes, by path. */
export interface ExampleRun {
  readonly objects: Manifest[];
  readonly warnings: string;
  readonly files: Record<string, string>;
  /** The gateways the app describes as installed (they exist in the cluster, outside the manifests). */
  readonly installedGateways: readonly ExampleInstalledGateway[];
}

/** Runs without an `outdir`, per example file, for this test file (a run is deterministic: test/determinism.test.ts). */
const runs = new Map<string, ExampleRun>();

/**
 * Runs an example app as `cdk8s synth` would, into `outdir` (a fresh temporary folder, removed
 * afterwards, when not given). Without `outdir`, an example runs once per test file and later
 * calls get the same result; with one, it always runs.
 */
export function runExampleFiles(file: string, outdir?: string): ExampleRun {
  const done = outdir === undefined ? runs.get(file) : undefined;
  if (done !== undefined) {
    return done;
  }
  const run = runExampleFilesNow(file, outdir);
  if (outdir === undefined) {
    runs.set(file, run);
  }
  return run;
}

function runExampleFilesNow(file: string, outdir?: string): ExampleRun {
  const dir = outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
  const previous = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = dir;
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  let installedGateways: ExampleInstalledGateway[] = [];
  try {
    jest.isolateModules(() => {
      // The example's own instances of cdk8s and this library (isolated, as the example loads them).
      /* eslint-disable @typescript-eslint/no-require-imports */
      const cdk8s = require('cdk8s') as typeof import('cdk8s');
      const lib = require('../src') as typeof import('../src');
      const apps: import('cdk8s').App[] = [];
      const synth = cdk8s.App.prototype.synth;
      cdk8s.App.prototype.synth = function synthAndRemember(this: import('cdk8s').App) {
        apps.push(this);
        return synth.call(this);
      };
      // An example is a whole app that synthesizes on load, exactly as `cdk8s synth` runs it.
      require(path.join(EXAMPLES, file));
      /* eslint-enable @typescript-eslint/no-require-imports */
      installedGateways = apps.flatMap((app) => lib.installedGatewaysIn(app)).map((g) => ({
        name: g.name, namespace: g.namespace, podLabels: { ...g.podLabels }, ports: g.ports.map((p) => ({ port: p.port, targetPort: p.targetPort })),
      }));
    });
    const warnings = stderr.mock.calls.map((call) => String(call[0])).join('');
    // Every file, subfolders included, by its path relative to the output folder (`report/source-ip-report.md`).
    const names = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
    const files = Object.fromEntries(names.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    // Only the manifests directly in the folder: what `kubectl apply -f <folder>/` reads.
    const objects = names.filter((f) => !f.includes(path.sep) && f.endsWith('.yaml')).flatMap((f) => parseAllDocuments(files[f]).map((d) => d.toJS() as Manifest));
    return { objects, warnings, files, installedGateways };
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
