// @ts-check
/**
 * `npm test`: every check, two at a time on a two-core machine.
 *
 * Side by side: jest (two workers, the package test included) and the static checks one after the
 * other: lib/ brought up to date (scripts/build-lib.js; nothing to do when it is), type-check
 * (tsc build mode), eslint and cspell (both with a cache), the API report (skipped when lib/'s
 * build stamp, its config and the committed report are as at its last pass) and the dist/ check
 * (both read lib/; skipped when lib/'s build stamp, the app and plugin wiring, the CLI's version,
 * dist/ and ISTIO_VERSION are as at its last pass). jest does not wait for the build: the tests that read lib/ (the package test,
 * build-lib's) call `ensureFresh()`, which waits on the same build lock. Caches live in .cache/
 * (git-ignored); a fresh clone runs everything in full, a second run skips what did not change.
 *
 * Each check's output is printed when it ends (jest's last, with its summary). Exits 1 when any
 * check failed, naming them. Run one check alone with its own script: npm run typecheck, lint,
 * jest, api, check:dist.
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { hashOf } = require('./build-lib.js');

const ROOT = path.resolve(__dirname, '..');
const bin = (/** @type {string} */ pkg, /** @type {string} */ file) => path.join(ROOT, 'node_modules', pkg, file);

/**
 * A check, and for one whose result depends only on some files (and environment variables): those. It is skipped
 * when they hold the same bytes (and values) as at its last pass (recorded in .cache/passed/).
 * @typedef {{ name: string, args: string[], inputs?: () => string[], env?: string[] }} Check
 */

/** @type {Check[]} */
const STATIC = [
  // Build mode: when no input changed since the last check, tsc stops after comparing them (0.3 s instead of ~6 s of
  // parsing every file again); errors are kept in the build info, so a failing check keeps failing.
  { name: 'typecheck', args: [bin('typescript', 'bin/tsc'), '-b', 'tsconfig.dev.json'] },
  // Both skipped when what they read is as at their last pass (a superset of it: any change there runs them, with
  // their own caches). eslint's rules are not type-aware: a file's result depends on its text, the config and the
  // plugins' versions.
  { name: 'eslint', args: [bin('eslint', 'bin/eslint.js'), '--max-warnings', '0', '--cache', '--cache-location', '.cache/eslint/', '.'],
    inputs: () => [...sourceFiles(/\.(c?js|mjs|[cm]?tsx?)$/), 'package-lock.json'] },
  { name: 'cspell', args: [bin('cspell', 'bin.mjs'), '--no-progress', '--no-summary', '--cache', '--cache-location', '.cache/cspell'], // files: cspell.json
    inputs: () => [...['src', 'test', 'examples', 'scripts', 'bench', 'docs'].flatMap((dir) => filesBelow(dir)),
      ...fs.readdirSync(ROOT).filter((f) => f.endsWith('.md')).sort(), 'validation-plugin.js', 'cspell.json', 'package-lock.json'] },
  // The API report is made from lib/'s declarations, which lib/.build-stamp fingerprints (a hash of every build input).
  { name: 'api', args: [bin('@microsoft/api-extractor', 'bin/api-extractor'), 'run'],
    inputs: () => ['lib/.build-stamp', 'api-extractor.json', 'api/cdk8s-istio-source-ip.api.md', 'package-lock.json'] },
  // A synth of the default app (lib/src/main.js, fingerprinted by lib/.build-stamp) through the CLI and the validation
  // plugin, compared with the committed dist/: the same lib/, app and plugin wiring, CLI (package-lock.json), dist/
  // files and ISTIO_VERSION (both the app and the plugin read it) give the same verdict.
  { name: 'check:dist', args: [bin('tsx', 'dist/cli.mjs'), 'scripts/check-dist.ts'],
    inputs: () => ['lib/.build-stamp', 'cdk8s.yaml', 'scripts/synth-app.js', 'scripts/validation-plugin.js', 'validation-plugin.js',
      'scripts/cdk8s-cli-preload.js', 'scripts/check-dist.ts', 'package-lock.json', ...filesBelow('dist')],
    env: ['ISTIO_VERSION'] },
];
/** @type {Check} */
const BUILD = { name: 'build lib/', args: [path.join(__dirname, 'build-lib.js')] };
/** The checks that read lib/, skipped when it could not be built. */
const NEEDS_LIB = ['api', 'check:dist'];
/** @type {Check} */
const JEST = { name: 'jest', args: [bin('jest', 'bin/jest.js')] };

