// cspell:ignore isti notistio concurency
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { registryEntries, renderRegistry } from '../scripts/extract-annotations';
import { IngressGateway, Warnings } from '../src';
import { ISTIO_ANNOTATIONS } from '../src/private/data/istio-annotations';
import { AnnotationKind, isIstioKey, istioAnnotationProblems } from '../src/private/istio-annotations';

// The injector's AnnotationValidation table:
// https://github.com/istio/istio/blob/release-1.30/pkg/kube/inject/validate.go
const VALIDATE = 'validate.go';
// The sidecar injection template pastes the resource annotations into `resources`:
// https://github.com/istio/istio/blob/release-1.30/manifests/charts/istio-control/istio-discovery/files/injection-template.yaml
const TEMPLATE = 'injection-template.yaml';

function errors(kind: AnnotationKind, annotations: Record<string, string>): string[] {
  return istioAnnotationProblems(kind, 'podAnnotations', annotations).errors;
}

describe('istioAnnotationProblems checks values as the sidecar injector does', () => {
  test.each<[string, string, string, string, RegExp]>([
    [`${VALIDATE} validateInterceptionMode`, 'sidecar.istio.io/interceptionMode', 'NONE', 'tproxy', /must be REDIRECT, TPROXY or NONE, got "tproxy"\. Fix: write TPROXY/],
    [`${VALIDATE} validateStatusPort (parsePort trims)`, 'status.sidecar.istio.io/port', ' 15020 ', '65536', /must be a port number from 0 to 65535, got "65536"/],
    [`${VALIDATE} validateUInt32 (initialDelaySeconds)`, 'readiness.status.sidecar.istio.io/initialDelaySeconds', '0', '-1', /must be a whole number from 0 to 4294967295, got "-1"/],
    [`${VALIDATE} validateUInt32 (periodSeconds, no spaces)`, 'readiness.status.sidecar.istio.io/periodSeconds', '10', ' 10', /must be a whole number from 0 to 4294967295/],
    [`${VALIDATE} validateUInt32 (failureThreshold)`, 'readiness.status.sidecar.istio.io/failureThreshold', '4294967295', '4294967296', /must be a whole number/],
    [`${VALIDATE} ValidateIncludeIPRanges ("*")`, 'traffic.sidecar.istio.io/includeOutboundIPRanges', '*', '10.0.0.0/8,*', /failed parsing cidr "\*"/],
    [`${VALIDATE} ValidateIncludeIPRanges (CIDRs)`, 'traffic.sidecar.istio.io/includeOutboundIPRanges', '10.0.0.0/8,2001:db8::/32', '10.0.0.1', /write "10\.0\.0\.1\/32" for a single address/],
    [`${VALIDATE} ValidateExcludeIPRanges (no spaces)`, 'traffic.sidecar.istio.io/excludeOutboundIPRanges', '', '10.0.0.0/8, 10.1.0.0/16', /remove the spaces around the commas/],
    [`${VALIDATE} ValidateExcludeIPRanges (prefix length)`, 'traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/8', '10.0.0.0/33', /the prefix length 33 is above 32/],
    [`${VALIDATE} ValidateIncludeInboundPorts`, 'traffic.sidecar.istio.io/includeInboundPorts', '*', '80,http', /failed parsing port "http"/],
    [`${VALIDATE} ValidateExcludeInboundPorts (trimmed)`, 'traffic.sidecar.istio.io/excludeInboundPorts', ' 8080, 9090 ', '8080;9090', /comma-separated list of ports/],
    [`${VALIDATE} ValidateExcludeOutboundPorts`, 'traffic.sidecar.istio.io/excludeOutboundPorts', '', '70000', /failed parsing port "70000"/],
    [`${VALIDATE} validateBool (strconv.ParseBool)`, 'prometheus.istio.io/merge-metrics', 'F', 'yes', /must be a boolean .* got "yes"/],
    [`${VALIDATE} validateProxyConfig`, 'proxy.istio.io/config', 'discoveryAddress: istiod:15012', 'discoveryAddress: istiod', /must be a ProxyConfig Istio accepts.*missing port in address/],
    [`${TEMPLATE} resources.requests.cpu (Kubernetes quantity)`, 'sidecar.istio.io/proxyCPU', '100m', '100 m', /must be a Kubernetes quantity such as 100m or 0\.5, got "100 m"/],
    [`${TEMPLATE} resources.limits.cpu`, 'sidecar.istio.io/proxyCPULimit', '2', '2cores', /must be a Kubernetes quantity/],
    [`${TEMPLATE} resources.requests.memory`, 'sidecar.istio.io/proxyMemory', '128Mi', '128MB', /must be a Kubernetes quantity such as 128Mi/],
    [`${TEMPLATE} resources.limits.memory`, 'sidecar.istio.io/proxyMemoryLimit', '1.5Gi', '1e', /must be a Kubernetes quantity/],
    ['gateway-injection-template.yaml --proxyLogLevel={{ ... }} (no line break)', 'sidecar.istio.io/logLevel', 'debug', 'debug\n    - --x', /must be a single line/],
    ['gateway-injection-template.yaml image: "{{ ... }}" (no line break)', 'sidecar.istio.io/proxyImage', 'example.com/proxyv2:1.30.3', 'a\r\nb', /must be a single line/],
  ])('%s', (_source, key, accepted, rejected, why) => {
    expect(errors('Pod', { [key]: accepted })).toEqual([]);
    expect(errors('Pod', { [key]: rejected })).toEqual([expect.stringMatching(why)]);
  });

  test('names the prop and the annotation, and says the injector rejects the pod (IST0125)', () => {
    expect(errors('Pod', { 'sidecar.istio.io/interceptionMode': 'x' })).toEqual([
      '\'podAnnotations["sidecar.istio.io/interceptionMode"]\' must be REDIRECT, TPROXY or NONE, got "x". Fix: write X. '
      + 'The sidecar injector rejects the pod otherwise (interceptionMode invalid, use REDIRECT,TPROXY,NONE; istioctl analyze: IST0125 InvalidAnnotation)',
    ]);
  });
});

