/**
 * How big an object is where the Kubernetes API counts it, and one synth-time check that every
 * object this library writes fits.
 *
 * Client-side `kubectl apply` (still the default) stores the whole object, as compact JSON, in the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, and the API server refuses an
 * object whose annotations (keys plus values) total more than 256 KiB
 * (`TotalAnnotationSizeLimitB` in the API server's `ValidateAnnotationsSize`), so the object must stay
 * well under 256 KiB. We keep objects at or below 200 KiB: the other 56 KiB leave room for the
 * object's own annotations, which are counted twice (as themselves and inside the JSON copy), for
 * annotations that controllers and tools add on the live object (Argo CD tracking, `restartedAt`,
 * ...), and for small differences between our JSON and kubectl's (Go escapes `<`, `>` and `&`; we
 * count those escapes, but not every other encoder detail). Server-side apply keeps no such copy;
 * there etcd's request limit (`--max-request-bytes`, 1.5 MiB by default) is what counts.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/
 * @see https://etcd.io/docs/v3.5/dev-guide/limit/
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The annotation client-side `kubectl apply` writes the whole object into. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The Kubernetes limit on all annotations of one object, keys plus values: 256 KiB. */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

/** The size this library keeps every object under by default: 200 KiB (see the module comment). */
export const CLIENT_SIDE_APPLY_SAFE_BYTES = 200 * 1024;

/** etcd's default request size limit (`--max-request-bytes`): 1.5 MiB. */
export const ETCD_REQUEST_LIMIT_BYTES = 1.5 * 1024 * 1024;

/**
 * The highest limit a construct accepts (1 MiB), for objects applied with `kubectl apply
 * --server-side`: it leaves half a MiB under etcd's 1.5 MiB for `managedFields` and the request
 * around the object.
 */
export const SERVER_SIDE_APPLY_MAX_BYTES = 1024 * 1024;

/** Size in bytes as `n KiB` (one decimal) for messages. */
export function kib(bytes: number): string {
  return `${(Math.round((bytes / 1024) * 10) / 10).toLocaleString('en-US')} KiB`;
}

/**
 * Bytes of `value` as Go's `encoding/json` writes it (what kubectl stores): compact, UTF-8, with
 * `<`, `>` and `&` written as `\u003c`-style escapes and U+2028/U+2029 escaped too.
 */
export function goJsonBytes(value: unknown): number {
  const text = JSON.stringify(value) ?? '';
  const bytes = Buffer.byteLength(text, 'utf8');
  // Most objects have none of these characters: one regex scan instead of a loop in JavaScript.
  if (!/[<>&\u2028\u2029]/.test(text)) {
    return bytes;
  }
  return bytes + 5 * (text.match(/[<>&]/g)?.length ?? 0) + 3 * (text.match(/[\u2028\u2029]/g)?.length ?? 0);
}

/**
 * The bytes of annotations the object carries after a client-side `kubectl apply`: its own
 * annotations plus the last-applied-configuration annotation holding the object as JSON.
 */
export function clientSideApplyBytes(manifest: unknown): number {
  const annotations = (manifest as { metadata?: { annotations?: Record<string, unknown> } } | undefined)?.metadata?.annotations ?? {};
  let own = 0;
  for (const [key, value] of Object.entries(annotations)) {
    own += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(String(value), 'utf8');
  }
  return own + LAST_APPLIED_ANNOTATION.length + goJsonBytes(manifest);
}

/**
 * Context key that raises the limit for every object of the app or chart it is set on
 * (`app.node.setContext`, before any chart is added), for apps applied with `kubectl apply --server-side`.
 */
export const MAX_OBJECT_BYTES_CONTEXT = 'istio-source-ip:max-object-bytes';

/** Why the limit is there and both ways past it: the end of a message, no full stop. */
export function sizeLimitAdvice(maxBytes: number, prop?: string): string {
  return `client-side kubectl apply copies the whole object into its ${LAST_APPLIED_ANNOTATION} annotation and Kubernetes allows 256 KiB `
    + `of annotations per object, so this library keeps objects at or under ${kib(maxBytes)}. Fix: make the object smaller, or apply with `
    + `kubectl apply --server-side and raise the limit with ${prop === undefined ? '' : `${prop} or `}the context key ${MAX_OBJECT_BYTES_CONTEXT} `
    + `(at most ${SERVER_SIDE_APPLY_MAX_BYTES} bytes: etcd refuses requests over 1.5 MiB)`;
}

/** Why `value` is not an acceptable limit, or `undefined`. */
export function maxBytesProblem(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_OBJECT_BYTES && value <= SERVER_SIDE_APPLY_MAX_BYTES ? undefined
    : `a whole number of bytes from ${MIN_OBJECT_BYTES} to ${SERVER_SIDE_APPLY_MAX_BYTES}`;
}

/** The lowest limit accepted: 4 KiB, room for any one object this library writes. */
export const MIN_OBJECT_BYTES = 4096;

/**
 * The limit that applies at `scope`: `explicit` when given, else the context key, else 200 KiB.
 * A bad context value is reported by `guardObjectSizes` at synth; here it falls back to 200 KiB.
 */
