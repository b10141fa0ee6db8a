import { IConstruct } from 'constructs';
import { SourceIpValidationError } from '../errors';

/** A problem with one prop: `undefined` means "no problem". */
export type Problem = string | undefined;

/** Shows a received value the way the user wrote it. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // BigInt, cyclic objects: still say something useful rather than throw.
    return Object.prototype.toString.call(value);
  }
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
  if (value === undefined || Object.values(allowed).includes(value)) {
    return undefined;
  }
  return mustBe(prop, `one of ${Object.values(allowed).join(', ')}`, value, fix);
}

/** Throws one error listing every problem of a construct (or of a value, without `scope`). */
export function failIfAny(subject: string, problems: readonly Problem[], scope?: IConstruct): void {
  const real = problems.filter((p): p is string => p !== undefined);
  if (real.length > 0) {
    throw new SourceIpValidationError(subject, real, scope?.node.path);
  }
}

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a Kubernetes label or annotation key (`[prefix/]name`), or `undefined`. */
export function qualifiedKeyProblem(key: string): string | undefined {
  if (key.length === 0) {
    return 'the key is empty';
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
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(labels)) {
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
  const problems: Problem[] = [];
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

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes object name (DNS subdomain, at most 253) or namespace (DNS label, at most 63). */
export function resourceName(prop: string, value: string | undefined, kind: 'name' | 'namespace'): Problem {
  if (value === undefined) {
    return undefined;
  }
  const ok = kind === 'namespace'
    ? typeof value === 'string' && value.length <= 63 && DNS_LABEL.test(value)
    : typeof value === 'string' && value.length <= 253 && DNS_SUBDOMAIN.test(value);
  return ok ? undefined : mustBe(prop, kind === 'namespace'
    ? 'a namespace name (at most 63 lower-case letters, digits and \'-\')'
    : 'an object name (at most 253 lower-case letters, digits, \'-\' and \'.\')', value, 'use lower case and replace other characters with \'-\'');
}

/**
 * Throws unless `value` is a plain object: guards plain-JavaScript callers that pass `undefined`,
 * `null` or a list where props or options belong, before any field is read.
 */
export function requireObject(subject: string, prop: string, value: unknown, fix: string, scope?: IConstruct): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SourceIpValidationError(subject, [mustBe(prop, 'an object', value, fix)], scope?.node.path);
  }
}

/** A list, or `undefined`. */
export function listProblem(prop: string, value: unknown, fix: string): Problem {
  return value === undefined || Array.isArray(value) ? undefined : mustBe(prop, 'a list', value, fix);
}

/** `1 replica`, `2 replicas`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
