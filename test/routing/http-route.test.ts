import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  GatewayListener, GatewayRoute, HttpRoute, IngressGateway, KubernetesGateway, RouteBackend, RouteNamespaces, SourceIpEcho, Warnings,
} from '../../src';
import { newChart, only, validationErrorOf } from '../util';

function setup(listeners: GatewayListener[] = [GatewayListener.http({ routeNamespaces: RouteNamespaces.named('shop') })]) {
  const chart = newChart();
  const gateway = new KubernetesGateway(chart, 'gw', { namespace: 'edge', listeners });
  const echo = new SourceIpEcho(chart, 'echo', { namespace: 'shop', curlClient: false });
  return { chart, gateway, backend: RouteBackend.service(echo.service) };
}

describe('HttpRoute', () => {
  test('attaches to the gateway\'s HTTP listeners by sectionName and routes to the Service port, in the backend\'s namespace', () => {
    // GIVEN
    const { chart, gateway, backend } = setup();
    // WHEN
    new HttpRoute(chart, 'route', { name: 'shop', gateway, backend });
    // THEN
    expect(only(Testing.synth(chart), 'HTTPRoute')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'shop' },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress-gateway', namespace: 'edge', sectionName: 'http' }],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ group: '', kind: 'Service', name: 'echo-server', port: 80 }],
        }],
      },
    });
  });

  test('attaches to every HTTP and HTTPS listener by default, or to the ones named', () => {
    const shop = RouteNamespaces.named('shop');
    const { chart, gateway, backend } = setup([GatewayListener.http({ routeNamespaces: shop }), GatewayListener.https({ certificateRefs: ['tls'], routeNamespaces: shop })]);
    const all = new HttpRoute(chart, 'all', { gateway, backend });
    const one = new HttpRoute(chart, 'one', { gateway, backend, sectionNames: ['https'], hostnames: ['shop.example.com'] });
    expect(all.sectionNames).toEqual(['http', 'https']);
    expect(one._render()).toMatchObject({ parentRefs: [{ sectionName: 'https' }], hostnames: ['shop.example.com'] });
  });

  test('matches longer path prefixes first', () => {
    const { chart, gateway, backend } = setup();
    const route = new HttpRoute(chart, 'route', { gateway, backend });
    route.addPath('/api', RouteBackend.fromName({ name: 'api', namespace: 'shop', port: 8080, portName: 'http-api' }));
    expect(route._render().rules?.map((r) => r.matches?.[0].path?.value)).toEqual(['/api', '/']);
    expect(Object.keys(route.backends)).toEqual(['/', '/api']);
  });

  test('warns when the backend port\'s protocol is unknown to Istio (IST0118)', () => {
    const { chart, gateway } = setup();
    new HttpRoute(chart, 'route', { gateway, backend: RouteBackend.fromName({ name: 'web', namespace: 'shop', port: 8080, portName: 'web' }) });
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['route-port-protocol-unknown']);
  });

  test('fails if the gateway is not a Gateway API gateway, and GatewayRoute refuses one', () => {
    const chart = newChart();
    const injected = new IngressGateway(chart, 'i', { namespace: 'edge' });
    const k8sGateway = new KubernetesGateway(chart, 'k', { namespace: 'edge', name: 'k' });
    const backend = RouteBackend.fromName({ name: 'web', namespace: 'shop', port: 80 });
    expect(validationErrorOf(() => new HttpRoute(chart, 'r', { gateway: injected as never, backend })).message)
      .toMatch(/'gateway' must be a KubernetesGateway.*Fix: pass the KubernetesGateway construct \(an IngressGateway is routed with GatewayRoute\)/);
    expect(validationErrorOf(() => new GatewayRoute(chart, 'g', { gateway: k8sGateway, backend })).message)
      .toMatch(/'gateway' must be a gateway whose pods Istio Gateway resources select \(not a Kubernetes Gateway API gateway\).*Fix: route a KubernetesGateway with HttpRoute/);
  });

  test('fails if a section name is not a listener of the gateway, or is listed twice', () => {
    const { chart, gateway, backend } = setup();
    expect(validationErrorOf(() => new HttpRoute(chart, 'r', { gateway, backend, sectionNames: ['https'] })).message)
      .toMatch(/'sectionNames\[0\]' must be a listener of gateway ingress-gateway \(http\), got "https"/);
    expect(validationErrorOf(() => new HttpRoute(chart, 'r2', { gateway, backend, sectionNames: ['http', 'http'] })).message).toMatch(/'sectionNames\[1\]' must be listed once/);
  });

  test('fails if the backend is in another namespace than the route (it would need a ReferenceGrant)', () => {
    const { chart, gateway, backend } = setup();
    expect(validationErrorOf(() => new HttpRoute(chart, 'r', { gateway, backend, namespace: 'web' })).message)
      .toMatch(/'backend' must be a Service in the route's namespace web \(another namespace needs a ReferenceGrant there\), got "shop\/echo-server"/);
  });

  test('fails on a bad hostname or path prefix', () => {
    const { chart, gateway, backend } = setup();
    expect(validationErrorOf(() => new HttpRoute(chart, 'r', { gateway, backend, hostnames: ['*'] })).message).toMatch(/'hostnames\[0\]' must be a lower-case DNS name/);
    expect(validationErrorOf(() => new HttpRoute(chart, 'r2', { gateway, backend, pathPrefix: 'api' })).message).toMatch(/'pathPrefix' must be a path starting with "\/"/);
  });

  test('fails at synth if the listener does not admit routes from the route\'s namespace', () => {
    const { chart, gateway, backend } = setup([GatewayListener.http()]);
    new HttpRoute(chart, 'route', { gateway, backend });
    expect(() => Testing.synth(chart)).toThrow(/listener "http" of gateway .*gw admits routes from same \(namespace edge\), not from this route's namespace shop.*RouteNamespaces\.named\("shop"\)/);
  });

  test('fails at synth if no route hostname matches the listener\'s', () => {
    const { chart, gateway, backend } = setup([GatewayListener.http({ hostname: '*.example.com', routeNamespaces: RouteNamespaces.all() })]);
    new HttpRoute(chart, 'ok', { gateway, backend, hostnames: ['shop.example.com'] });
    expect(() => Testing.synth(chart)).not.toThrow();
    new HttpRoute(chart, 'route', { gateway, backend, hostnames: ['shop.example.org'] });
    expect(() => Testing.synth(chart)).toThrow(/none of the route's hostnames \(shop\.example\.org\) matches listener "http"'s hostname \*\.example\.com/);
  });

  test('takes a cdk8s-plus Service as backend', () => {
    const { chart, gateway } = setup();
    const service = new kplus.Service(chart, 'svc', { metadata: { namespace: 'shop' }, ports: [{ port: 8080, name: 'http' }] });
    const route = new HttpRoute(chart, 'route', { gateway, backend: RouteBackend.service(service) });
    expect(route._render().rules?.[0].backendRefs?.[0]).toMatchObject({ port: 8080 });
  });
});
