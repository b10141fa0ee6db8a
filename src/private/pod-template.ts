import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { SourceIpValidationError } from '../errors';
import { show } from './problems';

/** Read and write access to the pod template of a workload, whatever construct models it. */
export interface PodTemplate {
  /** The construct warnings and errors are reported on. */
  readonly owner: IConstruct;
  /** `Deployment`, `StatefulSet`, ... */
  readonly kind: string;
  /** The namespace the pods run in, when known. */
  readonly namespace?: string;
  annotation(key: string): string | undefined;
  /** Every pod-template annotation, from one rendering of the metadata (cheaper than several `annotation` calls). */
  annotations(): Readonly<Record<string, string>>;
  label(key: string): string | undefined;
  /** The labels that select this workload's pods (its selector, or the pod's own labels). */
  selectorLabels(): Record<string, string>;
  /** Writes an annotation; callers check for conflicts first (see `setPodAnnotation`). */
  writeAnnotation(key: string, value: string): void;
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

/**
 * The pod template of a cdk8s-plus-27 workload (Deployment, StatefulSet, DaemonSet, Job, CronJob,
 * Pod) or of a raw `ApiObject` of a workload kind (`k8s.KubeDeployment`, ...).
 *
 * @throws SourceIpValidationError for any other construct
 */
export function podTemplateOf(workload: IConstruct, caller: string): PodTemplate {
  if (workload === null || typeof workload !== 'object' || (workload as Partial<IConstruct>).node === undefined) {
    throw new SourceIpValidationError(caller, [`'workload' must be a cdk8s-plus-27 workload or a raw ApiObject of kind ${SUPPORTED_WORKLOAD_KINDS.join(', ')}, `
      + `got ${show(workload)}. Fix: pass the Deployment (or other workload) whose pods should change`]);
  }
  if (workload instanceof kplus.AbstractPod) {
    return kplusTemplate(workload);
  }
  if (ApiObject.isApiObject(workload) && TEMPLATE_PATHS[workload.kind] !== undefined) {
    return apiObjectTemplate(workload);
  }
  const what = ApiObject.isApiObject(workload) ? `an ApiObject of kind ${workload.kind}` : `a ${workload.constructor.name}`;
  throw new SourceIpValidationError(caller, [`'workload' must be a cdk8s-plus-27 workload or a raw ApiObject of kind ${SUPPORTED_WORKLOAD_KINDS.join(', ')}, got ${what}. `
    + 'Fix: pass the Deployment (or other workload) whose pods should change'], workload.node.path);
}

function kplusTemplate(workload: kplus.AbstractPod): PodTemplate {
  const kind = ApiObject.of(workload).kind;
  return {
    owner: workload,
    kind,
    namespace: workload.metadata.namespace ?? Chart.of(workload).namespace,
    annotation: (key) => (workload.podMetadata.toJson().annotations as Record<string, string> | undefined)?.[key],
    annotations: () => ({ ...workload.podMetadata.toJson().annotations as Record<string, string> | undefined }),
    label: (key) => workload.podMetadata.getLabel(key),
    // A Job or CronJob has no selector of its own (Kubernetes generates one), so its pods are
    // picked by their labels, as for a bare Pod.
    selectorLabels: () => (workload instanceof kplus.Workload && Object.keys(workload.matchLabels).length > 0
      ? { ...workload.matchLabels }
      : { ...workload.podMetadata.toJson().labels }),
    writeAnnotation: (key, value) => workload.podMetadata.addAnnotation(key, value),
  };
}

function apiObjectTemplate(object: ApiObject): PodTemplate {
  const templatePath = TEMPLATE_PATHS[object.kind];
  const metadataOf = (): Record<string, Record<string, string> | undefined> => {
    let node: unknown = object.toJson();
    for (const key of [...templatePath, 'metadata']) {
      node = (node as Record<string, unknown> | undefined)?.[key];
    }
    return (node ?? {}) as Record<string, Record<string, string> | undefined>;
  };
  return {
    owner: object,
    kind: object.kind,
    namespace: object.metadata.namespace ?? Chart.of(object).namespace,
    annotation: (key) => metadataOf().annotations?.[key],
    annotations: () => ({ ...metadataOf().annotations }),
    label: (key) => metadataOf().labels?.[key],
    selectorLabels: () => {
      const json = object.toJson() as { spec?: { selector?: { matchLabels?: Record<string, string> } } };
      return { ...(object.kind === 'Pod' || object.kind === 'Job' || object.kind === 'CronJob'
        ? metadataOf().labels
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
 * cdk8s' own `addAnnotation` overwrites silently; here a conflicting value already present is an
 * error naming both values, and a synth-time check makes sure no later write replaced ours.
 */
export function setPodAnnotation(template: PodTemplate, key: string, value: string, caller: string, fix: string): void {
  const current = template.annotation(key);
  if (current !== undefined && current !== value) {
    throw new SourceIpValidationError(caller, [`the pod template annotation ${key} is already ${JSON.stringify(current)}, and ${caller} would set ${JSON.stringify(value)}. Fix: ${fix}`],
      template.owner.node.path);
  }
  if (current === value) {
    return;
  }
  template.writeAnnotation(key, value);
  template.owner.node.addValidation({
    validate: () => {
      const final = template.annotation(key);
      return final === value ? [] : [`${caller} set the pod template annotation ${key} to ${JSON.stringify(value)}, but it is ${JSON.stringify(final)} at synth: `
        + 'something overwrote it later. Fix: set it in one place only'];
    },
  });
}
