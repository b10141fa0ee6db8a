import { analyzeManifests, formatFinding } from '../../../src/validation/analyze';
import { authorizationPolicy, codes, deployment, namespace, service } from './manifests';

type Obj = Record<string, unknown>;
const GROUP = 'gateway.networking.k8s.io';

const edge = namespace('edge', { 'istio-injection': 'enabled' });
const shop = namespace('shop', { 'istio-injection': 'enabled' });
const echo = deployment('shop', 'echo', { labels: { app: 'echo' } });
const echoService = service('shop', 'echo', { app: 'echo' }, [{ port: 80, name: 'http' }]);

function k8sGateway(name: string, listeners: Obj[] = [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }], extra: Obj = {}): Obj {
  return { apiVersion: `${GROUP}/v1`, kind: 'Gateway', metadata: { name, namespace: 'edge' }, spec: { gatewayClassName: 'istio', listeners, ...extra } };
}
function httpRoute(ns: string, parentRefs: Obj[], backendRefs: Obj[] = [{ name: 'echo', port: 80 }]): Obj {
  return { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name: 'r', namespace: ns }, spec: { parentRefs, rules: [{ backendRefs }] } };
}
const toGw = (sectionName?: string): Obj => ({ name: 'gw', namespace: 'edge', ...(sectionName === undefined ? {} : { sectionName }) });

describe('the pods istiod deploys for a Gateway API Gateway', () => {
  test('count as mesh pods for policies in the Gateway\'s namespace (no IST0127 for a targetRefs policy)', () => {
    const policy = authorizationPolicy('edge', 'deny', { action: 'DENY', targetRefs: [{ group: GROUP, kind: 'Gateway', name: 'gw' }], rules: [{}] });
    expect(codes([edge, k8sGateway('gw'), policy], 'IST0127')).toEqual([]);
    expect(codes([edge, policy], 'IST0127')).toHaveLength(1);
  });

  test('are only deployed for the istio class', () => {
    const other = { ...k8sGateway('gw'), spec: { gatewayClassName: 'other', listeners: [] } };
    const policy = authorizationPolicy('edge', 'deny', { selector: { matchLabels: { [`${GROUP}/gateway-name`]: 'gw' } } });
    expect(codes([edge, other, policy], 'IST0127')).toHaveLength(1);
    expect(codes([edge, other, policy], 'IST0166')).toEqual([]);
  });
});

describe('IST0166 IneffectiveSelector', () => {
  test('fires on a selector that matches a Gateway API gateway\'s pods', () => {
    const policy = authorizationPolicy('edge', 'deny', { selector: { matchLabels: { [`${GROUP}/gateway-name`]: 'gw' } }, action: 'DENY', rules: [{}] });
    const found = codes([edge, k8sGateway('gw'), policy], 'IST0166');
    expect(found.map(formatFinding)).toEqual([expect.stringMatching(
      /^Warning \[IST0166\] \(AuthorizationPolicy edge\/deny\) Ineffective selector on Kubernetes Gateway gw\. Use the TargetRef field instead\. Fix: Replace selector with targetRefs/)]);
  });

  test('reads infrastructure labels as pod labels, and stays quiet for a selector on other pods', () => {
    const gw = k8sGateway('gw', undefined, { infrastructure: { labels: { team: 'edge' } } });
    expect(codes([edge, gw, authorizationPolicy('edge', 'p', { selector: { matchLabels: { team: 'edge' } } })], 'IST0166')).toHaveLength(1);
    expect(codes([edge, gw, authorizationPolicy('edge', 'p', { selector: { matchLabels: { team: 'web' } } })], 'IST0166')).toEqual([]);
  });
});

describe('policy-target-not-found', () => {
  test('fires on targetRefs to a Gateway not in the policy\'s namespace', () => {
    const policy = authorizationPolicy('shop', 'deny', { action: 'DENY', targetRefs: [{ group: GROUP, kind: 'Gateway', name: 'gw' }], rules: [{}] });
    const found = codes([edge, shop, echo, k8sGateway('gw'), policy], 'policy-target-not-found');
    expect(found.map((f) => f.message)).toEqual(['targetRefs names Gateway shop/gw, which is not in the set, so the policy applies to nothing.']);
  });
});

