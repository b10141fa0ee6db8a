import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { JsonValue, mergeProxyConfig, MergeResult, parseProxyConfig, PROXY_CONFIG_ANNOTATION } from '../src/private/proxy-config';

/** The merged annotation text; fails the test with the problems otherwise. */
function mergedText(result: MergeResult): string {
  if (!result.ok) {
    throw new Error(`expected the merge to succeed, got: ${result.problems.join('; ')}`);
  }
  return result.text;
}

describe('mergeProxyConfig', () => {
  test('writes the patch alone as JSON when the pod has no ProxyConfig yet', () => {
    expect(mergeProxyConfig(undefined, { gatewayTopology: { numTrustedProxies: 2 } })).toStrictEqual({
      ok: true,
      text: '{"gatewayTopology":{"numTrustedProxies":2}}',
      config: { gatewayTopology: { numTrustedProxies: 2 } },
    });
  });

  test('keeps the fields of an existing JSON ProxyConfig', () => {
    expect(mergedText(mergeProxyConfig('{"concurrency":2,"holdApplicationUntilProxyStarts":true}', { gatewayTopology: { numTrustedProxies: 1 } })))
      .toBe('{"concurrency":2,"holdApplicationUntilProxyStarts":true,"gatewayTopology":{"numTrustedProxies":1}}');
  });

  test('reads an existing YAML ProxyConfig and writes the result as JSON', () => {
    expect(mergedText(mergeProxyConfig('concurrency: 2', { gatewayTopology: { numTrustedProxies: 1 } })))
      .toBe('{"concurrency":2,"gatewayTopology":{"numTrustedProxies":1}}');
  });

  test('reads multi-line YAML with nested maps, as kubectl users write it', () => {
    const existing = 'concurrency: 2\nproxyMetadata:\n  ISTIO_META_DNS_CAPTURE: "true"\n';
    expect(mergedText(mergeProxyConfig(existing, { gatewayTopology: { numTrustedProxies: 1 } })))
      .toBe('{"concurrency":2,"proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true"},"gatewayTopology":{"numTrustedProxies":1}}');
  });

  test.each(['', '   ', 'null', '~', '{}', '# only a comment'])('reads the existing annotation %j as an empty ProxyConfig', (existing) => {
    expect(mergedText(mergeProxyConfig(existing, { concurrency: 2 }))).toBe('{"concurrency":2}');
  });

  test('accepts an existing gatewayTopology that already has the same values', () => {
    const existing = '{"gatewayTopology":{"proxyProtocol":{},"numTrustedProxies":2}}';
    expect(mergeProxyConfig(existing, { gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {} } })).toEqual({
      ok: true, text: existing, config: { gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {} } },
    });
  });

  test('fails if the existing gatewayTopology has another numTrustedProxies, naming both values', () => {
    const result = mergeProxyConfig('gatewayTopology:\n  numTrustedProxies: 1\n', { gatewayTopology: { numTrustedProxies: 2 } });
    expect(result).toEqual({
      ok: false,
      problems: [expect.stringMatching(
        /^proxy\.istio\.io\/config already sets gatewayTopology\.numTrustedProxies to 1, and this construct would set 2\. Fix: remove gatewayTopology\.numTrustedProxies from the annotation you pass in, or make both values agree$/)],
    });
  });

  test('fails with every conflicting field, each by its full path', () => {
    // GIVEN
    const existing = JSON.stringify({ concurrency: 4, gatewayTopology: { numTrustedProxies: 1, forwardClientCertDetails: 'SANITIZE' } });
    // WHEN
    const result = mergeProxyConfig(existing, { concurrency: 2, gatewayTopology: { numTrustedProxies: 2, forwardClientCertDetails: 'SANITIZE' } });
    // THEN
    expect(result).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/already sets concurrency to 4, and this construct would set 2\./),
        expect.stringMatching(/already sets gatewayTopology\.numTrustedProxies to 1, and this construct would set 2\./),
      ],
    });
  });

  test('fails if a field holds a map on one side and a value on the other', () => {
    const result = mergeProxyConfig('{"gatewayTopology":"none"}', { gatewayTopology: { numTrustedProxies: 2 } });
    expect(result).toEqual({
      ok: false,
      problems: [expect.stringMatching(/already sets gatewayTopology to "none", and this construct would set \{"numTrustedProxies":2\}\./)],
    });
  });

  test('fails if a number and a string with the same digits meet, since Istio reads them differently', () => {
    const result = mergeProxyConfig('concurrency: "2"', { concurrency: 2 });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/already sets concurrency to "2", and this construct would set 2\./)] });
  });

  test('merges nested maps field by field, however deep', () => {
    const existing = '{"proxyMetadata":{"A":"1"},"gatewayTopology":{"numTrustedProxies":2}}';
    expect(mergedText(mergeProxyConfig(existing, { proxyMetadata: { B: '2' }, gatewayTopology: { proxyProtocol: {} } })))
      .toBe('{"proxyMetadata":{"A":"1","B":"2"},"gatewayTopology":{"numTrustedProxies":2,"proxyProtocol":{}}}');
  });

  test('accepts equal lists, even when the maps inside list their keys in another order', () => {
    const existing = '{"extraStatTags":["a","b"],"tracing":{"custom":[{"x":1,"y":2}]}}';
    expect(mergedText(mergeProxyConfig(existing, { extraStatTags: ['a', 'b'], tracing: { custom: [{ y: 2, x: 1 }] } }))).toBe(existing);
  });

  test('fails if a list differs, without merging its items', () => {
    const result = mergeProxyConfig('{"extraStatTags":["a"]}', { extraStatTags: ['a', 'b'] });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/already sets extraStatTags to \["a"\], and this construct would set \["a","b"\]\./)] });
  });

  test('keeps fields this library does not know about', () => {
    const existing = '{"someFutureField":{"deep":[1,{"x":null}]},"drainDuration":"45s"}';
    const config = JSON.parse(mergedText(mergeProxyConfig(existing, { concurrency: 2 })));
    expect(config).toEqual({ someFutureField: { deep: [1, { x: null }] }, drainDuration: '45s', concurrency: 2 });
  });

  test('writes keys in a fixed order: existing ones first, as written, then new ones in patch order', () => {
    const existing = '{"zeta":1,"alpha":{"y":1}}';
    const patch = { omega: 3, alpha: { x: 2 }, beta: 4 };
    expect([mergedText(mergeProxyConfig(existing, patch)), mergedText(mergeProxyConfig(existing, patch))])
      .toEqual(['{"zeta":1,"alpha":{"y":1,"x":2},"omega":3,"beta":4}', '{"zeta":1,"alpha":{"y":1,"x":2},"omega":3,"beta":4}']);
  });

  test('keeps both fields when a second patch adds to the first (the seed article\'s bug)', () => {
    // GIVEN: kubectl patch with {"gatewayTopology":{"numTrustedProxies":2}} ...
    const first = mergedText(mergeProxyConfig(undefined, { gatewayTopology: { numTrustedProxies: 2 } }));
    // WHEN: ... and later with {"gatewayTopology":{"proxyProtocol":{}}}, which replaced the first one
    const second = mergedText(mergeProxyConfig(first, { gatewayTopology: { proxyProtocol: {} } }));
    // THEN
    expect(JSON.parse(second)).toEqual({ gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {} } });
  });

  test('leaves the patch it is given unchanged', () => {
    const patch: Record<string, JsonValue> = { gatewayTopology: { proxyProtocol: {} } };
    mergeProxyConfig('{"gatewayTopology":{"numTrustedProxies":2}}', patch);
    expect(patch).toEqual({ gatewayTopology: { proxyProtocol: {} } });
  });

  test.each([
    ['invalid YAML', '{', /it is not valid YAML or JSON \(.+\)/],
    ['YAML with duplicate keys', 'concurrency: 1\nconcurrency: 2', /it is not valid YAML or JSON \(Map keys must be unique/],
    ['YAML indented with tabs', 'a:\n\tb: 1', /it is not valid YAML or JSON/],
    ['a list', '- concurrency: 2', /it is a list, not a map of ProxyConfig fields/],
    ['a JSON list', '[]', /it is a list, not a map of ProxyConfig fields/],
    ['a number', '42', /it is a number, not a map of ProxyConfig fields/],
    ['a string', 'concurrency=2', /it is a string, not a map of ProxyConfig fields/],
    ['a boolean', 'true', /it is a boolean, not a map of ProxyConfig fields/],
  ])('fails if the existing annotation is %s, naming the annotation', (_what, existing, why) => {
    const result = mergeProxyConfig(existing, { concurrency: 2 });
    expect(result).toEqual({
      ok: false,
      problems: [expect.stringMatching(new RegExp(
        `^the existing proxy\\.istio\\.io/config annotation ${escape(JSON.stringify(existing))} cannot be merged: ${why.source}.*\\. `
        + 'Fix: write it as a JSON or YAML map, e.g. \\{"concurrency": 2\\}$'))],
    });
  });

  // Names found on Object.prototype must not look like existing fields, and "__proto__" must not
  // set the prototype.
  test.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('adds a new field named %j like any other', (key) => {
    const patch: Record<string, JsonValue> = JSON.parse(`{${JSON.stringify(key)}:{"x":1}}`);
    expect(JSON.parse(mergedText(mergeProxyConfig('{"concurrency":2}', patch)))).toEqual(JSON.parse(`{"concurrency":2,${JSON.stringify(key)}:{"x":1}}`));
  });
});

