import { failIfAny, mustBe } from '../private/problems';
import { NAMESPACE_INJECTION_LABEL, NamespaceInjectionLabels, REVISION_LABEL } from './injection-webhook';

/** A non-empty Kubernetes label value. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * How Istio's sidecar injector treats the pods of a namespace: the namespace labels it selects on.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
 */
export class SidecarInjection {
  /**
   * Inject the default revision's sidecar into every pod: the label `istio-injection: enabled`.
   *
   * Pods opt out with the label `sidecar.istio.io/inject: "false"`. This label wins over
   * `istio.io/rev` on the namespace and on the pods.
   */
  public static enabled(): SidecarInjection {
    return new SidecarInjection({ injection: 'enabled' }, 'enabled');
  }

  /**
   * Inject the sidecar of one control-plane revision (or revision tag): the label `istio.io/rev: <revision>`.
   *
   * The app cannot see which revisions the cluster runs: the revision must be installed
   * (`istioctl tag list`), or no pod is injected. `default` names the default revision.
   *
   * @param revision the revision or tag name, e.g. `canary` or `1-30-3`
   * @throws if the name is not a Kubernetes label value
   */
  public static revision(revision: string): SidecarInjection {
    failIfAny('SidecarInjection.revision', [typeof revision === 'string' && revision.length <= 63 && LABEL_VALUE.test(revision) ? undefined
      : mustBe('revision', 'a revision or tag name (a label value: 1-63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit)',
        revision, 'pass the name `istioctl tag list` shows, e.g. "canary"')]);
    return new SidecarInjection({ revision }, `revision ${JSON.stringify(revision)}`);
  }

  /**
   * No injection at all: the label `istio-injection: disabled`.
   *
   * No webhook selects the namespace's pods, so a pod label `sidecar.istio.io/inject: "true"`
   * does not bring the sidecar back.
   */
  public static disabled(): SidecarInjection {
    return new SidecarInjection({ injection: 'disabled' }, 'disabled');
  }

  /**
   * Neither `istio-injection` nor `istio.io/rev` on the namespace: only pods that ask for a
   * sidecar (label `sidecar.istio.io/inject: "true"` or `istio.io/rev`) get one.
   */
  public static none(): SidecarInjection {
    return new SidecarInjection({}, 'none');
  }

  private constructor(private readonly labels: NamespaceInjectionLabels, private readonly text: string) {}

  /** `enabled`, `disabled`, `none` or `revision "<name>"`. */
  public toString(): string {
    return this.text;
  }

  /**
   * The namespace labels, as written to the manifest.
   *
   * @internal
   */
  public _render(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.labels.injection !== undefined) {
      out[NAMESPACE_INJECTION_LABEL] = this.labels.injection;
    }
    if (this.labels.revision !== undefined) {
      out[REVISION_LABEL] = this.labels.revision;
    }
    return out;
  }

  /**
   * What the injection webhooks read.
   *
   * @internal
   */
  public _labels(): NamespaceInjectionLabels {
    return this.labels;
  }
}
