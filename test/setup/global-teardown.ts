// Removes the folder of shared example runs made by global-setup.ts.
import * as fs from 'node:fs';
import { EXAMPLE_RUNS_ENV } from './global-setup';

export default function globalTeardown(): void {
  const dir = process.env[EXAMPLE_RUNS_ENV];
  if (dir !== undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
