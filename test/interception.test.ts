import { ApiObject, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { IngressGateway, InterceptionMode, setInterceptionMode, Warnings } from '../src';
import { Construct } from 'constructs';
import { newChart, only, synth } from './util';

const ANNOTATION = 'sidecar.istio.io/interceptionMode';
const container = { image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080 };

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
    const chart = newChart();
    const workload = make(chart);
    // WHEN
    setInterceptionMode(workload, InterceptionMode.TPROXY);
    // THEN
    const object = only(synth(chart), kind);
    expect(object.spec.template.metadata.annotations[ANNOTATION]).toBe('TPROXY');
    expect(object.metadata.annotations?.[ANNOTATION]).toBeUndefined();
  });

  test('annotates a cdk8s-plus-27 CronJob\'s job template', () => {
    const chart = newChart();
    const cron = new kplus.CronJob(chart, 'w', { containers: [container], schedule: Cron.daily() });
    setInterceptionMode(cron, InterceptionMode.REDIRECT);
    expect(only(synth(chart), 'CronJob').spec.jobTemplate.spec.template.metadata.annotations[ANNOTATION]).toBe('REDIRECT');
  });

  test('annotates a raw KubeDeployment without metadata on its pod template', () => {
    const chart = newChart();
    const deployment = new k8s.KubeDeployment(chart, 'raw', {
      spec: { selector: { matchLabels: { app: 'raw' } }, template: { spec: { containers: [{ name: 'app', image: 'app' }] } } },
    });
    setInterceptionMode(deployment, InterceptionMode.NONE);
    expect(only(synth(chart), 'Deployment').spec.template.metadata).toEqual({ annotations: { [ANNOTATION]: 'NONE' } });
  });

  test('keeps the annotations, labels, containers, volumes and security contexts already on a raw workload', () => {
    // GIVEN
    const chart = newChart();
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
    const chart = newChart();
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
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    expect(only(synth(chart), 'Deployment').spec.template.metadata.annotations[ANNOTATION]).toBe('TPROXY');
  });

  test('warns that TPROXY runs istio-proxy as root with NET_ADMIN', () => {
    const chart = newChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.TPROXY);
    const warnings = Warnings.collect(chart);
    expect(warnings.map((w) => [w.path, w.id])).toEqual([['test/w', 'tproxy-runs-as-root']]);
    expect(warnings[0].message).toMatch(/root \(runAsUser 0\) with the NET_ADMIN capability.*Pod Security "baseline" or "restricted"/);
  });

  test('does not warn for REDIRECT', () => {
    const chart = newChart();
    setInterceptionMode(new kplus.Deployment(chart, 'w', { containers: [container] }), InterceptionMode.REDIRECT);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('warns that the mode means nothing for gateway pods', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge');
    setInterceptionMode(gateway.deployment, InterceptionMode.REDIRECT);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['interception-mode-ignored']);
    expect(Warnings.collect(chart)[0].message).toMatch(/the pods are an Istio gateway/);
  });

  test('warns that the mode means nothing for ambient pods', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } });
    setInterceptionMode(deployment, InterceptionMode.REDIRECT);
    expect(Warnings.collect(chart)[0]).toMatchObject({ id: 'interception-mode-ignored', message: expect.stringMatching(/ambient mode/) });
  });

  test('warns that the mode means nothing for pods that opt out of injection', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { labels: { 'sidecar.istio.io/inject': 'false' } } });
    setInterceptionMode(deployment, InterceptionMode.REDIRECT);
    expect(Warnings.collect(chart)[0]).toMatchObject({ id: 'interception-mode-ignored', message: expect.stringMatching(/opt out of sidecar injection/) });
  });

  test('warns when the pod\'s ProxyConfig names another interception mode', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'w', {
      containers: [container], podMetadata: { annotations: { 'proxy.istio.io/config': 'interceptionMode: REDIRECT' } },
    });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['interception-mode-overrides-proxy-config', 'tproxy-runs-as-root']);
  });

  test('fails if the pod template already has a different mode, naming both values', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container], podMetadata: { annotations: { [ANNOTATION]: 'REDIRECT' } } });
    expect(() => setInterceptionMode(deployment, InterceptionMode.TPROXY))
      .toThrow(/\[test\/w\] setInterceptionMode: the pod template annotation sidecar.istio.io\/interceptionMode is already "REDIRECT", and setInterceptionMode would set "TPROXY"\. Fix:/);
  });

  test('fails if a raw workload already has a different mode', () => {
    const chart = newChart();
    const deployment = new k8s.KubeDeployment(chart, 'raw', {
      spec: { selector: {}, template: { metadata: { annotations: { [ANNOTATION]: 'NONE' } }, spec: { containers: [] } } },
    });
    expect(() => setInterceptionMode(deployment, InterceptionMode.REDIRECT)).toThrow(/is already "NONE", and setInterceptionMode would set "REDIRECT"/);
  });

  test('fails at synth if something overwrote the mode later', () => {
    // GIVEN
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    // WHEN cdk8s' own addAnnotation overwrites it silently
    deployment.podMetadata.addAnnotation(ANNOTATION, 'REDIRECT');
    // THEN
    expect(() => synth(chart)).toThrow(/\[test\/w\] setInterceptionMode set the pod template annotation sidecar.istio.io\/interceptionMode to "TPROXY", but it is "REDIRECT" at synth/);
  });

  test('fails if the construct is not a workload', () => {
    const chart = newChart();
    const configMap = new k8s.KubeConfigMap(chart, 'cm', {});
    expect(() => setInterceptionMode(configMap, InterceptionMode.TPROXY))
      .toThrow(/\[test\/cm\] setInterceptionMode: 'workload' must be a cdk8s-plus-27 workload or a raw ApiObject of kind Deployment, .*got an ApiObject of kind ConfigMap/);
    expect(() => setInterceptionMode(new kplus.Service(chart, 'svc', { ports: [{ port: 80 }] }), InterceptionMode.TPROXY))
      .toThrow(/got a Service/);
  });

  test('fails if the mode is not an InterceptionMode', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    expect(() => setInterceptionMode(deployment, 'tproxy' as InterceptionMode)).toThrow(/'mode' must be one of REDIRECT, TPROXY, NONE, got "tproxy"/);
    expect(ApiObject.of(deployment).toJson().spec.template.metadata.annotations).toBeUndefined();
  });
});
