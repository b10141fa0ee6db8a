import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SourceIpValidationError } from '../errors';
import { show } from './problems';

/** What one reading of a pod template gives: its annotations, the labels asked for, `hostNetwork`. */
export interface PodSnapshot {
  readonly annotations: Readonly<Record<string, string>>;
  /** The value of each label key asked for (absent keys are left out). */
  readonly labels: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
}

/** Read and write access to the pod template of a workload, whatever construct models it. */
export interface PodTemplate {
  /** The construct warnings and errors are reported on. */
  readonly owner: IConstruct;
  /** `Deployment`, `StatefulSet`, ... */
  readonly kind: string;
  /** The namespace the pods run in, when known. */
  readonly namespace?: string;
  /**
   * The pod annotations, the labels `labelKeys`, and `hostNetwork`, from one reading.
   *
   * For a cdk8s-plus workload nothing is rendered (the metadata's own maps are read, see
   * `plusAnnotations`); a raw `ApiObject` is rendered once, patches included.
   */
  read(labelKeys: readonly string[]): PodSnapshot;
  label(key: string): string | undefined;
  /** The labels that select this workload's pods (its selector, or the pod's own labels). */
  selectorLabels(): Record<string, string>;
  /** Writes an annotation; callers check for conflicts first (see `setPodAnnotation`). */
  writeAnnotation(key: string, value: string): void;
}

/**
 * The part of a cdk8s-plus workload this library uses: the same in cdk8s-plus-22 to 33 (checked
 * against cdk8s-plus-27 and 33 in `test/pod-template.test.ts`). Matching the shape instead of
 * `instanceof kplus.AbstractPod` means no particular cdk8s-plus has to be installed.
 */
export interface PlusPodWorkload extends IConstruct {
  /** The pod template's metadata (for a Pod, its own metadata). */
  readonly podMetadata: PlusMetadata;
  /** The workload object's own metadata. */
  readonly metadata: { readonly namespace?: string };
  readonly hostNetwork?: boolean;
}

/** The cdk8s `ApiObjectMetadataDefinition` methods used here. */
interface PlusMetadata {
  addAnnotation(key: string, value: string): void;
  getLabel(key: string): string | undefined;
  toJson(): unknown;
}

/** Where the pod template sits in each workload kind, as a path of object keys. */
const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** The workload kinds whose pod template this library can reach. */
export const SUPPORTED_WORKLOAD_KINDS = Object.keys(TEMPLATE_PATHS);

const WHAT = `a cdk8s-plus workload (cdk8s-plus-27 to 33: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) or a raw ApiObject of kind ${SUPPORTED_WORKLOAD_KINDS.join(', ')}`;

/**
 * The pod template of a cdk8s-plus workload (any version: recognized by its shape) or of a raw
 * `ApiObject` of a workload kind (`KubeDeployment`, ...).
 *
 * @throws SourceIpValidationError for any other construct
 */
export function podTemplateOf(workload: IConstruct, caller: string): PodTemplate {
  return podTemplateOfKind(workload, caller, undefined);
}

/**
 * `podTemplateOf`, where a cdk8s-plus workload's kind is already known (`template.kind` from an
 * earlier call): it is not looked up again through the workload's default child.
 */
export function podTemplateOfKind(workload: IConstruct, caller: string, knownKind: string | undefined): PodTemplate {
  if (workload === null || typeof workload !== 'object' || (workload as Partial<IConstruct>).node === undefined) {
    throw new SourceIpValidationError(caller, [`'workload' must be ${WHAT}, got ${show(workload)}. Fix: pass the Deployment (or other workload) whose pods should change`]);
  }
  if (ApiObject.isApiObject(workload)) {
    if (TEMPLATE_PATHS[workload.kind] !== undefined) {
      return apiObjectTemplate(workload);
    }
  } else if (isPlusPodWorkload(workload)) {
    const kind = knownKind ?? defaultApiObject(workload)?.kind;
    if (kind !== undefined && TEMPLATE_PATHS[kind] !== undefined) {
      return new PlusTemplate(workload, kind);
    }
  }
  const what = ApiObject.isApiObject(workload) ? `an ApiObject of kind ${workload.kind}` : `a ${workload.constructor.name}`;
  throw new SourceIpValidationError(caller, [`'workload' must be ${WHAT}, got ${what}. `
    + 'Fix: pass the Deployment (or other workload) whose pods should change'], workload.node.path);
}