/** Every file below `dir` (relative to ROOT), sorted; none when `dir` does not exist. */
function filesBelow(/** @type {string} */ dir) {
  const abs = path.join(ROOT, dir);
  return !fs.existsSync(abs) ? [] : fs.readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(path.join(ROOT, f)).isFile())
    .sort();
}

/** Folders no check reads (dependencies, build output, generated types, caches). */
const NOT_SOURCES = new Set(['node_modules', '.git', '.cache', 'lib', 'dist', 'imports', 'coverage', path.join('bench', 'out')]);

/** Every file of the repository whose name matches `pattern`, outside NOT_SOURCES (and any node_modules), sorted. */
function sourceFiles(/** @type {RegExp} */ pattern, dir = '') {
  /** @type {string[]} */
  const found = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory() && !NOT_SOURCES.has(rel) && entry.name !== 'node_modules') {
      found.push(...sourceFiles(pattern, rel));
    } else if (entry.isFile() && pattern.test(entry.name)) {
      found.push(rel);
    }
  }
  return found.sort();
}

/**
 * The hash of a check's inputs (names and bytes, as lib/'s build stamp hashes its own; the values of its environment
 * variables and node's version), or undefined when it has none.
 */
function inputsKey(/** @type {Check} */ check) {
  if (check.inputs === undefined) {
    return undefined;
  }
  const env = (check.env ?? []).map((name) => `${name}=${process.env[name] ?? '(unset)'}`);
  return `${hashOf(check.inputs())} ${JSON.stringify([process.version, ...env])}`;
}

/** Runs one check with node (or skips it when its inputs are as at its last pass); resolves to its outcome, output buffered. */
async function run(/** @type {Check} */ check) {
  const key = inputsKey(check);
  const passed = path.join(ROOT, '.cache', 'passed', check.name.replace(/[^a-z0-9-]/gi, '_'));
  if (key !== undefined && fs.existsSync(passed) && fs.readFileSync(passed, 'utf8') === key) {
    const what = [`${(check.inputs?.() ?? []).length} files`, ...(check.env ?? [])].join(', ');
    return { name: check.name, ok: true, output: `${check.name}: skipped, its inputs (${what}) are as at its last pass\n`, seconds: 0 };
  }
  const result = await runNow(check);
  if (key !== undefined && result.ok) {
    fs.mkdirSync(path.dirname(passed), { recursive: true });
    fs.writeFileSync(passed, key);
  }
  return result;
}

/** Runs one check with node; resolves to its outcome, output buffered. */
function runNow(/** @type {Check} */ check) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, check.args, { cwd: ROOT, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ name: check.name, ok: code === 0, output, seconds: (Date.now() - started) / 1000 }));
  });
}

function report(/** @type {{ name: string, ok: boolean, output: string, seconds: number }} */ r) {
  process.stdout.write(`${r.output}${r.output === '' || r.output.endsWith('\n') ? '' : '\n'}`);
  process.stdout.write(`${r.ok ? 'ok' : 'FAILED'}: ${r.name} (${r.seconds.toFixed(1)} s)\n`);
  return r;
}

async function main() {
  const started = Date.now();
  const jest = run(JEST);
  const results = [];
  const build = report(await run(BUILD));
  results.push(build);
  for (const check of build.ok ? STATIC : STATIC.filter((c) => !NEEDS_LIB.includes(c.name))) {
    results.push(report(await run(check)));
  }
  results.push(report(await jest));
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  process.stdout.write(`npm test: ${failed.length === 0 ? 'all checks passed' : `FAILED: ${failed.join(', ')}`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(failed.length === 0 ? 0 : 1);
}

main();
