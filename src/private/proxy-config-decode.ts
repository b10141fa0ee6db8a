import { mustBe } from './problems';
import { EnumType, FieldSpec, FieldType, MessageType, ScalarKind } from './proxy-config-schema';
import { JsonValue } from './yaml11';

/**
 * Decodes the JSON form of a ProxyConfig (what `sigs.k8s.io/yaml` makes of the annotation) the way
 * Istio's `protomarshal.ApplyJSON` does with the legacy `github.com/golang/protobuf/jsonpb`
 * decoder, and returns it in canonical form.
 *
 * jsonpb rules followed here (https://github.com/golang/protobuf/blob/v1.5.4/jsonpb/decode.go):
 * - a field is found by its proto name or its JSON name; with both present the JSON name's value
 *   is used and the other is dropped (refused here when they differ: one of the two is lost);
 * - `null` leaves a field unset (so the mesh default applies); inside a list or map it is the zero
 *   value (`""`, `0`, `false`, the first enum value, an empty message);
 * - integers may be JSON numbers or quoted (`"2"` is 2; the quotes are stripped and the rest must
 *   be a JSON integer in range); a number with a fraction is refused;
 * - booleans must be `true`/`false`, strings must be JSON strings (`"true"` is not a boolean, `5`
 *   not a string);
 * - enums are names (exact case) or numbers;
 * - `google.protobuf.Duration` is a quoted Go duration (`time.ParseDuration`: `"5s"`, `"1m30s"`,
 *   `"0"`), never a bare number;
 * - wrapper types (`BoolValue`, `Int32Value`, ...) take the plain inner value;
 * - unknown fields are dropped without a word (`ApplyJSON` retries with `AllowUnknownFields`).
 *
 * The canonical form uses JSON names, enum names, numbers for 32-bit integers, and drops `null`
 * fields; durations keep the text written. Unknown fields are kept as written (Istio ignores them)
 * and reported. Setting two members of a oneof, which jsonpb resolves by keeping the last one in
 * declaration order, and enum numbers the proto does not define, are refused.
 */
export function decodeMessage(value: JsonValue, type: MessageType, path: string, out: DecodeReport): Record<string, JsonValue> | undefined {
  if (value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.problems.push(mustBe(path || 'the ProxyConfig', `a map of ${type.name} fields`, value, 'write it as a map, e.g. {"concurrency": 2}'));
    return undefined;
  }
  const result: Record<string, JsonValue> = {};
  const claimed = new Set<string>();
  const oneofs = new Map<string, string>();
  const decoded = new Map<FieldSpec, JsonValue>();
  for (const spec of fieldsPresent(value, type)) {
    const names = spec.proto === spec.json ? [spec.proto] : [spec.proto, spec.json];
    const present = names.filter((name) => Object.prototype.hasOwnProperty.call(value, name));
    present.forEach((name) => claimed.add(name));
    const values = present.map((name) => decodeField(value[name], spec, join(path, name), out));
    if (values.some((v) => v === undefined)) {
      continue;
    }
    if (present.length === 2 && !sameMeaning(values[0] as JsonValue, values[1] as JsonValue, spec.type)) {
      out.problems.push(`${join(path, spec.proto)} and ${join(path, spec.json)} are the same ProxyConfig field (its proto and JSON name), `
        + `set to ${show(value[spec.proto])} and ${show(value[spec.json])}; Istio would use ${show(value[spec.json])} and drop the other. Fix: keep only ${join(path, spec.json)}`);
      continue;
    }
    const effective = values[values.length - 1] as JsonValue;
    if (effective === null) {
      continue;
    }
    if (spec.oneof !== undefined) {
      const other = oneofs.get(spec.oneof);
      if (other !== undefined) {
        out.problems.push(`${join(path, other)} and ${join(path, spec.json)} are alternatives (oneof ${spec.oneof}): Istio keeps only ${join(path, spec.json)} `
          + `and drops ${join(path, other)} without a word. Fix: keep one of them`);
        continue;
      }
      oneofs.set(spec.oneof, spec.json);
    }
    decoded.set(spec, effective);
  }
  // Keep the user's key order: each field where its first spelling appeared, unknown keys as written.
  const byName = new Map<string, FieldSpec>();
  for (const spec of decoded.keys()) {
    byName.set(spec.proto, spec);
    byName.set(spec.json, spec);
  }
  for (const key of Object.keys(value)) {
    const spec = byName.get(key);
    if (spec !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(result, spec.json)) {
        define(result, spec.json, decoded.get(spec) as JsonValue);
      }
    } else if (!claimed.has(key)) {
      define(result, key, value[key]);
      if (!type.open && !(key.startsWith('[') && key.endsWith(']'))) {
        out.unknown.push({ path: join(path, key), suggestion: suggest(key, type) });
      }
    }
  }
  return result;
}