/** Whether `construct` has the shape of a cdk8s-plus pod or workload. */
export function isPlusPodWorkload(construct: IConstruct): construct is PlusPodWorkload {
  const candidate = construct as Partial<PlusPodWorkload>;
  const metadata = candidate.podMetadata as Partial<PlusMetadata> | undefined;
  return metadata !== null && typeof metadata === 'object'
    && typeof metadata.addAnnotation === 'function' && typeof metadata.getLabel === 'function' && typeof metadata.toJson === 'function'
    && candidate.metadata !== null && typeof candidate.metadata === 'object';
}

function defaultApiObject(construct: IConstruct): ApiObject | undefined {
  const child = construct.node.defaultChild;
  return child !== undefined && ApiObject.isApiObject(child) ? child : undefined;
}

/**
 * The pod template of a cdk8s-plus workload. A class, not an object of closures: one is kept per
 * workload until synth (by `setInterceptionMode`'s check), so its methods live on the prototype.
 */
class PlusTemplate implements PodTemplate {
  public readonly namespace?: string;

  constructor(public readonly owner: PlusPodWorkload, public readonly kind: string) {
    this.namespace = owner.metadata.namespace ?? Chart.of(owner).namespace;
  }

  public read(labelKeys: readonly string[]): PodSnapshot {
    const metadata = this.owner.podMetadata;
    const labels: Record<string, string> = {};
    for (let i = 0; i < labelKeys.length; i++) {
      const value = metadata.getLabel(labelKeys[i]);
      if (value !== undefined) {
        labels[labelKeys[i]] = value;
      }
    }
    return { annotations: plusAnnotations(metadata), labels, hostNetwork: this.owner.hostNetwork === true };
  }

  public label(key: string): string | undefined {
    return this.owner.podMetadata.getLabel(key);
  }

  // A Job or CronJob has no selector of its own (Kubernetes generates one), so its pods are
  // picked by their labels, as for a bare Pod. `matchLabels` exists on cdk8s-plus Workloads only.
  public selectorLabels(): Record<string, string> {
    const matchLabels = (this.owner as { readonly matchLabels?: Readonly<Record<string, string>> }).matchLabels;
    return matchLabels !== undefined && Object.keys(matchLabels).length > 0
      ? { ...matchLabels }
      : { ...(this.owner.podMetadata.toJson() as { labels?: Record<string, string> }).labels };
  }

  public writeAnnotation(key: string, value: string): void {
    this.owner.podMetadata.addAnnotation(key, value);
  }
}

/**
 * The annotations of a cdk8s `ApiObjectMetadataDefinition`, without rendering it.
 *
 * cdk8s has no public getter for annotations, and `toJson()` resolves the whole metadata (labels,
 * annotations, owner references) on every call. The definition keeps what `addAnnotation` wrote in
 * a plain map; when that map is there and holds only strings (no `Lazy` values), it is the answer.
 * Otherwise (another cdk8s, or values that need resolving) the metadata is rendered.
 */
function plusAnnotations(metadata: PlusMetadata): Readonly<Record<string, string>> {
  const raw = (metadata as unknown as { readonly annotations?: unknown }).annotations;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && onlyStrings(raw as Record<string, unknown>)) {
    return { ...raw as Record<string, string> };
  }
  return { ...(metadata.toJson() as { annotations?: Record<string, string> }).annotations };
}

