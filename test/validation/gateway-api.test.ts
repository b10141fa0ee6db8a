// The schema and CEL validator (src/validation/crd-schema-validator.ts) on Gateway API v1.5.1 objects: the
// second schema set, defaults applied before the rules run (as the API server does), and the CEL
// rules of the kinds this library writes (Gateway, HTTPRoute).
import { withDefaults } from '../../src/validation/crd-schema-validator';
import { CrdSchemaSet, loadSchemaSet } from '../../src/validation/schema-sets';
import { validator, violationsOf } from '../schema';
import { Manifest } from '../util';

const gateway = (spec: Manifest): Manifest => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'ns' }, spec });
const http = { name: 'http', port: 80, protocol: 'HTTP' };
const route = (spec: Manifest): Manifest => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns' }, spec });
const messages = (obj: Manifest): string[] => violationsOf([obj]).map((v) => `${v.path}: ${v.message}`);

describe('CrdSchemaValidator on the Gateway API schema set', () => {
  test('knows the standard channel kinds of v1.5.1, and no experimental ones', () => {
    const kinds = validator.kinds.filter((k) => k.startsWith('gateway.networking.k8s.io/'));
    expect(kinds).toEqual([
      'gateway.networking.k8s.io/v1/GRPCRoute', 'gateway.networking.k8s.io/v1/Gateway', 'gateway.networking.k8s.io/v1/GatewayClass',
      'gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/ReferenceGrant',
      'gateway.networking.k8s.io/v1beta1/Gateway', 'gateway.networking.k8s.io/v1beta1/GatewayClass',
      'gateway.networking.k8s.io/v1beta1/HTTPRoute', 'gateway.networking.k8s.io/v1beta1/ReferenceGrant',
    ]);
    // An experimental-channel kind is left alone: a cluster may have that channel's CRDs installed.
    const tcpRoute = { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 't' }, spec: { bogus: 1 } };
    expect(validator.handles(tcpRoute)).toBe(false);
    expect(violationsOf([tcpRoute])).toEqual([]);
  });

  test('a minimal Gateway and HTTPRoute validate with zero violations', () => {
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [http] }))).toEqual([]);
    expect(messages(route({ parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'echo', port: 80 }] }] }))).toEqual([]);
  });

  test('applies the schema defaults before the rules, as the API server does', () => {
    const schema = loadSchemaSet(CrdSchemaSet.GATEWAY_API_V1_5_1).schemas['gateway.networking.k8s.io/v1/HTTPRoute'];
    const defaulted = withDefaults(schema, route({ parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'echo', port: 80 }] }] })) as Manifest;
    expect(defaulted.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }]);
    expect(defaulted.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(defaulted.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'echo', port: 80, weight: 1 }]);
  });

  test('fails on a Service backend without a port (a CEL rule that reads the defaulted group and kind)', () => {
    expect(messages(route({ parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'echo' }] }] })))
      .toEqual(['/spec/rules/0/backendRefs/0: Must have port for Service reference']);
  });

  test('fails on two listeners with one name', () => {
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [http, { ...http, port: 8080 }] })))
      .toEqual(['/spec/listeners: Listener name must be unique within the Gateway']);
  });

  test('fails on an HTTPS listener without certificates (its tls.mode defaults to Terminate)', () => {
    // Neither list is there, so the rule cannot even be evaluated: the API server rejects that too ("no such key").
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: {} }] })))
      .toEqual(['/spec/listeners/0/tls: CEL rule could not be evaluated: field not found: certificateRefs']);
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [] } }] })))
      .toEqual(['/spec/listeners/0/tls: CEL rule could not be evaluated: field not found: options']);
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'cert' }] } }] })))
      .toEqual([]);
  });

  test('fails on tls on an HTTP listener', () => {
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [{ ...http, tls: { certificateRefs: [{ name: 'cert' }] } }] })))
      .toEqual(['/spec/listeners: tls must not be specified for protocols [\'HTTP\', \'TCP\', \'UDP\']']);
  });

  test('fails on an infrastructure annotation key that is not a Kubernetes key (the split() rule runs too)', () => {
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [http], infrastructure: { annotations: { 'bad key': 'x', [`${'a'.repeat(253)}/b`]: 'y' } } })))
      .toEqual([
        '/spec/infrastructure/annotations: Annotation keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.',
        '/spec/infrastructure/annotations: If specified, the annotation key\'s prefix must be a DNS subdomain not longer than 253 characters in total.',
      ]);
  });

  test('fails on more than 8 infrastructure annotations', () => {
    const annotations = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`example.com/a${i}`, 'x']));
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [http], infrastructure: { annotations } })))
      .toEqual([expect.stringMatching(/^\/spec\/infrastructure\/annotations: must NOT have more than 8 properties/)]);
  });

  test('fails on a parametersRef without a group (required, even when empty)', () => {
    expect(messages(gateway({ gatewayClassName: 'istio', listeners: [http], infrastructure: { parametersRef: { kind: 'ConfigMap', name: 'options' } } })))
      .toEqual([expect.stringMatching(/^\/spec\/infrastructure\/parametersRef: must have required property 'group'/)]);
  });

  test('fails on a path prefix that does not start with "/"', () => {
    expect(messages(route({ parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'api' } }] }] })))
      .toEqual(expect.arrayContaining(['/spec/rules/0/matches/0/path: value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']']));
  });
});
