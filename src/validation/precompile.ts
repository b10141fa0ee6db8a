/**
 * Build-time compilation of the CRD schemas to plain JavaScript (ajv's standalone code), so a
 * synth loads a ready validator instead of compiling the schema with ajv each time.
 *
 * Run by the library build (`scripts/build-lib.js`) into `lib/src/validation/precompiled/<set>/`:
 * one module per distinct closed schema (the versions of a CRD often share one) and `kinds.json`
 * mapping each `group/version/Kind` to its module. Not part of the public API.
 *
 * @see https://ajv.js.org/standalone.html
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import { ajvOptions, closeSchema } from './close-schema';
import { CrdSchemaSet, loadSchemaSet } from './schema-sets';

/** The standalone module source of each distinct closed schema of `set` (or of `only` its kinds), and which kind uses which. */
export function precompiledModules(set: CrdSchemaSet, only?: readonly string[]): { readonly kinds: Record<string, string>; readonly modules: Record<string, string> } {
  const kinds: Record<string, string> = {};
  const modules: Record<string, string> = {};
  const { schemas } = loadSchemaSet(set);
  for (const kind of Object.keys(schemas).filter((k) => only === undefined || only.includes(k)).sort()) {
    const closed = closeSchema(schemas[kind], true) as object;
    const file = `${createHash('sha256').update(JSON.stringify(closed)).digest('hex').slice(0, 16)}.js`;
    kinds[kind] = file;
    if (modules[file] === undefined) {
      const ajv = new Ajv({ ...ajvOptions(), code: { source: true, lines: false } });
      addFormats(ajv);
      modules[file] = standaloneCode(ajv, ajv.compile(closed));
    }
  }
  return { kinds, modules };
}

/** Writes every set's precompiled modules below `outDir` (replacing what is there); returns the module count. */
export function writePrecompiled(outDir: string, sets: readonly CrdSchemaSet[] = Object.values(CrdSchemaSet)): number {
  let count = 0;
  for (const set of sets) {
    const dir = path.join(outDir, set);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const { kinds, modules } = precompiledModules(set);
    for (const [file, code] of Object.entries(modules)) {
      fs.writeFileSync(path.join(dir, file), code);
      count++;
    }
    fs.writeFileSync(path.join(dir, 'kinds.json'), `${JSON.stringify({ kinds }, undefined, 1)}\n`);
  }
  return count;
}
