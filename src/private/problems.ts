import { IConstruct } from 'constructs';
import { SourceIpValidationError } from '../errors';

/** A problem with one prop: `undefined` means "no problem". */
export type Problem = string | undefined;

/** The most characters of a received value a message quotes. */
export const MAX_SHOWN = 200;

/**
 * Shows a received value the way the user wrote it, cut to `MAX_SHOWN` characters (with the full
 * length named) so a huge input never makes a huge message.
 */
export function show(value: unknown): string {
  const text = showWhole(value);
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN)}… (${text.length} characters)`;
}

function showWhole(value: unknown): string {
  if (typeof value === 'string') {
    // Quote only the part shown: turning a megabyte into JSON to cut it again would be wasted work.
    return value.length > MAX_SHOWN * 2 ? `${JSON.stringify(value.slice(0, MAX_SHOWN * 2))}…` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (typeof value === 'bigint') {
    return `${value}n`;
  }
  if (typeof value === 'symbol' || typeof value === 'function') {
    return typeof value === 'symbol' ? value.toString() : 'a function';
  }
  if (Array.isArray(value) && value.length > MAX_SHOWN) {
    // A long list: show its first entries only (JSON.stringify of a million entries is slow).
    return `${showWhole(value.slice(0, 20)).slice(0, -1)},…] (${value.length} entries)`;
  }
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    // Cyclic or too deep to stringify: still say something useful rather than throw.
    return Object.prototype.toString.call(value);
  }
}

/** What kind of value `value` is, for messages about a wrong type: `null`, `a list`, `a string`, ... */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Whether `value` is a plain object (not null, a list, a string, a class instance or a function). */
export function isPlainObject<T>(value: T): value is T & Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `'prop' must be <allowed>, got <value>. Fix: <fix>` */
export function mustBe(prop: string, allowed: string, value: unknown, fix: string): string {
  return `'${prop}' must be ${allowed}, got ${show(value)}. Fix: ${fix}`;
}

/** A whole number in [min, max] (inclusive), or `undefined`. */
export function wholeNumber(prop: string, value: number | undefined, min: number, max: number, fix: string): Problem {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    return mustBe(prop, `a whole number ${range}`, value, fix);
  }
  return undefined;
}

/** A value of a string enum, or `undefined` (guards plain-JavaScript callers). */
export function oneOf(prop: string, value: string | undefined, allowed: Record<string, string>, fix: string): Problem {
  if (value === undefined || valuesOf(allowed).includes(value)) {
    return undefined;
  }
  return mustBe(prop, `one of ${valuesOf(allowed).join(', ')}`, value, fix);
}

/** The values of an enum, listed once per enum (they are checked on every construct). */
const ENUM_VALUES = new WeakMap<Record<string, string>, readonly string[]>();

function valuesOf(allowed: Record<string, string>): readonly string[] {
  let values = ENUM_VALUES.get(allowed);
  if (values === undefined) {
    values = Object.values(allowed);
    // Enums do not change once their module has loaded, so their values are read once.
    ENUM_VALUES.set(allowed, values);
  }
  return values;
}

/** Throws one error listing every problem of a construct (or of a value, without `scope`). */
export function failIfAny(subject: string, problems: readonly Problem[], scope?: IConstruct): void {
  // Called by every constructor, almost always with no problem: look before building a list.
  for (let i = 0; i < problems.length; i++) {
    if (problems[i] !== undefined) {
      throw new SourceIpValidationError(subject, problems.filter((p): p is string => p !== undefined), pathOf(scope));
    }
  }
}

/** The construct path of `scope`, when it is a construct (plain-JavaScript callers may pass anything). */
function pathOf(scope: unknown): string | undefined {
  const path = (scope as { node?: { path?: unknown } } | null | undefined)?.node?.path;
  return typeof path === 'string' ? path : undefined;
}

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a Kubernetes label or annotation key (`[prefix/]name`), or `undefined`. */
export function qualifiedKeyProblem(key: string): string | undefined {
  if (key.length === 0) {
    return 'the key is empty';
  }
  if (key === 'constructor') {
    // Kubernetes accepts it, but cdk8s 2.x cannot write it: its serializer (ApiObject.toJson,
    // sanitizeValue) takes any object whose `constructor` is not Object for a class instance and
    // fails the synth. Other names objects inherit (toString, valueOf, ...) are fine.
    return 'Kubernetes accepts "constructor", but cdk8s cannot write a map with that key (its serializer takes the map for a class instance)';
  }
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `the prefix "${prefix}" is not a lower-case DNS subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `the name "${name}" must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Problems with a label map: keys and values as Kubernetes and Istio's CRD rules accept them. */
export function labelMapProblems(prop: string, labels: Readonly<Record<string, string>> | undefined): Problem[] {
  if (labels === undefined) {
    return [];
  }
  if (!isPlainObject(labels)) {
    return [mustBe(prop, 'a map of label keys to values', labels, 'write an object, e.g. { team: "edge" }')];
  }
  const problems: Problem[] = [];
  for (const key in labels) {
    if (!Object.prototype.hasOwnProperty.call(labels, key)) {
      continue;
    }
    const value: unknown = labels[key];
    const keyProblem = key.includes('*') ? 'wildcards are not allowed (Istio matches labels exactly)' : qualifiedKeyProblem(key);
    if (keyProblem !== undefined) {
      problems.push(mustBe(`${prop} key`, 'a Kubernetes label key ([prefix/]name)', key, `${keyProblem}; rename the label`));
    }
    if (typeof value !== 'string' || value.length > 63 || (value.length > 0 && !QUALIFIED_NAME.test(value))) {
      const why = typeof value === 'string' && value.includes('*') ? 'wildcards are not allowed in label values' : 'label values are at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit';
      problems.push(mustBe(`${prop}["${key}"]`, 'a Kubernetes label value', value, why));
    }
  }
  return problems;
}

/** Problems with an annotation map: keys must be qualified names, values strings. */
export function annotationMapProblems(prop: string, annotations: Readonly<Record<string, string>> | undefined): Problem[] {
  if (annotations === undefined) {
    return [];
  }
  if (!isPlainObject(annotations)) {
    return [mustBe(prop, 'a map of annotation keys to string values', annotations, 'write an object, e.g. { "example.com/owner": "edge" }')];
  }
  const problems: Problem[] = [annotationSizeProblem(prop, annotations)];
  for (const [key, value] of Object.entries(annotations)) {
    const keyProblem = qualifiedKeyProblem(key);
    if (keyProblem !== undefined) {
      problems.push(mustBe(`${prop} key`, 'a Kubernetes annotation key ([prefix/]name)', key, `${keyProblem}; rename the annotation`));
    }
    if (typeof value !== 'string') {
      problems.push(mustBe(`${prop}["${key}"]`, 'a string', value, 'quote the value (annotation values are always strings)'));
    }
  }
  return problems;
}

/**
 * Kubernetes' limit on the total size of an object's annotations: keys and values, in bytes
 * (`TotalAnnotationSizeLimitB`, apimachinery `ValidateAnnotationsSize`).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set
 */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Why the annotation maps together exceed Kubernetes' 256 KiB limit, or `undefined`. */
export function annotationSizeProblem(prop: string, ...maps: readonly (Readonly<Record<string, unknown>> | undefined)[]): Problem {
  let total = 0;
  for (const map of maps) {
    for (const [key, value] of Object.entries(map ?? {})) {
      total += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
  }
  return total <= TOTAL_ANNOTATION_SIZE_LIMIT ? undefined
    : `'${prop}' must total at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes of keys and values (Kubernetes rejects more), got ${total} bytes. `
      + 'Fix: move large data into a ConfigMap and keep annotations short';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * What `resourceName` checks: an object name (DNS-1123 subdomain, at most 253), a namespace
 * (DNS-1123 label, at most 63), or the name of an object that is also a Service's (DNS-1035 label:
 * at most 63, starting with a letter).
 */
export type ResourceNameKind = 'name' | 'namespace' | 'service';

/**
 * A Kubernetes object name, namespace or Service name, as the API server validates it
 * (apimachinery `IsDNS1123Subdomain`, `IsDNS1123Label`, `IsDNS1035Label`).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */
export function resourceName(prop: string, value: string | undefined, kind: ResourceNameKind): Problem {
  if (value === undefined) {
    return undefined;
  }
  const text = typeof value === 'string' ? value : undefined;
  switch (kind) {
    case 'namespace':
      return text !== undefined && text.length <= 63 && DNS_LABEL.test(text) ? undefined
        : mustBe(prop, 'a namespace name (at most 63 lower-case letters, digits and \'-\')', value, 'use lower case and replace other characters with \'-\'');
    case 'service':
      return text !== undefined && text.length <= 63 && DNS_1035_LABEL.test(text) ? undefined
        : mustBe(prop, 'a Service name (at most 63 lower-case letters, digits and \'-\', starting with a letter)', value,
          'start with a letter, use lower case, and replace other characters with \'-\'');
    default:
      return text !== undefined && text.length <= 253 && DNS_SUBDOMAIN.test(text) ? undefined
        : mustBe(prop, 'an object name (at most 253 lower-case letters, digits, \'-\' and \'.\')', value, 'use lower case and replace other characters with \'-\'');
  }
}

/**
 * Throws unless `value` is a plain object: guards plain-JavaScript callers that pass `undefined`,
 * `null` or a list where props or options belong, before any field is read.
 */
export function requireObject(subject: string, prop: string, value: unknown, fix: string, scope?: IConstruct): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SourceIpValidationError(subject, [mustBe(prop, 'an object', value, fix)], pathOf(scope));
  }
}

/** A list without holes, or `undefined`. */
export function listProblem(prop: string, value: unknown, fix: string): Problem {
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    return mustBe(prop, 'a list', value, fix);
  }
  const hole = firstHole(value);
  return hole === undefined ? undefined
    : `'${prop}' must be a list without holes, got a sparse list (index ${hole} is empty). Fix: write every entry, or remove the extra comma`;
}

/** The index of the first hole in a sparse list (`[, 1]`), or `undefined`. */
export function firstHole(list: readonly unknown[]): number | undefined {
  // A short list is looked at entry by entry (nothing allocated). For a long one, Object.keys is
  // linear in the entries present, not in the length, which a sparse list may set to 2^32 - 1;
  // a dense list has as many keys as its length.
  if (list.length > LOOKED_AT) {
    if (Object.keys(list).length >= list.length) {
      return undefined;
    }
  }
  for (let i = 0; i < list.length; i++) {
    if (!(i in list)) {
      return i;
    }
  }
  return undefined;
}

/** Lists up to this long are checked for holes entry by entry. */
const LOOKED_AT = 64;

/** `true` or `false`, or `undefined` (refuses `"false"`, `0`, `null` from plain JavaScript). */
export function booleanProblem(prop: string, value: unknown, fix = 'pass true or false'): Problem {
  return value === undefined || typeof value === 'boolean' ? undefined : mustBe(prop, 'true or false', value, fix);
}

/** `1 replica`, `2 replicas`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Throws unless `gateway` looks like an `IIngressGateway` (a construct with a `topology`, a
 * `serviceType` and `selectorLabels`), and `options`, when given, is an object: guards the
 * analysis functions that take a gateway against plain-JavaScript callers.
 */
export function requireGateway(subject: string, gateway: unknown, options?: unknown): void {
  const candidate = gateway as {
    node?: { path?: unknown }; topology?: { numTrustedProxies?: unknown; proxyProtocol?: unknown }; serviceType?: unknown; selectorLabels?: unknown;
  } | null;
  const ok = candidate !== null && typeof candidate === 'object'
    && typeof candidate.node === 'object' && candidate.node !== null && typeof candidate.node.path === 'string'
    && typeof candidate.topology === 'object' && candidate.topology !== null
    && typeof candidate.topology.numTrustedProxies === 'number' && typeof candidate.topology.proxyProtocol === 'boolean'
    && typeof candidate.serviceType === 'string' && typeof candidate.selectorLabels === 'object' && candidate.selectorLabels !== null;
  const problems = [
    ok ? undefined : mustBe('gateway', 'an IngressGateway (or another IIngressGateway)', gateway, 'pass the gateway construct'),
    options === undefined || isPlainObject(options) ? undefined : mustBe('options', 'an object', options, 'pass { app: {...} }, or nothing'),
    appOptionProblem(options),
  ];
  failIfAny(subject, problems);
}

/**
 * Throws unless `root` is a construct (something with `node.findAll`), and `options`, when given,
 * an object: guards the functions that walk an app against plain-JavaScript callers.
 */
export function requireRoot(subject: string, root: unknown, options?: unknown): void {
  const node = (root as { node?: { findAll?: unknown } } | null)?.node;
  failIfAny(subject, [
    root !== null && typeof root === 'object' && node !== null && typeof node === 'object' && typeof node.findAll === 'function' ? undefined
      : mustBe('root', 'a construct (the App, or a Chart)', root, 'pass the app'),
    options === undefined || isPlainObject(options) ? undefined : mustBe('options', 'an object', options, 'pass the options as an object, or nothing'),
    appOptionProblem(options),
  ]);
}

/**
 * `requireRoot`, and `app` must have an output directory (a cdk8s `App`): guards the functions that
 * write files next to the synthesized manifests.
 */
export function requireApp(subject: string, app: unknown, options?: unknown): void {
  requireRoot(subject, app, options);
  failIfAny(subject, [typeof (app as { outdir?: unknown }).outdir === 'string' ? undefined
    : mustBe('app', 'a cdk8s App (with an output directory)', app, 'pass the App you synthesized')]);
}

/** `options.app`, when given, must be an object (the app behind a gateway, for `explain`). */
function appOptionProblem(options: unknown): Problem {
  const app = isPlainObject(options) ? options.app : undefined;
  return app === undefined || isPlainObject(app) ? undefined
    : mustBe('options.app', 'an object { name, interceptionMode }', app, 'pass { interceptionMode: InterceptionMode.TPROXY }, or leave it out');
}

/**
 * Why the name cdk8s generated for an object (from the construct path, when no `name` was given)
 * is not a valid Kubernetes object name, or `undefined`: cdk8s keeps characters such as `_` that
 * the API server refuses.
 */
export function generatedNameProblem(given: string | undefined, generated: string): Problem {
  if (given !== undefined || resourceName('name', generated, 'name') === undefined) {
    return undefined;
  }
  return `the object name generated from the construct path, ${show(generated)}, is not a Kubernetes object name (at most 253 lower-case letters, `
    + 'digits, \'-\' and \'.\'). Fix: pass name, or use construct ids of lower-case letters, digits and \'-\'';
}