export function maxObjectBytesAt(scope: IConstruct, explicit?: number): number {
  if (explicit !== undefined) {
    return explicit;
  }
  const fromContext: unknown = scope.node.tryGetContext(MAX_OBJECT_BYTES_CONTEXT);
  return fromContext !== undefined && maxBytesProblem(fromContext) === undefined ? fromContext as number : CLIENT_SIDE_APPLY_SAFE_BYTES;
}

/** How a construct registers its objects for the size check. */
export interface GuardOptions {
  /** The construct's own limit (a prop), when it has one. */
  readonly maxBytes?: number;
  /** The prop that sets `maxBytes`, named in the error. */
  readonly prop?: string;
  /**
   * Bytes the construct itself writes into the object (its spec, names, selectors), as JSON,
   * without rendering it. An object whose own bytes are at most half its limit is not rendered
   * again at synth: the other half is room for labels, annotations and patches added to it. Without
   * it, every object is rendered and measured.
   */
  readonly ownBytes?: (object: ApiObject) => number;
}

/** The scopes registered in one chart, and their options (often one shared object). */
interface Guarded {
  readonly scopes: IConstruct[];
  readonly options: GuardOptions[];
}

const GUARDED = new WeakMap<Chart, Guarded>();

/**
 * Checks at synth that every `ApiObject` at or below `scope` fits its limit as client-side apply
 * counts it (see `clientSideApplyBytes`; with `ownBytes`, only objects whose own content takes
 * more than half the limit are rendered for it): `maxBytes` when given, else the
 * `istio-source-ip:max-object-bytes` context, else 200 KiB. One validation per chart covers every
 * scope registered in it, so an object below two registered scopes is measured once (against the
 * lower limit). Constructs call it once, in their constructor; pass the same `options` object
 * for every instance where possible (nothing is copied per call).
 */
export function guardObjectSizes(scope: IConstruct, options: GuardOptions = NO_OPTIONS): void {
  const chart = Chart.of(scope);
  let guarded = GUARDED.get(chart);
  if (guarded === undefined) {
    guarded = { scopes: [], options: [] };
    GUARDED.set(chart, guarded);
    chart.node.addValidation({ validate: () => oversizedObjects(chart) });
  }
  guarded.scopes.push(scope);
  guarded.options.push(options);
}

const NO_OPTIONS: GuardOptions = {};

/** One object checked at synth: its size as client-side apply counts it, and its limit. */
export interface MeasuredObject {
  readonly object: ApiObject;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly prop?: string;
  /** What `ownBytes` said for it, when the construct gave one. */
  readonly ownBytes?: number;
}

/**
 * The objects registered in the chart that the synth-time check renders and measures: those
 * without `ownBytes`, or whose own bytes take more than half their limit (`all`: every object).
 */
export function measureObjects(chart: Chart, all = false): MeasuredObject[] {
  const guarded = GUARDED.get(chart);
  if (guarded === undefined) {
    return [];
  }
  // The context is read once, at the chart (set it on the app or the chart).
  const chartLimit = maxObjectBytesAt(chart);
  const { scopes, options } = guarded;
  const limitOf = (i: number): number => options[i].maxBytes ?? chartLimit;
  // Each object once, with the registration that gives it the lowest limit (its index).
  const lowest = new Map<ApiObject, number>();
  const consider = (construct: IConstruct, i: number): void => {
    if (!ApiObject.isApiObject(construct)) {
      return;
    }
    const known = lowest.get(construct);
    if (known === undefined || limitOf(i) < limitOf(known)) {
      lowest.set(construct, i);
    }
  };
  for (let i = 0; i < scopes.length; i++) {
    const scope = scopes[i];
    // Most scopes are one object with no children (a policy, a rule): no walk for those.
    if (scope.node.children.length === 0) {
      consider(scope, i);
    } else {
      const below = scope.node.findAll();
      for (let k = 0; k < below.length; k++) {
        consider(below[k], i);
      }
    }
  }
  const measured: MeasuredObject[] = [];
  lowest.forEach((i, object) => {
    const entry = options[i];
    const maxBytes = limitOf(i);
    const own = entry.ownBytes?.(object);
    if (all || own === undefined || own > maxBytes / 2) {
      measured.push({ object, bytes: clientSideApplyBytes(object.toJson()), maxBytes, prop: entry.prop, ownBytes: own });
    }
  });
  return measured;
}

/** One message per object over its limit (and one for a bad context value). */
function oversizedObjects(chart: Chart): string[] {
  const problems: string[] = [];
  const fromContext: unknown = chart.node.tryGetContext(MAX_OBJECT_BYTES_CONTEXT);
  if (fromContext !== undefined && maxBytesProblem(fromContext) !== undefined) {
    problems.push(`the context key ${MAX_OBJECT_BYTES_CONTEXT} must be ${maxBytesProblem(fromContext)}, got ${JSON.stringify(fromContext)}. `
      + 'Fix: set it to the largest object size your way of applying accepts, or remove it for the 200 KiB default');
  }
  for (const { object, bytes, maxBytes, prop } of measureObjects(chart)) {
    if (bytes > maxBytes) {
      problems.push(`${object.kind} ${object.name} (${object.node.path}) takes ${kib(bytes)} (${bytes} bytes) as client-side kubectl apply stores it, `
        + `over the limit: ${sizeLimitAdvice(maxBytes, prop)}`);
    }
  }
  return problems;
}
