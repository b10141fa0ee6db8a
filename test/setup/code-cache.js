// @ts-check
/**
 * V8's code cache for the modules a jest worker compiles again in each test file
 * (test/setup/code-cache-runtime.js plugs it into jest).
 *
 * Each test file gets a fresh module registry, so every file compiles again each module it loads:
 * the library (src/index.ts re-exports it all), cdk8s, constructs, yaml… about 350 modules. That
 * compile was the largest single cost of loading a test file (~0.1 s of ~0.16 s; ~9 s of CPU in a
 * whole `npm test`). Here a module is compiled as usual the first time; when its test file ends,
 * V8's code cache for it is kept (taken after the run, so it holds the functions the tests called
 * too); the next file that compiles the same file with the same source hands that cache to V8,
 * which then skips parsing and bytecode generation. Nothing else changes: each test file still
 * evaluates every module afresh in its own context. A cache V8 refuses (other flags, other
 * source) is dropped and the module compiled as usual; a module whose source changed is never
 * given the old one.
 *
 * jest 30 compiles a module with `vm.compileFunction`; a cache can only be asked for after the run
 * from a `vm.Script`, so the module is compiled as a script whose value is the same function (same
 * parameters, the wrapper on the module's first line: line numbers are unchanged).
 */
'use strict';
const vm = require('node:vm');

/** @typedef {NonNullable<vm.ScriptOptions['importModuleDynamically']>} ImportModuleDynamically */

class CodeCache {
  constructor() {
    /** A module's file name → its source and V8's code cache for it. @type {Map<string, { source: string, data: Buffer }>} */
    this.entries = new Map();
    /** Scripts compiled without a cache since the last `keep()`. @type {{ filename: string, source: string, script: vm.Script }[]} */
    this.uncached = [];
    /** How many modules were compiled, and how many of them from a kept cache. */
    this.stats = { compiled: 0, fromCache: 0 };
  }

  /**
   * Compiles a module's source into a function of `parameters` in `context`, with the kept cache
   * when there is one for this file and this very source. Throws the SyntaxError of a source that
   * does not parse.
   * @param {string} source
   * @param {string} filename
   * @param {readonly string[]} parameters
   * @param {vm.Context} context
   * @param {ImportModuleDynamically} importModuleDynamically
   * @returns {Function}
   */
  compile(source, filename, parameters, context, importModuleDynamically) {
    const entry = this.entries.get(filename);
    const cachedData = entry !== undefined && entry.source === source ? entry.data : undefined;
    const script = new vm.Script(`(function (${parameters.join(', ')}) {${source}\n})`, { filename, cachedData, importModuleDynamically });
    this.stats.compiled++;
    if (cachedData !== undefined && script.cachedDataRejected !== true) {
      this.stats.fromCache++;
    } else {
      this.entries.delete(filename);
      this.uncached.push({ filename, source, script });
    }
    return script.runInContext(context);
  }

  /** Keeps V8's code cache of each script compiled without one (call it when a test file ends). */
  keep() {
    for (const { filename, source, script } of this.uncached) {
      this.entries.set(filename, { source, data: script.createCachedData() });
    }
    this.uncached = [];
  }
}

module.exports = { CodeCache };