const fieldIndexes = new WeakMap<MessageType, ReadonlyMap<string, number>>();

/**
 * The fields of `type` that `value` sets under either name, in declaration order (the order jsonpb
 * sets them in), found from the value's keys rather than by trying every field of the type.
 */
function fieldsPresent(value: Record<string, JsonValue>, type: MessageType): FieldSpec[] {
  let index = fieldIndexes.get(type);
  if (index === undefined) {
    const byName = new Map<string, number>();
    type.fields.forEach((spec, i) => byName.set(spec.proto, i).set(spec.json, i));
    index = byName;
    fieldIndexes.set(type, index);
  }
  const positions = new Set<number>();
  // Own names, as the hasOwnProperty test of each field reads them.
  for (const key of Object.getOwnPropertyNames(value)) {
    const position = index.get(key);
    if (position !== undefined) {
      positions.add(position);
    }
  }
  return [...positions].sort((a, b) => a - b).map((i) => type.fields[i]);
}

/** What decoding found besides the value. */
export interface DecodeReport {
  /** What Istio refuses (or this library refuses, with the reason), one message each. */
  readonly problems: string[];
  /** Fields Istio does not know and drops, with the nearest known field. */
  readonly unknown: { readonly path: string; readonly suggestion?: string }[];
}

function define(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  // defineProperty: "__proto__" is a field like any other, not the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function decodeField(value: JsonValue, spec: FieldSpec, path: string, out: DecodeReport): JsonValue | undefined {
  if (value === null) {
    return null;
  }
  if (spec.map) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.problems.push(mustBe(path, 'a map', value, `write ${path.split('.').pop()}: {KEY: "value"}`));
      return undefined;
    }
    const result: Record<string, JsonValue> = {};
    let ok = true;
    for (const [key, item] of Object.entries(value)) {
      const decoded = item === null ? zeroValue(spec.type) : decodeSingular(item, spec.type, `${path}[${JSON.stringify(key)}]`, out);
      ok = ok && decoded !== undefined;
      if (decoded !== undefined) {
        define(result, key, decoded);
      }
    }
    return ok ? result : undefined;
  }
  if (spec.repeated) {
    if (!Array.isArray(value)) {
      out.problems.push(mustBe(path, 'a list', value, `write ${path.split('.').pop()}: [${show(value)}]`));
      return undefined;
    }
    const items = value.map((item, i) => (item === null ? zeroValue(spec.type) : decodeSingular(item, spec.type, `${path}[${i}]`, out)));
    return items.every((item) => item !== undefined) ? items as JsonValue[] : undefined;
  }
  return decodeSingular(value, spec.type, path, out);
}

function decodeSingular(value: JsonValue, type: FieldType, path: string, out: DecodeReport): JsonValue | undefined {
  if ('message' in type) {
    return decodeMessage(value, type.message, path, out);
  }
  if ('enumType' in type) {
    return decodeEnum(value, type.enumType, path, out);
  }
  const kind = 'scalar' in type ? type.scalar : type.wrapper;
  const decoded = decodeScalar(value, kind);
  if (!decoded.ok) {
    out.problems.push(mustBe(path, decoded.allowed, value, decoded.fix));
    return undefined;
  }
  return decoded.value;
}

/** The zero value jsonpb gives a `null` list item or map value. */
function zeroValue(type: FieldType): JsonValue {
  if ('message' in type) {
    return {};
  }
  if ('enumType' in type) {
    return Object.keys(type.enumType.values).find((name) => type.enumType.values[name] === 0) ?? 0;
  }
  const kind = 'scalar' in type ? type.scalar : type.wrapper;
  return kind === 'string' || kind === 'duration' ? '' : kind === 'bool' ? false : 0;
}

function decodeEnum(value: JsonValue, type: EnumType, path: string, out: DecodeReport): JsonValue | undefined {
  const names = Object.keys(type.values);
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(type.values, value)) {
    return value;
  }
  if (typeof value === 'number') {
    const name = names.find((n) => type.values[n] === value);
    if (name !== undefined) {
      return name;
    }
  }
  const near = typeof value === 'string' ? names.find((n) => n.toLowerCase() === value.toLowerCase().replace(/-/g, '_')) : undefined;
  const why = typeof value === 'number' && Number.isInteger(value)
    ? ` (${value} is not a value of ${type.name}; Istio would store the bare number, which no code path reads)` : '';
  out.problems.push(mustBe(path, `one of ${names.join(', ')}${why}`, value,
    near !== undefined ? `did you mean ${near}? Enum names are case-sensitive` : `use one of ${names.join(', ')}`));
  return undefined;
}

type Scalar = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly allowed: string; readonly fix: string };