function onlyStrings(map: Record<string, unknown>): boolean {
  for (const key in map) {
    if (Object.prototype.hasOwnProperty.call(map, key) && typeof map[key] !== 'string') {
      return false;
    }
  }
  return true;
}

function pick(keys: readonly string[], read: (key: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = read(key);
    if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

function apiObjectTemplate(object: ApiObject): PodTemplate {
  const templatePath = TEMPLATE_PATHS[object.kind];
  const templateOf = (): { metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> }; spec?: { hostNetwork?: unknown } } => {
    let node: unknown = object.toJson();
    for (const key of templatePath) {
      node = (node as Record<string, unknown> | undefined)?.[key];
    }
    return (node ?? {}) as ReturnType<typeof templateOf>;
  };
  return {
    owner: object,
    kind: object.kind,
    namespace: object.metadata.namespace ?? Chart.of(object).namespace,
    read: (labelKeys) => {
      const template = templateOf();
      const labels = template.metadata?.labels ?? {};
      return {
        annotations: { ...template.metadata?.annotations },
        labels: pick(labelKeys, (key) => labels[key]),
        hostNetwork: template.spec?.hostNetwork === true,
      };
    },
    label: (key) => templateOf().metadata?.labels?.[key],
    selectorLabels: () => {
      const json = object.toJson() as { spec?: { selector?: { matchLabels?: Record<string, string> } } };
      return { ...(object.kind === 'Pod' || object.kind === 'Job' || object.kind === 'CronJob'
        ? templateOf().metadata?.labels
        : json.spec?.selector?.matchLabels) };
    },
    writeAnnotation: (key, value) => {
      if (templatePath.length === 0) {
        // A bare Pod: its metadata is the object's own, which cdk8s merges with later
        // addAnnotation calls; a patch would replace those at synth.
        object.metadata.addAnnotation(key, value);
        return;
      }
      // Create the missing parents first: a JSON patch `add` needs its parent to exist.
      let node: unknown = object.toJson();
      const pointer: string[] = [];
      for (const key2 of [...templatePath, 'metadata', 'annotations']) {
        pointer.push(key2);
        node = (node as Record<string, unknown> | undefined)?.[key2];
        if (node === undefined) {
          object.addJsonPatch(JsonPatch.add(`/${pointer.join('/')}`, {}));
        }
      }
      object.addJsonPatch(JsonPatch.add(`/${[...pointer, escapePointer(key)].join('/')}`, value));
    },
  };
}

/** Escapes one JSON pointer segment (RFC 6901). */
function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Sets a pod-template annotation, refusing to overwrite a different value.
 *
 * cdk8s' own `addAnnotation` overwrites silently; here a conflicting value already present (in
 * `current`, the annotations as read just before) is an error naming both values. The caller
 * checks at synth that no later write replaced it (see `overwrittenProblem`).
 *
 * @returns whether the annotation was written (false: it already had this value)
 */
export function setPodAnnotation(template: PodTemplate, current: Readonly<Record<string, string>>, key: string, value: string,
  caller: string, fix: string): boolean {
  const existing = current[key];
  if (existing !== undefined && existing !== value) {
    throw new SourceIpValidationError(caller, [`the pod template annotation ${key} is already ${JSON.stringify(existing)}, and ${caller} would set ${JSON.stringify(value)}. Fix: ${fix}`],
      template.owner.node.path);
  }
  if (existing === value) {
    return false;
  }
  template.writeAnnotation(key, value);
  return true;
}

/** The synth-time problem when the annotation `key` no longer has the `value` the caller set. */
export function overwrittenProblem(annotations: Readonly<Record<string, string>>, key: string, value: string, caller: string): string | undefined {
  const final = annotations[key];
  return final === value ? undefined : `${caller} set the pod template annotation ${key} to ${JSON.stringify(value)}, but it is ${JSON.stringify(final)} at synth: `
    + 'something overwrote it later. Fix: set it in one place only';
}
