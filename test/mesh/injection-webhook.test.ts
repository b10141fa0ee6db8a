import {
  IGNORED_NAMESPACES, NamespaceInjectionLabels, PodInjectionInput, sidecarInjectionOf,
} from '../../src/mesh/injection-webhook';

// An independent model of Istio's injector, written as the data it is made of: the four webhooks
// of the default install (istio/istio manifests/charts/istio-control/istio-discovery/templates/
// mutatingwebhook.yaml and revision-tags-mwc.yaml), evaluated as Kubernetes label selectors, then
// `injectRequired` (pkg/kube/inject/inject.go). Every input is enumerated, not sampled.

type Requirement = { key: string; op: 'In' | 'NotIn' | 'DoesNotExist'; values?: string[] };
interface Webhook { name: string; revision: string; namespaceSelector: Requirement[]; objectSelector: Requirement[] }

/** The revisions the modelled cluster runs: the default one (tag "default") and two more. */
const REVISIONS = ['default', 'canary', 'other'];

const WEBHOOKS: Webhook[] = [
  ...REVISIONS.flatMap((r): Webhook[] => [
    {
      name: 'rev.namespace', revision: r,
      namespaceSelector: [{ key: 'istio.io/rev', op: 'In', values: [r] }, { key: 'istio-injection', op: 'DoesNotExist' }],
      objectSelector: [{ key: 'sidecar.istio.io/inject', op: 'NotIn', values: ['false'] }],
    },
    {
      name: 'rev.object', revision: r,
      namespaceSelector: [{ key: 'istio.io/rev', op: 'DoesNotExist' }, { key: 'istio-injection', op: 'DoesNotExist' }],
      objectSelector: [{ key: 'sidecar.istio.io/inject', op: 'NotIn', values: ['false'] }, { key: 'istio.io/rev', op: 'In', values: [r] }],
    },
  ]),
  {
    name: 'namespace', revision: 'default',
    namespaceSelector: [{ key: 'istio-injection', op: 'In', values: ['enabled'] }],
    objectSelector: [{ key: 'sidecar.istio.io/inject', op: 'NotIn', values: ['false'] }],
  },
  {
    name: 'object', revision: 'default',
    namespaceSelector: [{ key: 'istio-injection', op: 'DoesNotExist' }, { key: 'istio.io/rev', op: 'DoesNotExist' }],
    objectSelector: [{ key: 'sidecar.istio.io/inject', op: 'In', values: ['true'] }, { key: 'istio.io/rev', op: 'DoesNotExist' }],
  },
];

function matches(labels: Record<string, string>, selector: Requirement[]): boolean {
  return selector.every((r) => (r.op === 'In' ? r.key in labels && r.values!.includes(labels[r.key])
    : r.op === 'NotIn' ? !(r.key in labels) || !r.values!.includes(labels[r.key])
      : !(r.key in labels)));
}

/** `injectRequired` with the default config: policy enabled, no never/always selectors. */
function injectRequired(pod: PodInjectionInput): boolean {
  if (pod.hostNetwork === true || (pod.namespace !== undefined && IGNORED_NAMESPACES.includes(pod.namespace))) {
    return false;
  }
  const selector = pod.injectLabel !== undefined ? pod.injectLabel : (pod.injectAnnotation ?? '');
  return selector === 'true' ? true : selector !== 'false';
}

/** The revision that injects the pod in a namespace with these labels, or undefined. */
function oracle(pod: PodInjectionInput, ns: NamespaceInjectionLabels): { revision?: string; hooks: number } {
  const nsLabels: Record<string, string> = {
    ...(ns.injection === undefined ? {} : { 'istio-injection': ns.injection }),
    ...(ns.revision === undefined ? {} : { 'istio.io/rev': ns.revision }),
  };
  const podLabels: Record<string, string> = {
    ...(pod.injectLabel === undefined ? {} : { 'sidecar.istio.io/inject': pod.injectLabel }),
    ...(pod.revisionLabel === undefined ? {} : { 'istio.io/rev': pod.revisionLabel }),
  };
  const hooks = WEBHOOKS.filter((w) => matches(nsLabels, w.namespaceSelector) && matches(podLabels, w.objectSelector));
  return { revision: hooks.length > 0 && injectRequired(pod) ? hooks[0].revision : undefined, hooks: hooks.length };
}

