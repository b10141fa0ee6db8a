import * as fc from 'fast-check';
import { decodeYaml11, JsonValue, YAML_MAX_DEPTH, YAML_MAX_LENGTH } from '../src/private/yaml11';

// Istio reads proxy.istio.io/config with sigs.k8s.io/yaml YAMLToJSON over yaml.v2:
// https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go, https://github.com/go-yaml/yaml/blob/v2/resolve.go
const RESOLVE = 'yaml.v2 resolve.go';
const CONVERT = 'sigs.k8s.io/yaml convertToJSONableObject';

/** The value of key `a` in the decoded map. */
function valueOf(text: string): JsonValue | string {
  const result = decodeYaml11(text);
  if (!result.ok) {
    return `refused: ${result.problem}`;
  }
  return (result.value as Record<string, JsonValue>).a;
}

describe('decodeYaml11 reads scalars as yaml.v2 does', () => {
  test.each<[string, string, JsonValue, string]>([
    ['yes is a boolean', 'a: yes', true, RESOLVE],
    ['on is a boolean', 'a: on', true, RESOLVE],
    ['y is a boolean', 'a: y', true, RESOLVE],
    ['No is a boolean', 'a: No', false, RESOLVE],
    ['OFF is a boolean', 'a: OFF', false, RESOLVE],
    ['a quoted "yes" is a string', 'a: "yes"', 'yes', RESOLVE],
    ['010 is octal', 'a: 010', 8, RESOLVE],
    ['0o17 is octal', 'a: 0o17', 15, RESOLVE],
    ['0x1F is hex', 'a: 0x1F', 31, RESOLVE],
    ['-0b101 is binary', 'a: -0b101', -5, RESOLVE],
    ['1_000 drops the underscores', 'a: 1_000', 1000, RESOLVE],
    ['+5 is a number', 'a: +5', 5, RESOLVE],
    ['+_0 is the number 0 (underscores dropped before ParseInt)', 'a: +_0', 0, RESOLVE],
    ['08 is the float 8 (not octal)', 'a: 08', 8, RESOLVE],
    ['.5 is a float', 'a: .5', 0.5, RESOLVE],
    ['1e3 is a float', 'a: 1e3', 1000, RESOLVE],
    ['1e400 overflows ParseFloat and stays text', 'a: 1e400', '1e400', RESOLVE],
    ['~ is null', 'a: ~', null, RESOLVE],
    ['an empty value is null', 'a:', null, RESOLVE],
    ['a timestamp-like value stays text', 'a: 2001-12-14', '2001-12-14', 'yaml.v2 decode.go (timestamps into interface{} stay strings)'],
    ['a quoted "010" is text', 'a: "010"', '010', RESOLVE],
    ['!!str keeps text', 'a: !!str 5', '5', RESOLVE],
    ['a block scalar is text', 'a: |\n  2\n', '2\n', RESOLVE],
    ['a repeated key keeps its last value', 'a: 1\na: 2', 2, 'yaml.v2 decode.go mapping (non-strict)'],
  ])('%s (%s)', (_what, text, expected) => {
    expect(valueOf(text)).toEqual(expected);
  });

  test('turns boolean and integer keys into the strings sigs.k8s.io/yaml writes (convertToJSONableObject)', () => {
    expect(decodeYaml11('on: 1\n010: 2\nn: 3')).toEqual({ ok: true, value: { true: 1, 8: 2, false: 3 } });
  });

  test('keeps a key named __proto__ as a field', () => {
    const result = decodeYaml11('__proto__: {x: 1}');
    expect(result.ok && Object.keys(result.value as object)).toEqual(['__proto__']);
  });
});

