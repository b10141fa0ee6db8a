// The code cache of test/setup/code-cache.js changes how quickly a module compiles, never what it
// does: same function, same line numbers, and a changed source never gets an old cache.
import * as vm from 'node:vm';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CodeCache } = require('./code-cache.js') as typeof import('./code-cache.js');

const PARAMETERS = ['module', 'exports', 'require'];
const noImport = (): never => {
  throw new Error('no import() here');
};

type Exports = { sum(a: number, b: number): number; where(): string };

/** Compiles `source` as a module in a fresh context and runs it, as jest runs a module; returns its exports. */
function load(cache: InstanceType<typeof CodeCache>, source: string, filename = '/virtual/module.js'): Exports {
  const fn = cache.compile(source, filename, PARAMETERS, vm.createContext({}), noImport as never);
  const module = { exports: {} as Exports };
  fn.call(module.exports, module, module.exports, () => undefined);
  return module.exports;
}

const SOURCE = [
  '"use strict";',
  'function where() { return new Error("here").stack.split("\\n")[1]; }',
  'exports.sum = (a, b) => a + b;',
  'exports.where = where;',
  'exports.sum(1, 2);',
].join('\n');

describe('code cache', () => {
  test('compiles the same source with the first compile\'s cache from the second compile on, and it behaves the same', () => {
    const cache = new CodeCache();
    const first = load(cache, SOURCE);
    expect(cache.stats).toEqual({ compiled: 1, fromCache: 0 });
    const second = load(cache, SOURCE);
    const third = load(cache, SOURCE);
    expect(cache.stats).toEqual({ compiled: 3, fromCache: 2 });
    expect(second.sum(2, 3)).toBe(5);
    expect(third.sum(2, 3)).toBe(5);
    // Same line and column as without a cache: the wrapper does not move the module's code.
    expect(first.where()).toMatch(/ \(\/virtual\/module\.js:2:\d+\)$/);
    expect(second.where()).toBe(first.where());
    // Each compile is a module of its own (its own context), as jest's are.
    expect(second.sum).not.toBe(first.sum);
  });

  test('a changed source is compiled afresh, never given the old cache', () => {
    const cache = new CodeCache();
    load(cache, SOURCE);
    const changed = load(cache, SOURCE.replace('a + b', 'a * b'));
    expect(cache.stats).toEqual({ compiled: 2, fromCache: 0 });
    expect(changed.sum(2, 3)).toBe(6);
    // The changed source's compile is the one kept from now on.
    expect(load(cache, SOURCE.replace('a + b', 'a * b')).sum(2, 3)).toBe(6);
    expect(cache.stats.fromCache).toBe(1);
    expect(load(cache, SOURCE).sum(2, 3)).toBe(5);
    expect(cache.stats.fromCache).toBe(1);
  });

  test('a cache is kept per file', () => {
    const cache = new CodeCache();
    load(cache, SOURCE, '/virtual/a.js');
    load(cache, SOURCE, '/virtual/b.js');
    expect(cache.stats.fromCache).toBe(0);
  });

  test('fails if the source does not parse, with the SyntaxError', () => {
    // node:vm's own realm's SyntaxError, not this context's: matched by name.
    expect(() => load(new CodeCache(), 'exports.x = ;')).toThrow(expect.objectContaining({ name: 'SyntaxError', message: "Unexpected token ';'" }));
  });

  test('is what compiles the modules of this jest run (jest.config.js runtime)', () => {
    const stats = (globalThis as Record<symbol, unknown>)[Symbol.for('cdk8s-istio-source-ip.code-cache')] as { compiled: number } | undefined;
    // This file and the setup file at least went through it.
    expect(stats?.compiled).toBeGreaterThanOrEqual(2);
  });
});
