/**
 * Validates Istio and Gateway API objects against the pinned CRDs, as the API server would: schema
 * defaults applied first, then the `openAPIV3Schema` (checked with ajv, unknown fields refused as by
 * kubectl's strict field validation) and the CEL `x-kubernetes-validations` rules (evaluated with
 * @bufbuild/cel).
 *
 * The schemas are the schema sets in `imports/schemas/` (`istio-crds.json`, `gateway-api-crds.json`),
 * extracted by `npm run import` from the same CRD files as `imports/*.ts`, so validation needs
 * nothing outside the repository. Used by the tests and
 * by the cdk8s validation plugin in `validation/`. Not part of the library's public API: it needs the
 * dev dependencies `ajv`, `ajv-formats` and `@bufbuild/cel`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CelScalar, celEnv, celFunc, celMethod, isCelError, listType, parse, plan } from '@bufbuild/cel';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** One way an object breaks its CRD. */
export interface Violation {
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

/** A Kubernetes object as parsed from a manifest. */
export type KubeObject = Record<string, unknown>;

/** A structural schema node (only the keywords this file reads are typed). */
interface Schema {
  readonly type?: string;
  readonly properties?: Record<string, Schema>;
  readonly items?: Schema;
  readonly additionalProperties?: Schema | boolean;
  readonly 'x-kubernetes-validations'?: readonly { readonly rule: string; readonly message?: string }[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly default?: unknown;
  readonly [keyword: string]: unknown;
}

interface SchemaFile {
  readonly source: string;
  readonly schemas: Record<string, Schema>;
}

/** Options of an `IstioSchemaValidator`. */
export interface IstioSchemaValidatorOptions {
  /**
   * One JSON file written by `scripts/extract-schemas.ts`, instead of `schemaFiles`.
   *
   * @default - every schema set of this repository (`SCHEMA_SETS`)
   */
  readonly schemaFile?: string;
  /**
   * JSON files written by `scripts/extract-schemas.ts`; a kind defined in two of them is an error.
   *
   * @default - every schema set of this repository (`SCHEMA_SETS`)
   */
  readonly schemaFiles?: readonly string[];
}

/** The schema sets of this repository, in `imports/schemas/`: Istio 1.30.3, Gateway API v1.5.1 (standard channel). */
export const SCHEMA_SETS: readonly string[] = ['istio-crds.json', 'gateway-api-crds.json'];

type CelProgram = (bindings: { self: unknown }) => unknown;

/** The committed schema files of this repository. */
function defaultSchemaFiles(): string[] {
  return SCHEMA_SETS.map((name) => path.join(__dirname, '..', 'imports', 'schemas', name));
}

/**
 * Checks objects of every kind the pinned CRDs define (Istio's and the Gateway API's); other
 * objects are left alone.
 *
 * Schemas are compiled lazily, once per `group/version/Kind`, and CEL programs once per rule.
 */
export class IstioSchemaValidator {
  /** The CRD files the schemas were extracted from, e.g. `crd-all.gen-1.30.3.yaml`, in schema set order. */
  public readonly sources: readonly string[];

  private readonly schemas: Record<string, Schema>;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly programs = new Map<string, CelProgram>();
  private readonly ajv: Ajv;
  private env: ReturnType<typeof celEnv> | undefined;

  constructor(options: IstioSchemaValidatorOptions = {}) {
    const files = (options.schemaFile !== undefined ? [options.schemaFile] : options.schemaFiles ?? defaultSchemaFiles())
      .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaFile);
    this.sources = files.map((file) => file.source);
    const schemas: Record<string, Schema> = {};
    for (const file of files) {
      for (const [key, schema] of Object.entries(file.schemas)) {
        if (Object.prototype.hasOwnProperty.call(schemas, key)) {
          throw new Error(`IstioSchemaValidator: ${key} is defined by two schema sets (the second is ${file.source})`);
        }
        schemas[key] = schema;
      }
    }
    this.schemas = schemas;
    // strict: false because CRD schemas carry x-kubernetes-* keywords ajv does not know.
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
    addFormats(this.ajv);
  }

  /** The CRD files, for messages: `crd-all.gen-1.30.3.yaml + standard-crds-v1.5.1.yaml`. */
  public get source(): string {
    return this.sources.join(' + ');
  }

  /** The `group/version/Kind` keys this validator knows, sorted. */
  public get kinds(): string[] {
    return Object.keys(this.schemas).sort();
  }

  /** Whether `obj` is of a kind one of the CRDs defines. */
  public handles(obj: unknown): boolean {
    return this.schemaOf(obj) !== undefined;
  }

  /** Every violation of every object of a known kind, in object order. */
  public validate(objects: readonly unknown[]): Violation[] {
    const violations: Violation[] = [];
    for (const obj of objects) {
      const key = this.keyOf(obj);
      const schema = key === undefined ? undefined : this.schemas[key];
      if (key === undefined || schema === undefined) {
        continue;
      }
      // The API server applies the schema's defaults before it validates (CEL rules read them).
      const object = withDefaults(schema, obj) as KubeObject;
      const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
      const name = String(metadata.name ?? '');
      const label = `${String(object.kind)}/${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${name}`;
      const add = (at: string, message: string, rule: string) => violations.push({ object: label, name, path: at === '' ? '/' : at, message, rule });

      const check = this.compile(key, schema);
      if (!check(object)) {
        // Errors inside a oneOf alternative only explain why that alternative failed; the oneOf error says it all.
        for (const error of (check.errors ?? []).filter((e) => !e.schemaPath.includes('/oneOf/'))) {
          add(error.instancePath, describe(error), `openAPIV3Schema:${error.keyword}`);
        }
      }
      this.walkCel(schema, object, '', add);
    }
    return violations;
  }