const INT_RANGE: Record<'int32' | 'uint32' | 'int64', readonly [bigint, bigint]> = {
  int32: [-(BigInt(1) << BigInt(31)), (BigInt(1) << BigInt(31)) - BigInt(1)],
  uint32: [BigInt(0), (BigInt(1) << BigInt(32)) - BigInt(1)],
  int64: [-(BigInt(1) << BigInt(63)), (BigInt(1) << BigInt(63)) - BigInt(1)],
};

/** One scalar, as jsonpb's `unmarshalSingularValue` reads the JSON text `sigs.k8s.io/yaml` wrote. */
export function decodeScalar(value: JsonValue, kind: ScalarKind): Scalar {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? { ok: true, value }
        : { ok: false, allowed: 'a string', fix: `quote the value: ${JSON.stringify(JSON.stringify(value) ?? '')}` };
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value }
        : { ok: false, allowed: 'true or false, without quotes', fix: typeof value === 'string' && /^(true|false)$/i.test(value) ? `write ${value.toLowerCase()} without quotes` : 'write true or false' };
    case 'double':
      return decodeDouble(value);
    case 'duration': {
      if (typeof value !== 'string') {
        return { ok: false, allowed: 'a quoted duration such as "5s" or "1m30s"', fix: typeof value === 'number' ? `write "${value}s" if you mean seconds` : 'write a duration in quotes, e.g. "5s"' };
      }
      const parsed = parseGoDuration(value);
      return parsed.ok ? { ok: true, value } : { ok: false, allowed: 'a Go duration such as "5s", "100ms" or "1m30s"', fix: `${parsed.reason}; write a number with a unit (ns, us, ms, s, m, h)` };
    }
    default:
      return decodeInteger(value, kind);
  }
}

function decodeInteger(value: JsonValue, kind: 'int32' | 'uint32' | 'int64'): Scalar {
  const [min, max] = INT_RANGE[kind];
  const allowed = `a whole number from ${min} to ${max}`;
  let int: bigint | undefined;
  let quoted = false;
  if (typeof value === 'number') {
    // Go writes an integral float64 below 1e21 as plain digits, which the integer decoder accepts;
    // Go writes -0 as "-0", which only the signed decoder accepts.
    if (Number.isInteger(value) && Math.abs(value) < 1e21 && !(Object.is(value, -0) && kind === 'uint32')) {
      int = BigInt(value);
    }
  } else if (typeof value === 'string') {
    // jsonpb strips the quotes and reads the rest as a JSON number: spaces around it are allowed
    // (Go's JSON escapes other white space, which then fails).
    const signed = kind === 'uint32' ? /^ *(0|[1-9][0-9]*) *$/ : /^ *(-?(0|[1-9][0-9]*)) *$/;
    const match = signed.exec(value);
    if (match !== null) {
      int = BigInt(match[1]);
      quoted = true;
    }
  }
  if (int === undefined || int < min || int > max) {
    return { ok: false, allowed, fix: typeof value === 'number' && !Number.isInteger(value) ? 'drop the fraction' : 'write a whole number in range, without a unit' };
  }
  const safe = int <= BigInt(Number.MAX_SAFE_INTEGER) && int >= BigInt(Number.MIN_SAFE_INTEGER);
  return { ok: true, value: safe ? Number(int) : quoted ? String(int) : Number(int) };
}

function decodeDouble(value: JsonValue): Scalar {
  if (typeof value === 'number') {
    return { ok: true, value };
  }
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') {
    return { ok: true, value };
  }
  if (typeof value === 'string' && /^ *-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? *$/.test(value) && Number.isFinite(Number(value))) {
    return { ok: true, value: Number(value) };
  }
  return { ok: false, allowed: 'a number', fix: 'write a number such as 1.5' };
}

/** Whether two canonical values mean the same for a field of `type` (durations by length). */
export function sameMeaning(a: JsonValue, b: JsonValue, type?: FieldType): boolean {
  if (type !== undefined && 'scalar' in type && type.scalar === 'duration' && typeof a === 'string' && typeof b === 'string') {
    const x = parseGoDuration(a);
    const y = parseGoDuration(b);
    if (x.ok && y.ok) {
      return x.nanos === y.nanos;
    }
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameMeaning(item, b[i], type));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) {
      return false;
    }
    const nested = type !== undefined && 'message' in type ? type.message : undefined;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key)
      && sameMeaning(a[key], b[key], nested?.fields.find((f) => f.json === key)?.type ?? (nested === undefined ? type : undefined)));
  }
  return a === b;
}

/** A Go duration in nanoseconds, or Go's reason for refusing it. */
export type GoDuration = { readonly ok: true; readonly nanos: bigint } | { readonly ok: false; readonly reason: string };

const UNITS: Record<string, bigint> = {
  'ns': BigInt(1),
  'us': BigInt(1_000),
  '\u00b5s': BigInt(1_000),
  '\u03bcs': BigInt(1_000),
  'ms': BigInt(1_000_000),
  's': BigInt(1_000_000_000),
  'm': BigInt(60_000_000_000),
  'h': BigInt(3_600_000_000_000),
};

