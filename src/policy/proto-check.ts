/**
 * Checks a JSON value against the transcribed field names of a protobuf message
 * (`data/proto-fields.ts`): unknown fields, wrong types, two members of one oneof. Used to pin what
 * this library writes into mesh config and EnvoyFilter patches to the upstream protos.
 *
 * Pure; not part of the public API.
 */
import { PROTO_MESSAGES, ProtoFieldSpec } from './data/proto-fields';

/** Which names a value uses: protobuf's JSON names (`extensionProviders`) or the .proto names (`stat_prefix`). */
export type ProtoNames = 'json' | 'proto';

const TYPE_URL_PREFIX = 'type.googleapis.com/';
const UINT32_MAX = 4294967295;
/** A protobuf JSON Duration: seconds with up to 9 fractional digits and an `s` suffix. */
const DURATION = /^-?[0-9]+(\.[0-9]{1,9})?s$/;

/**
 * Every way `value` breaks message `messageName`, one line each (`/path: what is wrong`); empty when
 * it fits.
 */
export function protoViolations(messageName: string, value: unknown, names: ProtoNames, at = ''): string[] {
  const message = PROTO_MESSAGES[messageName];
  if (message === undefined) {
    return [`${at || '/'}: no transcribed message ${messageName}`];
  }
  if (!isPlainObject(value)) {
    return [`${at || '/'}: ${messageName} must be an object, got ${JSON.stringify(value)}`];
  }
  const violations: string[] = [];
  const setOneofs = new Map<string, string>();
  for (const [key, child] of Object.entries(value)) {
    const field = message.fields.find((f) => (names === 'json' ? f.jsonName : f.name) === key);
    const where = `${at}/${key}`;
    if (field === undefined) {
      violations.push(`${where}: unknown field of ${messageName} (fields read from ${message.source})`);
      continue;
    }
    if (field.oneof !== undefined) {
      const other = setOneofs.get(field.oneof);
      if (other !== undefined) {
        violations.push(`${where}: oneof ${field.oneof} of ${messageName} already has ${other}`);
      }
      setOneofs.set(field.oneof, key);
    }
    if (field.repeated) {
      if (!Array.isArray(child)) {
        violations.push(`${where}: repeated field must be a list, got ${JSON.stringify(child)}`);
        continue;
      }
      child.forEach((item, i) => violations.push(...valueViolations(field, item, names, `${where}/${i}`)));
    } else {
      violations.push(...valueViolations(field, child, names, where));
    }
  }
  return violations;
}

function valueViolations(field: ProtoFieldSpec, value: unknown, names: ProtoNames, at: string): string[] {
  const wrong = (expected: string) => [`${at}: ${field.name} must be ${expected}, got ${JSON.stringify(value)}`];
  switch (field.type) {
    case 'unchecked':
      return [];
    case 'string':
      return typeof value === 'string' ? [] : wrong('a string');
    case 'bool':
    case 'BoolValue':
      return typeof value === 'boolean' ? [] : wrong('true or false');
    case 'uint32':
    case 'UInt32Value':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= UINT32_MAX ? [] : wrong('a whole number from 0 to 4294967295');
    case 'int32':
      return Number.isInteger(value) && Math.abs(value as number) <= 2147483648 ? [] : wrong('a 32-bit whole number');
    case 'Struct':
      return isPlainObject(value) ? [] : wrong('an object');
    case 'Duration':
      return typeof value === 'string' && DURATION.test(value) ? [] : wrong('a duration such as "1s" or "0.5s"');
    case 'enum':
      return typeof value === 'string' && (field.enumValues ?? []).includes(value) ? [] : wrong(`one of ${(field.enumValues ?? []).join(', ')}`);
    case 'Any':
      return anyViolations(value, names, at);
    default:
      return protoViolations(field.type, value, names, at);
  }
}

/** A `google.protobuf.Any` in JSON: `@type` names a transcribed message, the other keys are its fields. */
function anyViolations(value: unknown, names: ProtoNames, at: string): string[] {
  if (!isPlainObject(value)) {
    return [`${at}: an Any must be an object, got ${JSON.stringify(value)}`];
  }
  const typeUrl = value['@type'];
  if (typeof typeUrl !== 'string' || !typeUrl.startsWith(TYPE_URL_PREFIX)) {
    return [`${at}/@type: must be "${TYPE_URL_PREFIX}<message>", got ${JSON.stringify(typeUrl)}`];
  }
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== '@type'));
  return protoViolations(typeUrl.slice(TYPE_URL_PREFIX.length), rest, names, at);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
