import { IConstruct, IValidation } from 'constructs';
import {
  overwrittenProblem, PodSnapshot, PodTemplate, podTemplateOf, podTemplateOfKind, setPodAnnotation,
} from '../private/pod-template';
import { failIfAny, oneOf } from '../private/problems';
import { PROXY_CONFIG_ANNOTATION, proxyConfigInterceptionMode } from '../private/proxy-config';
import { Warnings } from '../warnings';
import { InjectionVerdict, POD_INJECT_LABEL, REVISION_LABEL, sidecarInjectionOf } from './injection-webhook';
import { INTERCEPTION_MODE_ANNOTATION, InterceptionMode } from './interception-mode';
import { takeCensusAtSynth, namespaceIndexOf } from '../private/synth-census';

const CALLER = 'setInterceptionMode';
const AMBIENT_LABEL = 'istio.io/dataplane-mode';
/** The pod labels the synth-time check reads. */
const LABEL_KEYS = [POD_INJECT_LABEL, REVISION_LABEL, AMBIENT_LABEL];
/** One string for every workload's `tproxy-runs-as-root` warning. */
const TPROXY_AS_ROOT = 'TPROXY interception runs istio-proxy as root (runAsUser 0) with the NET_ADMIN capability, '
  + 'which namespaces enforcing Pod Security "baseline" or "restricted" reject, and needs kernel TPROXY support on the nodes. '
  + 'Fix: run these pods in a namespace that allows it, or keep REDIRECT and read the client address from X-Forwarded-For / x-envoy-external-address';
const NO_LABELS: readonly string[] = [];
const CONFLICT_FIX = `remove ${INTERCEPTION_MODE_ANNOTATION} from the workload's pod metadata, or pass the same mode`;
/** Workloads that already carry the synth-time check (one per workload, however often the mode is set). */
const checked = new WeakSet<IConstruct>();

/**
 * Sets the sidecar interception mode on the pods of `workload`.
 *
 * Works on any cdk8s-plus workload from cdk8s-plus-27 to 33 (Deployment, StatefulSet, DaemonSet,
 * Job, CronJob, Pod) and on raw `Kube*` workload objects (any `ApiObject` of a workload kind). The
 * annotation goes on the pod template, where Istio reads it. A different value already there is
 * refused, never overwritten.
 *
 * At synth it checks that the pods get a sidecar, following Istio's injection webhooks: the pod
 * labels `sidecar.istio.io/inject` and `istio.io/rev`, the pod annotation
 * `sidecar.istio.io/inject: "false"`, `hostNetwork`, and the labels of the pods' namespace, read
 * from the Namespace object in the app (a `MeshNamespace`, a cdk8s-plus `Namespace` or a raw
 * `KubeNamespace`) or from a `MeshNamespace.fromExisting` declaration. Pods that get no sidecar
 * fail the synth. Warnings:
 * - `sidecar-injection-unknown`: the namespace is neither created in the app nor declared, so
 *   whether the pods get a sidecar cannot be told;
 * - `tproxy-runs-as-root`: TPROXY makes istio-proxy run as root with `NET_ADMIN`;
 * - `interception-mode-ignored`: the pods are a gateway, or ambient without a known sidecar, so the
 *   mode has no effect;
 * - `interception-mode-overrides-proxy-config`: the pod's `proxy.istio.io/config` names another
 *   mode, which the annotation overrides.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
 */
export function setInterceptionMode(workload: IConstruct, mode: InterceptionMode): void {
  failIfAny(CALLER, [oneOf('mode', mode, InterceptionMode, 'use InterceptionMode.REDIRECT, TPROXY or NONE')], workload);
  const template = podTemplateOf(workload, CALLER);
  setPodAnnotation(template, template.read(NO_LABELS).annotations, INTERCEPTION_MODE_ANNOTATION, mode, CALLER, CONFLICT_FIX);
  if (mode === InterceptionMode.TPROXY) {
    Warnings.of(template.owner).add('tproxy-runs-as-root', TPROXY_AS_ROOT);
  }
  if (!checked.has(template.owner)) {
    checked.add(template.owner);
    takeCensusAtSynth(template.owner);
    // Namespaces, labels and annotations can still change after this call: decide at synth.
    template.owner.node.addValidation(new SynthCheck(workload, mode, template.kind));
  }
}

/**
 * The synth-time check as a validation that keeps only the workload and the mode alive: one small
 * object per workload (a closure would add its context and a wrapper object).
 */
class SynthCheck implements IValidation {
  constructor(private readonly workload: IConstruct, private readonly mode: InterceptionMode, private readonly kind: string) {}

  public validate(): string[] {
    // The adapter is made again at synth rather than kept per workload (it was accepted once),
    // from the kind found then.
    return checkAtSynth(podTemplateOfKind(this.workload, CALLER, this.kind), this.mode);
  }
}

