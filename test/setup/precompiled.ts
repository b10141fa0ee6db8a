/**
 * The CRD schemas precompiled once for the whole jest run, as the library build precompiles them.
 *
 * A CrdSchemaValidator loads the build's standalone validator of a kind (`precompiled/<set>/` next
 * to its module) and compiles the schema with ajv only when there is none. Under jest the library
 * runs from src/, where there is none, so every test file that validated compiled each schema it
 * met again (~4 s of CPU per jest run). Here `global-setup.ts` writes the precompiled validators of
 * every set with src/validation/precompile.ts (what `scripts/build-lib.js` runs for lib/) into
 * `.cache/jest-precompiled/<hash>/`, the hash being of everything they are made from (the files of
 * src/validation/ and package-lock.json, as the build's own stamp of them), so a changed schema
 * or compile setting makes new ones and an unchanged tree reuses them. Each test file then loads
 * src/validation/schema-sets.ts with that folder as `PRECOMPILED_DIR` (precompiled-dir.ts), so the
 * tests run src/'s validator on the path a synth from the package takes. The ajv fallback keeps
 * its own test (crd-schema-validator.test.ts); precompile.test.ts checks that the standalone code
 * gives ajv's verdicts and errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The environment variable that hands the folder to the test files (workers inherit it). */
export const PRECOMPILED_ENV = 'CDK8S_ISTIO_SOURCE_IP_TEST_PRECOMPILED';

const ROOT = path.join(__dirname, '..', '..');

function filesBelow(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(path.join(ROOT, f)).isFile())
    .sort();
}

/** The folder of precompiled validators made from the current sources, written first when missing. */
export function ensurePrecompiled(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { hashOf } = require('../../scripts/build-lib.js') as { hashOf(files: readonly string[]): string };
  const key = hashOf([...filesBelow(path.join('src', 'validation')), 'package-lock.json']).slice(0, 16);
  const parent = path.join(ROOT, '.cache', 'jest-precompiled');
  const dir = path.join(parent, key);
  if (!fs.existsSync(dir)) {
    // Written aside and renamed into place, so a jest run next to this one never reads a half-written folder.
    fs.mkdirSync(parent, { recursive: true });
    const temp = fs.mkdtempSync(path.join(parent, `.${key}-`));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../../src/validation/precompile') as typeof import('../../src/validation/precompile')).writePrecompiled(temp);
    try {
      fs.renameSync(temp, dir);
    } catch {
      fs.rmSync(temp, { recursive: true, force: true }); // another run put the same folder in place first
    }
    for (const old of fs.readdirSync(parent).filter((name) => name !== key && !name.startsWith('.'))) {
      fs.rmSync(path.join(parent, old), { recursive: true, force: true });
    }
  }
  return dir;
}
