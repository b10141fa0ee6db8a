// cspell:ignore succesfully
// The package as an app repo gets it: `npm pack`, installed from the tarball into a fresh cdk8s
// app written here (`cdk8s init` needs the network), the examples type-checked under the cdk8s
// app template's tsconfig (CommonJS) and under nodenext, then `cdk8s synth` with the validation
// plugin running from the installed package. The install uses the npm cache first
// (--prefer-offline), and the CLI and compiler are this repository's own, so it stays quick.
// Like tsc's incremental build, a second run reuses what did not change: the installed app is
// kept in .cache/consumer-app/. npm runs again when what it resolves changes (the package's
// declared dependencies, the app's versions, node); a package whose bytes changed with the same
// dependencies is unpacked over the installed one, as npm unpacks it; the type-checks are
// incremental (tsc compares each file's content); the synths always run. A fresh clone does all.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const TSC = require.resolve('typescript/bin/tsc');
const CDK8S = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
/** Where the installed consumer app is kept between runs (git-ignored). */
const CONSUMER_CACHE = path.join(ROOT, '.cache', 'consumer-app');
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).sort();
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
const pinned = (name: string): string => lock.packages[`node_modules/${name}`].version;
const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** The cdk8s typescript-app template's compiler options (cdk8s-cli templates/typescript-app/tsconfig.json). */
const TEMPLATE_OPTIONS = {
  alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true, inlineSources: true, lib: ['es2016'],
  module: 'CommonJS', noEmitOnError: true, noFallthroughCasesInSwitch: true, noImplicitAny: true, noImplicitReturns: true,
  noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true, resolveJsonModule: true, strict: true, strictNullChecks: true,
  strictPropertyInitialization: true, stripInternal: true, target: 'ES2017',
};

/** Runs a command in `cwd`; returns its status and combined output (never throws). */
function run(cwd: string, command: string, args: readonly string[]): { status: number | null; output: string } {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error === undefined ? '' : String(r.error)}` };
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A file's text, or '' when it does not exist. */
function readOr(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, undefined, 2)}\n`);
}

