import type { Alias, Node, Scalar } from 'yaml';
import { yaml } from './lazy-yaml';

/**
 * Reads YAML text the way Istio reads a `proxy.istio.io/config` annotation: `sigs.k8s.io/yaml`
 * `YAMLToJSON`, which decodes with `yaml.v2` (YAML 1.1 scalars) into untyped Go values and then
 * converts them to JSON.
 *
 * The `yaml` package parses the structure (its `failsafe` schema keeps every scalar as text), and
 * the scalars are resolved here with yaml.v2's rules (`resolve.go`):
 * - `y`, `Y`, `yes`, `on`, `true` (and their capitalized forms) are `true`; `n`, `no`, `off`,
 *   `false` are `false`; empty, `~` and `null` are null;
 * - integers are read as Go's `strconv.ParseInt(s, 0, 64)` does after dropping `_`: `010` is octal 8,
 *   `0x1F` hex, `0b101` binary, `+5` and `1_000` are numbers;
 * - other YAML-style floats (`1.5`, `1e3`, `.5`, `08`) are floats;
 * - anything else, and every quoted or block scalar, is a string (a timestamp-like `2001-12-14`
 *   stays a string, as yaml.v2 keeps it when decoding into an untyped value).
 * Keys become strings as `sigs.k8s.io/yaml` writes them (`true`, `8` for `010`); a repeated key
 * keeps its last value, as yaml.v2 does.
 *
 * What this reader cannot reproduce exactly is refused rather than guessed (each with the reason):
 * anchors and aliases, merge keys (`<<`), explicit tags other than `!!str`, `.inf`/`.nan` (Istio
 * itself fails on them: JSON has no such numbers), float, null, list or map keys, two different
 * keys that become the same string (yaml.v2 would pick one at random), integers beyond 2^53 (not
 * exact in JavaScript), more than one document, and directives.
 *
 * Before parsing, the text is bounded: at most {@link YAML_MAX_LENGTH} characters (the total size
 * Kubernetes allows for all annotations of an object) and at most {@link YAML_MAX_DEPTH} levels
 * of nesting, so no input can exhaust the stack.
 *
 * @see https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go (YAMLToJSON)
 * @see https://github.com/go-yaml/yaml/blob/v2/resolve.go
 */
export function decodeYaml11(text: string): Yaml11Result {
  if (typeof text !== 'string') {
    return refuse(`it is a ${text === null ? 'null' : typeof text}, not text`);
  }
  if (text.length > YAML_MAX_LENGTH) {
    return refuse(`it is ${text.length} characters long, more than the ${YAML_MAX_LENGTH} Kubernetes allows for all annotations of an object`);
  }
  const flowDepth = Math.max(maxFlowDepth(text), maxCompactDepth(text));
  if (flowDepth > YAML_MAX_DEPTH) {
    return refuse(`it nests more than ${YAML_MAX_DEPTH} levels deep`);
  }
  const doc = yaml().parseDocument(text, { schema: 'failsafe', uniqueKeys: false, merge: false, version: '1.1', prettyErrors: false });
  const error = doc.errors[0];
  if (error !== undefined) {
    const why = error.code === 'MULTIPLE_DOCS' ? 'it holds more than one YAML document' : `it is not valid YAML or JSON (${error.message.split('\n')[0]})`;
    return refuse(why);
  }
  if (text.split('\n').find((line) => !/^\s*(#.*)?$/.test(line))?.startsWith('%') === true) {
    return refuse('it starts with a YAML directive (%...), which this library does not read');
  }
  try {
    return { ok: true, value: convert(doc.contents as Node | null, 0) };
  } catch (e) {
    if (e instanceof Refusal) {
      return refuse(e.message);
    }
    throw e;
  }
}

/** The longest text {@link decodeYaml11} reads: 256 KiB, Kubernetes' limit for all annotations of an object. */
export const YAML_MAX_LENGTH = 256 * 1024;

/** The deepest nesting {@link decodeYaml11} reads. A ProxyConfig nests 6 levels at most. */
export const YAML_MAX_DEPTH = 64;

/** A JSON value as `sigs.k8s.io/yaml` produces it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The JSON value, or why the text is refused. */
export type Yaml11Result = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly problem: string };

class Refusal extends Error {}

function refuse(problem: string): Yaml11Result {
  return { ok: false, problem };
}

/**
 * The deepest nesting of flow collections (`[`, `{`) outside quoted scalars. Counted on the raw
 * text before parsing, because the parser recurses once per level. A bracket inside a plain scalar
 * counts too, so the bound is conservative.
 */
function maxFlowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') {
        i++;
      } else if (c === quote) {
        quote = undefined;
      }
      continue;
    }
    if (c === '"' || c === '\'') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === '[' || c === '{') {
      max = Math.max(max, ++depth);
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return max;
}

