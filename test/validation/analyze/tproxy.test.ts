import { codes, deployment, gatewayDeployment, namespace } from './manifests';

const TPROXY = { 'sidecar.istio.io/interceptionMode': 'TPROXY' };

describe('tproxy-not-injected', () => {
  test('fires on a TPROXY pod template in a namespace not labelled for injection', () => {
    const found = codes([namespace('apps'), deployment('apps', 'echo', { annotations: TPROXY })], 'tproxy-not-injected');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/Deployment apps\/echo asks for sidecar.istio.io\/interceptionMode: TPROXY but gets no sidecar: namespace apps has neither/);
  });

  test('fires when the pod opts out with the annotation "false", even in an injected namespace', () => {
    const docs = [namespace('apps', { 'istio-injection': 'enabled' }), deployment('apps', 'echo', { annotations: { ...TPROXY, 'sidecar.istio.io/inject': 'false' } })];
    const found = codes(docs, 'tproxy-not-injected');
    expect(found[0].message).toMatch(/its pod annotation sidecar.istio.io\/inject: "false" opts it out/);
  });

  test('fires for other workload kinds too', () => {
    for (const kind of ['StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']) {
      expect(codes([namespace('apps'), deployment('apps', 'echo', { kind, annotations: TPROXY })], 'tproxy-not-injected').map((f) => f.object.kind)).toEqual([kind]);
    }
  });

  test('stays quiet when the namespace or the pod label asks for injection', () => {
    expect(codes([namespace('apps', { 'istio-injection': 'enabled' }), deployment('apps', 'echo', { annotations: TPROXY })], 'tproxy-not-injected')).toEqual([]);
    expect(codes([namespace('apps'), deployment('apps', 'echo', { labels: { app: 'echo', 'sidecar.istio.io/inject': 'true' }, annotations: TPROXY })], 'tproxy-not-injected')).toEqual([]);
  });

  test('stays quiet for a namespace created elsewhere and declared injected', () => {
    const opts = { existingNamespaces: [{ name: 'apps', labels: { 'istio.io/rev': 'default' } }] };
    expect(codes([deployment('apps', 'echo', { annotations: TPROXY })], 'tproxy-not-injected', opts)).toEqual([]);
  });

  test('ignores other interception modes', () => {
    expect(codes([namespace('apps'), deployment('apps', 'echo', { annotations: { 'sidecar.istio.io/interceptionMode': 'REDIRECT' } })], 'tproxy-not-injected')).toEqual([]);
  });
});

describe('tproxy-on-gateway', () => {
  test('fires on TPROXY on a gateway pod, instead of tproxy-not-injected', () => {
    const docs = [namespace('istio-ingress'), gatewayDeployment('istio-ingress', 'gw', { istio: 'ingressgateway' }, TPROXY)];
    expect(codes(docs, 'tproxy-on-gateway')).toHaveLength(1);
    expect(codes(docs, 'tproxy-not-injected')).toEqual([]);
  });

  test('stays quiet for a gateway without the annotation', () => {
    expect(codes([namespace('istio-ingress'), gatewayDeployment('istio-ingress', 'gw')], 'tproxy-on-gateway')).toEqual([]);
  });
});
