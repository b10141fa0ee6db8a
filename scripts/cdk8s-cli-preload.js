// @ts-check
/**
 * Preloaded into the cdk8s CLI by `npm run synth` (`node -r ./scripts/cdk8s-cli-preload.js …/cdk8s synth`)
 * to cut its start-up, which is most of a synth of a small app:
 *
 * - the CLI registers every command at start, so `synth` loads the code generators of `import`
 *   and `init` (jsii-srcmak, jsii-pacmak and its TypeScript compiler, json2jsii, codemaker, cdk8s, ajv) that
 *   only those commands call. The CLI's `import` and `init` code gets stand-ins for them that
 *   load the real module on first use, so `cdk8s import` and `cdk8s init` work as before;
 * - compiled code is cached across runs (v8-compile-cache) when that package is installed.
 *
 * Nothing about what synth does changes: the same CLI reads the same cdk8s.yaml, runs the app and
 * the validation plugins, and writes the same files.
 */
'use strict';
const Module = require('node:module');
const path = require('node:path');

try {
  require('v8-compile-cache');
} catch {
  // optional: only a start-up cache
}

/** Modules only `cdk8s import` and `cdk8s init` use, deferred when the CLI's code for them asks. */
const DEFERRED = new Set(['jsii-srcmak', 'json2jsii', 'codemaker', 'jsii-pacmak', 'jsii-pacmak/lib/targets/version-utils', 'cdk8s', 'ajv']);
const CLI = `${path.sep}cdk8s-cli${path.sep}lib${path.sep}`;
const CALLERS = [`${CLI}import${path.sep}`, `${CLI}cli${path.sep}cmds${path.sep}init.js`, `${CLI}upgrades.js`];

/** @type {any} */
const loader = Module;
const load = loader._load;
loader._load = function (/** @type {string} */ request, /** @type {any} */ parent, /** @type {boolean} */ isMain) {
  const from = parent?.filename;
  if (!DEFERRED.has(request) || typeof from !== 'string' || !CALLERS.some((c) => from.includes(c))) {
    return load.call(this, request, parent, isMain);
  }
  /** @type {any} */
  let real;
  const target = () => (real ??= load.call(this, request, parent, isMain));
  // `__esModule` lets TypeScript's import helpers use the stand-in as it is, without reading its keys.
  return new Proxy({}, {
    get: (_, key) => (key === '__esModule' ? true : target()[key]),
    has: (_, key) => key in target(),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), key);
      return d === undefined ? undefined : { ...d, configurable: true };
    },
  });
};
