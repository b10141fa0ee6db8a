import { ISTIO_DEFAULT_PROFILE_GATEWAY } from '../../../src/validation/analyze';
import { authorizationPolicy, codes, deployment, namespace } from './manifests';

const apps = namespace('apps', { 'istio-injection': 'enabled' });
const echo = deployment('apps', 'echo', { labels: { app: 'echo' } });

describe('IST0127 NoMatchingWorkloadsFound', () => {
  test('fires on a selector no pod template in the namespace matches, listing the templates considered', () => {
    const found = codes([apps, echo, authorizationPolicy('apps', 'deny', { selector: { matchLabels: { app: 'web' } }, action: 'DENY', rules: [{}] })], 'IST0127');
    expect(found).toHaveLength(1);
    expect(found[0].message).toBe('No matching workloads for this resource with the following labels: app=web (pod templates considered: Deployment apps/echo {app=echo}).');
  });

  test('fires when the matching pods are in another namespace (a policy selects in its own namespace)', () => {
    const found = codes([apps, echo, namespace('shop'), authorizationPolicy('shop', 'deny', { selector: { matchLabels: { app: 'echo' } } })], 'IST0127');
    expect(found[0].message).toMatch(/there are no pod templates in namespace shop/);
  });

  test('fires when the matching pods are not in the mesh, and says so', () => {
    const found = codes([namespace('apps'), echo, authorizationPolicy('apps', 'deny', { selector: { matchLabels: { app: 'echo' } } })], 'IST0127');
    expect(found[0].message).toMatch(/Deployment apps\/echo \{app=echo\} \(not in the mesh\)/);
  });

  test('fires on a policy without selector in a namespace without mesh pods', () => {
    expect(codes([namespace('shop'), authorizationPolicy('shop', 'all', { rules: [{}] })], 'IST0127')).toHaveLength(1);
  });

  test('stays quiet when a mesh pod template matches', () => {
    expect(codes([apps, echo, authorizationPolicy('apps', 'deny', { selector: { matchLabels: { app: 'echo' } } })], 'IST0127')).toEqual([]);
  });

  test('matches a root-namespace policy against pods in every namespace', () => {
    const policy = authorizationPolicy('istio-system', 'deny', { selector: { matchLabels: { app: 'echo' } } });
    expect(codes([apps, echo, policy], 'IST0127')).toEqual([]);
    expect(codes([apps, echo, policy], 'IST0127', { rootNamespace: 'mesh-root' })).toHaveLength(1);
  });

  test('counts a declared installed gateway as a mesh pod', () => {
    const policy = authorizationPolicy('istio-system', 'gw', { selector: { matchLabels: { app: 'istio-ingressgateway' } } });
    expect(codes([policy], 'IST0127', { installedGateways: [ISTIO_DEFAULT_PROFILE_GATEWAY], rootNamespace: 'none' })).toEqual([]);
  });
});

describe('IST0101 ReferencedResourceNotFound: source namespaces', () => {
  const policy = (namespaces: string[], notNamespaces: string[] = []) => authorizationPolicy('apps', 'from', {
    selector: { matchLabels: { app: 'echo' } }, rules: [{ from: [{ source: { namespaces, notNamespaces } }] }],
  });

  test('fires on a namespace that does not exist, in namespaces and notNamespaces', () => {
    const found = codes([apps, echo, policy(['shop'], ['legacy'])], 'IST0101');
    expect(found.map((f) => f.message)).toEqual(['Referenced namespace not found: "legacy".', 'Referenced namespace not found: "shop".']);
  });

  test('stays quiet for namespaces in the set, declared, built in, or matched by a wildcard', () => {
    expect(codes([apps, echo, namespace('shop'), policy(['shop', 'istio-system', 'ap*', '*ps'])], 'IST0101')).toEqual([]);
    expect(codes([apps, echo, policy(['shop'])], 'IST0101', { existingNamespaces: [{ name: 'shop' }] })).toEqual([]);
  });
});
