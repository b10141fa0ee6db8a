import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ProviderRanges } from '../src';
import { renderProviderTable } from '../src/edge/provider-table';
import { EXPLAIN_MARKER, reportSummary } from '../scripts/readme-sections';
import { renderLikeIstiod } from './gateway/istiod-render';
import { EXAMPLES, runExample, runExampleFiles } from './run-example';
import { Manifest, only } from './util';

describe('examples', () => {
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();

  test('there is an example for every README topology', () => {
    expect(files).toEqual([
      'aws-nlb-proxy-protocol.ts', 'azure-front-door.ts', 'client-ip-logs-rate-limit.ts', 'cloudflare-gclb.ts', 'cloudflare-nlb-locked.ts',
      'cloudflare-nlb-proxy-protocol.ts',
      'gateway-api-aws-nlb-proxy-protocol.ts', 'gateway-api-gke-passthrough.ts', 'gclb-two-proxies.ts', 'gke-nlb-local.ts', 'helm-aws-nlb-proxy-protocol.ts',
      'istioctl-gke-passthrough.ts', 'manual-topology.ts', 'metallb-on-prem.ts', 'workload-tproxy.ts',
    ]);
  });

  test.each(files)('%s synthesizes to the snapshot', (file) => {
    expect(runExample(file)).toMatchSnapshot();
  });

  test.each([
    // file, externalTrafficPolicy, gatewayTopology, the field clientIpBlocks became
    ['gke-nlb-local.ts', 'Local', { numTrustedProxies: 0 }, 'ipBlocks'],
    ['aws-nlb-proxy-protocol.ts', 'Cluster', { numTrustedProxies: 0, proxyProtocol: {} }, 'remoteIpBlocks'],
    ['azure-front-door.ts', 'Local', { numTrustedProxies: 1 }, 'remoteIpBlocks'],
    ['metallb-on-prem.ts', 'Local', { numTrustedProxies: 0 }, 'ipBlocks'],
    // The seed article's two patches, merged into one annotation on the path that needs both (istio/istio#31704).
    ['cloudflare-nlb-proxy-protocol.ts', 'Cluster', { numTrustedProxies: 1, proxyProtocol: {} }, 'remoteIpBlocks'],
  ])('%s derives externalTrafficPolicy %s, its topology and its policy field from the edge, without warnings', (file, policy, topology, field) => {
    const { objects, warnings } = runExample(file);
    expect(only(objects, 'Service', 'ingress-gateway').spec.externalTrafficPolicy).toBe(policy);
    expect(JSON.parse(only(objects, 'Deployment', 'ingress-gateway').spec.template.metadata.annotations['proxy.istio.io/config'])).toEqual({ gatewayTopology: topology });
    expect(Object.keys(only(objects, 'AuthorizationPolicy').spec.rules[0].from[0].source)).toEqual([field]);
    expect(warnings).toBe('');
  });

  test('cloudflare-gclb trusts three proxies behind a ClusterIP Service and hashes on x-envoy-external-address, without warnings', () => {
    const { objects, warnings } = runExample('cloudflare-gclb.ts');
    expect(only(objects, 'Service', 'ingress-gateway').spec.type).toBe('ClusterIP');
    expect(JSON.parse(only(objects, 'Deployment', 'ingress-gateway').spec.template.metadata.annotations['proxy.istio.io/config']).gatewayTopology.numTrustedProxies).toBe(3);
    expect(only(objects, 'DestinationRule').spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName).toBe('x-envoy-external-address');
    expect(warnings).toBe('');
  });

  test('gclb-two-proxies trusts the 2 entries a Google Cloud Application Load Balancer appends (the article\'s number), behind a ClusterIP Service', () => {
    const { objects, warnings } = runExample('gclb-two-proxies.ts');
    expect(only(objects, 'Service', 'ingress-gateway').spec.type).toBe('ClusterIP');
    expect(JSON.parse(only(objects, 'Deployment', 'ingress-gateway').spec.template.metadata.annotations['proxy.istio.io/config']))
      .toEqual({ gatewayTopology: { numTrustedProxies: 2 } });
    expect(Object.keys(only(objects, 'AuthorizationPolicy').spec.rules[0].from[0].source)).toEqual(['remoteIpBlocks']);
    expect(warnings).toBe('');
  });

  test('cloudflare-nlb-locked admits only Cloudflare\'s published ranges at the NLB, so the hop count is sound at every entry point, without warnings', () => {
    const { objects, warnings, files } = runExampleFiles('cloudflare-nlb-locked.ts');
    expect(only(objects, 'Service', 'ingress-gateway').spec.loadBalancerSourceRanges).toEqual(ProviderRanges.cloudflare().blocks.map(String));
    const report = files[path.join('report', 'client-ip-detection.md')];
    expect(report).toMatch(/\| hop count 1 \| yes \| 203\.0\.113\.7 \(the client\) \| 203\.0\.113\.7 \(the client\) \| locked \| yes \|/);
    expect(report).toMatch(/Choice: hop count 1: sound as configured\./);
    expect(warnings).toBe('');
  });

  test('manual-topology sets the knobs by hand, without warnings', () => {
    const { objects, warnings } = runExample('manual-topology.ts');
    expect(only(objects, 'Service', 'ingress-gateway').spec).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Cluster' });
    expect(warnings).toBe('');
  });

  test('client-ip-logs-rate-limit logs and limits the client behind PROXY protocol, with its mesh config in a subfolder, without warnings', () => {
    const { objects, warnings, files } = runExampleFiles('client-ip-logs-rate-limit.ts');
    expect(objects.filter((o) => o.kind === 'Telemetry').map((o) => o.metadata.namespace)).toEqual(['istio-ingress', 'shop']);
    expect(only(objects, 'EnvoyFilter').spec.configPatches.map((p: { patch: { value: { name?: string } } }) => p.patch.value.name ?? 'virtual hosts'))
      .toEqual(['envoy.filters.http.ip_tagging', 'envoy.filters.http.local_ratelimit', 'virtual hosts']);
    expect(Object.keys(files).filter((f) => f.startsWith('mesh-config')).sort())
      .toEqual([path.join('mesh-config', 'istio-operator.yaml'), path.join('mesh-config', 'istiod-values.yaml')]);
    expect(warnings).toBe('');
  });

  test('workload-tproxy annotates the pod template, and its acknowledged warning stays quiet', () => {
    const { objects, warnings } = runExample('workload-tproxy.ts');
    expect(only(objects, 'Deployment').spec.template.metadata.annotations['sidecar.istio.io/interceptionMode']).toBe('TPROXY');
    expect(warnings).toBe('');
  });

  test.each([
    // Gateway API example, its IngressGateway twin
    ['gateway-api-gke-passthrough.ts', 'gke-nlb-local.ts'],
    ['gateway-api-aws-nlb-proxy-protocol.ts', 'aws-nlb-proxy-protocol.ts'],
  ])('%s runs, as istiod deploys it, with the Service and pods of %s, a route to echo-server and a targetRefs policy, without warnings', (file, twin) => {
    const { objects, warnings } = runExample(file);
    const deployed = runExample(twin).objects;
    const rendered = renderLikeIstiod(objects, 'ingress-gateway', 'istio-ingress');
    const deployedService = only(deployed, 'Service', 'ingress-gateway');
    expect(rendered.service.metadata.name).toBe('ingress-gateway-istio');
    expect(rendered.service.spec).toMatchObject({ type: deployedService.spec.type, externalTrafficPolicy: deployedService.spec.externalTrafficPolicy });
    expect(rendered.service.metadata.annotations).toMatchObject(deployedService.metadata.annotations ?? {});
    const pods = (o: Manifest) => o.spec.template;
    const deployedPods = pods(only(deployed, 'Deployment', 'ingress-gateway'));
    expect(pods(rendered.deployment).metadata.annotations['proxy.istio.io/config']).toBe(deployedPods.metadata.annotations['proxy.istio.io/config']);
    expect(pods(rendered.deployment).spec.containers[0].env.filter((e: Manifest) => e.name.startsWith('ENVOY_'))).toEqual(deployedPods.spec.containers[0].env ?? []);
    expect(rendered.deployment.spec.replicas).toBe(only(deployed, 'Deployment', 'ingress-gateway').spec.replicas);
    expect(only(objects, 'HTTPRoute').spec).toMatchObject({
      parentRefs: [{ kind: 'Gateway', name: 'ingress-gateway', namespace: 'istio-ingress', sectionName: 'http' }],
      rules: [{ backendRefs: [{ kind: 'Service', name: 'echo-server', port: 80 }] }],
    });
    const policy = only(objects, 'AuthorizationPolicy');
    expect(policy.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress-gateway' }]);
    expect(policy.spec.selector).toBeUndefined();
    expect(Object.keys(policy.spec.rules[0].from[0].source)).toEqual(Object.keys(only(deployed, 'AuthorizationPolicy').spec.rules[0].from[0].source));
    expect(warnings).toBe('');
  });

  test('istioctl-gke-passthrough changes the article\'s gateway through istioctl, and deploys no gateway of its own, without warnings', () => {
    const { objects, warnings, files } = runExampleFiles('istioctl-gke-passthrough.ts');
    expect(objects.filter((o) => ['Deployment', 'Service'].includes(o.kind) && o.metadata.namespace === 'istio-system')).toEqual([]);
    expect(only(objects, 'AuthorizationPolicy').metadata.namespace).toBe('istio-system');
    expect(Object.keys(only(objects, 'AuthorizationPolicy').spec.rules[0].from[0].source)).toEqual(['ipBlocks']);
    const overlay = parse(files[path.join('installers', 'istioctl', 'ingress-gateways.yaml')]);
    expect(overlay.spec.components.ingressGateways).toEqual([expect.objectContaining({ name: 'istio-ingressgateway', namespace: 'istio-system', enabled: true })]);
    expect(overlay.spec.components.ingressGateways[0].k8s).toMatchObject({
      service: { externalTrafficPolicy: 'Local' }, podAnnotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":0}}' },
      hpaSpec: { minReplicas: 2 },
    });
    expect(warnings).toBe('');
  });

  test('helm-aws-nlb-proxy-protocol writes chart values for the release, selecting the labels its name gives, without warnings', () => {
    const { objects, warnings, files } = runExampleFiles('helm-aws-nlb-proxy-protocol.ts');
    expect(only(objects, 'Gateway').spec.selector).toEqual({ app: 'istio-ingress', istio: 'ingress' });
    expect(Object.keys(only(objects, 'AuthorizationPolicy').spec.rules[0].from[0].source)).toEqual(['remoteIpBlocks']);
    const values = parse(files[path.join('installers', 'helm', 'istio-ingress', 'istio-ingress.values.yaml')]);
    expect(values).toMatchObject({
      service: { externalTrafficPolicy: 'Cluster', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' } },
      podAnnotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":0,"proxyProtocol":{}}}' },
      env: { ENVOY_STATUS_PORT_ENABLE_PROXY_PROTOCOL: 'true' },
    });
    expect(warnings).toBe('');
  });

  test('every code block in the README is an example file, verbatim', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/<!-- example: (examples\/[\w.-]+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1]).sort()).toEqual(files.map((f) => `examples/${f}`));
    for (const [, file, body] of blocks) {
      expect({ file, body }).toEqual({ file, body: fs.readFileSync(path.join(__dirname, '..', file), 'utf8') });
    }
    expect(readme.match(/```ts/g)?.length).toBe(blocks.length);
  });

  test('every explain summary in the README is the one its example\'s report holds', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(EXPLAIN_MARKER)].map((m) => ({ file: m[2], body: m[0].slice(m[1].length, m[0].length - m[3].length) }));
    expect(blocks.map((b) => b.file)).toEqual(files.filter((f) => f !== 'workload-tproxy.ts').map((f) => `examples/${f}`).sort(byReadmeOrder(readme)));
    for (const { file, body } of blocks) {
      const report = runExampleFiles(path.basename(file)).files[path.join('report', 'source-ip-report.md')];
      expect({ file, body }).toEqual({ file, body: reportSummary(report) });
    }
  });

  test('the README provider table is the one the presets render', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const table = /<!-- provider-table:start -->\n([\s\S]*?)<!-- provider-table:end -->/.exec(readme);
    expect(table?.[1]).toBe(renderProviderTable());
  });
});

/** Sorts example paths by where they appear in the README. */
function byReadmeOrder(readme: string): (a: string, b: string) => number {
  return (a, b) => readme.indexOf(`explain: ${a}`) - readme.indexOf(`explain: ${b}`);
}