/**
 * The most block indicators that open a nested collection on one line (`- - - x`, `? - x`): the
 * parser recurses once for each, as for flow brackets.
 */
function maxCompactDepth(text: string): number {
  let max = 0;
  for (const match of text.matchAll(/^[ \t]*((?:[-?:][ \t]+)+)/gm)) {
    max = Math.max(max, match[1].replace(/[ \t]/g, '').length);
  }
  return max;
}

const STR_TAG = 'tag:yaml.org,2002:str';
const MAP_TAG = 'tag:yaml.org,2002:map';
const SEQ_TAG = 'tag:yaml.org,2002:seq';

function convert(node: Node | Alias | null, depth: number): JsonValue {
  if (depth > YAML_MAX_DEPTH) {
    throw new Refusal(`it nests more than ${YAML_MAX_DEPTH} levels deep`);
  }
  if (node === null) {
    return null;
  }
  if (yaml().isAlias(node)) {
    throw new Refusal(`it uses the alias *${node.source}, which this library does not expand; write the value out in full`);
  }
  if (node.anchor !== undefined) {
    throw new Refusal(`it defines the anchor &${node.anchor}, which this library does not read; write the value out in full`);
  }
  if (yaml().isScalar(node)) {
    return scalar(node).value;
  }
  if (yaml().isSeq(node)) {
    checkTag(node.tag, SEQ_TAG);
    return node.items.map((item) => convert(item as Node | null, depth + 1));
  }
  if (yaml().isMap(node)) {
    checkTag(node.tag, MAP_TAG);
    const out: { [key: string]: JsonValue } = {};
    const identities = new Map<string, string>();
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (key === null || !yaml().isScalar(key)) {
        throw new Refusal('it has a key that is not a plain value (a list, a map or nothing); use text keys');
      }
      if (key.anchor !== undefined) {
        throw new Refusal(`it defines the anchor &${key.anchor}, which this library does not read; write the value out in full`);
      }
      const resolved = scalar(key);
      if (resolved.kind === 'merge') {
        throw new Refusal('it uses a merge key (<<), which this library does not expand; write the fields out in full');
      }
      const name = keyString(resolved);
      const previous = identities.get(name);
      if (previous !== undefined && previous !== resolved.identity) {
        throw new Refusal(`it has two keys that both become ${JSON.stringify(name)} (Istio would keep one of them at random); keep one`);
      }
      identities.set(name, resolved.identity);
      // defineProperty: a key named "__proto__" is a field like any other, not the prototype.
      Object.defineProperty(out, name, { value: convert(pair.value as Node | null, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw new Refusal('it holds a YAML node this library does not read');
}

function checkTag(tag: string | undefined, allowed: string): void {
  if (tag !== undefined && tag !== allowed) {
    throw new Refusal(`it uses the explicit tag ${tag.replace('tag:yaml.org,2002:', '!!')}, which this library does not read; remove the tag`);
  }
}

/** A resolved scalar: its JSON value, and what yaml.v2 would hold (for key collisions). */
interface Resolved {
  readonly value: JsonValue;
  readonly kind: 'string' | 'int' | 'float' | 'bool' | 'null' | 'merge';
  /** Go type and value: two keys with the same identity are the same map key to yaml.v2. */
  readonly identity: string;
}

function scalar(node: Scalar): Resolved {
  const text = String(node.value);
  if (node.tag !== undefined) {
    if (node.tag === STR_TAG) {
      return { value: text, kind: 'string', identity: `s:${text}` };
    }
    throw new Refusal(`it uses the explicit tag ${node.tag.replace('tag:yaml.org,2002:', '!!')}, which this library does not read; remove the tag`);
  }
  if (node.type !== 'PLAIN') {
    return { value: text, kind: 'string', identity: `s:${text}` };
  }
  return resolvePlain(text);
}

const TRUE = ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'];
const FALSE = ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'];
const NULL = ['', '~', 'null', 'Null', 'NULL'];
const NOT_JSON = ['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'];
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * yaml.v2 `resolve` for a plain scalar without a tag.
 *
 * @see https://github.com/go-yaml/yaml/blob/v2/resolve.go
 */
export function resolvePlain(text: string): Resolved {
  if (TRUE.includes(text) || FALSE.includes(text)) {
    const value = TRUE.includes(text);
    return { value, kind: 'bool', identity: `b:${value}` };
  }
  if (NULL.includes(text)) {
    return { value: null, kind: 'null', identity: 'null' };
  }
  if (NOT_JSON.includes(text)) {
    throw new Refusal(`it has the value ${text}, which JSON cannot hold (Istio fails on it too); write a number`);
  }
  if (text === '<<') {
    return { value: text, kind: 'merge', identity: 'merge' };
  }
  const first = text[0];
  if (first === '.') {
    const value = goParseFloat(text);
    if (value !== undefined) {
      return float(value);
    }
  } else if (first === '+' || first === '-' || (first >= '0' && first <= '9')) {
    const plain = text.replace(/_/g, '');
    const int = goParseInt(plain);
    if (int !== undefined) {
      if (int > BigInt(Number.MAX_SAFE_INTEGER) || int < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new Refusal(`it has the integer ${text}, beyond 2^53, which this library cannot hold exactly; quote it if it is text`);
      }
      return { value: Number(int), kind: 'int', identity: `i:${int}` };
    }
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = goParseFloat(plain);
      if (value !== undefined) {
        return float(value);
      }
    }
  }
  return { value: text, kind: 'string', identity: `s:${text}` };
}

function float(value: number): Resolved {
  return { value, kind: 'float', identity: `f:${value}` };
}

/**
 * Go `strconv.ParseInt(s, 0, 64)`, and `ParseUint` for what is beyond int64: sign, then `0x`,
 * `0o`, `0b` or a leading `0` (octal) prefix, or decimal.
 */
function goParseInt(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (match === null) {
    return undefined;
  }
  const [, sign, digits] = match;
  let magnitude: bigint;
  if (/^0[oO]/.test(digits)) {
    magnitude = BigInt(`0o${digits.slice(2)}`);
  } else if (/^0[0-7]+$/.test(digits)) {
    magnitude = BigInt(`0o${digits.slice(1)}`);
  } else {
    magnitude = BigInt(digits.toLowerCase());
  }
  const value = sign === '-' ? -magnitude : magnitude;
  const int64Max = (BigInt(1) << BigInt(63)) - BigInt(1);
  const uint64Max = (BigInt(1) << BigInt(64)) - BigInt(1);
  if (value < -int64Max - BigInt(1) || value > (sign === '' ? uint64Max : int64Max)) {
    return undefined;
  }
  return value;
}

/** Go `strconv.ParseFloat(s, 64)` for the decimal forms YAML-style floats have. */
function goParseFloat(text: string): number | undefined {
  if (!/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) {
    return undefined;
  }
  // Go's ParseFloat fails with ErrRange beyond float64, and yaml.v2 then keeps the text as a string.
  const value = Number(text.replace(/^\+/, ''));
  return Number.isFinite(value) ? value : undefined;
}

function keyString(resolved: Resolved): string {
  switch (resolved.kind) {
    case 'string':
      return resolved.value as string;
    case 'bool':
      return String(resolved.value);
    case 'int':
      if ((resolved.value as number) > Number.MAX_SAFE_INTEGER) {
        break;
      }
      return String(resolved.value);
    default:
      break;
  }
  throw new Refusal(`it has the key ${JSON.stringify(resolved.value)}, a ${resolved.kind} that Istio cannot use as a field name; quote the key`);
}
