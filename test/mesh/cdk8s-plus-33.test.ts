// An app on cdk8s-plus-33 only: cdk8s-plus-27 is made impossible to load, so anything that still
// reaches for it fails here. setInterceptionMode and policies must take plus-33 workloads.
jest.mock('cdk8s-plus-27', () => {
  throw new Error('cdk8s-plus-27 is not installed in this app');
});

import { Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { Construct } from 'constructs';
// The whole public API, as an app imports it: nothing in it may load cdk8s-plus-27.
import {
  GatewayRoute, IngressGateway, InterceptionMode, IpAccessAction, IpAccessPolicy, IpBlock, MeshNamespace, PolicyTarget, RouteBackend,
  setInterceptionMode, SidecarInjection, Warnings,
} from '../../src';
import { newChart, only } from '../util';

const container = { image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080 };

describe('with cdk8s-plus-33 and without cdk8s-plus-27', () => {
  test('cdk8s-plus-27 cannot be loaded in this test', () => {
    // The same `require` the library's compiled modules would run: loading the modules above did not.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => require('cdk8s-plus-27')).toThrow(/not installed/);
  });

  test.each([
    ['Deployment', (c: Construct) => new kplus.Deployment(c, 'w', { containers: [container] }), ['spec', 'template']],
    ['StatefulSet', (c: Construct) => new kplus.StatefulSet(c, 'w', {
      containers: [container], service: new kplus.Service(c, 'svc', { ports: [{ port: 80 }] }),
    }), ['spec', 'template']],
    ['DaemonSet', (c: Construct) => new kplus.DaemonSet(c, 'w', { containers: [container] }), ['spec', 'template']],
    ['Job', (c: Construct) => new kplus.Job(c, 'w', { containers: [container] }), ['spec', 'template']],
    ['CronJob', (c: Construct) => new kplus.CronJob(c, 'w', { containers: [container], schedule: Cron.daily() }),
      ['spec', 'jobTemplate', 'spec', 'template']],
    ['Pod', (c: Construct) => new kplus.Pod(c, 'w', { containers: [container] }), []],
  ] as const)('setInterceptionMode annotates the pods of a cdk8s-plus-33 %s in a cdk8s-plus-33 Namespace', (kind, make, templatePath) => {
    // GIVEN
    const chart = newChart({ namespace: 'apps' });
    const namespace = new kplus.Namespace(chart, 'apps', { metadata: { name: 'apps' } });
    namespace.metadata.addLabel('istio-injection', 'enabled');
    const workload = make(chart);
    // WHEN
    setInterceptionMode(workload, InterceptionMode.TPROXY);
    // THEN
    let pod = only(Testing.synth(chart), kind);
    for (const key of templatePath) {
      pod = pod[key];
    }
    expect(pod.metadata.annotations['sidecar.istio.io/interceptionMode']).toBe('TPROXY');
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['tproxy-runs-as-root']);
  });

  test('setInterceptionMode fails at synth for a cdk8s-plus-33 workload that opts out of injection', () => {
    const chart = newChart({ namespace: 'apps' });
    new MeshNamespace(chart, 'apps', { name: 'apps', injection: SidecarInjection.enabled() });
    const deployment = new kplus.Deployment(chart, 'w', { containers: [container] });
    setInterceptionMode(deployment, InterceptionMode.REDIRECT);
    deployment.podMetadata.addLabel('sidecar.istio.io/inject', 'false');
    expect(() => Testing.synth(chart)).toThrow(/get no Istio sidecar: the pods opt out/);
  });

  test('PolicyTarget.workload selects the pods of a cdk8s-plus-33 Deployment, in its namespace', () => {
    const chart = newChart();
    const deployment = new kplus.Deployment(chart, 'echo', { metadata: { namespace: 'apps' }, containers: [container] });
    new IpAccessPolicy(chart, 'allow', {
      target: PolicyTarget.workload(deployment), action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.of('10.0.0.0/8')],
    });
    const policy = only(Testing.synth(chart), 'AuthorizationPolicy');
    expect(policy.metadata.namespace).toBe('apps');
    expect(policy.spec.selector.matchLabels).toEqual(deployment.matchLabels);
    expect(Object.keys(policy.spec.selector.matchLabels)).toEqual(['cdk8s.io/metadata.addr']);
  });

  test('PolicyTarget.workload selects a cdk8s-plus-33 Job by its pod labels', () => {
    const chart = newChart();
    const job = new kplus.Job(chart, 'job', { containers: [container], podMetadata: { labels: { app: 'batch' } } });
    new IpAccessPolicy(chart, 'deny', { target: PolicyTarget.workload(job), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('192.0.2.0/24')] });
    expect(only(Testing.synth(chart), 'AuthorizationPolicy').spec.selector.matchLabels).toMatchObject({ app: 'batch' });
  });

  test('a gateway routes to a cdk8s-plus-33 Service', () => {
    const chart = newChart({ namespace: 'shop' });
    new MeshNamespace(chart, 'ns', { name: 'shop', injection: SidecarInjection.enabled() });
    const gateway = new IngressGateway(chart, 'gw', { namespace: 'shop' });
    const deployment = new kplus.Deployment(chart, 'app', { containers: [container] });
    const service = deployment.exposeViaService({ ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    new GatewayRoute(chart, 'route', { gateway, backend: RouteBackend.service(service) });
    expect(only(Testing.synth(chart), 'VirtualService').spec.http[0].route[0].destination.port).toEqual({ number: 80 });
  });
});
