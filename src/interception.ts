import { IConstruct } from 'constructs';
import { parseProxyConfig, PROXY_CONFIG_ANNOTATION } from './private/proxy-config';
import { PodTemplate, podTemplateOf, setPodAnnotation } from './private/pod-template';
import { oneOf, failIfAny } from './private/problems';
import { Warnings } from './warnings';

/** The pod annotation that chooses how the sidecar captures inbound traffic. */
export const INTERCEPTION_MODE_ANNOTATION = 'sidecar.istio.io/interceptionMode';

/**
 * How the sidecar captures inbound traffic (`sidecar.istio.io/interceptionMode`).
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarInterceptionMode
 */
export enum InterceptionMode {
  /** iptables REDIRECT (Istio's default): the app sees connections from the sidecar, not the client. */
  REDIRECT = 'REDIRECT',
  /**
   * Transparent proxy: the app sees the original source address and port. istio-proxy then runs
   * as root with `NET_ADMIN`, which Pod Security baseline and restricted reject.
   */
  TPROXY = 'TPROXY',
  /** No iptables capture at all: only traffic sent to the sidecar explicitly goes through it. */
  NONE = 'NONE',
}

/**
 * Sets the sidecar interception mode on the pods of `workload`.
 *
 * Works on any cdk8s-plus-27 workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) and on
 * raw `k8s.Kube*` workload objects. The annotation goes on the pod template, where Istio reads it.
 * A different value already there is refused, never overwritten. Warnings:
 * - `tproxy-runs-as-root`: TPROXY makes istio-proxy run as root with `NET_ADMIN`;
 * - `interception-mode-ignored`: the pods are a gateway, ambient, or not injected, so the mode has no effect;
 * - `interception-mode-overrides-proxy-config`: the pod's `proxy.istio.io/config` names another mode,
 *   which the annotation overrides.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function setInterceptionMode(workload: IConstruct, mode: InterceptionMode): void {
  failIfAny('setInterceptionMode', [oneOf('mode', mode, InterceptionMode, 'use InterceptionMode.REDIRECT, TPROXY or NONE')], workload);
  const template = podTemplateOf(workload, 'setInterceptionMode');
  setPodAnnotation(template, INTERCEPTION_MODE_ANNOTATION, mode, 'setInterceptionMode',
    `remove ${INTERCEPTION_MODE_ANNOTATION} from the workload's pod metadata, or pass the same mode`);
  warnAboutInterception(template, mode);
}

function warnAboutInterception(template: PodTemplate, mode: InterceptionMode): void {
  const warnings = Warnings.of(template.owner);
  // One snapshot of the pod annotations: each template.annotation() call renders the whole pod metadata.
  const annotations = template.annotations();
  if (mode === InterceptionMode.TPROXY) {
    warnings.add('tproxy-runs-as-root', 'TPROXY interception runs istio-proxy as root (runAsUser 0) with the NET_ADMIN capability, '
      + 'which namespaces enforcing Pod Security "baseline" or "restricted" reject, and needs kernel TPROXY support on the nodes. '
      + 'Fix: run these pods in a namespace that allows it, or keep REDIRECT and read the client address from X-Forwarded-For / x-envoy-external-address');
  }
  const ignoredBecause = whyInterceptionIsIgnored(template, annotations);
  if (ignoredBecause !== undefined) {
    warnings.add('interception-mode-ignored', `${INTERCEPTION_MODE_ANNOTATION}: ${mode} has no effect here: ${ignoredBecause}. `
      + 'Fix: remove the call, or set it on the application workload that has a sidecar');
  }
  const proxyConfigText = annotations[PROXY_CONFIG_ANNOTATION];
  if (proxyConfigText !== undefined) {
    const proxyConfig = parseProxyConfig(proxyConfigText);
    const other = typeof proxyConfig === 'string' ? undefined : proxyConfig.interceptionMode;
    if (other !== undefined && other !== mode) {
      warnings.add('interception-mode-overrides-proxy-config', `the pod's ${PROXY_CONFIG_ANNOTATION} sets interceptionMode ${JSON.stringify(other)}, `
        + `which the ${INTERCEPTION_MODE_ANNOTATION}: ${mode} annotation overrides. Fix: remove interceptionMode from ${PROXY_CONFIG_ANNOTATION}`);
    }
  }
}

/** Why the sidecar interception mode means nothing for these pods, if it does not. */
function whyInterceptionIsIgnored(template: PodTemplate, annotations: Readonly<Record<string, string>>): string | undefined {
  if (annotations['inject.istio.io/templates']?.split(',').includes('gateway')) {
    return 'the pods are an Istio gateway, which has no iptables capture';
  }
  if (template.label('istio.io/dataplane-mode') === 'ambient') {
    return 'the pods are in ambient mode, where ztunnel captures traffic and sidecar annotations do not apply';
  }
  if (template.label('sidecar.istio.io/inject') === 'false') {
    return 'the pods opt out of sidecar injection (label sidecar.istio.io/inject: "false")';
  }
  return undefined;
}