/**
 * Go's `time.ParseDuration`: a signed sequence of decimal numbers, each with an optional fraction
 * and a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), e.g. `"300ms"`, `"-1.5h"`, `"2h45m"`; `"0"` alone
 * needs no unit. At most 2^63-1 nanoseconds.
 *
 * @see https://pkg.go.dev/time#ParseDuration
 */
export function parseGoDuration(text: string): GoDuration {
  const invalid: GoDuration = { ok: false, reason: `time: invalid duration ${JSON.stringify(text)}` };
  const limit = BigInt(1) << BigInt(63);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') {
    return { ok: true, nanos: BigInt(0) };
  }
  if (s === '') {
    return invalid;
  }
  let total = BigInt(0);
  while (s !== '') {
    const number = /^([0-9]*)(\.([0-9]*))?/.exec(s) as RegExpExecArray;
    const whole = number[1];
    const fraction = number[3];
    if (whole === '' && (fraction === undefined || fraction === '')) {
      return invalid;
    }
    s = s.slice(number[0].length);
    const unitMatch = /^[^.0-9]*/.exec(s) as RegExpExecArray;
    const unitText = unitMatch[0];
    if (unitText === '') {
      return { ok: false, reason: `time: missing unit in duration ${JSON.stringify(text)}` };
    }
    s = s.slice(unitText.length);
    const unit = UNITS[unitText];
    if (unit === undefined) {
      return { ok: false, reason: `time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}` };
    }
    let v = whole === '' ? BigInt(0) : BigInt(whole);
    if (v > limit / unit) {
      return invalid;
    }
    v *= unit;
    if (fraction !== undefined && fraction !== '') {
      // Go keeps the leading digits that fit in an int64 and scales by float64, as here.
      let f = BigInt(0);
      let scale = 1;
      for (const digit of fraction) {
        if (f > (limit - BigInt(1)) / BigInt(10)) {
          break;
        }
        f = f * BigInt(10) + BigInt(digit);
        scale *= 10;
      }
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > limit) {
        return invalid;
      }
    }
    total += v;
    if (total > limit) {
      return invalid;
    }
  }
  if (!negative && total > limit - BigInt(1)) {
    return invalid;
  }
  return { ok: true, nanos: negative ? -total : total };
}

/** The known field of `type` nearest to an unknown key, for "did you mean". */
function suggest(key: string, type: MessageType): string | undefined {
  const lower = key.toLowerCase().replace(/[_-]/g, '');
  const names = suggestionNames(type);
  const exact = names.find((n) => n.lower === lower);
  if (exact !== undefined) {
    return exact.json;
  }
  let best: { name: string; distance: number } | undefined;
  for (const n of names) {
    // The length difference is a lower bound of the distance: most names end here.
    if (Math.abs(n.lower.length - lower.length) > n.limit) {
      continue;
    }
    const distance = editDistance(lower, n.lower, n.limit);
    if (distance <= n.limit && (best === undefined || distance < best.distance)) {
      best = { name: n.json, distance };
    }
  }
  return best?.name;
}

const suggestionNameCache = new WeakMap<MessageType, readonly { readonly json: string; readonly lower: string; readonly limit: number }[]>();

/** Each field's JSON name, lower-cased, with the largest distance a suggestion of it may have; once per type. */
function suggestionNames(type: MessageType): readonly { readonly json: string; readonly lower: string; readonly limit: number }[] {
  let names = suggestionNameCache.get(type);
  if (names === undefined) {
    names = type.fields.map((f) => ({ json: f.json, lower: f.json.toLowerCase(), limit: Math.max(2, Math.floor(f.json.length / 5)) }));
    suggestionNameCache.set(type, names);
  }
  return names;
}

/** The two rows of editDistance's table, reused between calls (grown when a longer string comes). */
let rows = [new Uint32Array(64), new Uint32Array(64)];

/**
 * Levenshtein distance, for "did you mean" suggestions. With `max`, the exact distance when it is at
 * most `max`, and otherwise some number above `max` (found without filling the whole table: a
 * length difference above `max`, or a row whose smallest entry is above it, ends the search).
 */
export function editDistance(a: string, b: string, max: number = Infinity): number {
  const lengthGap = Math.abs(a.length - b.length);
  if (lengthGap > Math.min(max, 8)) {
    return lengthGap;
  }
  if (rows[0].length <= b.length) {
    rows = [new Uint32Array(2 * b.length + 2), new Uint32Array(2 * b.length + 2)];
  }
  let [previous, current] = rows;
  for (let j = 0; j <= b.length; j++) {
    previous[j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > max) {
      return rowMin;
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}
