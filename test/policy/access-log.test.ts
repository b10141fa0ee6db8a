import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AccessLogEncoding, ClientIpAccessLog, EdgeChain, EdgeHop, explainIngressGateways, GatewayListener, IngressGateway, IstioVersion,
  KubernetesGateway, PolicyTarget,
} from '../../src';
import { formatViolations, violationsOf } from '../schema';
import { newChart, only, synth, validationErrorOf } from '../util';

const container = { image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080 };

describe('ClientIpAccessLog', () => {
  test('turns on the provider for the gateway\'s pods with a Telemetry in the gateway\'s namespace, on the CLIENT and SERVER side', () => {
    // GIVEN
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gateway', { namespace: 'istio-ingress' });
    // WHEN
    new ClientIpAccessLog(chart, 'log', { target: PolicyTarget.gateway(gateway), name: 'gateway-client-ip' });
    // THEN
    const telemetries = synth(chart).filter((o) => o.kind === 'Telemetry');
    expect(telemetries).toEqual([{
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'gateway-client-ip', namespace: 'istio-ingress' },
      // No match: Istio counts a gateway's listeners as the CLIENT side (pilot/pkg/model/telemetry.go workloadMode).
      spec: { selector: { matchLabels: { app: 'ingress-gateway', istio: 'ingress-gateway' } }, accessLogging: [{ providers: [{ name: 'client-ip-access-log' }] }] },
    }]);
  });

  test('logs workloads\' inbound (SERVER) requests with a Telemetry in each workload\'s namespace', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gateway');
    const echo = new kplus.Deployment(chart, 'echo', { metadata: { namespace: 'shop' }, containers: [container] });
    const log = new ClientIpAccessLog(chart, 'log', { target: PolicyTarget.gateway(gateway), workloads: [PolicyTarget.workload(echo)], providerName: 'shop-log' });
    const [, workload] = synth(chart).filter((o) => o.kind === 'Telemetry');
    expect(workload.metadata.namespace).toBe('shop');
    expect(workload.spec.accessLogging).toEqual([{ providers: [{ name: 'shop-log' }], match: { mode: 'SERVER' } }]);
    expect(workload.spec.selector.matchLabels).toEqual(PolicyTarget.workload(echo).selectorLabels);
    expect(log.workloadResources).toHaveLength(1);
  });

  test('every Telemetry validates against the pinned Telemetry CRD', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gateway', { namespace: 'istio-ingress' });
    const echo = new kplus.Deployment(chart, 'echo', { metadata: { namespace: 'shop' }, containers: [container] });
    new ClientIpAccessLog(chart, 'log', { target: PolicyTarget.gateway(gateway), workloads: [PolicyTarget.workload(echo)], encoding: AccessLogEncoding.TEXT });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'Telemetry')).toHaveLength(2);
    expect(formatViolations(violationsOf(objects))).toEqual([]);
  });

  test('attaches to a Gateway API gateway\'s Gateway with targetRefs, never a selector (IST0166)', () => {
    const chart = newChart();
    const gateway = new KubernetesGateway(chart, 'gateway', { namespace: 'istio-ingress', listeners: [GatewayListener.http()] });
    new ClientIpAccessLog(chart, 'log', { target: PolicyTarget.gateway(gateway) });
    const objects = synth(chart);
    const telemetry = only(objects, 'Telemetry');
    expect(telemetry.metadata.namespace).toBe('istio-ingress');
    expect(telemetry.spec.selector).toBeUndefined();
    expect(telemetry.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.policyTargetRef.name }]);
    expect(formatViolations(violationsOf(objects))).toEqual([]);
  });

  test('writes telemetry.istio.io/v1alpha1 for a target before Istio 1.22, and it validates', () => {
    const app = new App();
    IstioVersion.V1_20.applyTo(app);
    const chart = new Chart(app, 'old');
    new ClientIpAccessLog(chart, 'log', { target: PolicyTarget.gateway(new IngressGateway(chart, 'gateway')) });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'Telemetry').map((o) => o.apiVersion)).toEqual(['telemetry.istio.io/v1alpha1']);
    expect(formatViolations(violationsOf(objects))).toEqual([]);
  });

  test('describes its provider: JSON labels by default, text on request', () => {
    const chart = newChart();
    const target = PolicyTarget.gateway(new IngressGateway(chart, 'gateway'));
    const json = new ClientIpAccessLog(chart, 'json', { target });
    const text = new ClientIpAccessLog(chart, 'text', { target, providerName: 'text-log', encoding: AccessLogEncoding.TEXT, path: '/dev/stderr' });
    expect(json.extensionProvider.envoyFileAccessLog).toMatchObject({ path: '/dev/stdout', logFormat: { labels: { client_ip: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' } } });
    expect(text.extensionProvider).toMatchObject({ name: 'text-log', envoyFileAccessLog: { path: '/dev/stderr', logFormat: { text: expect.stringMatching(/^start_time=/) } } });
  });

  test('adds an access log section to its gateway\'s report only', () => {
    // GIVEN two gateways, one logged
    const chart = newChart();
    const logged = new IngressGateway(chart, 'logged', { name: 'logged', edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()) });
    new IngressGateway(chart, 'quiet', { name: 'quiet', istioLabel: 'quiet' });
    new ClientIpAccessLog(chart, 'log', { target: PolicyTarget.gateway(logged) });
    // WHEN
    const entries = explainIngressGateways(chart);
    // THEN
    expect(entries.map((e) => [e.name, e.clientIp?.accessLogs.map((l) => l.providerName)])).toEqual([
      ['test/logged', ['client-ip-access-log']],
      ['test/quiet', undefined],
    ]);
  });

  test('fails if the target is not a gateway, naming the fix', () => {
    const chart = newChart();
    const echo = new kplus.Deployment(chart, 'echo', { containers: [container] });
    expect(validationErrorOf(() => new ClientIpAccessLog(chart, 'log', { target: PolicyTarget.workload(echo) })).message)
      .toMatch(/'target' must be the pods of an ingress gateway, got "test\/echo". Fix: pass PolicyTarget.gateway\(gateway\); log workloads with workloads/);
  });

  test('fails if a workload is a gateway, or the provider name, path or encoding is wrong, reporting all at once', () => {
    const chart = newChart();
    const target = PolicyTarget.gateway(new IngressGateway(chart, 'gateway'));
    const error = validationErrorOf(() => new ClientIpAccessLog(chart, 'log', {
      target, workloads: [target], providerName: 'Client IP', path: 'stdout', encoding: 'YAML' as AccessLogEncoding,
    }));
    expect(error.message).toMatch(/^\[test\/log\] ClientIpAccessLog: 4 problems:/);
    expect(error.message).toMatch(/'workloads\[0\]' must be the pods of a workload with a sidecar, not a gateway/);
    expect(error.message).toMatch(/'providerName' must be at most 63 lower-case letters, digits, '-' and '.'.*got "Client IP"/);
    expect(error.message).toMatch(/'path' must be an absolute file path without spaces, such as \/dev\/stdout, got "stdout"/);
    expect(error.message).toMatch(/'encoding' must be one of JSON, TEXT, got "YAML"/);
  });

  test('fails if props are missing (plain JavaScript)', () => {
    const chart = newChart();
    expect(validationErrorOf(() => new ClientIpAccessLog(chart, 'log', undefined as never)).message).toMatch(/'props' must be an object, got undefined/);
    expect(validationErrorOf(() => new ClientIpAccessLog(chart, 'log2', { target: { selectorLabels: { app: 'x' } } as never })).message)
      .toMatch(/'target' must be a PolicyTarget/);
  });
});
