// Nothing lost (issue 5, item 6): on the workloads this library touches, user annotations, labels,
// containers, volumes and security contexts survive, and a conflicting value is refused with a
// message naming both values.
import { ApiObject, Chart, Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  GatewayTopology, IngressGateway, InterceptionMode, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, setInterceptionMode,
} from '../src';
import { Manifest, newChart, only } from './util';

const MODE = 'sidecar.istio.io/interceptionMode';
const USER_ANNOTATIONS = { 'team.example.com/owner': 'payments', 'proxy.istio.io/config': '{"concurrency":2}', 'prometheus.io/scrape': 'true' };
const USER_LABELS = { app: 'shop', 'app.kubernetes.io/version': '1.2.3' };

/** A cdk8s-plus-27 workload with user metadata, two containers, a volume and security contexts. */
function richKplus(kind: string, scope: Construct): kplus.AbstractPod {
  const volume = kplus.Volume.fromEmptyDir(scope, 'cache', 'cache');
  const props = {
    metadata: { annotations: { 'deploy.example.com/by': 'ci' }, labels: { owner: 'payments' } },
    podMetadata: { annotations: { ...USER_ANNOTATIONS }, labels: { ...USER_LABELS } },
    securityContext: { user: 1000, group: 3000, fsGroup: 2000, ensureNonRoot: true },
    volumes: [volume],
    containers: [
      { name: 'app', image: 'shop:1', portNumber: 8080, securityContext: { user: 1000, readOnlyRootFilesystem: true }, volumeMounts: [{ path: '/cache', volume }] },
      { name: 'helper', image: 'helper:1', envVariables: { MODE: kplus.EnvValue.fromValue('x') } },
    ],
  };
  switch (kind) {
    case 'Deployment':
      return new kplus.Deployment(scope, 'w', props);
    case 'StatefulSet':
      return new kplus.StatefulSet(scope, 'w', { ...props, service: new kplus.Service(scope, 'svc', { ports: [{ port: 80 }] }) });
    case 'DaemonSet':
      return new kplus.DaemonSet(scope, 'w', props);
    default:
      return new kplus.Job(scope, 'w', props);
  }
}

/** A raw `k8s.Kube*` workload with the same user fields. */
function richRaw(kind: string, scope: Construct): ApiObject {
  const template = {
    metadata: { annotations: { ...USER_ANNOTATIONS }, labels: { ...USER_LABELS } },
    spec: {
      securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [{ name: 'cache', emptyDir: {} }],
      containers: [
        { name: 'app', image: 'shop:1', securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }, volumeMounts: [{ name: 'cache', mountPath: '/cache' }] },
        { name: 'helper', image: 'helper:1' },
      ],
    },
  };
  const metadata = { name: 'raw', annotations: { 'deploy.example.com/by': 'ci' }, labels: { owner: 'payments' } };
  const selector = { matchLabels: { ...USER_LABELS } };
  switch (kind) {
    case 'Deployment':
      return new k8s.KubeDeployment(scope, 'w', { metadata, spec: { selector, template } });
    case 'StatefulSet':
      return new k8s.KubeStatefulSet(scope, 'w', { metadata, spec: { serviceName: 'raw', selector, template } });
    case 'DaemonSet':
      return new k8s.KubeDaemonSet(scope, 'w', { metadata, spec: { selector, template } });
    default:
      return new k8s.KubeJob(scope, 'w', { metadata, spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } });
  }
}

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];
const CASES = KINDS.flatMap((kind) => [
  [`cdk8s-plus-27 ${kind}`, kind, (c: Construct) => ApiObject.of(richKplus(kind, c))] as const,
  [`raw Kube${kind}`, kind, (c: Construct) => richRaw(kind, c)] as const,
]);

/** The workload object as synthesized. */
function synthesized(chart: Chart, kind: string): Manifest {
  return only(Testing.synth(chart), kind);
}

