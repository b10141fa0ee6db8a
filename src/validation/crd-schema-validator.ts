/**
 * Validates Kubernetes objects against pinned CRD schemas, as the API server would: the
 * `openAPIV3Schema` (checked with ajv, unknown fields refused as by kubectl's strict field
 * validation) and the CEL `x-kubernetes-validations` rules (evaluated with @bufbuild/cel).
 *
 * The schemas ship with the package (`schemas/<set>.json`), so validation needs nothing outside it.
 * The library build precompiles them to plain JavaScript (`precompiled/<set>/`, ajv's standalone
 * code); when that folder is absent (running from `src/`, as the tests do), each schema is compiled
 * with ajv on first use instead. ajv and the CEL library are loaded only when needed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { SourceIpValidationError } from '../errors';
import { show } from '../private/problems';
import { CelVerdictCache } from './cel-cache';
import { celValueText, toCel } from './cel-value';
import { ajvOptions, closeSchema } from './close-schema';
import { allSchemaSets, childSchema, CrdSchemaSet, isSchemaSet, loadSchemaSet, PRECOMPILED_DIR, SchemaNode } from './schema-sets';

/** One way an object breaks its CRD. */
export interface SchemaViolation {
  /** `Kind/namespace/name` (or `Kind/name` without a namespace). */
  readonly object: string;
  /** `metadata.name`, which cdk8s maps back to a construct path. */
  readonly name: string;
  /** JSON pointer of the offending value, `/` for the whole object. */
  readonly path: string;
  /** What is wrong, in the CRD's words. */
  readonly message: string;
  /** `openAPIV3Schema:<keyword>` or `x-kubernetes-validations: <CEL rule>`. */
  readonly rule: string;
}

/** Options of a `CrdSchemaValidator` and of `validateManifests`. */
export interface CrdSchemaValidatorOptions {
  /**
   * The schema sets to check against. Objects of a `group/version/Kind` that no set defines are
   * left alone; two sets that define the same kind cannot be used together.
   *
   * @default [CrdSchemaSet.ISTIO_1_30_3, CrdSchemaSet.GATEWAY_API_V1_5_1]
   */
  readonly schemaSets?: readonly CrdSchemaSet[];

  /**
   * A folder in which to remember CEL verdicts across runs. A rule's verdict depends only on the
   * rule and the value it is given, so an unchanged object is not evaluated again, and a run
   * whose objects all hit the cache does not load the CEL library. The cdk8s plugin uses
   * `node_modules/.cache/cdk8s-istio-source-ip`.
   *
   * @default - no cache: every rule is evaluated
   */
  readonly celCacheDir?: string;
}

/** Where a kind's schema comes from. */
interface KindEntry {
  readonly set: CrdSchemaSet;
  readonly schema: SchemaNode;
}

/** The precompiled validator files of one set: `kinds.json` maps each kind to its file. */
interface PrecompiledIndex {
  readonly kinds: Record<string, string>;
}

type AjvInstance = import('ajv').default;

/**
 * Checks objects of every kind the chosen CRD schema sets define; other objects are left alone.
 *
 * Each schema is loaded (or compiled) once per `group/version/Kind`, on first use.
 */
export class CrdSchemaValidator {
  /** The upstream CRD files the schemas were extracted from, e.g. `crd-all.gen-1.30.3.yaml`. */
  public readonly sources: readonly string[];

  private readonly kindMap = new Map<string, KindEntry>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly precompiled = new Map<CrdSchemaSet, PrecompiledIndex | null>();
  private readonly celCache: CelVerdictCache | undefined;
  private ajv: AjvInstance | undefined;
  private cel: typeof import('./cel') | undefined;

