import { ApiObject, Lazy } from 'cdk8s';
import * as plus27 from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import * as plus33 from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { InterceptionMode, MeshNamespace, setInterceptionMode } from '../src';
import { PlusPodWorkload, podTemplateOf } from '../src/private/pod-template';
import { newChart } from './util';

const container = { image: 'app:1', portNumber: 8080 };

// Type-level: both cdk8s-plus versions' workloads have the shape the library relies on. If a
// release changes `podMetadata`, `metadata` or `hostNetwork`, this file stops compiling.
const shapes: ((c: Construct) => PlusPodWorkload)[] = [
  (c) => new plus27.Deployment(c, 'd27', { containers: [container] }),
  (c) => new plus27.Pod(c, 'p27', { containers: [container] }),
  (c) => new plus33.Deployment(c, 'd33', { containers: [container] }),
  (c) => new plus33.Pod(c, 'p33', { containers: [container] }),
];

describe('podTemplateOf', () => {
  test('the shape check accepts cdk8s-plus-27 and cdk8s-plus-33 workloads alike', () => {
    const chart = newChart();
    expect(shapes.map((make) => podTemplateOf(make(chart), 'test').kind)).toEqual(['Deployment', 'Pod', 'Deployment', 'Pod']);
  });

  test.each([
    ['cdk8s-plus-27', (c: Construct) => new plus27.Deployment(c, 'w', { containers: [container], hostNetwork: true, metadata: { namespace: 'apps' },
      podMetadata: { labels: { 'app': 'echo', 'istio.io/rev': 'canary' }, annotations: { team: 'edge' } } })],
    ['cdk8s-plus-33', (c: Construct) => new plus33.Deployment(c, 'w', { containers: [container], hostNetwork: true, metadata: { namespace: 'apps' },
      podMetadata: { labels: { 'app': 'echo', 'istio.io/rev': 'canary' }, annotations: { team: 'edge' } } })],
    ['raw KubeDeployment', (c: Construct) => new k8s.KubeDeployment(c, 'w', {
      metadata: { namespace: 'apps' },
      spec: {
        selector: { matchLabels: { app: 'echo' } },
        template: { metadata: { labels: { 'app': 'echo', 'istio.io/rev': 'canary' }, annotations: { team: 'edge' } }, spec: { hostNetwork: true, containers: [] } },
      },
    })],
  ])('reads a %s: kind, namespace, annotations, labels and hostNetwork in one reading', (_name, make) => {
    const template = podTemplateOf(make(newChart()), 'test');
    expect([template.kind, template.namespace]).toEqual(['Deployment', 'apps']);
    expect(template.read(['istio.io/rev', 'sidecar.istio.io/inject'])).toEqual({
      annotations: { team: 'edge' }, labels: { 'istio.io/rev': 'canary' }, hostNetwork: true,
    });
  });

  test('reads a cdk8s-plus workload\'s annotations without rendering its pod metadata', () => {
    // GIVEN
    const chart = newChart({ namespace: 'apps' });
    new MeshNamespace(chart, 'apps', { name: 'apps' });
    const deployment = new plus33.Deployment(chart, 'w', { containers: [container], podMetadata: { annotations: { team: 'edge' } } });
    const toJson = jest.spyOn(deployment.podMetadata, 'toJson');
    // WHEN the mode is set, and its synth-time check runs
    setInterceptionMode(deployment, InterceptionMode.TPROXY);
    const problems = deployment.node.validate();
    // THEN
    expect(problems).toEqual([]);
    expect(toJson).not.toHaveBeenCalled();
  });

  test('renders the pod metadata when an annotation value is not a plain string (a Lazy), and reads the rendered value', () => {
    const chart = newChart();
    const deployment = new plus27.Deployment(chart, 'w', { containers: [container] });
    deployment.podMetadata.addAnnotation('team', Lazy.any({ produce: () => 'edge' }) as unknown as string);
    expect(podTemplateOf(deployment, 'test').read([]).annotations).toEqual({ team: 'edge' });
  });

  test('fails for constructs that are not workloads, with the versions it takes', () => {
    const chart = newChart();
    expect(() => podTemplateOf(new plus33.Service(chart, 'svc', { ports: [{ port: 80 }] }), 'test'))
      .toThrow(/test: 'workload' must be a cdk8s-plus workload \(cdk8s-plus-27 to 33: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod\) or a raw ApiObject of kind .*, got a Service/);
    expect(() => podTemplateOf(new Construct(chart, 'plain'), 'test')).toThrow(/got a Construct/);
    expect(() => podTemplateOf(new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' }), 'test')).toThrow(/got an ApiObject of kind ConfigMap/);
    expect(() => podTemplateOf({ podMetadata: {} } as never, 'test')).toThrow(/got \{"podMetadata":\{\}\}/);
  });
});
