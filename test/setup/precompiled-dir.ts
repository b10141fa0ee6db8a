// jest `setupFiles`: each test file loads src/validation/schema-sets.ts with the run's precompiled
// validators as PRECOMPILED_DIR (see precompiled.ts); everything else in it is the module itself.
import { PRECOMPILED_ENV } from './precompiled';

const dir = process.env[PRECOMPILED_ENV];
if (dir !== undefined) {
  jest.mock('../../src/validation/schema-sets', () => ({
    ...jest.requireActual<typeof import('../../src/validation/schema-sets')>('../../src/validation/schema-sets'),
    PRECOMPILED_DIR: dir,
  }));
}
