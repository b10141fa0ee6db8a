// Types of test/setup/code-cache.js (plain JavaScript: jest loads it outside its transform).
import type * as vm from 'node:vm';

export declare class CodeCache {
  /** How many modules were compiled, and how many of them with a code cache. */
  public readonly stats: { compiled: number; fromCache: number };
  public compile(source: string, filename: string, parameters: readonly string[], context: vm.Context,
    importModuleDynamically: NonNullable<vm.ScriptOptions['importModuleDynamically']>): (...args: unknown[]) => unknown;
}