// The registry: https://github.com/istio/api/blob/release-1.30/annotation/annotations.yaml; the
// analyzer: https://github.com/istio/istio/blob/release-1.30/pkg/config/analysis/analyzers/annotations/annotations.go
describe('istioAnnotationProblems checks names and kinds against Istio\'s registry', () => {
  test('warns about an unknown name with the nearest known one (IST0108)', () => {
    expect(istioAnnotationProblems('Pod', 'podAnnotations', { 'sidecar.istio.io/interceptionMod': 'TPROXY' })).toEqual({
      errors: [],
      warnings: [{
        id: 'istio-annotation-unknown',
        message: 'podAnnotations["sidecar.istio.io/interceptionMod"] is not an annotation Istio 1.30 knows, so Istio ignores it '
          + '(istioctl analyze: IST0108 UnknownAnnotation). Fix: did you mean sidecar.istio.io/interceptionMode?',
      }],
    });
  });

  test('stays quiet about a known name on its kind', () => {
    expect(istioAnnotationProblems('Pod', 'podAnnotations', { 'sidecar.istio.io/interceptionMode': 'TPROXY', 'istio.io/rev': 'canary' }))
      .toEqual({ errors: [], warnings: [] });
  });

  test('fails for a Pod annotation on the Deployment\'s own metadata (IST0107)', () => {
    expect(istioAnnotationProblems('Deployment', 'deploymentAnnotations', { 'proxy.istio.io/config': '{}' }).errors)
      .toEqual([expect.stringMatching(/^'deploymentAnnotations key' must be an annotation Istio reads on a Deployment, got "proxy\.istio\.io\/config"\. Fix: move it to the Pod metadata \(podAnnotations\)/)]);
  });

  test('fails for a Service annotation on a Pod (IST0107), and accepts it on a Service', () => {
    expect(errors('Pod', { 'networking.istio.io/exportTo': '.' })).toEqual([expect.stringMatching(/move it to the Service metadata \(serviceAnnotations\)/)]);
    expect(istioAnnotationProblems('Service', 'serviceAnnotations', { 'networking.istio.io/exportTo': '.' })).toEqual({ errors: [], warnings: [] });
  });

  test('accepts an annotation registered for any kind', () => {
    expect(istioAnnotationProblems('Service', 'serviceAnnotations', { 'galley.istio.io/analyze-suppress': 'IST0108' })).toEqual({ errors: [], warnings: [] });
  });

  test('warns about a deprecated annotation with its replacement (IST0135)', () => {
    expect(istioAnnotationProblems('Pod', 'podAnnotations', { 'sidecar.istio.io/inject': 'true' }).warnings).toEqual([{
      id: 'istio-annotation-deprecated',
      message: expect.stringMatching(/is deprecated in Istio 1\.30 \(istioctl analyze: IST0135 DeprecatedAnnotation\)\. Fix: use the pod label sidecar\.istio\.io\/inject/),
    }]);
  });

  test.each([
    ['istio.io/rev', true], ['sidecar.istio.io/x', true], ['proxy.istio.io/config', true], ['example.com/istio.io', false],
    ['notistio.io/x', false], ['service.beta.kubernetes.io/aws-load-balancer-type', false], ['istio.io', false],
  ])('treats %j as an Istio annotation: %s (the analyzer\'s prefix rule)', (key, expected) => {
    expect(isIstioKey(key)).toBe(expected);
  });

  test('leaves other annotations, ignored keys and non-string values alone (plain JavaScript)', () => {
    expect(istioAnnotationProblems('Pod', 'p', { 'example.com/a': 'x', 'proxy.istio.io/config': '[', 'sidecar.istio.io/interceptionMode': 5 as unknown as string },
      ['proxy.istio.io/config'])).toEqual({ errors: [], warnings: [] });
    expect(istioAnnotationProblems('Pod', 'p', 'abc')).toEqual({ errors: [], warnings: [] });
  });

  test('knows every annotation the library writes, on the kind it writes it to', () => {
    const written = { 'inject.istio.io/templates': 'gateway', 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":1,"proxyProtocol":{}}}', 'sidecar.istio.io/interceptionMode': 'TPROXY' };
    expect(istioAnnotationProblems('Pod', 'pod', written)).toEqual({ errors: [], warnings: [] });
  });
});

describe('IngressGateway', () => {
  test('records unknown and deprecated Istio annotations in podAnnotations as warnings', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new IngressGateway(chart, 'gw', { podAnnotations: { 'sidecar.istio.io/proxyCpu': '100m', 'sidecar.istio.io/statsInclusionPrefixes': 'a' } });
    Testing.synth(chart);
    // THEN
    expect(Warnings.collect(chart).map((w) => w.id).sort()).toEqual(['istio-annotation-deprecated', 'istio-annotation-unknown']);
  });

  test('records a ProxyConfig field Istio ignores as a warning', () => {
    const chart = Testing.chart();
    new IngressGateway(chart, 'gw', { podAnnotations: { 'proxy.istio.io/config': 'concurency: 2' } });
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({
      id: 'proxy-config-unknown-field',
      message: 'podAnnotations["proxy.istio.io/config"]: ProxyConfig has no field concurency, so Istio ignores it without a word. Fix: did you mean concurrency?',
    })]);
  });

  test('fails if podAnnotations carry a value the injector refuses, with every problem at once', () => {
    expect(() => new IngressGateway(Testing.chart(), 'gw', {
      podAnnotations: { 'sidecar.istio.io/proxyCPU': 'lots', 'proxy.istio.io/config': 'statusPort: 0' },
      serviceAnnotations: { 'sidecar.istio.io/inject': 'true' },
    })).toThrow(/'statusPort' must be a port from 1 to 65535[\s\S]*'podAnnotations\["sidecar\.istio\.io\/proxyCPU"\]' must be a Kubernetes quantity[\s\S]*'serviceAnnotations key' must be an annotation Istio reads on a Service/);
  });
});

describe('the generated registry', () => {
  const shared = path.join(__dirname, '..', '..', 'shared', 'istio', '1.30.3', 'annotations.yaml');
  const sharedFallback = '/work/shared/istio/1.30.3/annotations.yaml';
  const source = [shared, sharedFallback].find((file) => fs.existsSync(file));

  test('is what the script renders from its own entries (no hand edits)', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', 'src', 'private', 'data', 'istio-annotations.ts'), 'utf8');
    expect(renderRegistry(ISTIO_ANNOTATIONS, 'istio/api annotation/annotations.yaml (Istio 1.30.3)')).toBe(text);
  });

  (source === undefined ? test.skip : test)('matches Istio 1.30.3\'s annotations.yaml when the pinned file is at hand', () => {
    expect(registryEntries(fs.readFileSync(source as string, 'utf8'))).toEqual(ISTIO_ANNOTATIONS);
  });

  test('lists the annotations this library reads or writes', () => {
    const names = ISTIO_ANNOTATIONS.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['proxy.istio.io/config', 'inject.istio.io/templates', 'sidecar.istio.io/interceptionMode']));
    expect(ISTIO_ANNOTATIONS.length).toBeGreaterThan(60);
  });
});