describe('HTTPRoute rules', () => {
  const base = [edge, shop, echo, echoService];

  test('a route to an existing listener and Service, admitted by it, is quiet', () => {
    expect(analyzeManifests([...base, k8sGateway('gw'), httpRoute('shop', [toGw('http')])]).map(formatFinding)).toEqual([]);
  });

  test('fires on a parent Gateway or listener that is not there', () => {
    expect(codes([...base, httpRoute('shop', [toGw()])], 'route-parent-not-found').map((f) => f.message))
      .toEqual(['parentRefs names Gateway edge/gw, which is not in the set, so the route attaches to nothing.']);
    expect(codes([...base, k8sGateway('gw'), httpRoute('shop', [toGw('https')])], 'route-parent-not-found')[0].message)
      .toMatch(/listener "https" of Gateway edge\/gw, which has no such listener \(it has "http"\)/);
  });

  test('fires when the listener admits routes from its own namespace only (the default)', () => {
    const gw = k8sGateway('gw', [{ name: 'http', port: 80, protocol: 'HTTP' }]);
    const found = codes([...base, gw, httpRoute('shop', [toGw('http')])], 'route-not-allowed-by-listener');
    expect(found[0].message).toMatch(/No listener of Gateway edge\/gw named "http" admits an HTTPRoute from namespace shop \(http: HTTP, routes from Same\)/);
  });

  test('evaluates a namespace Selector against the namespace labels and kubernetes.io/metadata.name', () => {
    const byName = (values: string[]) => k8sGateway('gw', [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: {
      from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values }] } } } }]);
    expect(codes([...base, byName(['shop']), httpRoute('shop', [toGw()])], 'route-not-allowed-by-listener')).toEqual([]);
    expect(codes([...base, byName(['web']), httpRoute('shop', [toGw()])], 'route-not-allowed-by-listener')).toHaveLength(1);
    const byLabel = k8sGateway('gw', [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'istio-injection': 'enabled' } } } } }]);
    expect(codes([...base, byLabel, httpRoute('shop', [toGw()])], 'route-not-allowed-by-listener')).toEqual([]);
  });

  test('fires when the listener takes no HTTPRoute (allowedRoutes.kinds)', () => {
    const gw = k8sGateway('gw', [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' }, kinds: [{ kind: 'GRPCRoute' }] } }]);
    expect(codes([...base, gw, httpRoute('shop', [toGw()])], 'route-not-allowed-by-listener')).toHaveLength(1);
  });

  test('fires on a backend Service or port that is not there', () => {
    const gw = k8sGateway('gw');
    expect(codes([...base, gw, httpRoute('shop', [toGw()], [{ name: 'web', port: 80 }])], 'route-backend-not-found')[0].message)
      .toBe('backendRefs names Service shop/web, which is not in the set, so requests get 500 (BackendNotFound).');
    expect(codes([...base, gw, httpRoute('shop', [toGw()], [{ name: 'echo', port: 8080 }])], 'route-backend-not-found')[0].message)
      .toBe('backendRefs names port 8080 of Service shop/echo, which has ports 80.');
  });

  test('fires on a backend in another namespace without a ReferenceGrant, and stays quiet with one', () => {
    const route = httpRoute('edge', [toGw()], [{ name: 'echo', namespace: 'shop', port: 80 }]);
    expect(codes([...base, k8sGateway('gw'), route], 'route-backend-not-found')[0].message).toMatch(/RefNotPermitted/);
    const grant = { apiVersion: `${GROUP}/v1`, kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'shop' },
      spec: { from: [{ group: GROUP, kind: 'HTTPRoute', namespace: 'edge' }], to: [{ group: '', kind: 'Service' }] } };
    expect(codes([...base, k8sGateway('gw'), route, grant], 'route-backend-not-found')).toEqual([]);
  });
});

describe('gateway-parameters-invalid', () => {
  const withRef = (ref: Obj) => k8sGateway('gw', undefined, { infrastructure: { parametersRef: ref } });
  const configMap = (data: Record<string, string>): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gw-options', namespace: 'edge' }, data });

  test('fires on parameters that are not a ConfigMap, and on a missing ConfigMap', () => {
    expect(codes([edge, withRef({ group: 'example.com', kind: 'Params', name: 'p' })], 'gateway-parameters-invalid')[0].message).toMatch(/unknown infrastructure parameters type/);
    expect(codes([edge, withRef({ group: '', kind: 'ConfigMap', name: 'gw-options' })], 'gateway-parameters-invalid')[0].message).toMatch(/configmap does not exist/);
  });

  test('fires on an overlay key istiod does not apply, and stays quiet on the allowed ones', () => {
    const ref = withRef({ group: '', kind: 'ConfigMap', name: 'gw-options' });
    expect(codes([edge, ref, configMap({ deployments: 'spec: {}' })], 'gateway-parameters-invalid')[0].message).toMatch(/deployments: "unsupported overlay"/);
    expect(codes([edge, ref, configMap({ deployment: 'spec: {}', service: 'spec: {}', podDisruptionBudget: 'spec: {}' })], 'gateway-parameters-invalid')).toEqual([]);
  });
});
