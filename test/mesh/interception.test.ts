import { ApiObject, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import {
  IngressGateway, InterceptionMode, MeshNamespace, setInterceptionMode, SidecarInjection, Warnings,
} from '../../src';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { newChart, only, synth } from '../util';

const ANNOTATION = 'sidecar.istio.io/interceptionMode';
const container = { image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080 };

/** A chart whose objects go to namespace "apps", which the app creates labelled for injection. */
function meshedChart(injection: SidecarInjection = SidecarInjection.enabled()): Chart {
  const chart = newChart({ namespace: 'apps' });
  new MeshNamespace(chart, 'apps', { name: 'apps', injection });
  return chart;
}

/** The warning ids at or below `chart` after a synth. */
function warningIds(chart: Chart): string[] {
  synth(chart);
  return Warnings.collect(chart).map((w) => w.id);
}

describe('setInterceptionMode', () => {
  test.each([
    ['Deployment', (c: Construct) => new kplus.Deployment(c, 'w', { containers: [container] })],
    ['StatefulSet', (c: Construct) => new kplus.StatefulSet(c, 'w', {
      containers: [container], service: new kplus.Service(c, 'svc', { ports: [{ port: 80 }] }),
    })],
    ['DaemonSet', (c: Construct) => new kplus.DaemonSet(c, 'w', { containers: [container] })],
    ['Job', (c: Construct) => new kplus.Job(c, 'w', { containers: [container] })],
  ])('annotates the pod template of a cdk8s-plus-27 %s', (kind, make) => {
    // GIVEN
    const chart = meshedChart();
    const workload = make(chart);
    // WHEN
    setInterceptionMode(workload, InterceptionMode.TPROXY);
    // THEN
    const object = only(synth(chart), kind);
    expect(object.spec.template.metadata.annotations[ANNOTATION]).toBe('TPROXY');
    expect(object.metadata.annotations?.[ANNOTATION]).toBeUndefined();
  });

  test('annotates a cdk8s-plus-27 CronJob\'s job template', () => {
    const chart = meshedChart();
    const cron = new kplus.CronJob(chart, 'w', { containers: [container], schedule: Cron.daily() });
    setInterceptionMode(cron, InterceptionMode.REDIRECT);
    expect(only(synth(chart), 'CronJob').spec.jobTemplate.spec.template.metadata.annotations[ANNOTATION]).toBe('REDIRECT');
  });

  test('annotates a raw KubeDeployment without metadata on its pod template', () => {
    const chart = meshedChart();
    const deployment = new k8s.KubeDeployment(chart, 'raw', {
      spec: { selector: { matchLabels: { app: 'raw' } }, template: { spec: { containers: [{ name: 'app', image: 'app' }] } } },
    });
    setInterceptionMode(deployment, InterceptionMode.NONE);
    expect(only(synth(chart), 'Deployment').spec.template.metadata).toEqual({ annotations: { [ANNOTATION]: 'NONE' } });
  });

  test('keeps the annotations, labels, containers, volumes and security contexts already on a raw workload', () => {
    // GIVEN
    const chart = meshedChart();
    const template = {
      metadata: { labels: { app: 'raw' }, annotations: { 'team': 'payments', 'proxy.istio.io/config': '{"concurrency":2}' } },
      spec: {
        securityContext: { runAsNonRoot: false },
        containers: [{ name: 'app', image: 'app', securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    };
    const statefulSet = new k8s.KubeStatefulSet(chart, 'raw', { spec: { serviceName: 'raw', selector: { matchLabels: { app: 'raw' } }, template } });
    // WHEN
    setInterceptionMode(statefulSet, InterceptionMode.TPROXY);
    // THEN
    const pod = only(synth(chart), 'StatefulSet').spec.template;
    expect(pod.metadata).toEqual({ labels: { app: 'raw' }, annotations: { ...template.metadata.annotations, [ANNOTATION]: 'TPROXY' } });
    expect(pod.spec).toEqual(template.spec);
  });

  test('keeps what a cdk8s-plus-27 workload already has on its pods', () => {
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', {
      containers: [container],
      podMetadata: { labels: { app: 'echo' }, annotations: { team: 'edge' } },
      volumes: [kplus.Volume.fromEmptyDir(chart, 'v', 'scratch')],
    });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    const pod = only(synth(chart), 'Deployment').spec.template;
    expect(pod.metadata.annotations).toEqual({ team: 'edge', [ANNOTATION]: 'TPROXY' });
    expect(pod.metadata.labels.app).toBe('echo');
    expect(pod.spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]);
    expect(pod.spec.containers).toHaveLength(1);
  });

  test('accepts the same mode twice', () => {
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    expect(only(synth(chart), 'Deployment').spec.template.metadata.annotations[ANNOTATION]).toBe('TPROXY');
  });

  test('warns that TPROXY runs istio-proxy as root with NET_ADMIN', () => {
    const chart = meshedChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.TPROXY);
    synth(chart);
    const warnings = Warnings.collect(chart);
    expect(warnings.map((w) => [w.path, w.id])).toEqual([['test/w', 'tproxy-runs-as-root']]);
    expect(warnings[0].message).toMatch(/root \(runAsUser 0\) with the NET_ADMIN capability.*Pod Security "baseline" or "restricted"/);
  });

  test('does not warn for REDIRECT in an injected namespace', () => {
    const chart = meshedChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.REDIRECT);
    expect(warningIds(chart)).toEqual([]);
  });

  test('warns that the mode means nothing for gateway pods', () => {
    const chart = meshedChart();
    const gateway = new IngressGateway(chart, 'Edge', { namespace: 'apps' });
    setInterceptionMode(gateway.deployment, InterceptionMode.REDIRECT);
    expect(warningIds(chart)).toEqual(['interception-mode-ignored']);
    expect(Warnings.collect(chart)[0].message).toMatch(/the pods are an Istio gateway/);
  });

  test('warns that the mode means nothing for ambient pods whose namespace is not known', () => {
    const chart = newChart({ namespace: 'ambient-apps' });
    MeshNamespace.fromExisting(chart, 'ns', { name: 'ambient-apps', injection: SidecarInjection.none() });
    const deployment = new kplus.Deployment(chart, 'w', {
      containers: [container], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient', 'sidecar.istio.io/inject': 'false' } },
    });
    // Opted out, so the synth fails; an ambient pod that may have a sidecar only warns.
    setInterceptionMode(deployment, InterceptionMode.REDIRECT);
    expect(() => synth(chart)).toThrow(/get no Istio sidecar/);
    const unknown = newChart({ namespace: 'elsewhere' });
    setInterceptionMode(new kplus.Deployment(unknown, 'w', { containers: [container], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } }),
      InterceptionMode.REDIRECT);
    synth(unknown);
    expect(Warnings.collect(unknown).find((w) => w.id === 'interception-mode-ignored')?.message).toMatch(/ambient mode/);
  });

  test('does not call an ambient-labelled pod ignored when its namespace injects a sidecar (istio-cni then leaves it out of ambient)', () => {
    const chart = meshedChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } }),
      InterceptionMode.REDIRECT);
    expect(warningIds(chart)).toEqual([]);
  });

  test.each([
    ['interceptionMode: REDIRECT', 'interceptionMode "REDIRECT"'],
    ['interception_mode: REDIRECT', 'interceptionMode "REDIRECT"'],
    ['{"interception_mode": 2}', 'interceptionMode "NONE"'],
  ])('warns when the pod\'s ProxyConfig %s names another interception mode', (config, named) => {
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', {
      containers: [container], podMetadata: { annotations: { 'proxy.istio.io/config': config } },
    });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    expect(warningIds(chart)).toEqual(['interception-mode-overrides-proxy-config', 'tproxy-runs-as-root']);
    expect(Warnings.collect(chart)[0].message).toContain(`sets ${named}, which the sidecar.istio.io/interceptionMode: TPROXY annotation overrides`);
  });

  test('does not warn when the pod\'s ProxyConfig names the same mode in proto spelling', () => {
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { annotations: { 'proxy.istio.io/config': 'interception_mode: 1' } } });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    expect(warningIds(chart)).toEqual(['tproxy-runs-as-root']);
  });

  test('fails if the pod template already has a different mode, naming both values', () => {
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { annotations: { [ANNOTATION]: 'REDIRECT' } } });
    expect(() => setInterceptionMode(deployment, InterceptionMode.TPROXY))
      .toThrow(/\[test\/w\] setInterceptionMode: the pod template annotation sidecar.istio.io\/interceptionMode is already "REDIRECT", and setInterceptionMode would set "TPROXY"\. Fix:/);
  });

  test('fails if a raw workload already has a different mode', () => {
    const chart = meshedChart();
    const deployment = new k8s.KubeDeployment(chart, 'raw', {
      spec: { selector: {}, template: { metadata: { annotations: { [ANNOTATION]: 'NONE' } }, spec: { containers: [] } } },
    });
    expect(() => setInterceptionMode(deployment, InterceptionMode.REDIRECT)).toThrow(/is already "NONE", and setInterceptionMode would set "REDIRECT"/);
  });

  test('fails at synth if something overwrote the mode later', () => {
    // GIVEN
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    // WHEN cdk8s' own addAnnotation overwrites it silently
    deployment.podMetadata.addAnnotation(ANNOTATION, 'REDIRECT');
    // THEN
    expect(() => synth(chart)).toThrow(/\[test\/w\] setInterceptionMode set the pod template annotation sidecar.istio.io\/interceptionMode to "TPROXY", but it is "REDIRECT" at synth/);
  });

  test('fails if the construct is not a workload', () => {
    const chart = meshedChart();
    const configMap = new k8s.KubeConfigMap(chart, 'cm', {});
    expect(() => setInterceptionMode(configMap, InterceptionMode.TPROXY))
      .toThrow(/\[test\/cm\] setInterceptionMode: 'workload' must be a cdk8s-plus workload \(cdk8s-plus-27 to 33: .*\) or a raw ApiObject of kind Deployment, .*got an ApiObject of kind ConfigMap/);
    expect(() => setInterceptionMode(new kplus.Service(chart, 'svc', { ports: [{ port: 80 }] }), InterceptionMode.TPROXY))
      .toThrow(/got a Service/);
  });

  test('fails if the mode is not an InterceptionMode', () => {
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    expect(() => setInterceptionMode(deployment, 'tproxy' as InterceptionMode)).toThrow(/'mode' must be one of REDIRECT, TPROXY, NONE, got "tproxy"/);
    expect(ApiObject.of(deployment).toJson().spec.template.metadata.annotations).toBeUndefined();
  });
});

