/**
 * Makes jest's `expect` cheap when an assertion passes, without changing what any assertion means.
 *
 * Every `expect(value)` call builds a fresh object holding all of jest's matchers (about 300
 * closures) and an Error for async stack traces, whatever the test then calls. Property tests call
 * `expect` hundreds of thousands of times per run, and that set-up was about a third of the whole
 * jest run. This file (jest `setupFilesAfterEnv`) puts a thin wrapper in front of the global
 * `expect`: the common matchers first make a check that implies jest's (`toBe`: `Object.is`;
 * `toEqual`: `util.isDeepStrictEqual`, stricter than `toEqual`'s equality; number comparisons of
 * two numbers; `toMatch` on a string; `toBeUndefined`, `toBeDefined`; `toHaveLength` of a string
 * or array). When it holds, the assertion passes and is counted (`expect.assertions` still works).
 * Otherwise, and for every other matcher, `.not`, `.resolves` and `.rejects`, jest's own matcher
 * runs as before, so a failing assertion fails with jest's own message; its stack starts at the
 * test's line.
 */
import { isDeepStrictEqual } from 'node:util';

type Expect = typeof expect;
type Matchers = ReturnType<Expect>;
type FastMatcher = 'toBe' | 'toEqual' | 'toBeGreaterThan' | 'toBeGreaterThanOrEqual' | 'toBeLessThan' | 'toBeLessThanOrEqual'
  | 'toMatch' | 'toBeUndefined' | 'toBeDefined' | 'toHaveLength';

const jestExpect: Expect = expect;

function countAssertion(): void {
  jestExpect.setState({ assertionCalls: jestExpect.getState().assertionCalls + 1 });
}

/** For each fast matcher, a check of its arguments that, when true, means jest's matcher passes. */
function fastChecks(actual: unknown): Record<FastMatcher, (...expected: unknown[]) => boolean> {
  const numbers = (expected: unknown): expected is number => typeof actual === 'number' && typeof expected === 'number';
  return {
    toBe: (expected) => Object.is(actual, expected),
    toEqual: (expected) => isDeepStrictEqual(actual, expected),
    toBeGreaterThan: (expected) => numbers(expected) && (actual as number) > expected,
    toBeGreaterThanOrEqual: (expected) => numbers(expected) && (actual as number) >= expected,
    toBeLessThan: (expected) => numbers(expected) && (actual as number) < expected,
    toBeLessThanOrEqual: (expected) => numbers(expected) && (actual as number) <= expected,
    // As jest does: a new RegExp, so a global pattern's lastIndex plays no part.
    toMatch: (expected) => typeof actual === 'string'
      && (typeof expected === 'string' ? actual.includes(expected) : expected instanceof RegExp && new RegExp(expected).test(actual)),
    toBeUndefined: () => actual === undefined,
    toBeDefined: () => actual !== undefined,
    toHaveLength: (expected) => (typeof actual === 'string' || Array.isArray(actual)) && actual.length === expected,
  };
}

/** A matcher that passes at once when `holds(...args)`, else defers to jest's matcher `name`. */
function matcher(full: () => Matchers, name: FastMatcher, holds: (...expected: unknown[]) => boolean) {
  return function fastMatcher(...args: unknown[]): unknown {
    if (args.length === holds.length && holds(...args)) {
      countAssertion();
      return undefined;
    }
    try {
      return (full()[name] as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      if (e instanceof Error) {
        Error.captureStackTrace(e, fastMatcher);
      }
      throw e;
    }
  };
}

function fastExpect(...args: unknown[]): Matchers {
  if (args.length !== 1) {
    return (jestExpect as (...a: unknown[]) => Matchers)(...args); // jest's own error for a wrong call
  }
  const actual = args[0];
  let real: Matchers | undefined;
  const full = (): Matchers => (real ??= jestExpect(actual));
  const fast = fastChecks(actual);
  return new Proxy({} as Matchers, {
    get(_target, key) {
      const holds = typeof key === 'string' && Object.prototype.hasOwnProperty.call(fast, key) ? fast[key as FastMatcher] : undefined;
      return holds === undefined ? Reflect.get(full(), key) : matcher(full, key as FastMatcher, holds);
    },
  });
}

// Calls go to the wrapper; `expect.any`, `expect.extend`, `expect.assertions`… stay jest's own.
(globalThis as unknown as { expect: Expect }).expect = new Proxy(jestExpect, {
  apply: (_target, _this, args: unknown[]) => fastExpect(...args),
});
