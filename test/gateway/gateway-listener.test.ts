import { GatewayListener, RouteNamespaces } from '../../src';
import { validationErrorOf } from '../util';

describe('GatewayListener', () => {
  test('listens for HTTP on port 80 by default, for routes of the Gateway\'s namespace', () => {
    const listener = GatewayListener.http();
    expect([listener.name, listener.port, listener.protocol, listener.hostname]).toEqual(['http', 80, 'HTTP', undefined]);
    expect(listener._render()).toEqual({ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } });
  });

  test('names a listener on another port after the port', () => {
    expect(GatewayListener.http({ port: 8080 }).name).toBe('http-8080');
    expect(GatewayListener.https({ port: 8443, certificateRefs: ['cert'] }).name).toBe('https-8443');
  });

  test('terminates HTTPS with the certificate Secrets, in the Gateway\'s namespace', () => {
    const listener = GatewayListener.https({ certificateRefs: ['shop-tls'], hostname: 'shop.example.com', routeNamespaces: RouteNamespaces.named('shop') });
    expect(listener._render()).toEqual({
      name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com',
      allowedRoutes: { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] } } },
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-tls' }] },
    });
  });

  test('fails if the port is one the proxy reserves for itself', () => {
    expect(validationErrorOf(() => GatewayListener.http({ port: 15021 })).message)
      .toMatch(/'port' must be a port Istio does not reserve for the proxy itself \(15000, .*15021.*\), got 15021\. Fix: listen on another port/);
  });

  test('fails if the port is out of range', () => {
    expect(validationErrorOf(() => GatewayListener.http({ port: 0 })).message).toMatch(/'port' must be a whole number from 1 to 65535, got 0/);
  });

  test('fails if the host name is a bare wildcard or not lower-case DNS', () => {
    expect(validationErrorOf(() => GatewayListener.http({ hostname: '*' })).message).toMatch(/'hostname' must be a lower-case DNS name.*got "\*"\. Fix: write e\.g\. "shop\.example\.com", or leave it unset/);
    expect(validationErrorOf(() => GatewayListener.http({ hostname: 'Shop.example.com' })).message).toMatch(/'hostname' must be a lower-case DNS name/);
  });

  test('fails if the name is not a section name', () => {
    expect(validationErrorOf(() => GatewayListener.http({ name: 'HTTP_1' })).message).toMatch(/'name' must be lower-case letters, digits, '-' and '\.'.*got "HTTP_1"/);
  });

  test('fails if an HTTPS listener has no certificate, or a certificate name is not a Secret name', () => {
    expect(validationErrorOf(() => GatewayListener.https({ certificateRefs: [] })).message)
      .toMatch(/'certificateRefs' must be at least one Secret name \(an HTTPS listener needs a certificate\), got \[\]/);
    expect(validationErrorOf(() => GatewayListener.https({ certificateRefs: ['Shop TLS'] })).message).toMatch(/'certificateRefs\[0\]' must be an object name/);
    expect(validationErrorOf(() => GatewayListener.https(undefined as never)).message).toMatch(/'options' must be an object/);
  });

  test('fails if routeNamespaces is not a RouteNamespaces', () => {
    expect(validationErrorOf(() => GatewayListener.http({ routeNamespaces: 'All' as never })).message)
      .toMatch(/'routeNamespaces' must be a RouteNamespaces, got "All"\. Fix: write RouteNamespaces\.named\("shop"\)/);
  });
});

describe('RouteNamespaces', () => {
  test('admits routes as allowedRoutes.namespaces does', () => {
    expect(RouteNamespaces.same().allows('edge', 'edge')).toBe(true);
    expect(RouteNamespaces.same().allows('shop', 'edge')).toBe(false);
    expect(RouteNamespaces.all().allows('shop', 'edge')).toBe(true);
    expect(RouteNamespaces.named('shop', 'api').allows('shop', 'edge')).toBe(true);
    expect(RouteNamespaces.named('shop').allows('web', 'edge')).toBe(false);
    expect(RouteNamespaces.named('shop').allows('edge', 'edge')).toBe(false);
    expect(RouteNamespaces.all()._render()).toEqual({ from: 'All' });
    expect(String(RouteNamespaces.named('web', 'api'))).toBe('named: api, web');
  });

  test('fails if no namespace, a bad one or a duplicate is named', () => {
    expect(validationErrorOf(() => RouteNamespaces.named()).message).toMatch(/'namespaces' must be at least one namespace name, got \[\]/);
    expect(validationErrorOf(() => RouteNamespaces.named('Shop')).message).toMatch(/'namespaces\[0\]' must be a namespace name/);
    expect(validationErrorOf(() => RouteNamespaces.named('shop', 'shop')).message).toMatch(/'namespaces' must be distinct names/);
  });
});
