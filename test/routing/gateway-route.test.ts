import { ApiObject, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as kplus from 'cdk8s-plus-27';
import {
  GatewayRoute, IngressGateway, RouteBackend, RouteListener, SourceIpEcho, SourceIpValidationError, Warnings,
} from '../../src';
import { newChart, only } from '../util';

function setup() {
  const chart = newChart({ namespace: 'shop' });
  const gateway = new IngressGateway(chart, 'gw', { namespace: 'istio-ingress' });
  const echo = new SourceIpEcho(chart, 'echo', { curlClient: false });
  return { chart, gateway, echo };
}

describe('GatewayRoute', () => {
  test('binds an Istio Gateway on the gateway pods to a VirtualService that routes to the Service', () => {
    // GIVEN
    const { chart, gateway, echo } = setup();
    // WHEN
    new GatewayRoute(chart, 'route', { name: 'shop', gateway, backend: RouteBackend.service(echo.service), hosts: ['shop.example.com'] });
    // THEN
    const objects = Testing.synth(chart);
    expect(only(objects, 'Gateway')).toMatchObject({
      apiVersion: 'networking.istio.io/v1',
      metadata: { name: 'shop', namespace: 'shop' },
      spec: { selector: { app: 'ingress-gateway', istio: 'ingress-gateway' }, servers: [{ port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['shop.example.com'] }] },
    });
    expect(only(objects, 'VirtualService').spec).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['shop/shop'],
      http: [{ match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'echo-server.shop.svc.cluster.local', port: { number: 80 } } }] }],
    });
  });

  test('terminates HTTPS with the Secret named by credentialName', () => {
    const { chart, gateway, echo } = setup();
    new GatewayRoute(chart, 'route', {
      gateway, backend: RouteBackend.service(echo.service), hosts: ['shop.example.com'],
      listeners: [RouteListener.http(), RouteListener.https({ credentialName: 'shop-tls' })],
    });
    expect(only(Testing.synth(chart), 'Gateway').spec.servers[1]).toEqual({
      port: { number: 443, name: 'https-443', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' },
    });
  });

  test('routes longer path prefixes first', () => {
    const { chart, gateway, echo } = setup();
    const route = new GatewayRoute(chart, 'route', { gateway, backend: RouteBackend.service(echo.service) });
    route.addPath('/api', RouteBackend.fromName({ name: 'api', namespace: 'shop', port: 8080, portName: 'http-api' }));
    const http = only(Testing.synth(chart), 'VirtualService').spec.http;
    expect(http.map((r: { match: { uri: { prefix: string } }[] }) => r.match[0].uri.prefix)).toEqual(['/api', '/']);
    expect(http[0].route[0].destination).toEqual({ host: 'api.shop.svc.cluster.local', port: { number: 8080 } });
  });

  test('takes a cdk8s-plus Service and picks the port asked for', () => {
    const { chart, gateway } = setup();
    const service = new kplus.Service(chart, 'svc', { ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 9000 }] });
    new GatewayRoute(chart, 'route', { gateway, backend: RouteBackend.service(service, { port: 9000 }) });
    expect(only(Testing.synth(chart), 'VirtualService').spec.http[0].route[0].destination.port).toEqual({ number: 9000 });
  });

  test('warns when the backend port tells Istio no protocol (IST0118)', () => {
    const { chart, gateway } = setup();
    const service = new k8s.KubeService(chart, 'svc', { metadata: { name: 'plain' }, spec: { ports: [{ name: 'web', port: 80 }] } });
    const route = new GatewayRoute(chart, 'route', { gateway, backend: RouteBackend.service(service) });
    Testing.synth(chart);
    expect(Warnings.collect(route).map((w) => w.id)).toEqual(['route-port-protocol-unknown']);
    expect(Warnings.collect(route)[0].message).toMatch(/the backend Service port "web" has no Istio protocol prefix and no appProtocol/);
  });

  test('stays quiet when the port has an appProtocol', () => {
    const { chart, gateway } = setup();
    const service = new k8s.KubeService(chart, 'svc', { metadata: { name: 'plain' }, spec: { ports: [{ name: 'web', port: 80, appProtocol: 'http' }] } });
    const route = new GatewayRoute(chart, 'route', { gateway, backend: RouteBackend.service(service) });
    Testing.synth(chart);
    expect(Warnings.collect(route)).toEqual([]);
  });

  test('fails if a listener port is not a port of the gateway Service (IST0162)', () => {
    const { chart, gateway, echo } = setup();
    expect(() => new GatewayRoute(chart, 'route', { gateway, backend: RouteBackend.service(echo.service), listeners: [RouteListener.http({ port: 8080 })] }))
      .toThrow(/'listeners\[0\]\.port' must be a port the gateway pods listen on behind Service ingress-gateway \(15021, 80, 443\), got 8080/);
  });

  test('fails if the backend has several ports and none is chosen', () => {
    const { chart } = setup();
    const service = new kplus.Service(chart, 'svc', { ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 9000 }] });
    expect(() => RouteBackend.service(service))
      .toThrow(/'port' must be one of the ports of Service [\w-]+ \(80 "http", 9000 "grpc"\), because it has several, got undefined\. Fix: pass RouteBackend\.service\(service, \{ port \}\)/);
  });

  test('fails if the backend is not a Service', () => {
    const { echo } = setup();
    expect(() => RouteBackend.service(echo.deployment)).toThrow(SourceIpValidationError);
    expect(() => RouteBackend.service(echo.deployment)).toThrow(/'service' must be a cdk8s-plus Service or a KubeService, got an ApiObject of kind Deployment/);
    expect(() => RouteBackend.service(null as unknown as ApiObject)).toThrow(SourceIpValidationError);
  });

  test('fails if two routes claim the same host and port on the same gateway pods (IST0145)', () => {
    const { chart, gateway, echo } = setup();
    new GatewayRoute(chart, 'a', { gateway, backend: RouteBackend.service(echo.service), hosts: ['*.example.com'] });
    new GatewayRoute(chart, 'b', { gateway, backend: RouteBackend.service(echo.service), hosts: ['shop.example.com'] });
    expect(() => Testing.synth(chart)).toThrow(/route test\/b also claims host "\*\.example\.com" on port 80 of the same gateway pods.*IST0145/);
  });

  test('allows two routes with different hosts on one gateway', () => {
    const { chart, gateway, echo } = setup();
    new GatewayRoute(chart, 'a', { gateway, backend: RouteBackend.service(echo.service), hosts: ['a.example.com'] });
    new GatewayRoute(chart, 'b', { gateway, backend: RouteBackend.service(echo.service), hosts: ['b.example.com'] });
    expect(Testing.synth(chart).filter((o) => o.kind === 'Gateway')).toHaveLength(2);
  });

  test('fails if a host or path is not one Istio accepts', () => {
    const { chart, gateway, echo } = setup();
    expect(() => new GatewayRoute(chart, 'route', { gateway, backend: RouteBackend.service(echo.service), hosts: ['Shop_Example'] }))
      .toThrow(/'hosts\[0\]' must be a lower-case DNS name, "\*\.<domain>" or "\*", got "Shop_Example"/);
    const route = new GatewayRoute(chart, 'ok', { gateway, backend: RouteBackend.service(echo.service) });
    expect(() => route.addPath('api', RouteBackend.service(echo.service))).toThrow(/'pathPrefix' must be a path starting with "\/", got "api"/);
    expect(() => route.addPath('/', RouteBackend.service(echo.service))).toThrow(/'pathPrefix' must be not routed yet, got "\/"/);
  });

  test('fails with our error for plain-JavaScript mistakes', () => {
    const { chart } = setup();
    expect(() => new GatewayRoute(chart, 'x', undefined as never)).toThrow(SourceIpValidationError);
    expect(() => new GatewayRoute(chart, 'y', { gateway: {} as never, backend: 'svc' as never }))
      .toThrow(/'gateway' must be an IngressGateway[\s\S]*'backend' must be a RouteBackend/);
    expect(() => RouteListener.https(undefined as never)).toThrow(SourceIpValidationError);
    expect(() => RouteListener.https({} as never)).toThrow(/'credentialName' must be a Secret name/);
  });
});