describe('decodeYaml11 refuses what it cannot read exactly', () => {
  test.each<[string, string, RegExp, string]>([
    ['.inf, which Istio fails on too', 'a: .inf', /JSON cannot hold/, CONVERT],
    ['an alias', 'a: &x 1\nb: *x', /anchor &x/, RESOLVE],
    ['a merge key', 'b: {c: 1}\n<<: {a: 1}', /merge key/, RESOLVE],
    ['an explicit !!int tag', 'a: !!int 5', /explicit tag !!int/, RESOLVE],
    ['two keys that become the same string', '1: a\n"1": b', /both become "1"/, CONVERT],
    ['a null key, which Istio fails on too', '~: 1', /cannot use as a field name/, CONVERT],
    ['a float key', '1.5: 1', /cannot use as a field name/, CONVERT],
    ['a list as key', '? [1]\n: 2', /not a plain value/, CONVERT],
    ['an integer beyond 2^53', 'a: 9007199254740993', /beyond 2\^53/, RESOLVE],
    ['two documents', 'a: 1\n---\nb: 2', /more than one YAML document/, 'sigs.k8s.io/yaml reads one document'],
    ['a directive', '%YAML 1.1\n---\na: 1', /directive/, 'yaml.v2 parserc.go'],
    ['invalid YAML', '{', /not valid YAML or JSON/, RESOLVE],
    ['tabs as indentation', 'a:\n\tb: 1', /not valid YAML or JSON/, 'yaml.v2 scannerc.go'],
  ])('%s (%s)', (_what, text, why) => {
    const result = decodeYaml11(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toMatch(why);
  });

  test('refuses flow nesting deeper than the bound before parsing', () => {
    const deep = '['.repeat(YAML_MAX_DEPTH + 1) + ']'.repeat(YAML_MAX_DEPTH + 1);
    expect(decodeYaml11(deep)).toEqual({ ok: false, problem: `it nests more than ${YAML_MAX_DEPTH} levels deep` });
  });

  test('refuses block nesting deeper than the bound', () => {
    const deep = Array.from({ length: YAML_MAX_DEPTH + 2 }, (_v, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(decodeYaml11(deep)).toEqual({ ok: false, problem: `it nests more than ${YAML_MAX_DEPTH} levels deep` });
  });

  test('refuses compact nesting (- - - x) deeper than the bound before parsing', () => {
    expect(decodeYaml11(`${'- '.repeat(YAML_MAX_DEPTH + 1)}x`)).toEqual({ ok: false, problem: `it nests more than ${YAML_MAX_DEPTH} levels deep` });
    expect(decodeYaml11('- '.repeat(100_000))).toEqual({ ok: false, problem: `it nests more than ${YAML_MAX_DEPTH} levels deep` });
  });

  test('reads compact nesting within the bound', () => {
    expect(decodeYaml11('- - - x')).toEqual({ ok: true, value: [[['x']]] });
  });

  test('refuses text longer than Kubernetes allows for all annotations, without parsing it', () => {
    expect(decodeYaml11(`a: "${'x'.repeat(YAML_MAX_LENGTH)}"`)).toEqual({ ok: false, problem: expect.stringMatching(/more than the 262144 Kubernetes allows/) });
  });

  test('survives a million open brackets', () => {
    expect(decodeYaml11('['.repeat(200_000)).ok).toBe(false);
  });

  test('refuses a value that is not text (plain JavaScript)', () => {
    expect(decodeYaml11(42 as unknown as string)).toEqual({ ok: false, problem: 'it is a number, not text' });
  });
});

describe('properties', () => {
  // JSON is YAML: Istio reads JSON text to the same value JSON.parse does (oracle), for values
  // this reader holds exactly: any text, finite numbers except integers written as 2^53 to 2^64
  // digits (refused: not exact in JavaScript).
  const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      fc.string(), fc.boolean(), fc.constant(null), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true })
        .filter((d) => !(Number.isInteger(d) && Math.abs(d) > Number.MAX_SAFE_INTEGER && Math.abs(d) < 1e21)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4, noNullPrototype: true })),
  })).value;

  test('reads JSON text to what JSON.parse reads', () => {
    fc.assert(fc.property(json, (value) => {
      const text = JSON.stringify(value);
      expect(decodeYaml11(text)).toEqual({ ok: true, value: JSON.parse(text) });
    }), { numRuns: 2000 });
  });

  test('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom('[', ']', '{', '}', ':', ' ', '\n', '-', '"', '\'', '&', '*', '!', '#', 'a', '1', '<', ',') }), (text) => {
      expect(typeof decodeYaml11(text).ok).toBe('boolean');
    }), { numRuns: 3000 });
  });
});
