// @ts-check
/**
 * Builds lib/ (the package's JavaScript and type declarations, and the app `npm run synth` runs),
 * and tells whether lib/ is up to date with the sources.
 *
 *   node scripts/build-lib.js            build (incremental tsc), unless already up to date
 *   node scripts/build-lib.js --clean    remove lib/ first (what `npm pack` ships: nothing stale)
 *   node scripts/build-lib.js --check    exit 1 if lib/ is out of date, build nothing
 *
 * A build is: `tsc -p tsconfig.json`, the schema JSON copied next to the validator, the schemas
 * precompiled to plain JavaScript (src/validation/precompile.ts), then `lib/.build-stamp` written
 * with a hash of every input. `ensureFresh()` compares that hash with the current one, so
 * `npm run synth` can run lib/ with plain node and never run JavaScript older than its source.
 * Plain JavaScript on purpose: it runs before anything is compiled, and must start fast.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
const STAMP = path.join(LIB, '.build-stamp');
const LOCK = path.join(ROOT, '.build-lock');
const SCHEMAS_SRC = path.join(ROOT, 'src', 'validation', 'schemas');
const SCHEMAS_LIB = path.join(LIB, 'src', 'validation', 'schemas');
const PRECOMPILED_LIB = path.join(LIB, 'src', 'validation', 'precompiled');

/** Every file below `dir` (relative to ROOT), sorted; none when `dir` does not exist. */
function filesBelow(dir) {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) {
    return [];
  }
  return fs.readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(path.join(ROOT, f)).isFile())
    .sort();
}

/** Hash of the names and bytes of `files` (relative to ROOT; a missing file counts as missing). */
function hashOf(files) {
  const hash = createHash('sha256');
  for (const f of files) {
    const abs = path.join(ROOT, f);
    hash.update(`${f}\0`).update(fs.existsSync(abs) ? fs.readFileSync(abs) : '(missing)').update('\0');
  }
  return hash.digest('hex');
}

/** Everything lib/ is built from: the sources, the generated imports, the compiler settings, the dependency versions, this script. */
function inputs() {
  return [...filesBelow('src'), ...filesBelow('imports'), 'tsconfig.json', 'package-lock.json', path.join('scripts', 'build-lib.js')];
}

/** What the precompiled validators are built from (a subset of `inputs()`): rebuilt only when one of these changes. */
function precompileInputs() {
  return [...filesBelow(path.join('src', 'validation')), 'package-lock.json'];
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Whether lib/ was built from exactly the current inputs. */
function isFresh() {
  return readOr(STAMP, '') === hashOf(inputs());
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` while holding the build lock, so two synths (or a synth and `npm pack`) never build at once. */
function withLock(fn) {
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') {
        throw e;
      }
      const age = Date.now() - readOr(path.join(LOCK, 'since'), String(Date.now())).trim() * 1;
      if (age > 10 * 60 * 1000 || Date.now() > deadline) {
        fs.rmSync(LOCK, { recursive: true, force: true }); // left behind by a killed build
      } else {
        sleep(200);
      }
    }
  }
  try {
    fs.writeFileSync(path.join(LOCK, 'since'), String(Date.now()));
    return fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Deletes compiled files whose source is gone (an incremental tsc leaves them behind when a source moves). */
function removeOrphans() {
  for (const dir of ['src', 'imports']) {
    for (const f of filesBelow(path.join('lib', dir))) {
      const match = /^lib[\\/](.*?)(\.d\.ts|\.js)$/.exec(f);
      if (match !== null && !/[\\/](precompiled|schemas)[\\/]/.test(f) && !fs.existsSync(path.join(ROOT, `${match[1]}.ts`))) {
        fs.rmSync(path.join(ROOT, f));
      }
    }
  }
}

/** Builds lib/ (see the file comment). Returns the input hash it built from. */
function build({ clean = false } = {}) {
  return withLock(() => {
    // Hash before compiling: a source edited during the build leaves lib/ marked out of date.
    const hash = hashOf(inputs());
    if (!clean && readOr(STAMP, '') === hash) {
      return hash;
    }
    if (clean) {
      fs.rmSync(LIB, { recursive: true, force: true });
    }
    fs.rmSync(STAMP, { force: true });
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
    removeOrphans();
    fs.rmSync(SCHEMAS_LIB, { recursive: true, force: true });
    fs.cpSync(SCHEMAS_SRC, SCHEMAS_LIB, { recursive: true });
    const precompileHash = hashOf(precompileInputs());
    const precompileStamp = path.join(PRECOMPILED_LIB, '.stamp');
    if (readOr(precompileStamp, '') !== precompileHash) {
      fs.rmSync(PRECOMPILED_LIB, { recursive: true, force: true });
      const { writePrecompiled } = require(path.join(LIB, 'src', 'validation', 'precompile.js'));
      writePrecompiled(PRECOMPILED_LIB);
      fs.writeFileSync(precompileStamp, precompileHash);
    }
    fs.writeFileSync(STAMP, hash);
    return hash;
  });
}

/** Builds lib/ when it is out of date, saying so on stderr; silent and fast (a hash of the inputs) otherwise. */
function ensureFresh() {
  if (!isFresh()) {
    process.stderr.write('lib/ is out of date with src/: building it (node scripts/build-lib.js)\n');
    build();
  }
}

module.exports = { build, ensureFresh, hashOf, inputs, isFresh };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    if (!isFresh()) {
      process.stderr.write('lib/ is out of date with src/. Fix: npm run compile\n');
      process.exit(1);
    }
  } else {
    build({ clean: args.includes('--clean') });
  }
}