  constructor(options: CrdSchemaValidatorOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new SourceIpValidationError('CrdSchemaValidator', [`'options' must be an object, got ${typeof options}. Fix: pass { schemaSets }, or nothing`]);
    }
    if (options.celCacheDir !== undefined && (typeof options.celCacheDir !== 'string' || options.celCacheDir === '')) {
      throw new SourceIpValidationError('CrdSchemaValidator', [
        `'celCacheDir' must be a folder path, got ${show(options.celCacheDir)}. Fix: pass a path, or leave it out to evaluate every rule`,
      ]);
    }
    const sets = options.schemaSets ?? [CrdSchemaSet.ISTIO_1_30_3, CrdSchemaSet.GATEWAY_API_V1_5_1];
    if (!Array.isArray(sets) || sets.length === 0 || !Array.from(sets).every(isSchemaSet)) { // Array.from: holes are not skipped
      throw new SourceIpValidationError('CrdSchemaValidator', [
        `'schemaSets' must be a non-empty list of ${allSchemaSets().map((s) => JSON.stringify(s)).join(', ')}, got ${show(sets)}. `
        + 'Fix: pass CrdSchemaSet members, or leave schemaSets out for the default',
      ]);
    }
    const sources: string[] = [];
    for (const set of sets) {
      const data = loadSchemaSet(set);
      sources.push(data.source);
      for (const [kind, schema] of Object.entries(data.schemas)) {
        const other = this.kindMap.get(kind);
        if (other !== undefined) {
          throw new SourceIpValidationError('CrdSchemaValidator', [
            `'schemaSets' lists ${JSON.stringify(other.set)} and ${JSON.stringify(set)}, which both define ${kind}. Fix: pass only one of them`,
          ]);
        }
        this.kindMap.set(kind, { set, schema });
      }
    }
    this.sources = sources;
    this.celCache = options.celCacheDir === undefined ? undefined : new CelVerdictCache(options.celCacheDir);
  }

  /** The `group/version/Kind` keys this validator knows, sorted. */
  public get kinds(): string[] {
    return [...this.kindMap.keys()].sort();
  }

  /** Whether `obj` is of a kind one of the schema sets defines. */
  public handles(obj: unknown): boolean {
    return this.entryOf(obj) !== undefined;
  }

  /** Every violation of every object of a known kind, in object order. */
  public validate(objects: readonly unknown[]): SchemaViolation[] {
    if (!Array.isArray(objects)) {
      throw new SourceIpValidationError('CrdSchemaValidator.validate', [
        `'objects' must be a list of Kubernetes objects, got ${typeof objects}. Fix: pass an array, e.g. Testing.synth(chart)`,
      ]);
    }
    const violations: SchemaViolation[] = [];
    for (const obj of objects) {
      const key = keyOf(obj);
      const entry = key === undefined ? undefined : this.kindMap.get(key);
      if (key === undefined || entry === undefined) {
        continue;
      }
      // The API server applies the schema's defaults before it validates (CEL rules read them).
      const object = withDefaults(entry.schema, obj) as Record<string, unknown>;
      const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
      const name = String(metadata.name ?? '');
      const label = `${String(object.kind)}/${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${name}`;
      const add = (at: string, message: string, rule: string) => violations.push({ object: label, name, path: at === '' ? '/' : at, message, rule });

      const check = this.validatorOf(key, entry);
      if (!check(object)) {
        // Errors inside a oneOf alternative only explain why that alternative failed; the oneOf error says it all.
        for (const error of (check.errors ?? []).filter((e) => !e.schemaPath.includes('/oneOf/'))) {
          add(error.instancePath, describe(error, entry.schema), `openAPIV3Schema:${error.keyword}`);
        }
      }
      this.walkCel(entry.schema, object, '', add);
    }
    this.celCache?.flush();
    return violations;
  }

  private entryOf(obj: unknown): KindEntry | undefined {
    const key = keyOf(obj);
    return key === undefined ? undefined : this.kindMap.get(key);
  }

  private validatorOf(key: string, entry: KindEntry): ValidateFunction {
    let check = this.compiled.get(key);
    if (check === undefined) {
      check = this.loadPrecompiled(key, entry.set) ?? this.ajvInstance().compile(closeSchema(entry.schema, true) as object);
      this.compiled.set(key, check);
    }
    return check;
  }

  /** The build's standalone validator of `key`, or undefined when there is no build output. */
  private loadPrecompiled(key: string, set: CrdSchemaSet): ValidateFunction | undefined {
    let index = this.precompiled.get(set);
    if (index === undefined) {
      const file = path.join(PRECOMPILED_DIR, set, 'kinds.json');
      index = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as PrecompiledIndex : null;
      this.precompiled.set(set, index);
    }
    const file = index?.kinds[key];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return file === undefined ? undefined : require(path.join(PRECOMPILED_DIR, set, file)) as ValidateFunction;
  }

  private ajvInstance(): AjvInstance {
    if (this.ajv === undefined) {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const Ajv = (require('ajv') as typeof import('ajv')).default;
      const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
      /* eslint-enable @typescript-eslint/no-require-imports */
      this.ajv = new Ajv(ajvOptions());
      addFormats(this.ajv);
    }
    return this.ajv;
  }

  private walkCel(schema: SchemaNode | undefined, value: unknown, at: string, add: (at: string, message: string, rule: string) => void): void {
    if (schema === undefined || value === undefined || value === null) {
      return;
    }
    let self: { value: unknown; text?: string } | undefined;
    for (const rule of schema['x-kubernetes-validations'] ?? []) {
      if (/\boldSelf\b/.test(rule.rule)) {
        continue; // a transition rule needs the object already stored in the cluster
      }
      self ??= { value: toCel(value, schema) };
      const result = this.evaluate(rule.rule, self);
      if (result !== true) {
        add(at, typeof result === 'string' ? `CEL rule could not be evaluated: ${result}` : rule.message ?? `failed rule: ${rule.rule}`,
          `x-kubernetes-validations: ${rule.rule}`);
      }
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.walkCel(schema.items, item, `${at}/${i}`, add));
      return;
    }
    if (typeof value !== 'object') {
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      this.walkCel(childSchema(schema, key), child, `${at}/${escapePointer(key)}`, add);
    }
  }

  /** `true`, `false` or the evaluation error of `rule` on `self`, from the cache when it has it. */
  private evaluate(rule: string, self: { value: unknown; text?: string }): boolean | string {
    const key = this.celCache === undefined ? undefined : CelVerdictCache.key(rule, self.text ??= celValueText(self.value));
    const cached = key === undefined ? undefined : this.celCache?.get(key);
    if (cached !== undefined) {
      return cached;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.cel ??= require('./cel') as typeof import('./cel');
    const verdict = this.cel.evaluateRule(rule, self.value);
    if (key !== undefined) {
      this.celCache?.set(key, verdict);
    }
    return verdict;
  }
}