describe('the packed package in a fresh cdk8s app', () => {
  let work: string;
  let app: string;
  let packed: string[];

  beforeAll(() => {
    // lib/ as it is built (rebuilt when stale); --ignore-scripts so this never cleans lib/ under a parallel synth.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../scripts/build-lib.js') as { ensureFresh(): void }).ensureFresh();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, env, encoding: 'utf8' });
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    packed = info.files.map((f) => f.path).sort();

    const tarball = fs.readFileSync(path.join(work, info.filename));
    const dependencies = { cdk8s: pinned('cdk8s'), 'cdk8s-plus-27': pinned('cdk8s-plus-27'), constructs: pinned('constructs') };
    // What `npm install` resolves: the package's declared dependencies and the app's. Only a change there needs npm again.
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    const installKey = sha256(JSON.stringify({ dependencies, node: process.version,
      declared: ['dependencies', 'peerDependencies', 'peerDependenciesMeta', 'optionalDependencies'].map((field) => manifest[field]) }));
    const packageKey = sha256(tarball);
    app = path.join(CONSUMER_CACHE, 'app');
    const installed = path.join(app, 'node_modules', 'cdk8s-istio-source-ip');
    if (readOr(path.join(CONSUMER_CACHE, 'install-key')) !== installKey) {
      fs.rmSync(CONSUMER_CACHE, { recursive: true, force: true });
      fs.mkdirSync(path.join(app, 'examples'), { recursive: true });
      fs.writeFileSync(path.join(CONSUMER_CACHE, info.filename), tarball);
      writeJson(path.join(app, 'package.json'), {
        name: 'consumer-app', version: '1.0.0', private: true, license: 'Apache-2.0',
        dependencies: { 'cdk8s-istio-source-ip': `file:${path.join(CONSUMER_CACHE, info.filename)}`, ...dependencies },
      });
      const install = run(app, 'npm', ['install', '--prefer-offline', '--omit=optional', '--no-package-lock', '--loglevel=error']);
      if (install.status !== 0) {
        throw new Error(`npm install in the consumer app failed:\n${install.output}`);
      }
      fs.writeFileSync(path.join(CONSUMER_CACHE, 'install-key'), installKey);
    } else if (readOr(path.join(CONSUMER_CACHE, 'package-key')) !== packageKey) {
      // Same dependencies, new package bytes: unpack the tarball where npm put the last one, as npm
      // does (its files below package/, nothing else left over).
      fs.rmSync(installed, { recursive: true, force: true });
      fs.mkdirSync(installed, { recursive: true });
      const tgz = path.join(work, info.filename);
      const unpack = run(installed, 'tar', ['-xzf', tgz, '--strip-components=1']);
      if (unpack.status !== 0) {
        throw new Error(`unpacking ${tgz} failed:\n${unpack.output}`);
      }
    }
    fs.writeFileSync(path.join(CONSUMER_CACHE, 'package-key'), packageKey);
    // The examples as they are now (an example no longer in the repository is removed).
    for (const file of fs.readdirSync(path.join(app, 'examples')).filter((f) => !EXAMPLES.includes(f))) {
      fs.rmSync(path.join(app, 'examples', file));
    }
    for (const file of EXAMPLES) {
      fs.copyFileSync(path.join(ROOT, 'examples', file), path.join(app, 'examples', file));
    }
    // The CommonJS type-check below compiles the examples into build/ (their common root is examples/).
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), [
      'language: typescript',
      'app: node build/gke-nlb-local.js',
      'output: dist',
      'validations:',
      '  - package: ./node_modules/cdk8s-istio-source-ip/validation-plugin.js',
      '    version: 0.0.0',
      '    class: CrdSchemaValidation',
      '',
    ].join('\n'));
    fs.rmSync(path.join(app, 'dist'), { recursive: true, force: true });
  }, 240_000);

  afterAll(() => {
    if (work !== undefined) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('ships the library, its declarations, the schemas, the plugin and the LICENSE, and nothing else', () => {
    expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'validation-plugin.js', 'lib/src/index.js', 'lib/src/index.d.ts',
      'lib/src/validation/plugin.js', 'lib/src/validation/schemas/istio-1.30.3.json', 'lib/src/validation/precompiled/istio-1.30.3/kinds.json',
      'lib/src/validation/schemas/istio-1.20.8.json', 'lib/src/validation/precompiled/istio-1.20.8/kinds.json', 'lib/src/validation/precompiled/gateway-api-v1.5.1/kinds.json']));
    // No default app (it synthesizes on load), no source maps, no generated JavaScript the library never loads.
    expect(packed.filter((f) => /^lib\/src\/(main|seed)\.|\.map$|^lib\/imports\/.*\.js$|^(src|test|scripts)\/|^dist\/.*\.(yaml|json)$/.test(f))).toEqual([]);
    // Every compiled module has its source: nothing left over from a deleted file.
    const orphans = packed.filter((f) => /^lib\/src\/.*\.(js|d\.ts)$/.test(f) && !f.includes('/precompiled/'))
      .filter((f) => !fs.existsSync(path.join(ROOT, f.replace(/^lib\//, '').replace(/(\.d)?\.ts$|\.js$/, '.ts'))));
    expect(orphans).toEqual([]);
  });

  test('every relative link in the README points at a file the package ships', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\((?!https?:|#)([^)\s#]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !packed.includes(l))).toEqual([]);
  });

  test('no shipped JavaScript points at a source map', () => {
    const installed = path.join(app, 'node_modules', 'cdk8s-istio-source-ip');
    const withMaps = packed.filter((f) => f.endsWith('.js') && fs.readFileSync(path.join(installed, f), 'utf8').includes('sourceMappingURL'));
    expect(withMaps).toEqual([]);
  });

  test('installs the validation dependencies as dependencies, and no cdk8s-plus-27 optional extras', () => {
    for (const name of ['ajv', 'ajv-formats', '@bufbuild/cel', 'yaml']) {
      expect(fs.existsSync(path.join(app, 'node_modules', name, 'package.json'))).toBe(true);
    }
    expect(fs.existsSync(path.join(app, 'node_modules', 'typescript'))).toBe(false);
  });

  test.each([
    ['the cdk8s app template tsconfig (CommonJS, node10 resolution)', { ...TEMPLATE_OPTIONS, outDir: 'build' }],
    // The template run checks every declaration file; this one is about resolution through the exports map.
    ['nodenext', { target: 'ES2022', lib: ['ES2022'], module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true }],
  ])('the examples type-check under %s, without @types/node', (name, compilerOptions) => {
    const config = `tsconfig.${name.startsWith('nodenext') ? 'nodenext' : 'template'}.json`;
    // Incremental: a second run re-checks only files whose content changed (the declarations change with the tarball, which reinstalls).
    writeJson(path.join(app, config), { compilerOptions: { ...compilerOptions, types: [], incremental: true, tsBuildInfoFile: `${config}.tsbuildinfo` }, include: ['examples/**/*.ts'] });
    const tsc = run(app, process.execPath, [TSC, '-p', config]);
    expect(tsc.output).toBe('');
    expect(tsc.status).toBe(0);
  });

  test('cdk8s synth runs an example with the validation plugin from the installed package', () => {
    expect(fs.existsSync(path.join(app, 'build', 'gke-nlb-local.js'))).toBe(true); // compiled by the CommonJS type-check above
    const synth = run(app, process.execPath, [CDK8S, 'synth', '--no-check-upgrade']);
    expect(synth.output).toMatch(/checked [1-9]\d* objects against crd-all\.gen-1\.30\.3\.yaml/);
    expect(synth.output).toMatch(/Validations ended succesfully/);
    expect(synth.status).toBe(0);
    expect(fs.readFileSync(path.join(app, 'dist', 'gke-nlb-local.k8s.yaml'), 'utf8')).toMatch(/kind: AuthorizationPolicy/);
  });

  test('fails the synth (exit 2) when an object breaks its CRD, naming the field', () => {
    fs.writeFileSync(path.join(app, 'bad.js'), [
      "const { App, Chart, ApiObject } = require('cdk8s');",
      'const app = new App();',
      "const chart = new Chart(app, 'bad');",
      "new ApiObject(chart, 'p', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p' },",
      "  spec: { action: 'DENY', rules: [{ from: [{ source: { remoteIPBlocks: ['1.2.3.4'] } }] }] } });",
      'app.synth();',
      '',
    ].join('\n'));
    const synth = run(app, process.execPath, [CDK8S, 'synth', '--no-check-upgrade', '--app', 'node bad.js']);
    expect(synth.output).toMatch(/unknown field "remoteIPBlocks"/);
    expect(synth.status).toBe(2);
  });

  test('the package entry loads with plain node, without loading ajv or the CEL library', () => {
    const probe = run(app, process.execPath, ['-e', [
      "const lib = require('cdk8s-istio-source-ip');",
      "const heavy = Object.keys(require.cache).filter((f) => /node_modules\\/(ajv|@bufbuild)\\//.test(f));",
      "console.log(typeof lib.IngressGateway, typeof lib.validateManifests, 'renderProviderTable' in lib, heavy.length);",
    ].join('\n')]);
    expect(probe.output.trim()).toBe('function function false 0');
  });
});
