/**
 * How the Telemetry and EnvoyFilter objects of this folder select their pods, from a `PolicyTarget`:
 * one place to render the selector, so a target kind added to `PolicyTarget` (Gateway API
 * `targetRefs`) is added here once.
 */
import { PolicyTarget } from '../authorization-policy';
import { labelMapProblems, mustBe, Problem } from '../private/problems';

/**
 * Telemetry `spec.selector`, or `spec.targetRefs` for a target that attaches to an object (a
 * Kubernetes Gateway API gateway's `Gateway`, as AuthorizationPolicy does: a selector there is what
 * istioctl analyze IST0166 flags).
 */
export function telemetrySelector(target: PolicyTarget): { readonly selector: { readonly matchLabels: Record<string, string> } }
  | { readonly targetRefs: { readonly group?: string; readonly kind: string; readonly name: string }[] } {
  return target.targetRefs === undefined ? { selector: { matchLabels: { ...target.selectorLabels } } }
    : { targetRefs: target.targetRefs.map((ref) => ({ ...ref })) };
}

/**
 * EnvoyFilter `spec.workloadSelector`, for every target: Istio 1.26 applied an EnvoyFilter's
 * `targetRefs` to every gateway of the namespace (istio/istio#56417, fixed by #56476), and the
 * pods of a Gateway API gateway carry the labels the selector names.
 */
export function envoyFilterSelector(target: PolicyTarget): { readonly workloadSelector: { readonly labels: Record<string, string> } } {
  return { workloadSelector: { labels: { ...target.selectorLabels } } };
}

/**
 * Problems with a target given as `prop`: not a `PolicyTarget`, no labels or bad ones, or (with
 * `gateway`) not an ingress gateway's pods.
 */
export function policyTargetProblems(prop: string, target: unknown, gateway: 'gateway' | 'workload', fix: string): Problem[] {
  if (!(target instanceof PolicyTarget)) {
    return [mustBe(prop, 'a PolicyTarget', target, fix)];
  }
  const problems: Problem[] = [...labelMapProblems(`${prop} labels`, target.selectorLabels)];
  if (Object.keys(target.selectorLabels).length === 0) {
    problems.push(mustBe(`${prop} labels`, 'at least one label (an empty selector selects every workload in the namespace)',
      target.selectorLabels, 'give the pods a label and select on it'));
  }
  if (gateway === 'gateway' && !target.isGateway) {
    problems.push(mustBe(prop, 'the pods of an ingress gateway', target.description ?? target.selectorLabels, fix));
  }
  if (gateway === 'workload' && target.isGateway) {
    problems.push(mustBe(prop, 'the pods of a workload with a sidecar, not a gateway', target.description ?? target.selectorLabels, fix));
  }
  return problems;
}
