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
import { IstioVersion } from '../istio-version';
import { show } from '../private/problems';
import { CelVerdictCache } from './cel-cache';
import { celValueText, toCel } from './cel-value';
import { ajvOptions, closeSchema } from './close-schema';
import { allSchemaSets, childSchema, CrdSchemaSet, isSchemaSet, loadSchemaSet, PRECOMPILED_DIR, SCHEMA_SET_SOURCES, SchemaNode, schemaSetsFor } from './schema-sets';

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
   * The target Istio version of the objects: picks the schema sets, Istio 1.20.8's for 1.20 and
   * 1.21, Istio 1.30.3's from 1.22 (the README's "Istio versions" says why), and the Gateway API's
   * always. Give this or `schemaSets`, not both.
   *
   * @default - Istio 1.30 (`IstioVersion.DEFAULT`), unless `schemaSets` is given
   */
  readonly istioVersion?: IstioVersion;

  /**
   * The schema sets to check against, instead of the ones `istioVersion` picks. Objects of a
   * `group/version/Kind` no set defines (Deployments, Services, experimental Gateway API routes, …)
   * are left alone, except in an Istio API group: an Istio set holds every CRD of its release, so
   * there a version or kind it does not serve is a violation (the API server has no such resource).
   * Two sets that define the same kind cannot be used together.
   *
   * @default - the sets for `istioVersion`; without it [CrdSchemaSet.ISTIO_1_30_3, CrdSchemaSet.GATEWAY_API_V1_5_1]
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
 * Every schema loaded or compiled in this process, by set and `group/version/Kind`: a validator's
 * schemas depend only on its set, so validators of the same sets (each synth's plugin, each test)
 * share them.
 */
const COMPILED = new Map<string, ValidateFunction>();

/**
 * Checks objects of every kind the chosen CRD schema sets define, and refuses an object of an Istio
 * API group in a version or kind the Istio set does not serve; other objects are left alone.
 *
 * Each schema is loaded (or compiled) once per set and `group/version/Kind` in a process, on first use.
 */
export class CrdSchemaValidator {
  /** The upstream CRD files the schemas were extracted from, e.g. `crd-all.gen-1.30.3.yaml`. */
  public readonly sources: readonly string[];

  private readonly kindMap = new Map<string, KindEntry>();
  /** API group of a `wholeGroups` set → the `group/version/Kind` keys it defines there, and its file. */
  private readonly groups = new Map<string, { readonly source: string; readonly kinds: string[] }>();
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
    if (options.istioVersion !== undefined && !(options.istioVersion instanceof IstioVersion)) {
      throw new SourceIpValidationError('CrdSchemaValidator', [
        `'istioVersion' must be an IstioVersion, got ${show(options.istioVersion)}. Fix: pass e.g. IstioVersion.of("1.20"), or leave it out for 1.30`,
      ]);
    }
    if (options.istioVersion !== undefined && options.schemaSets !== undefined) {
      throw new SourceIpValidationError('CrdSchemaValidator', [
        `'istioVersion' (${options.istioVersion.toString()}) and 'schemaSets' (${show(options.schemaSets)}) both pick the schema sets. Fix: pass only one of them`,
      ]);
    }
    const sets = options.schemaSets ?? schemaSetsFor(options.istioVersion ?? IstioVersion.DEFAULT);
    if (!Array.isArray(sets) || sets.length === 0 || !Array.from(sets).every(isSchemaSet)) { // Array.from: holes are not skipped
      throw new SourceIpValidationError('CrdSchemaValidator', [
        `'schemaSets' must be a non-empty list of ${allSchemaSets().map((s) => JSON.stringify(s)).join(', ')}, got ${show(sets)}. `
        + 'Fix: pass CrdSchemaSet members, or leave schemaSets out for the default',
      ]);
    }
    const sources: string[] = [];
    for (const set of sets as readonly CrdSchemaSet[]) {
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
        if (SCHEMA_SET_SOURCES[set].wholeGroups) {
          const group = this.groups.get(groupOf(kind)) ?? { source: data.source, kinds: [] };
          group.kinds.push(kind);
          this.groups.set(groupOf(kind), group);
        }
      }
    }
    this.sources = sources;
    this.celCache = options.celCacheDir === undefined ? undefined : new CelVerdictCache(options.celCacheDir);
  }

  /** The `group/version/Kind` keys this validator knows, sorted. */
  public get kinds(): string[] {
    return [...this.kindMap.keys()].sort();
  }

  /**
   * Whether `obj` is checked: of a kind the schema sets define, or of an Istio API group in a
   * version or kind the Istio set does not serve (a violation).
   */
  public handles(obj: unknown): boolean {
    const key = keyOf(obj);
    return key !== undefined && (this.kindMap.has(key) || this.groups.has(groupOf(key)));
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
      const entry = this.entryOf(obj);
      if (key === undefined || entry === undefined) {
        const unserved = key === undefined ? undefined : unservedMessage(key, this.groups);
        if (unserved !== undefined) {
          const { kind, metadata } = obj as { kind: string; metadata?: { name?: unknown; namespace?: unknown } };
          const name = String(metadata?.name ?? '');
          const label = `${kind}/${metadata?.namespace === undefined ? '' : `${String(metadata.namespace)}/`}${name}`;
          violations.push({ object: label, name, path: '/apiVersion', message: unserved, rule: 'CRD served versions' });
        }
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
    const cacheKey = `${entry.set}\0${key}`;
    let check = COMPILED.get(cacheKey);
    if (check === undefined) {
      check = this.loadPrecompiled(key, entry.set) ?? this.ajvInstance().compile(closeSchema(entry.schema, true) as object);
      COMPILED.set(cacheKey, check);
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

/**
 * Why an object of `key` (a key no set defines) has no resource to go to, when its API group is one
 * in `groups`; undefined for other groups. Worded as kubectl reports it.
 */
function unservedMessage(key: string, groups: ReadonlyMap<string, { readonly source: string; readonly kinds: readonly string[] }>): string | undefined {
  const group = groups.get(groupOf(key));
  if (group === undefined) {
    return undefined;
  }
  const kind = key.slice(key.lastIndexOf('/') + 1);
  const apiVersion = key.slice(0, key.lastIndexOf('/'));
  const served = group.kinds.filter((k) => k.endsWith(`/${kind}`)).map((k) => k.slice(0, k.lastIndexOf('/'))).sort();
  return `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)} in ${group.source}: `
    + (served.length > 0 ? `it serves ${kind} as ${served.join(', ')}` : `it has no ${kind} in ${groupOf(key)}`)
    + '. Fix: target the Istio version the cluster runs (IstioVersion), or validate for the version this output was written for';
}

/** `networking.istio.io` of `networking.istio.io/v1/Gateway` (empty for the core group, `v1/Service`). */
function groupOf(key: string): string {
  const parts = key.split('/');
  return parts.length === 3 ? parts[0] : '';
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
