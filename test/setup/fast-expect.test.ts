// The fast path of test/setup/fast-expect.ts changes how quickly a passing assertion passes, never
// whether an assertion passes.
function thrown(fn: () => void): Error & { matcherResult?: { pass: boolean } } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the assertion to fail');
}

describe('fast expect', () => {
  test('counts passing toBe and toEqual as assertions', () => {
    expect.assertions(4);
    expect(expect(1).toBe.name).toBe('fastMatcher'); // the wrapper is installed
    expect(1).toBe(1);
    expect({ a: [1, { b: 'c' }] }).toEqual({ a: [1, { b: 'c' }] });
    expect(new Map([[1, 2]])).toEqual(new Map([[1, 2]]));
  });

  test('keeps jest\'s equality where it is looser than strict deep equality', () => {
    expect({ a: 1, b: undefined }).toEqual({ a: 1 });
    expect({ a: 'x', n: 3 }).toEqual({ a: expect.any(String), n: expect.any(Number) });
    expect([1, 2]).not.toBe([1, 2]);
    expect(3n).toBeGreaterThan(2n); // bigint: jest's own comparison
    expect({ length: 2 }).toHaveLength(2);
    expect('abc').toMatch('b');
  });

  test.each([
    ['toBeGreaterThan', () => expect(1).toBeGreaterThan(1)],
    ['toBeGreaterThanOrEqual', () => expect(0).toBeGreaterThanOrEqual(1)],
    ['toBeLessThan', () => expect(1).toBeLessThan(1)],
    ['toBeLessThanOrEqual', () => expect(2).toBeLessThanOrEqual(1)],
    ['toMatch', () => expect('abc').toMatch(/^b/g)],
    ['toBeUndefined', () => expect(null).toBeUndefined()],
    ['toBeDefined', () => expect(undefined).toBeDefined()],
    ['toHaveLength', () => expect([1]).toHaveLength(2)],
  ])('fails %s as jest does', (name, fn) => {
    const e = thrown(fn);
    expect(e.matcherResult?.pass).toBe(false);
    expect(e.message).toContain(name);
  });

  test('fails as jest does, with jest\'s message, and the stack starts at the test', () => {
    const toBe = thrown(() => expect(1).toBe(2));
    expect(toBe.matcherResult?.pass).toBe(false);
    expect(toBe.message).toMatch(/toBe/);
    expect(toBe.stack?.split('\n').find((line) => line.trim().startsWith('at '))).toMatch(/fast-expect\.test\.ts/);
    const toEqual = thrown(() => expect({ a: 1 }).toEqual({ a: 2 }));
    expect(toEqual.matcherResult?.pass).toBe(false);
    expect(toEqual.message).toMatch(/toEqual/);
    // 0 and -0 differ for toBe and toEqual alike.
    expect(thrown(() => expect(0).toEqual(-0)).matcherResult?.pass).toBe(false);
    expect(thrown(() => expect(0).toBe(-0)).matcherResult?.pass).toBe(false);
  });
});