describe('setInterceptionMode and sidecar injection', () => {
  test('knows the pods are injected from a MeshNamespace created after the call', () => {
    // GIVEN
    const chart = newChart({ namespace: 'apps' });
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.REDIRECT);
    // WHEN the namespace comes later in the app
    new MeshNamespace(chart, 'ns', { name: 'apps' });
    // THEN
    expect(warningIds(chart)).toEqual([]);
  });

  test('reads a cdk8s-plus Namespace and a raw KubeNamespace in another chart', () => {
    const chart = newChart({ namespace: 'apps' });
    const other = new Chart(chart.node.scope as Construct, 'platform');
    const namespace = new kplus.Namespace(other, 'apps', { metadata: { name: 'apps' } });
    namespace.metadata.addLabel('istio.io/rev', 'canary');
    new k8s.KubeNamespace(other, 'jobs', { metadata: { name: 'jobs', labels: { 'istio-injection': 'enabled' } } });
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.REDIRECT);
    setInterceptionMode(new kplus.Job(chart, 'j', { containers: [container], metadata: { namespace: 'jobs' } }), InterceptionMode.REDIRECT);
    expect(warningIds(chart)).toEqual([]);
  });

  test('takes a namespace declared with MeshNamespace.fromExisting', () => {
    const chart = newChart({ namespace: 'shop' });
    MeshNamespace.fromExisting(chart, 'shop', { name: 'shop', injection: SidecarInjection.revision('stable') });
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.REDIRECT);
    expect(warningIds(chart)).toEqual([]);
  });

  test('accepts pods that ask for a sidecar in a namespace without injection labels', () => {
    const chart = meshedChart(SidecarInjection.none());
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' } } }),
      InterceptionMode.REDIRECT);
    expect(warningIds(chart)).toEqual([]);
  });

  test('warns once, naming MeshNamespace.fromExisting, when the namespace is neither created nor declared', () => {
    const chart = newChart({ namespace: 'elsewhere' });
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    setInterceptionMode(deployment, InterceptionMode.REDIRECT);
    setInterceptionMode(deployment, InterceptionMode.REDIRECT);
    synth(chart);
    synth(chart);
    const warnings = Warnings.collect(chart);
    expect(warnings.map((w) => [w.path, w.id])).toEqual([['test/w', 'sidecar-injection-unknown']]);
    expect(warnings[0].message).toMatch(/namespace "elsewhere" is neither created in this app nor declared\. Fix: .*new MeshNamespace\(.*MeshNamespace\.fromExisting\(scope, id, \{ name, injection \}\)/);
  });

  test('warns that the namespace is not set when neither the workload nor its chart has one', () => {
    const chart = newChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.REDIRECT);
    expect(warningIds(chart)).toEqual(['sidecar-injection-unknown']);
    expect(Warnings.collect(chart)[0].message).toMatch(/the pods' namespace is not set/);
  });

  test.each([
    ['the label sidecar.istio.io/inject: "false"', { labels: { 'sidecar.istio.io/inject': 'false' } }, /opt out of injection with the label sidecar.istio.io\/inject: "false"/],
    ['the annotation sidecar.istio.io/inject: "false"', { annotations: { 'sidecar.istio.io/inject': 'false' } }, /opt out of injection with the annotation sidecar.istio.io\/inject: "false"/],
  ])('fails at synth if the pods opt out with %s', (_name, podMetadata, reason) => {
    const chart = meshedChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container], podMetadata }), InterceptionMode.TPROXY);
    expect(() => synth(chart)).toThrow(/\[test\/w\] setInterceptionMode: sidecar.istio.io\/interceptionMode: TPROXY is set on pods that get no Istio sidecar: /);
    expect(() => synth(chart)).toThrow(reason);
  });

  test('fails at synth if the opt-out label is added after the call', () => {
    const chart = meshedChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    deployment.podMetadata.addLabel('sidecar.istio.io/inject', 'false');
    expect(() => synth(chart)).toThrow(/get no Istio sidecar: the pods opt out/);
  });

  test('fails at synth in a namespace whose injection is disabled, even when the pods ask for a sidecar', () => {
    const chart = meshedChart(SidecarInjection.disabled());
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' } } }),
      InterceptionMode.TPROXY);
    expect(() => synth(chart)).toThrow(/namespace "apps" has the label istio-injection: "disabled", and only "enabled" turns injection on.*Fix: set istio-injection: enabled on the namespace/);
  });

  test('fails at synth in a declared namespace without injection labels when the pods do not ask', () => {
    const chart = newChart({ namespace: 'legacy' });
    MeshNamespace.fromExisting(chart, 'legacy', { name: 'legacy', injection: SidecarInjection.none() });
    setInterceptionMode(new k8s.KubeDeployment(chart, 'raw', {
      spec: { selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'app', image: 'app' }] } } },
    }), InterceptionMode.TPROXY);
    expect(() => synth(chart)).toThrow(/namespace "legacy" has neither istio-injection: enabled nor istio.io\/rev, and the pods do not ask for a sidecar/);
  });

  test('fails at synth for hostNetwork pods and for pods in kube-system, whatever the app says about the namespace', () => {
    const chart = meshedChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container], hostNetwork: true }), InterceptionMode.TPROXY);
    expect(() => synth(chart)).toThrow(/the pods use hostNetwork, which Istio never injects/);
    const system = newChart({ namespace: 'kube-system' });
    setInterceptionMode(new kplus.DaemonSet(system, 'd', { containers: [container] }), InterceptionMode.TPROXY);
    expect(() => synth(system)).toThrow(/Istio never injects pods in namespace "kube-system"/);
  });
});
