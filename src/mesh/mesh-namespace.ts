import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { checkedScope } from '../private/scope';
import { Construct, IConstruct } from 'constructs';
import { SourceIpValidationError } from '../errors';
import {
  annotationMapProblems, failIfAny, labelMapProblems, mustBe, Problem, requireObject, resourceName,
} from '../private/problems';
import { NAMESPACE_INJECTION_LABEL, REVISION_LABEL } from './injection-webhook';
import { describeLabels, takeCensusAtSynth, markDeclaration, namespaceIndexOf, sameLabels } from '../private/synth-census';
import { SidecarInjection } from './sidecar-injection';
import { guardObjectSizes } from '../private/object-size';

/** A namespace whose sidecar injection this app knows: created by it, or declared as existing. */
export interface IMeshNamespace extends IConstruct {
  /** The namespace name. */
  readonly name: string;
  /** How Istio injects sidecars into its pods. */
  readonly injection: SidecarInjection;
}

/** Props for `MeshNamespace`. */
export interface MeshNamespaceProps {
  /** The namespace name (a DNS label). */
  readonly name: string;

  /**
   * How Istio injects sidecars into the namespace's pods.
   *
   * @default SidecarInjection.enabled() (`istio-injection: enabled`)
   */
  readonly injection?: SidecarInjection;

  /**
   * Other labels of the namespace. `istio-injection` and `istio.io/rev` are set by `injection`.
   *
   * @default - no other labels
   */
  readonly labels?: Readonly<Record<string, string>>;

  /**
   * Annotations of the namespace.
   *
   * @default - no annotations
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Options for `MeshNamespace.fromExisting`. */
export interface ExistingMeshNamespaceOptions {
  /** The namespace name, as it exists in the cluster. */
  readonly name: string;
  /** What its labels say about injection, as they are in the cluster. */
  readonly injection: SidecarInjection;
}

/**
 * A Kubernetes Namespace labelled for Istio sidecar injection.
 *
 * `setInterceptionMode` reads it (as it reads any Namespace object in the app, and every
 * `MeshNamespace.fromExisting` declaration) to know whether the workload's pods get a sidecar.
 * The Namespace object is the child `Resource`.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
 */
export class MeshNamespace extends Construct implements IMeshNamespace {
  /**
   * Declares a namespace that exists outside this app (created by another app, a platform team,
   * or `kubectl`), and what its labels say about injection. Writes nothing.
   *
   * Declare what the cluster really has (`kubectl get namespace <name> --show-labels`): the
   * checks trust it. A Namespace of the same name created in the app must agree with it.
   */
  public static fromExisting(scope: Construct, id: string, options: ExistingMeshNamespaceOptions): IMeshNamespace {
    // The declaration's path, for messages: it is not constructed until its options are checked.
    const path = scope?.node === undefined || typeof id !== 'string' ? undefined : [scope.node.path, id].filter((part) => part !== '').join('/');
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new SourceIpValidationError('MeshNamespace.fromExisting', [mustBe('options', 'an object', options, 'pass { name, injection }')], path);
    }
    const problems = [
      resourceName('name', options.name, 'namespace') ?? (options.name === undefined ? mustBe('name', 'a namespace name', options.name, 'pass the namespace name') : undefined),
      options.injection === undefined
        ? mustBe('injection', 'a SidecarInjection', options.injection, 'pass SidecarInjection.enabled(), .revision(name), .disabled() or .none(), as the namespace is labelled')
        : injectionProblem(options.injection, 'pass SidecarInjection.enabled(), .revision(name), .disabled() or .none(), as the namespace is labelled'),
    ].filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      throw new SourceIpValidationError('MeshNamespace.fromExisting', problems, path);
    }
    return new ExistingMeshNamespace(scope, id, options.name, options.injection);
  }

  public readonly name: string;
  public readonly injection: SidecarInjection;

  constructor(scope: Construct, id: string, props: MeshNamespaceProps) {
    super(checkedScope('MeshNamespace', scope, id), id);
    requireObject('MeshNamespace', 'props', props, 'pass { name }', this);
    guardObjectSizes(this);
    const injection = props.injection ?? SidecarInjection.enabled();
    failIfAny('MeshNamespace', [
      resourceName('name', props.name, 'namespace') ?? (props.name === undefined ? mustBe('name', 'a namespace name', props.name, 'pass the namespace name, e.g. "apps"') : undefined),
      injectionProblem(props.injection, 'pass SidecarInjection.enabled(), .revision(name), .disabled() or .none()'),
      ...mapProblems('labels', props.labels, labelMapProblems),
      ...reservedLabelProblems(props.labels),
      ...mapProblems('annotations', props.annotations, annotationMapProblems),
    ], this);
    this.name = props.name;
    this.injection = injection;
    const resource = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: props.name,
        labels: { ...props.labels, ...injection._render() },
        ...(props.annotations === undefined ? {} : { annotations: { ...props.annotations } }),
      },
    });
    // cdk8s gives every object its chart's namespace; a Namespace is cluster-scoped and has none.
    if (Chart.of(this).namespace !== undefined) {
      resource.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
}

/** A namespace declared as existing: no object, only what the checks need to know. */
class ExistingMeshNamespace extends Construct implements IMeshNamespace {
  constructor(scope: Construct, id: string, public readonly name: string, public readonly injection: SidecarInjection) {
    super(checkedScope('MeshNamespace.fromExisting', scope, id), id);
    markDeclaration(this, name, injection._labels());
    takeCensusAtSynth(this);
    this.node.addValidation({ validate: () => this.disagreements() });
  }

  /** Other statements about the same namespace that give it other injection labels. */
  private disagreements(): string[] {
    const mine = this.injection._labels();
    const others = (namespaceIndexOf(this).get(this.name) ?? [])
      .filter((s) => s.path !== this.node.path && !sameLabels(s.labels, mine));
    return others.map((s) => `MeshNamespace.fromExisting: namespace ${JSON.stringify(this.name)} is declared with ${describeLabels(mine)} `
      + `(SidecarInjection ${this.injection}), but ${s.declared ? 'the declaration' : 'the Namespace object'} at ${s.path} gives it ${describeLabels(s.labels)}. `
      + 'Fix: state the labels the cluster really has, in one place');
  }
}

function injectionProblem(injection: unknown, fix: string): Problem {
  return injection === undefined || injection instanceof SidecarInjection ? undefined
    : mustBe('injection', 'a SidecarInjection', injection, fix);
}

/** Problems with a string map, or that it is not a map at all (plain JavaScript callers). */
function mapProblems(prop: string, value: Readonly<Record<string, string>> | undefined,
  check: (prop: string, value: Readonly<Record<string, string>>) => Problem[]): Problem[] {
  if (value === undefined) {
    return [];
  }
  return value === null || typeof value !== 'object' || Array.isArray(value)
    ? [mustBe(prop, 'a map of strings', value, `pass an object, e.g. { team: "payments" }`)]
    : check(prop, value);
}

function reservedLabelProblems(labels: Readonly<Record<string, string>> | undefined): Problem[] {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    return [];
  }
  return [NAMESPACE_INJECTION_LABEL, REVISION_LABEL].filter((key) => Object.prototype.hasOwnProperty.call(labels, key))
    .map((key) => mustBe(`labels["${key}"]`, 'left to \'injection\'', labels[key], `remove it and pass injection: ${key === REVISION_LABEL
      ? `SidecarInjection.revision(${JSON.stringify(labels[key])})` : labels[key] === 'disabled' ? 'SidecarInjection.disabled()' : 'SidecarInjection.enabled()'}`));
}
