import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import {
  AwsNlbTargetType, ClassicElbListener, EdgeChain, EdgeHop, ExternalTrafficPolicy, GatewayInstaller, GatewayRoute, GatewaySourceIpProps,
  GatewayTopology, IngressGateway, InstalledGateway, ISTIO_VERSION_CONTEXT, IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, RouteBackend, RouteListener,
  Warnings, writeSourceIpReport,
} from '../../src';
import { newChart, only, synth, validationErrorOf } from '../util';

const gke = () => EdgeChain.of(EdgeHop.gkeExternalPassthrough());
const nlbProxy = () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));

describe('InstalledGateway.istioctl', () => {
  test('describes the default profile\'s istio-ingressgateway: name, namespace, labels and Service ports', () => {
    const gateway = InstalledGateway.istioctl(newChart(), 'gw');
    expect(gateway.installer).toBe(GatewayInstaller.ISTIOCTL);
    expect(gateway.name).toBe('istio-ingressgateway');
    expect(gateway.namespace).toBe('istio-system');
    expect(gateway.selectorLabels).toEqual({ app: 'istio-ingressgateway', istio: 'ingressgateway' });
    expect(gateway.podLabels).toMatchObject({ 'app': 'istio-ingressgateway', 'istio': 'ingressgateway', 'sidecar.istio.io/inject': 'false' });
    expect(gateway.ports.map((p) => `${p.name} ${p.port}->${p.targetPort}`)).toEqual(['status-port 15021->15021', 'http2 80->8080', 'https 443->8443']);
  });

  test('keeps the default profile\'s autoscaler, with at least 2 pods under externalTrafficPolicy Local', () => {
    expect(InstalledGateway.istioctl(newChart(), 'gw', { edge: gke() }).settings.autoscaling)
      .toEqual({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
    expect(InstalledGateway.istioctl(newChart(), 'gw', { edge: nlbProxy() }).settings.autoscaling)
      .toEqual({ minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
  });

  test('uses a fixed count when replicas is given', () => {
    const gateway = InstalledGateway.istioctl(newChart(), 'gw', { edge: gke(), replicas: 3 });
    expect(gateway.settings.autoscaling).toBeUndefined();
    expect(gateway.istioOperatorComponent()).toMatchObject({ k8s: { replicaCount: 3, hpaSpec: { minReplicas: 3, maxReplicas: 3 } } });
  });

  test('merges the entry\'s label over the chart\'s labels and repeats it in the overlay', () => {
    const gateway = InstalledGateway.istioctl(newChart(), 'gw', { name: 'public-ingress', label: { istio: 'public-ingress' } });
    expect(gateway.selectorLabels).toEqual({ app: 'istio-ingressgateway', istio: 'public-ingress' });
    expect(gateway.istioOperatorComponent()).toMatchObject({ name: 'public-ingress', label: { istio: 'public-ingress' } });
  });

  test('writes no Kubernetes object: istioctl owns the Deployment and the Service', () => {
    const chart = newChart();
    InstalledGateway.istioctl(chart, 'gw', { edge: gke() });
    expect(synth(chart)).toEqual([]);
  });

  test('puts the topology mesh-wide when asked, with a warning', () => {
    const chart = newChart();
    const gateway = InstalledGateway.istioctl(chart, 'gw', { edge: nlbProxy(), meshWideTopology: true });
    const overlay = gateway.istioOperatorOverlay() as { spec: { meshConfig: unknown; components: { ingressGateways: { k8s: Record<string, unknown> }[] } } };
    expect(overlay.spec.meshConfig).toEqual({ defaultConfig: { gatewayTopology: { numTrustedProxies: 0, proxyProtocol: {} } } });
    expect(overlay.spec.components.ingressGateways[0].k8s.podAnnotations).toBeUndefined();
    const warnings = Warnings.collect(chart);
    expect(warnings.map((w) => w.id)).toEqual(['mesh-wide-gateway-topology']);
    expect(warnings[0].message).toMatch(/every gateway of the mesh .*which then refuse connections without a PROXY header/);
  });

  test('keeps the other ProxyConfig fields on the pods when the topology goes mesh-wide', () => {
    const gateway = InstalledGateway.istioctl(newChart(), 'gw', { edge: gke(), meshWideTopology: true, podAnnotations: { 'proxy.istio.io/config': '{"concurrency":2}' } });
    expect(gateway.istioOperatorComponent()).toMatchObject({ k8s: { podAnnotations: { 'proxy.istio.io/config': '{"concurrency":2}' } } });
  });

  test('fails if a pod annotation would turn on injection of istioctl\'s gateway', () => {
    expect(validationErrorOf(() => InstalledGateway.istioctl(newChart(), 'gw', { podAnnotations: { 'sidecar.istio.io/inject': 'true' } })).message)
      .toMatch(/'podAnnotations\["sidecar.istio.io\/inject"\]' must be absent, got "true". Fix: remove it: istioctl's gateway runs without injection/);
  });

  test('fails if podLabels contradict the labels istioctl gives the pods', () => {
    expect(validationErrorOf(() => InstalledGateway.istioctl(newChart(), 'gw', { podLabels: { istio: 'my-gateway' } })).message)
      .toMatch(/\[test\/gw\] InstalledGateway.istioctl: 'podLabels\["istio"\]' must be "ingressgateway" or absent \(the istioctl installer sets it\), got "my-gateway". Fix: remove it: istioctl labels the pods with its entry's label/);
  });

  test('fails if label is not a map or meshWideTopology not a boolean (plain JavaScript)', () => {
    const error = validationErrorOf(() => InstalledGateway.istioctl(newChart(), 'gw', { label: 'istio=gw' as never, meshWideTopology: 'yes' as never }));
    expect(error.problems).toEqual([
      '\'label\' must be a map of labels, got "istio=gw". Fix: write label: { istio: "my-gateway" }',
      '\'meshWideTopology\' must be true or false, got "yes". Fix: pass a boolean',
    ]);
  });
});

describe('InstalledGateway.helm', () => {
  test.each([
    // release, chart name value, labels the chart's _helpers.tpl gives the pods
    ['istio-ingressgateway', undefined, { app: 'istio-ingressgateway', istio: 'ingressgateway' }],
    ['istio-ingress', undefined, { app: 'istio-ingress', istio: 'ingress' }],
    ['my-gw', undefined, { app: 'my-gw', istio: 'my-gw' }],
    ['edge', 'istio-public', { app: 'istio-public', istio: 'public' }],
  ])('release %s (name value %s) labels the pods %j', (releaseName, name, labels) => {
    const gateway = InstalledGateway.helm(newChart(), 'gw', { releaseName, namespace: 'istio-ingress', name });
    expect(gateway.selectorLabels).toEqual(labels);
    expect(gateway.name).toBe(name ?? releaseName);
    expect(gateway.podLabels).toMatchObject({ 'sidecar.istio.io/inject': 'true', 'app.kubernetes.io/instance': releaseName });
  });

  test('takes the release\'s labels overrides, and the chart\'s default Service ports', () => {
    const gateway = InstalledGateway.helm(newChart(), 'gw', { releaseName: 'edge', namespace: 'istio-ingress', appLabel: 'edge-gw', istioLabel: 'edge' });
    expect(gateway.selectorLabels).toEqual({ app: 'edge-gw', istio: 'edge' });
    expect(gateway.ports.map((p) => `${p.name} ${p.port}->${p.targetPort}`)).toEqual(['status-port 15021->15021', 'http2 80->80', 'https 443->443']);
  });

  test('fails if healthCheckNodePort is set: the chart has no value for it (istio/istio#42227)', () => {
    expect(validationErrorOf(() => InstalledGateway.helm(newChart(), 'gw', { releaseName: 'gw', namespace: 'istio-ingress', edge: gke(), healthCheckNodePort: 32000 })).message)
      .toMatch(/'healthCheckNodePort' must be unset for a Helm-installed gateway \(the istio\/gateway chart has no value for it: istio\/istio#42227\), got 32000\. Fix: remove it, and set spec.healthCheckNodePort with a Helm post-renderer/);
  });

  test('fails if podLabels contradict the labels the release name gives', () => {
    expect(validationErrorOf(() => InstalledGateway.helm(newChart(), 'gw', { releaseName: 'my-gw', namespace: 'istio-ingress', podLabels: { app: 'istio-ingressgateway' } })).message)
      .toMatch(/'podLabels\["app"\]' must be "my-gw" or absent \(the helm installer sets it\), got "istio-ingressgateway"\. Fix: remove it: the istio\/gateway chart labels the pods app: <name>/);
  });

  test('fails if a pod annotation contradicts the chart\'s gateway injection', () => {
    expect(validationErrorOf(() => InstalledGateway.helm(newChart(), 'gw', { releaseName: 'gw', namespace: 'istio-ingress', podAnnotations: { 'inject.istio.io/templates': 'sidecar' } })).message)
      .toMatch(/'podAnnotations\["inject.istio.io\/templates"\]' must be "gateway" or absent, got "sidecar"/);
  });

  test('fails if the release name is not one Helm accepts, or the namespace is missing', () => {
    const error = validationErrorOf(() => InstalledGateway.helm(newChart(), 'gw', { releaseName: 'My_Gateway' } as never));
    expect(error.problems).toEqual([
      '\'releaseName\' must be a Helm release name (at most 53 lower-case letters, digits and \'-\'), got "My_Gateway". Fix: pass the name `helm list -n <namespace>` shows',
      '\'namespace\' must be the release\'s namespace, got undefined. Fix: pass the namespace `helm list -A` shows for the release',
    ]);
  });
});

describe('InstalledGateway.manifest', () => {
  test('takes the name, labels, ports and container it is given', () => {
    const gateway = InstalledGateway.manifest(newChart(), 'gw', {
      name: 'edge', namespace: 'gateways', selectorLabels: { app: 'edge' }, ports: [{ name: 'http2', port: 80, targetPort: 8080 }], containerName: 'proxy',
    });
    expect(gateway.installer).toBe(GatewayInstaller.MANIFEST);
    expect([gateway.name, gateway.namespace, gateway.containerName]).toEqual(['edge', 'gateways', 'proxy']);
    expect(gateway.selectorLabels).toEqual({ app: 'edge' });
    expect(gateway.settings.autoscaling).toBeUndefined();
  });

  test('fails if name, namespace, selectorLabels or ports are missing (plain JavaScript)', () => {
    expect(validationErrorOf(() => InstalledGateway.manifest(newChart(), 'gw', { selectorLabels: {} } as never)).problems).toEqual([
      '\'name\' must be the Deployment\'s and Service\'s name, got undefined. Fix: pass the name of the gateway Deployment',
      '\'namespace\' must be the gateway\'s namespace, got undefined. Fix: pass the namespace the gateway runs in',
      '\'selectorLabels\' must be a non-empty map of the labels the Service selects, got {}. Fix: copy spec.selector of the gateway Service',
      '\'ports\' must be the gateway Service\'s ports, got undefined. Fix: copy spec.ports of the gateway Service, e.g. [{ name: "http2", port: 80 }]',
    ]);
  });

  test('fails with the settings\' own problems, like a deployed gateway', () => {
    expect(validationErrorOf(() => InstalledGateway.manifest(newChart(), 'gw', {
      name: 'edge', namespace: 'gateways', selectorLabels: { app: 'edge' }, ports: [{ name: 'http2', port: 80 }], replicas: -1,
    })).message).toMatch(/'replicas' must be a whole number from 0 to 2147483647, got -1/);
  });
});

describe('an installed gateway works where a deployed one does', () => {
  test('routes select its pods and listen on the ports its pods listen on (istioctl\'s Service sends 80 to 8080)', () => {
    // GIVEN
    const chart = newChart();
    const gateway = InstalledGateway.istioctl(chart, 'gw', { edge: gke() });
    const backend = RouteBackend.fromName({ name: 'echo', namespace: 'shop', port: 80 });
    // WHEN
    new GatewayRoute(chart, 'route', { namespace: 'shop', gateway, backend, listeners: [RouteListener.http({ port: 8080 })] });
    // THEN
    const istioGateway = only(synth(chart), 'Gateway');
    expect(istioGateway.spec.selector).toEqual({ app: 'istio-ingressgateway', istio: 'ingressgateway' });
    expect(istioGateway.spec.servers[0].port.number).toBe(8080);
    expect(validationErrorOf(() => new GatewayRoute(chart, 'http', { gateway, backend, hosts: ['shop.example.com'] })).message)
      .toMatch(/'listeners\[0\]\.port' must be the port the gateway pods listen on: Service port 80 of istio-ingressgateway sends to 8080, got 80\. Fix: listen on 8080 \(istioctl analyze IST0162/);
    expect(validationErrorOf(() => new GatewayRoute(chart, 'tls', { gateway, backend, listeners: [RouteListener.https({ credentialName: 'cert', port: 9443 })] })).message)
      .toMatch(/must be a port the gateway pods listen on behind Service istio-ingressgateway \(15021, 8080, 8443\), got 9443/);
  });

  test('a policy on it matches the client with the field its edge calls for, in its namespace', () => {
    const chart = newChart();
    const gateway = InstalledGateway.helm(chart, 'gw', { releaseName: 'public', namespace: 'istio-ingress', edge: nlbProxy() });
    new IpAccessPolicy(chart, 'deny', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, clientIpBlocks: IpBlock.ofAll(['198.51.100.0/24']) });
    const policy = only(synth(chart), 'AuthorizationPolicy');
    expect(policy.metadata.namespace).toBe('istio-ingress');
    expect(policy.spec.selector.matchLabels).toEqual({ app: 'public', istio: 'public' });
    expect(policy.spec.rules[0].from[0].source).toEqual({ remoteIpBlocks: ['198.51.100.0/24'] });
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('fails the synth when two installed gateways\' labels select each other\'s pods', () => {
    const chart = newChart();
    InstalledGateway.istioctl(chart, 'istioctl');
    InstalledGateway.helm(chart, 'helm', { releaseName: 'istio-ingressgateway', namespace: 'istio-ingress' });
    expect(() => synth(chart)).toThrow(/the selector labels \{"app":"istio-ingressgateway","istio":"ingressgateway"\} also match the pods of gateway test\/(helm|istioctl)/);
  });

  test('fails the synth when a deployed gateway would carry the installed gateway\'s labels', () => {
    const chart = newChart();
    InstalledGateway.istioctl(chart, 'installed');
    new IngressGateway(chart, 'deployed', { appLabel: 'istio-ingressgateway', istioLabel: 'ingressgateway' });
    expect(() => synth(chart)).toThrow(/also match the pods of gateway test\/installed/);
  });
});

/** The warnings (id and message) and the report of a gateway built by `build` as the only construct `gw` of an app. */
function warningsAndReport(build: (chart: Chart) => void, istioVersion?: string): { warnings: string[]; report: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'installed-'));
  try {
    const app = new App({ outdir, recordConstructMetadata: false });
    if (istioVersion !== undefined) {
      app.node.setContext(ISTIO_VERSION_CONTEXT, istioVersion);
    }
    build(new Chart(app, 'app'));
    app.synth();
    const report = fs.readFileSync(writeSourceIpReport(app), 'utf8');
    return { warnings: Warnings.collect(app).map((w) => `${w.path} ${w.id}: ${w.message}`), report };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('an installed gateway gets the same warnings and report as a deployed one', () => {
  const cases: [string, GatewaySourceIpProps, string | undefined][] = [
    ['GKE passthrough', { edge: gke(), replicas: 2 }, undefined],
    ['NLB ip + PROXY v2', { edge: nlbProxy(), replicas: 2 }, undefined],
    ['no edge (settings unchecked)', { replicas: 2 }, undefined],
    ['Local with one replica', { edge: gke(), replicas: 1 }, undefined],
    ['a Classic ELB that loses the client', { edge: EdgeChain.of(EdgeHop.awsClassicElb(ClassicElbListener.TCP)), replicas: 2 }, undefined],
    ['the article\'s numTrustedProxies 2 with PROXY protocol behind Cloudflare', {
      edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
      topology: GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true }), replicas: 2,
    }, undefined],
    ['an override that contradicts the edge', { edge: gke(), externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, replicas: 2 }, undefined],
    ['PROXY protocol on a target Istio 1.20 (no PROXY on the health port)', { edge: nlbProxy(), replicas: 2 }, '1.20'],
  ];

  test.each(cases)('%s', (_name, props, version) => {
    const deployed = warningsAndReport((chart) => new IngressGateway(chart, 'gw', props), version);
    const installed = [
      warningsAndReport((chart) => InstalledGateway.istioctl(chart, 'gw', props), version),
      warningsAndReport((chart) => InstalledGateway.helm(chart, 'gw', { ...props, releaseName: 'istio-ingressgateway', namespace: 'istio-system' }), version),
      warningsAndReport((chart) => InstalledGateway.manifest(chart, 'gw', { ...props, name: 'gw', namespace: 'gw', selectorLabels: { app: 'gw' }, ports: [{ name: 'http2', port: 80 }] }), version),
    ];
    for (const run of installed) {
      expect(run).toEqual(deployed);
    }
    expect(deployed.report).toMatch(/## `app\/gw`/);
  });

  test('the cases raise warnings at all (so the comparison is not between two empty lists)', () => {
    const ids = cases.flatMap(([, props, version]) => Warnings.collect((() => {
      const chart = newChart();
      if (version !== undefined) {
        chart.node.setContext(ISTIO_VERSION_CONTEXT, version);
      }
      InstalledGateway.istioctl(chart, 'gw', props);
      Testing.synth(chart);
      return chart;
    })()).map((w) => w.id));
    expect(new Set(ids)).toEqual(new Set(['local-traffic-policy-single-replica', 'client-address-lost', 'trusts-proxy-address', 'xff-spoofable', 'edge-setting-overridden',
      'status-port-proxy-protocol-unavailable', 'xff-spoofable-by-bypass']));
  });
});