/**
 * Every CRD violation among `objects` (for example `Testing.synth(chart)`, or every chart's
 * `toJson()` after `app.synth()`): the schema and CEL checks the API server would make.
 *
 * Objects of kinds no schema set defines (Deployments, Services, …) are left alone.
 */
export function validateManifests(objects: readonly unknown[], options: CrdSchemaValidatorOptions = {}): SchemaViolation[] {
  if (!Array.isArray(objects)) {
    throw new SourceIpValidationError('validateManifests', [
      `'objects' must be a list of Kubernetes objects, got ${typeof objects}. Fix: pass an array, e.g. Testing.synth(chart)`,
    ]);
  }
  return new CrdSchemaValidator(options).validate(objects);
}

/**
 * A copy of `value` with the schema's `default`s filled in where a field is absent, top down (a
 * default's own fields are defaulted too), as the API server does before validation.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#defaulting
 */
export function withDefaults(schema: SchemaNode | undefined, value: unknown): unknown {
  if (schema === undefined || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => withDefaults(schema.items, item));
  }
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (out[key] === undefined && property.default !== undefined) {
      out[key] = structuredClone(property.default);
    }
  }
  for (const [key, child] of Object.entries(out)) {
    out[key] = withDefaults(childSchema(schema, key), child);
  }
  return out;
}

function keyOf(obj: unknown): string | undefined {
  if (obj === null || typeof obj !== 'object') {
    return undefined;
  }
  const { apiVersion, kind } = obj as Record<string, unknown>;
  return typeof apiVersion === 'string' && typeof kind === 'string' ? `${apiVersion}/${kind}` : undefined;
}

/** The node at a JSON pointer such as `#/properties/spec/oneOf` of `root`. */
function atPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.replace(/^#\/?/, '').split('/').filter((s) => s !== '')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}

function describe(error: ErrorObject, schema: SchemaNode): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(params.additionalProperty)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf': {
      // Istio's oneOf alternatives are `not: {anyOf: ...}` (none set) and one `required: [field]` per field.
      // closeSchema keeps every path of the CRD schema, so the error's schemaPath points into it.
      const found = atPointer(schema, error.schemaPath);
      const alternatives = (Array.isArray(found) ? found : []) as readonly { required?: readonly string[] }[];
      const fields = alternatives.flatMap((a) => a.required ?? []);
      const set = ((params.passingSchemas as number[] | null) ?? []).flatMap((i) => alternatives[i]?.required ?? []);
      return set.length > 1 ? `set at most one of ${fields.join(', ')}, got ${set.join(' and ')}` : `must match exactly one of ${fields.join(', ')}`;
    }
    default:
      return `${error.message ?? error.keyword}${Object.keys(params).length === 0 ? '' : ` ${JSON.stringify(params)}`}`;
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