  private keyOf(obj: unknown): string | undefined {
    if (obj === null || typeof obj !== 'object') {
      return undefined;
    }
    const { apiVersion, kind } = obj as KubeObject;
    return typeof apiVersion === 'string' && typeof kind === 'string' ? `${apiVersion}/${kind}` : undefined;
  }

  private schemaOf(obj: unknown): Schema | undefined {
    const key = this.keyOf(obj);
    return key === undefined || !Object.prototype.hasOwnProperty.call(this.schemas, key) ? undefined : this.schemas[key];
  }

  private compile(key: string, schema: Schema): ValidateFunction {
    let check = this.compiled.get(key);
    if (check === undefined) {
      check = this.ajv.compile(closeSchema(schema, true) as object);
      this.compiled.set(key, check);
    }
    return check;
  }

  private walkCel(schema: Schema | undefined, value: unknown, at: string, add: (at: string, message: string, rule: string) => void): void {
    if (schema === undefined || value === undefined || value === null) {
      return;
    }
    for (const rule of schema['x-kubernetes-validations'] ?? []) {
      if (/\boldSelf\b/.test(rule.rule)) {
        continue; // a transition rule needs the object already stored in the cluster
      }
      const result = this.evaluate(rule.rule, toCel(value, schema));
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

  /** `true`, `false`, or the evaluation error's message. */
  private evaluate(rule: string, self: unknown): boolean | string {
    let program = this.programs.get(rule);
    try {
      if (program === undefined) {
        program = plan(this.celEnv(), parse(rule)) as unknown as CelProgram;
        this.programs.set(rule, program);
      }
      const result = program({ self });
      if (isCelError(result)) {
        return result.message.split('\n')[0];
      }
      return result === true;
    } catch (e) {
      return String((e as Error).message).split('\n')[0];
    }
  }

  private celEnv(): ReturnType<typeof celEnv> {
    if (this.env === undefined) {
      // A shim for the Kubernetes CEL URL library (a URL is modelled as its string). WHATWG URL
      // parsing only approximates Go's url.Parse; these functions only appear in kinds we do not emit.
      const parseUrl = (s: string): URL | undefined => {
        try {
          return new URL(s);
        } catch {
          return undefined;
        }
      };
      this.env = celEnv({
        funcs: [
          celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s) => parseUrl(s) !== undefined),
          celFunc('url', [CelScalar.STRING], CelScalar.STRING, (s) => {
            if (parseUrl(s) === undefined) {
              throw new Error(`invalid URL ${JSON.stringify(s)}`);
            }
            return s;
          }),
          celMethod('getScheme', CelScalar.STRING, [], CelScalar.STRING, function () {
            return parseUrl(this)?.protocol.replace(/:$/, '') ?? '';
          }),
          celMethod('getHost', CelScalar.STRING, [], CelScalar.STRING, function () {
            return parseUrl(this)?.host ?? '';
          }),
          // The Kubernetes CEL strings library (the Gateway API's annotation and label key rules use it).
          celMethod('split', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (separator) {
            return this.split(separator);
          }),
        ],
      });
    }
    return this.env;
  }
}

/**
 * A copy of `value` with the schema's `default`s filled in where a field is absent, top down (a
 * default's own fields are defaulted too), as the API server does before validation.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#defaulting
 */
export function withDefaults(schema: Schema | undefined, value: unknown): unknown {
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

/** The schema of `obj[key]`: a declared property, or the map's value schema. */
function childSchema(schema: Schema, key: string): Schema | undefined {
  if (schema.properties !== undefined && Object.prototype.hasOwnProperty.call(schema.properties, key)) {
    return schema.properties[key];
  }
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** Schema-directed conversion to CEL values: objects become Maps, integers become bigint. */
function toCel(value: unknown, schema: Schema | undefined): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => toCel(item, schema?.items));
  }
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([key, child]) => [key, toCel(child, schema === undefined ? undefined : childSchema(schema, key))]));
  }
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') {
    return BigInt(value);
  }
  return value;
}

/**
 * A deep copy of a structural schema that refuses unknown fields: `additionalProperties: false`
 * wherever `properties` are listed and unknown fields are not explicitly preserved, as kubectl's
 * strict field validation does. The root also requires `apiVersion`, `kind` and `metadata.name`.
 */
export function closeSchema(schema: unknown, root = false): unknown {
  if (Array.isArray(schema)) {
    return schema.map((item) => closeSchema(item));
  }
  if (schema === null || typeof schema !== 'object') {
    return schema;
  }
  const node = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, closeSchema(sub)]));
    } else if (['items', 'additionalProperties', 'oneOf', 'anyOf', 'allOf', 'not'].includes(key)) {
      out[key] = closeSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (root) {
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      // The API server requires a name (or generateName, which cdk8s never writes).
      metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
      ...(out.properties as Record<string, unknown> | undefined),
    };
    out.required = [...new Set([...((out.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])];
  }
  if (out.properties !== undefined && out.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(params.additionalProperty)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf': {
      // Istio's oneOf alternatives are `not: {anyOf: ...}` (none set) and one `required: [field]` per field.
      const alternatives = error.schema as readonly { required?: readonly string[] }[];
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
