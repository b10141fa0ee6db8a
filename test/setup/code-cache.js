// @ts-check
/**
 * V8's code cache for the modules a jest worker compiles again in each test file
 * (test/setup/code-cache-runtime.js plugs it into jest).
 *
 * Each test file gets a fresh module registry, so every file compiles again each module it loads:
 * the library (src/index.ts re-exports it all), cdk8s, constructs, yaml… about 350 modules. That
 * compile was the largest single cost of loading a test file (~0.1 s of ~0.16 s; ~9 s of CPU in a
 * whole `npm test`). Here a module is compiled as usual the first time; the second time the same
 * file with the same source is compiled, V8's code cache of the first compile is taken (after its
 * module ran, so the cache holds the functions its tests called too) and handed to V8, which then
 * skips parsing and bytecode generation, as for every later compile. Nothing else changes: each
 * test file still evaluates every module afresh in its own context. A module whose source changed
 * is never given the old cache; one V8 refuses (other flags) is compiled as usual and starts over.
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
    /**
     * A module's file name → its source, and the script it was first compiled into, until a second
     * compile asks for the cache (then V8's code cache for it).
     * @type {Map<string, { source: string, script?: vm.Script, data?: Buffer }>}
     */
    this.entries = new Map();
    /** How many modules were compiled, and how many of them with a code cache. */
    this.stats = { compiled: 0, fromCache: 0 };
  }

  /**
   * Compiles a module's source into a function of `parameters` in `context`; from the second
   * compile of this file with this very source on, with V8's code cache of the first. Throws the
   * SyntaxError of a source that does not parse.
   * @param {string} source
   * @param {string} filename
   * @param {readonly string[]} parameters
   * @param {vm.Context} context
   * @param {ImportModuleDynamically} importModuleDynamically
   * @returns {Function}
   */
  compile(source, filename, parameters, context, importModuleDynamically) {
    const wrapped = `(function (${parameters.join(', ')}) {${source}\n})`;
    const entry = this.entries.get(filename);
    let script;
    if (entry !== undefined && entry.source === source) {
      // Taken only now, once: after the first compile's module ran (so the cache holds the
      // functions it called), and never for a module that only one test file loads.
      entry.data ??= /** @type {vm.Script} */ (entry.script).createCachedData();
      entry.script = undefined;
      script = new vm.Script(wrapped, { filename, cachedData: entry.data, importModuleDynamically });
      if (script.cachedDataRejected === true) {
        this.entries.set(filename, { source, script });
      } else {
        this.stats.fromCache++;
      }
    } else {
      script = new vm.Script(wrapped, { filename, importModuleDynamically });
      this.entries.set(filename, { source, script });
    }
    this.stats.compiled++;
    return script.runInContext(context);
  }
}

module.exports = { CodeCache };