/** The synth-time check: the mode is still there, and the pods get a sidecar that honours it. */
function checkAtSynth(template: PodTemplate, mode: InterceptionMode): string[] {
  const pod = template.read(LABEL_KEYS);
  const overwritten = overwrittenProblem(pod.annotations, INTERCEPTION_MODE_ANNOTATION, mode, CALLER);
  if (overwritten !== undefined) {
    return [overwritten];
  }
  const verdict = injectionOf(template, pod);
  if (verdict.kind === 'not-injected') {
    return [`${CALLER}: ${INTERCEPTION_MODE_ANNOTATION}: ${mode} is set on pods that get no Istio sidecar: ${verdict.because}. `
      + `Fix: ${verdict.fix}; or remove the call`];
  }
  if (verdict.kind === 'unknown') {
    Warnings.of(template.owner).add('sidecar-injection-unknown', injectionUnknownMessage(mode, template.namespace));
  }
  const ignoredBecause = whyInterceptionIsIgnored(pod, verdict);
  if (ignoredBecause !== undefined) {
    Warnings.of(template.owner).add('interception-mode-ignored', `${INTERCEPTION_MODE_ANNOTATION}: ${mode} has no effect here: ${ignoredBecause}. `
      + 'Fix: remove the call, or set it on the application workload that has a sidecar');
  }
  // Read as Istio reads it: either spelling (interceptionMode, interception_mode), the enum by name or number.
  const text = pod.annotations[PROXY_CONFIG_ANNOTATION];
  const other = text === undefined ? undefined : proxyConfigInterceptionMode(text);
  if (other !== undefined && other !== mode) {
    Warnings.of(template.owner).add('interception-mode-overrides-proxy-config', `the pod's ${PROXY_CONFIG_ANNOTATION} sets interceptionMode ${JSON.stringify(other)}, `
      + `which the ${INTERCEPTION_MODE_ANNOTATION}: ${mode} annotation overrides. Fix: remove interceptionMode (or interception_mode) from ${PROXY_CONFIG_ANNOTATION}`);
  }
  return [];
}

/**
 * The `sidecar-injection-unknown` message for a mode and namespace, made once: the check runs at
 * every synth pass for every workload, and the same string each time is recorded once at no cost.
 */
function injectionUnknownMessage(mode: InterceptionMode, namespace: string | undefined): string {
  const key = namespace === undefined ? mode : `${mode}/${namespace}`;
  let message = INJECTION_UNKNOWN.get(key);
  if (message === undefined) {
    const where = namespace === undefined
      ? 'the pods\' namespace is not set (kubectl puts them in its current namespace)'
      : `namespace ${JSON.stringify(namespace)} is neither created in this app nor declared`;
    message = `cannot tell whether the pods get an Istio sidecar, which ${INTERCEPTION_MODE_ANNOTATION}: ${mode} needs: ${where}. `
      + `Fix: create the namespace in the app (new MeshNamespace(scope, id, { name, injection: SidecarInjection.enabled() })), `
      + `or declare the one that exists: MeshNamespace.fromExisting(scope, id, { name, injection }) with the labels it has`
      + `${namespace === undefined ? ', after setting the workload\'s namespace' : ''}`;
    INJECTION_UNKNOWN.set(key, message);
  }
  return message;
}

/** Messages made by `injectionUnknownMessage`, by mode and namespace (as many as the namespaces used). */
const INJECTION_UNKNOWN = new Map<string, string>();

/** Whether the pods get a sidecar, from the pod and what the app says about its namespace. */
function injectionOf(template: PodTemplate, pod: PodSnapshot): InjectionVerdict {
  const statements = template.namespace === undefined ? undefined : namespaceIndexOf(template.owner).get(template.namespace);
  // Statements that disagree are reported on the declaration (MeshNamespace.fromExisting); use the first.
  return sidecarInjectionOf({
    namespace: template.namespace,
    namespaceLabels: statements?.[0]?.labels,
    injectLabel: pod.labels[POD_INJECT_LABEL],
    revisionLabel: pod.labels[REVISION_LABEL],
    injectAnnotation: pod.annotations[POD_INJECT_LABEL],
    hostNetwork: pod.hostNetwork,
  });
}

/** Why the sidecar interception mode means nothing for these pods, if it does not. */
function whyInterceptionIsIgnored(pod: PodSnapshot, verdict: InjectionVerdict): string | undefined {
  if (pod.annotations['inject.istio.io/templates']?.split(',').includes('gateway')) {
    return 'the pods are an Istio gateway, which has no iptables capture';
  }
  // istio-cni leaves pods that have a sidecar out of ambient redirection (istio/istio
  // cni/pkg/util/podutil.go, PodRedirectionEnabled), so the label matters only without one.
  if (pod.labels[AMBIENT_LABEL] === 'ambient' && verdict.kind !== 'injected') {
    return 'the pods are in ambient mode, where ztunnel captures traffic and sidecar annotations do not apply';
  }
  return undefined;
}

