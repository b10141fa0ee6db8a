import { providerPresets } from '../../../src/edge';
import { LOAD_BALANCER_PROXY_ANNOTATIONS, proxyProtocolAnnotationsIn } from '../../../src/validation/analyze/lb-proxy-annotations';

describe('LOAD_BALANCER_PROXY_ANNOTATIONS', () => {
  test('recognizes the Service annotations of every edge preset that sends PROXY headers', () => {
    const sending = providerPresets().filter((p) => p.hop.proxyProtocol !== undefined);
    expect(sending.length).toBeGreaterThan(0);
    for (const preset of sending) {
      expect([preset.call, proxyProtocolAnnotationsIn(preset.hop.serviceAnnotations, []).length]).not.toEqual([preset.call, 0]);
    }
  });

  test('recognizes none in the presets that do not send PROXY headers', () => {
    for (const preset of providerPresets().filter((p) => p.hop.proxyProtocol === undefined)) {
      expect([preset.call, proxyProtocolAnnotationsIn(preset.hop.serviceAnnotations, [])]).toEqual([preset.call, []]);
    }
  });

  test.each([
    ['service.beta.kubernetes.io/scw-loadbalancer-proxy-protocol-v2', '80,443', true],
    ['service.beta.kubernetes.io/scw-loadbalancer-proxy-protocol-v2', 'false', false],
    ['service.beta.kubernetes.io/oci-load-balancer-connection-proxy-protocol-version', '2', true],
    ['service.beta.kubernetes.io/oci-load-balancer-connection-proxy-protocol-version', '3', false],
    ['service.beta.kubernetes.io/linode-loadbalancer-default-proxy-protocol', 'none', false],
    ['service.beta.kubernetes.io/linode-loadbalancer-port-80', 'not json', false],
    ['loadbalancer.openstack.org/proxy-protocol', 'v2', true],
    ['kubernetes.civo.com/loadbalancer-enable-proxy-protocol', 'send-proxy-v2', true],
    ['service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol', 'off', false],
    ['service.beta.kubernetes.io/aws-load-balancer-proxy-protocol', 'true', false],
  ])('%s: %j turns PROXY on: %s', (key, value, on) => {
    expect(proxyProtocolAnnotationsIn({ [key]: value }, []).length > 0).toBe(on);
  });

  test('every entry names where it is documented', () => {
    for (const entry of LOAD_BALANCER_PROXY_ANNOTATIONS) {
      expect(entry.see).not.toEqual('');
    }
  });
});
