// @ts-check
/**
 * jest's runtime (jest.config.js `runtime`) with a per-worker V8 code cache (test/setup/code-cache.js)
 * in front of its module compile. It puts its counters on each test file's global
 * (`globalThis[Symbol.for('cdk8s-istio-source-ip.code-cache')]`) so a test can see it is in use.
 */
'use strict';
const Runtime = require('jest-runtime').default;
const { CodeCache } = require('./code-cache.js');

/** One per worker, shared by the test files it runs one after the other. */
const CACHE = new CodeCache();
const STATS_KEY = Symbol.for('cdk8s-istio-source-ip.code-cache');

/**
 * jest-runtime 30's ModuleExecutor: the part of it used here.
 * @typedef {{
 *   compile(source: string, filename: string): Function | null,
 *   environment: { getVmContext(): import('node:vm').Context | null, global: Record<symbol, unknown> },
 *   resolution: { isCoreModule(name: string): boolean },
 *   injectedModuleParameters: string[],
 *   dynamicImport(specifier: string, filename: string, context: import('node:vm').Context, attributes: unknown, phase: unknown): Promise<unknown>,
 * }} Executor
 */

class CodeCacheRuntime extends Runtime {
  /** @param {ConstructorParameters<typeof Runtime>} args */
  constructor(...args) {
    super(...args);
    const executor = /** @type {{ executor?: Executor }} */ (/** @type {unknown} */ (this)).executor;
    if (executor === undefined || typeof executor.compile !== 'function') {
      return; // another jest version: its own compile (test/setup/code-cache.test.ts then fails)
    }
    executor.environment.global[STATS_KEY] = CACHE.stats;
    const jestCompile = executor.compile.bind(executor);
    executor.compile = (source, filename) => {
      const context = executor.environment.getVmContext();
      if (context === null || executor.resolution.isCoreModule(filename)) {
        return jestCompile(source, filename);
      }
      // As jest's compile: import() from a CommonJS module goes to jest's ESM loader.
      /** @type {any} */
      const importModuleDynamically = (/** @type {string} */ specifier, /** @type {unknown} */ _script, /** @type {unknown} */ attributes, /** @type {unknown[]} */ ...rest) =>
        executor.dynamicImport(specifier, filename, context, attributes, rest[0]);
      try {
        return CACHE.compile(source, filename, executor.injectedModuleParameters, context, importModuleDynamically);
      } catch {
        return jestCompile(source, filename); // a syntax error: reported by jest as jest reports it
      }
    };
  }
}

module.exports = CodeCacheRuntime;
module.exports.default = CodeCacheRuntime;
