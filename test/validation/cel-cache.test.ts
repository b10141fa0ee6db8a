import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CrdSchemaValidator } from '../../src/validation';
import { CelVerdictCache } from '../../src/validation/cel-cache';
import { celValueText } from '../../src/validation/cel-value';

const bad = {
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'ns' },
  spec: { selector: { matchLabels: { app: 'a*' } }, rules: [{ from: [{ source: { serviceAccounts: ['ns/sa'], principals: ['x'] } }] }] },
};
const good = { ...bad, spec: { selector: { matchLabels: { app: 'a' } }, rules: [{ from: [{ source: { principals: ['x'] } }] }] } };
const messages = (v: CrdSchemaValidator, objects: unknown[]) => v.validate(objects).map((x) => `${x.path}: ${x.message}`);
const celLoaded = (v: CrdSchemaValidator) => (v as unknown as { cel?: unknown }).cel !== undefined;

describe('CEL verdict cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cel-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a second run gives the same violations from the cache, without loading the CEL library', () => {
    // GIVEN a run that evaluates every rule and writes the verdicts
    const first = new CrdSchemaValidator({ celCacheDir: dir });
    const expected = messages(first, [bad, good]);
    expect(expected).toEqual([
      '/spec/selector/matchLabels/app: wildcard not allowed in label value match',
      '/spec/rules/0/from/0/source: Cannot set serviceAccounts with namespaces or principals',
    ]);
    expect(celLoaded(first)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([expect.stringMatching(/^cel-verdicts-[0-9a-f]{16}\.json$/)]);
    // WHEN a new validator (a new synth) checks the same objects
    const second = new CrdSchemaValidator({ celCacheDir: dir });
    // THEN the verdicts come from the file
    expect(messages(second, [bad, good])).toEqual(expected);
    expect(celLoaded(second)).toBe(false);
    // and a changed object is evaluated
    expect(messages(second, [{ ...good, spec: { selector: { matchLabels: { app: '*' } } } }])).toEqual(['/spec/selector/matchLabels/app: wildcard not allowed in label value match']);
    expect(celLoaded(second)).toBe(true);
  });

  test('without a folder every rule is evaluated and nothing is written', () => {
    const v = new CrdSchemaValidator();
    expect(messages(v, [good])).toEqual([]);
    expect(celLoaded(v)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('keys tell apart what CEL tells apart: integers from doubles, strings, and map key order', () => {
    const texts = [1n, 1, '1', new Map([['a', 1n], ['b', 2n]]), new Map([['b', 2n], ['a', 1n]]), [1n], null].map(celValueText);
    expect(new Set(texts).size).toBe(texts.length);
    expect(CelVerdictCache.key('self > 0', celValueText(1n))).not.toBe(CelVerdictCache.key('self > 0', celValueText(1)));
  });
});