describe('nothing lost on workloads', () => {
  test.each(CASES)('setInterceptionMode on a %s adds one pod annotation and changes nothing else', (_name, kind, make) => {
    // GIVEN
    const chart = newChart();
    const object = make(chart);
    const before = JSON.parse(JSON.stringify(object.toJson())) as Manifest;
    // WHEN
    setInterceptionMode(chart.node.findChild('w'), InterceptionMode.TPROXY);
    // THEN
    const after = synthesized(chart, kind);
    before.spec.template.metadata.annotations[MODE] = 'TPROXY';
    expect(after).toEqual(before);
    expect(after.spec.template.metadata.annotations).toEqual({ ...USER_ANNOTATIONS, [MODE]: 'TPROXY' });
  });

  test.each(CASES.filter(([name]) => name !== 'cdk8s-plus-27 Job'))('PolicyTarget.workload on a %s reads the workload without changing it', (_name, kind, make) => {
    const chart = newChart();
    const object = make(chart);
    const before = JSON.parse(JSON.stringify(object.toJson())) as Manifest;
    new IpAccessPolicy(chart, 'policy', { target: PolicyTarget.workload(chart.node.findChild('w')), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('192.0.2.0/24')] });
    expect(synthesized(chart, kind)).toEqual(before);
  });

  // A cdk8s-plus-27 Job has no selector, so its pod labels must be used (as for a raw KubeJob).
  test('PolicyTarget.workload on a cdk8s-plus-27 Job selects its pod labels without changing it', () => {
    const chart = newChart();
    const object = ApiObject.of(richKplus('Job', chart));
    const before = JSON.parse(JSON.stringify(object.toJson())) as Manifest;
    const policy = new IpAccessPolicy(chart, 'policy', { target: PolicyTarget.workload(chart.node.findChild('w')), action: IpAccessAction.DENY, ipBlocks: [IpBlock.of('192.0.2.0/24')] });
    expect(policy.target.selectorLabels).toEqual(expect.objectContaining(USER_LABELS));
    expect(synthesized(chart, 'Job')).toEqual(before);
  });

  test.each(CASES)('setInterceptionMode on a %s twice with the same mode is harmless', (_name, kind, make) => {
    const chart = newChart();
    make(chart);
    const workload = chart.node.findChild('w');
    setInterceptionMode(workload, InterceptionMode.NONE);
    setInterceptionMode(workload, InterceptionMode.NONE);
    expect(synthesized(chart, kind).spec.template.metadata.annotations[MODE]).toBe('NONE');
  });

  test.each(KINDS)('fails to overwrite an interception mode the user set on a cdk8s-plus-27 %s, naming both values', (kind) => {
    const chart = newChart();
    const workload = richKplus(kind, chart);
    workload.podMetadata.addAnnotation(MODE, 'REDIRECT');
    expect(() => setInterceptionMode(workload, InterceptionMode.TPROXY))
      .toThrow(`the pod template annotation ${MODE} is already "REDIRECT", and setInterceptionMode would set "TPROXY"`);
  });

  test.each(KINDS)('fails to overwrite an interception mode the user set on a raw Kube%s, naming both values', (kind) => {
    const chart = newChart();
    const workload = richRaw(kind, chart);
    workload.addJsonPatch(JsonPatch.add(`/spec/template/metadata/annotations/${MODE.replace('/', '~1')}`, 'NONE'));
    expect(() => setInterceptionMode(workload, InterceptionMode.REDIRECT))
      .toThrow(`the pod template annotation ${MODE} is already "NONE", and setInterceptionMode would set "REDIRECT"`);
  });

  test('fails at synth when the user overwrites the interception mode after it was set, naming both values', () => {
    // GIVEN
    const chart = newChart();
    const workload = richKplus('Deployment', chart);
    setInterceptionMode(workload, InterceptionMode.TPROXY);
    // WHEN
    workload.podMetadata.addAnnotation(MODE, 'REDIRECT');
    // THEN
    expect(() => Testing.synth(chart)).toThrow(/set the pod template annotation sidecar.istio.io\/interceptionMode to "TPROXY", but it is "REDIRECT" at synth/);
  });
});

describe('nothing lost on the ingress gateway pods', () => {
  test('keeps every user pod annotation and label, and merges the user ProxyConfig field by field', () => {
    // GIVEN
    const chart = newChart();
    // WHEN
    new IngressGateway(chart, 'gw', {
      topology: GatewayTopology.of({ numTrustedProxies: 2 }),
      podAnnotations: { ...USER_ANNOTATIONS, 'proxy.istio.io/config': '{"concurrency":2,"gatewayTopology":{"forwardClientCertDetails":"SANITIZE"}}' },
      podLabels: { team: 'payments', 'app.kubernetes.io/version': '1.2.3' },
      serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
    });
    // THEN
    const objects = Testing.synth(chart);
    const pod = only(objects, 'Deployment').spec.template.metadata;
    expect(pod.annotations).toEqual({
      'team.example.com/owner': 'payments',
      'prometheus.io/scrape': 'true',
      'inject.istio.io/templates': 'gateway',
      'proxy.istio.io/config': JSON.stringify({ concurrency: 2, gatewayTopology: { forwardClientCertDetails: 'SANITIZE', numTrustedProxies: 2 } }),
    });
    expect(pod.labels).toEqual(expect.objectContaining({ team: 'payments', 'app.kubernetes.io/version': '1.2.3' }));
    expect(only(objects, 'Service').metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' });
  });

  test('fails on a user ProxyConfig field that conflicts with the topology, naming both values', () => {
    expect(() => new IngressGateway(newChart(), 'gw', {
      topology: GatewayTopology.of({ numTrustedProxies: 2 }),
      podAnnotations: { 'proxy.istio.io/config': 'gatewayTopology:\n  numTrustedProxies: 1\n' },
    })).toThrow('proxy.istio.io/config already sets gatewayTopology.numTrustedProxies to 1, and this construct would set 2');
  });

  test('fails on a user pod label that conflicts with a selector label, naming both values', () => {
    expect(() => new IngressGateway(newChart(), 'gw', { podLabels: { app: 'mine' } }))
      .toThrow(/'podLabels\["app"\]' must be "ingress-gateway" or absent \(the gateway needs this label\), got "mine"/);
  });

  test('fails on a user injection template that conflicts with the gateway template, naming both values', () => {
    expect(() => new IngressGateway(newChart(), 'gw', { podAnnotations: { 'inject.istio.io/templates': 'sidecar' } }))
      .toThrow(/'podAnnotations\["inject.istio.io\/templates"\]' must be "gateway" or absent, got "sidecar"/);
  });
});

describe('PolicyTarget.workload on a cdk8s-plus-27 CronJob', () => {
  test('selects the pod labels of its job template', () => {
    const chart = newChart();
    const cron = new kplus.CronJob(chart, 'cron', {
      schedule: Cron.daily(),
      containers: [{ image: 'registry.k8s.io/echoserver:1.10' }],
      podMetadata: { labels: { app: 'nightly' } },
    });
    expect(PolicyTarget.workload(cron).selectorLabels).toEqual(expect.objectContaining({ app: 'nightly' }));
  });
});
