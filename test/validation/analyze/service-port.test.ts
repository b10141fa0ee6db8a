import { protocolKnown } from '../../../src/validation/analyze/service-port';
import { codes, PortSpec, service } from './manifests';

function portFindings(ports: PortSpec[], options: { labels?: Record<string, string>; type?: string; ns?: string } = {}) {
  return codes([service(options.ns ?? 'default', 'web', { app: 'web' }, ports, options)], 'IST0118');
}

describe('IST0118 PortNameIsNotUnderNamingConvention', () => {
  test('fires on a port without a name, showing port and targetPort', () => {
    const found = portFindings([{ port: 80, targetPort: 8080 }]);
    expect(found).toHaveLength(1);
    expect(found[0].message).toBe("Port name (none) (port: 80, targetPort: 8080) doesn't follow the naming convention of Istio port.");
    expect(found[0].fix).toMatch(/appProtocol/);
  });

  test.each(['web', 'status-port', 'h2c-api', 'httpx'])('fires on the name %s, whose prefix is not a protocol', (name) => {
    expect(portFindings([{ port: 8080, name }])).toHaveLength(1);
  });

  test('fires once per bad port of a Service', () => {
    expect(portFindings([{ port: 80, name: 'web' }, { port: 81, name: 'http-ok' }, { port: 82 }])).toHaveLength(2);
  });

  test.each([
    ['a protocol prefix', { port: 80, name: 'http-web' }],
    ['a bare protocol name, any case', { port: 80, name: 'HTTP2' }],
    ['grpc-web', { port: 80, name: 'grpc-web-api' }],
    ['appProtocol', { port: 80, name: 'web', appProtocol: 'http' }],
    ['a Kubernetes appProtocol', { port: 80, appProtocol: 'kubernetes.io/h2c' }],
    ['UDP', { port: 53, name: 'dns', protocol: 'UDP' }],
    ['a well-known port (MySQL)', { port: 3306, name: 'db' }],
  ])('stays quiet for %s', (_, port) => {
    expect(portFindings([port as PortSpec])).toEqual([]);
  });

  test('lets appProtocol decide over the name, as Istio does', () => {
    expect(portFindings([{ port: 80, name: 'http-web', appProtocol: 'custom' }])).toHaveLength(1);
  });

  test("stays quiet for Istio's own Services (label istio or release: istio) and system namespaces", () => {
    expect(portFindings([{ port: 15021, name: 'status-port' }], { labels: { istio: 'ingressgateway' } })).toEqual([]);
    expect(portFindings([{ port: 15021, name: 'status-port' }], { labels: { release: 'istio' } })).toEqual([]);
    expect(portFindings([{ port: 80 }], { ns: 'kube-system' })).toEqual([]);
  });
});

describe('IST0150 ExternalNameServiceTypeInvalidPortName', () => {
  test('fires instead of IST0118 on an ExternalName Service port named tcp or unnamed', () => {
    const docs = [service('default', 'db', undefined, [{ port: 5432, name: 'tcp' }, { port: 5433 }], { type: 'ExternalName' })];
    expect(codes(docs, 'IST0150')).toHaveLength(2);
    expect(codes(docs, 'IST0118')).toEqual([]);
  });

  test('stays quiet for an ExternalName port with a protocol name other than tcp', () => {
    expect(codes([service('default', 'db', undefined, [{ port: 443, name: 'tls-db' }], { type: 'ExternalName' })], 'IST0150')).toEqual([]);
  });
});

describe('protocolKnown', () => {
  test('reads the prefix up to the first dash, ignoring case', () => {
    expect(protocolKnown(9000, 'Mongo-primary', undefined, undefined)).toBe(true);
    expect(protocolKnown(9000, 'primary-mongo', undefined, undefined)).toBe(false);
  });
});
