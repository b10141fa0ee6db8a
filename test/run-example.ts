import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { EXAMPLE_RUNS_ENV } from './setup/global-setup';
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
 * afterwards, when not given). Without `outdir`, an example runs once per jest run: the first
 * test file to need it runs it and leaves the result in the run's shared folder
 * (test/setup/global-setup.ts), later calls in any worker read it. With `outdir`, it always runs.
 */
export function runExampleFiles(file: string, outdir?: string): ExampleRun {
  if (outdir !== undefined) {
    return runExampleFilesNow(file, outdir);
  }
  const done = runs.get(file) ?? sharedRun(file);
  if (done !== undefined) {
    runs.set(file, done);
    return done;
  }
  // One worker runs it; another that needs it meanwhile waits for the result instead of running it too.
  const claimed = claimRun(file);
  const run = (claimed ? undefined : awaitSharedRun(file)) ?? runClaimed(file, claimed);
  runs.set(file, run);
  return run;
}

/** Runs `file` here; when this worker claimed it, shares the result, or says it failed so nobody waits for it. */
function runClaimed(file: string, claimed: boolean): ExampleRun {
  try {
    const run = runExampleFilesNow(file);
    if (claimed) {
      shareRun(file, run);
    }
    return run;
  } catch (e) {
    if (claimed) {
      fs.writeFileSync(`${sharedRunFile(file)}.failed`, '');
    }
    throw e;
  }
}

/** Whether this worker is the one to run `file` (or there is no shared folder): creates its lock file. */
function claimRun(file: string): boolean {
  const shared = sharedRunFile(file);
  if (shared === undefined) {
    return false;
  }
  try {
    fs.closeSync(fs.openSync(`${shared}.lock`, 'wx'));
    return true;
  } catch {
    return false;
  }
}

/** The run another worker is making, once it is there; undefined after a minute (that worker's file failed: run it here). */
function awaitSharedRun(file: string): ExampleRun | undefined {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 60_000; waited += 20) {
    const run = sharedRun(file);
    if (run !== undefined || fs.existsSync(`${sharedRunFile(file)}.failed`)) {
      return run;
    }
    Atomics.wait(pause, 0, 0, 20);
  }
  return undefined;
}

/** Where this jest run shares example runs between workers (undefined when jest runs without global-setup.ts). */
function sharedRunFile(file: string): string | undefined {
  const dir = process.env[EXAMPLE_RUNS_ENV];
  return dir === undefined ? undefined : path.join(dir, `${file}.json`);
}

function sharedRun(file: string): ExampleRun | undefined {
  const shared = sharedRunFile(file);
  return shared !== undefined && fs.existsSync(shared) ? JSON.parse(fs.readFileSync(shared, 'utf8')) as ExampleRun : undefined;
}

function shareRun(file: string, run: ExampleRun): void {
  const shared = sharedRunFile(file);
  if (shared !== undefined) {
    // Written whole, then renamed: a worker reading at the same moment sees all of it or nothing.
    const partial = `${shared}.${process.pid}`;
    fs.writeFileSync(partial, JSON.stringify(run));
    fs.renameSync(partial, shared);
  }
}

/** Writes a run's files into `dir` as the example wrote them (subfolders included). */
export function writeRunFiles(run: ExampleRun, dir: string): void {
  for (const [name, text] of Object.entries(run.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
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
