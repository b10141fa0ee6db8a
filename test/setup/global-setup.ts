// Once per `jest` run, before any worker starts: a folder where test files share the runs of the
// example apps (test/run-example.ts), so each example runs once per jest run rather than once per
// test file that reads it (global-teardown.ts removes it); and the CRD schemas precompiled once
// (precompiled.ts). Workers inherit the variables.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePrecompiled, PRECOMPILED_ENV } from './precompiled';

export const EXAMPLE_RUNS_ENV = 'CDK8S_ISTIO_SOURCE_IP_EXAMPLE_RUNS';

export default function globalSetup(): void {
  process.env[EXAMPLE_RUNS_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'example-runs-'));
  process.env[PRECOMPILED_ENV] = ensurePrecompiled();
}
