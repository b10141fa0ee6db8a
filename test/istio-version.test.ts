import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import {
  AwsNlbTargetType, KubernetesGateway, EdgeChain, EdgeHop, IngressGateway, ISTIO_VERSION_CONTEXT, IstioVersion, renderIstioFeatureTable, SourceIpValidationError, Warnings,
} from '../src';
import { SeedScenario } from '../src/seed';

function appFor(version?: IstioVersion): App {
  const app = new App({ outdir: 'dist' });
  version?.applyTo(app);
  return app;
}

describe('IstioVersion', () => {
  test('reads 1.20 to 1.30, with or without a patch number', () => {
    expect(IstioVersion.of('1.20').toString()).toBe('1.20');
    expect(IstioVersion.of('1.20.1').minor).toBe(20);
    expect(IstioVersion.of(' 1.30 ').isAtLeast(IstioVersion.V1_27)).toBe(true);
  });

  test.each(['1.19', '1.31', '2.0', 'latest', '', '1.2O'])('fails if the version is %p', (text) => {
    expect(() => IstioVersion.of(text)).toThrow(/'version' must be an Istio version from 1\.20 to 1\.30/);
  });

  test('fails with our error for a non-string version', () => {
    expect(() => IstioVersion.of(1.2 as unknown as string)).toThrow(SourceIpValidationError);
  });

  test('targets 1.30 unless the app says otherwise', () => {
    expect(IstioVersion.targetOf(appFor()).toString()).toBe('1.30');
    expect(IstioVersion.targetOf(new Chart(appFor(IstioVersion.V1_20), 'c')).toString()).toBe('1.20');
  });

  test('fails if the context holds something that is not a version', () => {
    const app = new App({ outdir: 'dist' });
    app.node.setContext(ISTIO_VERSION_CONTEXT, 20);
    expect(() => IstioVersion.targetOf(app)).toThrow(/context cdk8s-istio-source-ip:istioVersion must be a version such as "1.20", got 20/);
  });

  test('fails if the app already has children (constructs refuses context then, with a plain Error)', () => {
    const app = new App({ outdir: 'dist' });
    new Chart(app, 'c');
    expect(() => IstioVersion.V1_20.applyTo(app)).toThrow(/IstioVersion.applyTo: the app must get its target before it has children.*Fix: call applyTo right after new App\(\)/);
  });

  test('fails with our error for a scope or version that is not one (plain JavaScript)', () => {
    expect(() => IstioVersion.targetOf(null as never)).toThrow(/IstioVersion.targetOf: 'scope' must be a construct/);
    expect(() => IstioVersion.V1_20.applyTo({} as never)).toThrow(/IstioVersion.applyTo: 'scope' must be a construct/);
    expect(() => IstioVersion.V1_30.isAtLeast('1.20' as never)).toThrow(/'other' must be an IstioVersion, got "1.20"/);
  });

  test('the seed app for 1.20 writes networking.istio.io/v1beta1, and v1 for 1.30', () => {
    const kinds = ['Gateway', 'VirtualService', 'DestinationRule'];
    const versions = (app: App) => Testing.synth(new SeedScenario(app, 'source-ip')).filter((o) => kinds.includes(o.kind)).map((o) => o.apiVersion);
    expect(versions(appFor(IstioVersion.V1_20))).toEqual(['networking.istio.io/v1beta1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1beta1']);
    expect(versions(appFor())).toEqual(['networking.istio.io/v1', 'networking.istio.io/v1', 'networking.istio.io/v1']);
  });

  test('before 1.27 a PROXY-protocol gateway gets no status-port variable, and a warning naming the health check to use', () => {
    // GIVEN an AWS NLB with PROXY v2, on Istio 1.20
    const chart = new Chart(appFor(IstioVersion.V1_20), 'c');
    // WHEN
    const gateway = new IngressGateway(chart, 'gw', { edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })) });
    // THEN
    const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment');
    expect(deployment?.spec.template.spec.containers[0].env).toBeUndefined();
    const warning = Warnings.collect(gateway).find((w) => w.id === 'status-port-proxy-protocol-unavailable');
    expect(warning?.message).toMatch(/the target Istio 1\.20 has no PROXY headers on the 15021 health port .*\(Istio 1\.27 and later\).*Fix: point the load balancer's health check at the Service's healthCheckNodePort/);
  });

  test('on 1.27 and later the status port accepts PROXY headers', () => {
    const chart = new Chart(appFor(IstioVersion.V1_27), 'c');
    const gateway = new IngressGateway(chart, 'gw', { edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })) });
    expect(Testing.synth(chart).find((o) => o.kind === 'Deployment')?.spec.template.spec.containers[0].env)
      .toEqual([{ name: 'ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL', value: 'true' }]);
    expect(Warnings.collect(gateway).map((w) => w.id)).not.toContain('status-port-proxy-protocol-unavailable');
  });

  test('the feature table lists every gated feature with its first version', () => {
    expect(renderIstioFeatureTable()).toMatch(/^\| Feature \| Since \| On older targets \|\n\|---\|---\|---\|\n\| `networking\.istio\.io\/v1` .* \| \[1\.22\]\(https:\/\/istio\.io/);
  });

  test('is the table in the README', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(/<!-- istio-version-table:start -->\n([\s\S]*?)<!-- istio-version-table:end -->/.exec(readme)?.[1]).toBe(renderIstioFeatureTable());
  });

  test('fails if a Gateway API gateway targets an Istio older than the one it is modelled on, naming the version and the fallback', () => {
    const chart = new Chart(appFor(IstioVersion.V1_20), 'c');
    expect(() => new KubernetesGateway(chart, 'gw'))
      .toThrow(/Gateway API gateways customized by .* needs Istio 1\.30 or later, but the app targets Istio 1\.20\. Fix: .*deploy the gateway with `IngressGateway`/);
  });
});