const opt = <T>(values: T[]): (T | undefined)[] => [undefined, ...values];
const NS_LABELS: NamespaceInjectionLabels[] = opt(['enabled', 'disabled', 'true']).flatMap((injection) =>
  opt(REVISIONS).map((revision) => ({ injection, revision })));
const PODS: PodInjectionInput[] = opt(['apps', 'kube-system']).flatMap((namespace) =>
  opt(['true', 'false', 'False', '']).flatMap((injectLabel) =>
    opt(['true', 'false']).flatMap((injectAnnotation) =>
      opt(REVISIONS).flatMap((revisionLabel) =>
        [false, true].map((hostNetwork) => ({ namespace, injectLabel, injectAnnotation, revisionLabel, hostNetwork }))))));

describe('sidecarInjectionOf', () => {
  test('agrees with the webhooks and injectRequired on every pod in every namespace labelling', () => {
    let cases = 0;
    for (const pod of PODS) {
      for (const ns of NS_LABELS) {
        const expected = oracle(pod, ns);
        // The selectors exclude each other: the API server never calls two injection webhooks.
        expect(expected.hooks).toBeLessThanOrEqual(1);
        const verdict = sidecarInjectionOf({ ...pod, namespaceLabels: ns });
        expect({ pod, ns, verdict: verdict.kind, revision: verdict.kind === 'injected' ? verdict.revision : undefined })
          .toEqual({ pod, ns, verdict: expected.revision === undefined ? 'not-injected' : 'injected', revision: expected.revision });
        cases++;
      }
    }
    expect(cases).toBe(PODS.length * NS_LABELS.length);
  });

  test('with the namespace unknown, is certain exactly when every namespace labelling gives the same answer', () => {
    for (const pod of PODS) {
      const outcomes = new Set(NS_LABELS.map((ns) => oracle(pod, ns).revision ?? 'none'));
      const verdict = sidecarInjectionOf(pod);
      expect({ pod, verdict: verdict.kind }).toEqual({ pod, verdict: outcomes.size > 1 ? 'unknown' : 'not-injected' });
    }
  });

  test('says why a namespace with istio-injection: disabled injects nothing, even pods that ask', () => {
    const verdict = sidecarInjectionOf({ namespace: 'apps', namespaceLabels: { injection: 'disabled' }, injectLabel: 'true' });
    expect(verdict).toMatchObject({ kind: 'not-injected', because: expect.stringMatching(/namespace "apps" has the label istio-injection: "disabled", and only "enabled" turns injection on/) });
  });

  test('lets the legacy namespace label win over istio.io/rev', () => {
    expect(sidecarInjectionOf({ namespaceLabels: { injection: 'enabled', revision: 'canary' }, revisionLabel: 'other' }))
      .toMatchObject({ kind: 'injected', revision: 'default' });
  });

  test('lets the namespace revision win over the pod revision', () => {
    expect(sidecarInjectionOf({ namespaceLabels: { revision: 'canary' }, revisionLabel: 'other' })).toMatchObject({ kind: 'injected', revision: 'canary' });
  });

  test('counts the annotation sidecar.istio.io/inject: "false" as opting out, unless the label says otherwise', () => {
    expect(sidecarInjectionOf({ namespaceLabels: { injection: 'enabled' }, injectAnnotation: 'false' }))
      .toMatchObject({ kind: 'not-injected', because: expect.stringMatching(/annotation sidecar.istio.io\/inject: "false"/) });
    expect(sidecarInjectionOf({ namespaceLabels: { injection: 'enabled' }, injectAnnotation: 'false', injectLabel: 'true' })).toMatchObject({ kind: 'injected' });
  });

  test('ignores an annotation sidecar.istio.io/inject: "true" in a namespace without injection labels (selectors read labels only)', () => {
    expect(sidecarInjectionOf({ namespaceLabels: {}, injectAnnotation: 'true' })).toMatchObject({ kind: 'not-injected' });
  });
});
