import { codes, gatewayDeployment, namespace, service } from './manifests';

const GW = { istio: 'ingressgateway' };
const ns = namespace('istio-ingress');
const PROXY = { 'proxy.istio.io/config': '{"gatewayTopology":{"proxyProtocol":{}}}' };
const proxyGateway = gatewayDeployment('istio-ingress', 'gw', GW, PROXY);
const plainGateway = gatewayDeployment('istio-ingress', 'gw', GW);
const lb = (annotations: Record<string, string> = {}) => service('istio-ingress', 'gw', GW, [{ port: 80, name: 'http2' }], { type: 'LoadBalancer', annotations });

describe('proxy-protocol-without-lb', () => {
  test('fires when the gateway expects PROXY headers and its Service tells no load balancer to send them', () => {
    const found = codes([ns, proxyGateway, lb()], 'proxy-protocol-without-lb');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/Deployment istio-ingress\/gw sets gatewayTopology.proxyProtocol .* the Services selecting its pods \(istio-ingress\/gw, type LoadBalancer\) carry no annotation/);
  });

  test('fires when no Service selects the gateway (a Service without selector selects nothing)', () => {
    const noSelector = service('istio-ingress', 'gw', undefined, [{ port: 80, name: 'http2' }], { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' } });
    expect(codes([ns, proxyGateway, noSelector], 'proxy-protocol-without-lb')[0].message).toMatch(/no Service selects its pods/);
  });

  test('reads the ProxyConfig as YAML too', () => {
    const yamlConfig = gatewayDeployment('istio-ingress', 'gw', GW, { 'proxy.istio.io/config': 'gatewayTopology:\n  numTrustedProxies: 1\n  proxyProtocol: {}\n' });
    expect(codes([ns, yamlConfig, lb()], 'proxy-protocol-without-lb')).toHaveLength(1);
  });

  test.each([
    ['AWS', { 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' }],
    ['AWS target group attributes', { 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=false, proxy_protocol_v2.enabled=true' }],
    ['Linode per port', { 'service.beta.kubernetes.io/linode-loadbalancer-port-443': '{"proxy-protocol": "v2"}' }],
    ['Hetzner', { 'load-balancer.hetzner.cloud/uses-proxyprotocol': 'true' }],
  ])('stays quiet with the %s annotation', (_, annotations) => {
    expect(codes([ns, proxyGateway, lb(annotations)], 'proxy-protocol-without-lb')).toEqual([]);
  });

  test('stays quiet with an annotation declared for an unlisted load balancer, and only with its values', () => {
    const opts = (values?: string[]) => ({ proxyProtocolAnnotations: [{ key: 'lb.example.com/proxy', ...(values ? { values } : {}) }] });
    expect(codes([ns, proxyGateway, lb({ 'lb.example.com/proxy': 'yes' })], 'proxy-protocol-without-lb', opts())).toEqual([]);
    expect(codes([ns, proxyGateway, lb({ 'lb.example.com/proxy': 'yes' })], 'proxy-protocol-without-lb', opts(['v2']))).toHaveLength(1);
    expect(codes([ns, proxyGateway, lb({ 'lb.example.com/proxy': 'false' })], 'proxy-protocol-without-lb', opts())).toHaveLength(1);
  });

  test('does not take an annotation that turns PROXY off', () => {
    expect(codes([ns, proxyGateway, lb({ 'service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol': 'false' })], 'proxy-protocol-without-lb')).toHaveLength(1);
  });

  test('stays quiet for a gateway that does not expect PROXY headers', () => {
    expect(codes([ns, plainGateway, lb()], 'proxy-protocol-without-lb')).toEqual([]);
  });
});

describe('proxy-protocol-not-expected', () => {
  test('fires on a Service that sends PROXY headers to gateway pods that do not expect them', () => {
    const found = codes([ns, plainGateway, lb({ 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' })], 'proxy-protocol-not-expected');
    expect(found).toHaveLength(1);
    expect(found[0].object).toMatchObject({ kind: 'Service', name: 'gw' });
    expect(found[0].message).toMatch(/\(service.beta.kubernetes.io\/aws-load-balancer-proxy-protocol: "\*"\)/);
  });

  test('stays quiet when both ends agree, and for Services in front of non-gateway pods', () => {
    expect(codes([ns, proxyGateway, lb({ 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' })], 'proxy-protocol-not-expected')).toEqual([]);
    const app = service('apps', 'nginx', { app: 'nginx' }, [{ port: 80, name: 'http' }], { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' } });
    expect(codes([namespace('apps'), app], 'proxy-protocol-not-expected')).toEqual([]);
  });
});
