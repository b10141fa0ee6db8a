import { codes, deployment, gatewayDeployment, namespace, service } from './manifests';

describe('IST0102 NamespaceNotInjected', () => {
  test('fires on a Namespace with neither injection label', () => {
    const found = codes([namespace('apps')], 'IST0102');
    expect(found).toHaveLength(1);
    expect(found[0].object).toMatchObject({ kind: 'Namespace', name: 'apps' });
    expect(found[0].level).toBe('Info');
    expect(found[0].message).toMatch(/kubectl label namespace apps istio-injection=enabled/);
  });

  test('warns against istio-injection=disabled where gateway pods ask for injection themselves', () => {
    const found = codes([namespace('istio-ingress'), gatewayDeployment('istio-ingress', 'gw')], 'IST0102');
    expect(found[0].fix).toMatch(/Not istio-injection=disabled: Deployment istio-ingress\/gw asks for injection with the pod label/);
    expect(codes([namespace('apps'), deployment('apps', 'echo')], 'IST0102')[0].fix).toMatch(/or istio-injection=disabled if not/);
  });

  test('fires when istio-injection is present but empty', () => {
    expect(codes([namespace('apps', { 'istio-injection': '' })], 'IST0102')).toHaveLength(1);
  });

  test.each([
    ['istio-injection=enabled', { 'istio-injection': 'enabled' }],
    ['istio-injection=disabled (deliberately not injected)', { 'istio-injection': 'disabled' }],
    ['istio.io/rev', { 'istio.io/rev': 'canary' }],
    ['an ambient namespace', { 'istio.io/dataplane-mode': 'ambient' }],
  ])('stays quiet for %s', (_, labels) => {
    expect(codes([namespace('apps', labels)], 'IST0102')).toEqual([]);
  });

  test('stays quiet for istio-system and the namespaces istiod never injects', () => {
    expect(codes([namespace('istio-system'), namespace('kube-system'), namespace('local-path-storage')], 'IST0102')).toEqual([]);
  });

  test('stays quiet for namespaces only declared as existing (there is no object to label)', () => {
    expect(codes([deployment('apps', 'echo')], 'IST0102', { existingNamespaces: [{ name: 'apps' }] })).toEqual([]);
  });
});

describe('namespace-missing', () => {
  test('fires once per namespace neither created nor declared, naming every object in it', () => {
    const found = codes([deployment('apps', 'echo'), service('apps', 'echo', { app: 'echo' }, [{ port: 80, name: 'http' }]), deployment('shop', 'cart')], 'namespace-missing');
    expect(found.map((f) => f.object.namespace)).toEqual(['apps', 'shop']);
    const apps = found.find((f) => f.object.namespace === 'apps')!;
    expect(apps.message).toMatch(/Namespace "apps" is neither created.*Deployment echo, Service echo fails/);
    expect(apps.fix).toMatch(/--exists apps/);
  });

  test('stays quiet when the set creates the Namespace, even after the objects in it', () => {
    expect(codes([deployment('apps', 'echo'), namespace('apps', { 'istio-injection': 'enabled' })], 'namespace-missing')).toEqual([]);
  });

  test('stays quiet for namespaces declared as existing', () => {
    expect(codes([deployment('apps', 'echo')], 'namespace-missing', { existingNamespaces: [{ name: 'apps' }] })).toEqual([]);
  });

  test('stays quiet for the built-in namespaces, including istio-system', () => {
    expect(codes(['default', 'kube-system', 'istio-system'].map((ns) => deployment(ns, 'x')), 'namespace-missing')).toEqual([]);
  });

  test('puts an object without metadata.namespace in the default namespace, which can be changed', () => {
    const loose = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } };
    expect(codes([loose], 'namespace-missing')).toEqual([]);
    const found = codes([loose], 'namespace-missing', { defaultNamespace: 'team-a' });
    expect(found).toHaveLength(1);
    expect(found[0].object).toMatchObject({ kind: 'ConfigMap', namespace: 'team-a' });
  });

  test('ignores cluster-scoped kinds, whatever their metadata says', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader', namespace: 'nowhere' } };
    expect(codes([role], 'namespace-missing')).toEqual([]);
  });
});