describe('parseProxyConfig', () => {
  test('reads JSON and YAML to the same map', () => {
    expect(parseProxyConfig('gatewayTopology:\n  numTrustedProxies: 2\n')).toEqual(parseProxyConfig('{"gatewayTopology":{"numTrustedProxies":2}}'));
  });

  test('names the annotation it is read from', () => {
    expect(PROXY_CONFIG_ANNOTATION).toBe('proxy.istio.io/config');
  });
});

describe('properties', () => {
  const key = fc.string({ maxLength: 8 });
  const value = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>;
  const map = fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });
  const disjointMaps = fc.tuple(map, map).map(([a, b]) => {
    const patch = Object.fromEntries(Object.entries(b).filter(([k]) => !(k in a)));
    return [a, patch] as const;
  });
  /** A value as it reads back from JSON text (which is what the annotation holds). */
  const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));

  test.each([
    ['JSON', (m: object) => JSON.stringify(m)],
    ['YAML', (m: object) => stringify(m)],
  ])('keeps every key and value of an existing %s ProxyConfig and of a patch with other keys', (_format, write) => {
    fc.assert(fc.property(disjointMaps, ([a, b]) => {
      const merged = JSON.parse(mergedText(mergeProxyConfig(write(a), b)));
      expect(Object.keys(merged).sort()).toEqual([...Object.keys(a), ...Object.keys(b)].sort());
      for (const [k, v] of [...Object.entries(a), ...Object.entries(b)]) {
        expect(merged[k]).toEqual(roundTrip(v));
      }
    }), { numRuns: 1000 });
  });

  test('changes nothing when a ProxyConfig is merged with itself', () => {
    fc.assert(fc.property(map, (a) => {
      const text = JSON.stringify(a);
      expect(mergedText(mergeProxyConfig(text, a))).toBe(text);
    }), { numRuns: 1000 });
  });

  test('reports a conflict, naming the key, whenever both sides set a key to different scalars', () => {
    const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null));
    fc.assert(fc.property(map, key, scalar, scalar, (a, k, x, y) => {
      fc.pre(JSON.stringify(x) !== JSON.stringify(y));
      const result = mergeProxyConfig(JSON.stringify({ ...a, [k]: x }), { [k]: y });
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.problems).toEqual([
        `${PROXY_CONFIG_ANNOTATION} already sets ${k} to ${JSON.stringify(x)}, and this construct would set ${JSON.stringify(y)}. `
        + `Fix: remove ${k} from the annotation you pass in, or make both values agree`,
      ]);
    }), { numRuns: 1000 });
  });
});

/** `text` with regular-expression characters escaped. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
