import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import {
  assumedPathFor, explain, explainIngressGateways, explainPathFor, ExplainHopKind, ExplainLayerRole, SourcePreservation,
  ExternalTrafficPolicy, GatewayServiceType, GatewayTopology, IngressGateway, ingressGatewaysIn, InterceptionMode,
  renderSourceIpReport, writeSourceIpReport, EdgeChain, EdgeHop, AwsNlbTargetType,
} from '../src';

/** A fresh output directory, removed after the test. */
let outdir: string;
beforeEach(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-ip-report-'));
});
afterEach(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

/**
 * The seed article's combination of patches on one gateway, with no edge described:
 * `numTrustedProxies: 2` and PROXY protocol. No real path fits it on the article's GKE cluster;
 * the default app no longer does this, but the report must still explain what it assumes.
 */
function seedApp(): { app: App; seed: { gateway: IngressGateway } } {
  const app = new App({ outdir });
  const chart = new Chart(app, 'source-ip', { namespace: 'istio-ingress' });
  const gateway = new IngressGateway(chart, 'ingress-gateway', { topology: GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true }) });
  return { app, seed: { gateway } };
}

/** A table of one run, one `role name: peer | xff | ext | ipBlocks | remoteIpBlocks | hash` line per layer. */
function table(layers: ReturnType<typeof explain>['normal']['layers']): string[] {
  return layers.map((l) => `${l.role} ${l.name}: ${[l.tcpPeer, l.xff, l.externalAddress, l.ipBlocks, l.remoteIpBlocks, l.sourceIpHash].map((v) => v ?? '-').join(' | ')}`);
}

describe('assumedPathFor', () => {
  test('turns the seed gateway (numTrustedProxies 2, PROXY protocol) into two HTTP proxies and a PROXY load balancer', () => {
    // GIVEN the seed scenario's gateway
    const { seed } = seedApp();

    // WHEN its assumed path is explained
    const result = explain(assumedPathFor(seed.gateway));

    // THEN the path is right for those settings through its front door, and every layer sees a
    // stable address; a client that skips the first proxy (or both) chooses the address
    expect(result.assumed).toBe(true);
    expect(result.path.hops.map((hop) => `${hop.kind} ${hop.name}`)).toEqual(['l7 HTTP proxy 1', 'l7 HTTP proxy 2', 'l4 L4 load balancer']);
    expect(result.findings.map((f) => `${f.id}: ${f.subject}`)).toEqual([
      'xff-spoofable-by-bypass: entry point HTTP proxy 2', 'xff-spoofable-by-bypass: entry point L4 load balancer',
    ]);
    expect(table(result.normal.layers)).toEqual([
      'client client: - | - | - | - | - | -',
      'hop HTTP proxy 1: 203.0.113.7 | - | - | - | - | -',
      'hop HTTP proxy 2: 192.0.2.1 | 203.0.113.7 | - | - | - | -',
      'hop L4 load balancer: 192.0.2.2 | 203.0.113.7,192.0.2.1 | - | - | - | -',
      'gateway ingress-gateway: 192.0.2.3 | 203.0.113.7,192.0.2.1 | - | 192.0.2.3 | 203.0.113.7 | 203.0.113.7',
      'sidecar app sidecar: 192.0.2.200 | 203.0.113.7,192.0.2.1,192.0.2.2 | 203.0.113.7 | 192.0.2.200 | 192.0.2.2 | -',
      'app app: 127.0.0.6 | 203.0.113.7,192.0.2.1,192.0.2.2 | 203.0.113.7 | - | - | -',
    ]);
    expect(table(result.spoofed.layers)[4]).toBe(
      'gateway ingress-gateway: 192.0.2.3 | 198.51.100.66,203.0.113.7,192.0.2.1 | 198.51.100.66 | 192.0.2.3 | 203.0.113.7 | 203.0.113.7');
  });

  test('puts a passthrough load balancer in front of a LoadBalancer Service without PROXY protocol', () => {
    const chart = new Chart(new App({ outdir }), 'c');
    const gateway = new IngressGateway(chart, 'gw', { topology: GatewayTopology.of({ numTrustedProxies: 1 }) });
    const built = assumedPathFor(gateway);
    expect(built.hops).toEqual([
      { kind: ExplainHopKind.L7, name: 'HTTP proxy 1', appendsXff: 1 },
      { kind: ExplainHopKind.L4, name: 'L4 load balancer', proxyProtocol: false, sourcePreservation: SourcePreservation.WITH_LOCAL },
    ]);
    expect(built.gateway).toEqual({
      name: 'gw', numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL, serviceType: GatewayServiceType.LOAD_BALANCER,
    });
  });

  test('puts no L4 hop in front of a ClusterIP Service', () => {
    const chart = new Chart(new App({ outdir }), 'c');
    const gateway = new IngressGateway(chart, 'gw', { serviceType: GatewayServiceType.CLUSTER_IP });
    const built = assumedPathFor(gateway, { app: { interceptionMode: InterceptionMode.TPROXY } });
    expect(built.hops).toEqual([]);
    expect(built.gateway.externalTrafficPolicy).toBeUndefined();
    expect(built.app).toEqual({ interceptionMode: InterceptionMode.TPROXY });
  });

  test('flags externalTrafficPolicy Cluster with no proxy and no PROXY protocol, which no path makes right', () => {
    const chart = new Chart(new App({ outdir }), 'c');
    const gateway = new IngressGateway(chart, 'gw', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    expect(explain(assumedPathFor(gateway)).findings.map((f) => f.id)).toEqual(['trusts-proxy-address']);
  });

  test('fails for more than 64 trusted proxies', () => {
    const chart = new Chart(new App({ outdir }), 'c');
    const gateway = new IngressGateway(chart, 'gw', { topology: GatewayTopology.of({ numTrustedProxies: 65 }) });
    expect(() => assumedPathFor(gateway)).toThrow(/'numTrustedProxies of c\/gw' must be a whole number from 0 to 64, got 65/);
  });
});

describe('explainPathFor', () => {
  test('takes the hops from the edge and the settings from the gateway', () => {
    const { seed } = seedApp();
    const built = explainPathFor(seed.gateway, { hops: [{ kind: ExplainHopKind.L7, name: 'CDN', appendsXff: 1 }] });
    expect(built.gateway).toEqual({
      name: 'ingress-gateway', numTrustedProxies: 2, proxyProtocol: true, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL, serviceType: GatewayServiceType.LOAD_BALANCER,
    });
    // The seed gateway expects PROXY protocol, which a CDN cannot send.
    expect(explain(built).findings.map((f) => f.id)).toEqual(['proxy-protocol-mismatch']);
  });
});

describe('ingressGatewaysIn', () => {
  test('finds every gateway, sorted by construct path', () => {
    const app = new App({ outdir });
    new IngressGateway(new Chart(app, 'z-chart'), 'edge');
    const a = new Chart(app, 'a-chart');
    new IngressGateway(a, 'internal', { name: 'internal-gateway' });
    expect(ingressGatewaysIn(app).map((gateway) => gateway.node.path)).toEqual(['a-chart/internal', 'z-chart/edge']);
  });
});

describe('writeSourceIpReport', () => {
  test('writes source-ip-report.md into the app\'s output directory and returns its path', () => {
    // GIVEN the seed scenario, synthesized
    const { app } = seedApp();
    app.synth();

    // WHEN
    const file = writeSourceIpReport(app);

    // THEN
    expect(file).toBe(path.join(outdir, 'report', 'source-ip-report.md'));
    expect(fs.readFileSync(file, 'utf8')).toBe(renderSourceIpReport(explainIngressGateways(app)));
    // Only manifests where `kubectl apply -f` reads; the report in its own folder.
    expect(fs.readdirSync(outdir).sort()).toEqual(['report', 'source-ip.k8s.yaml']);
    expect(fs.readdirSync(path.join(outdir, 'report'))).toEqual(['source-ip-report.md']);
  });

  test('writes the same bytes for the same app', () => {
    const first = fs.readFileSync(writeSourceIpReport(seedApp().app, { fileName: 'a.md' }));
    const second = fs.readFileSync(writeSourceIpReport(seedApp().app, { fileName: 'b.md' }));
    expect(first.equals(second)).toBe(true);
  });

  test('uses a described path and app for a gateway, keyed by construct path', () => {
    // GIVEN Cloudflare in front of the seed's PROXY load balancer, and the seed's TPROXY echo server
    const { app } = seedApp();
    const file = writeSourceIpReport(app, {
      fileName: 'described.md',
      app: { name: 'echo-server', interceptionMode: InterceptionMode.TPROXY },
      paths: {
        'source-ip/ingress-gateway': {
          hops: [
            { kind: ExplainHopKind.L7, name: 'Cloudflare', appendsXff: 1 },
            { kind: ExplainHopKind.L4, name: 'AWS NLB', proxyProtocol: true, sourcePreservation: SourcePreservation.NEVER },
          ],
        },
      },
    });

    // THEN the report explains that path: numTrustedProxies 2 is one too many (istio/istio#31704)
    const report = fs.readFileSync(file, 'utf8');
    expect(path.basename(file)).toBe('described.md');
    expect(report).toContain('**Path:**\nclient `203.0.113.7` → Cloudflare (L7 at `192.0.2.1`, appends 1 XFF entry) → AWS NLB');
    expect(report).toContain('- `xff-spoofable`:');
    expect(report).toContain('- `trusts-proxy-address`: the gateway trusts 192.0.2.1, the address of "Cloudflare"');
    expect(report).toContain('| echo-server | `192.0.2.200` |');
  });

  test('explains the described path with the gateway\'s own settings', () => {
    const { app } = seedApp();
    const [entry] = explainIngressGateways(app, {
      paths: { 'source-ip/ingress-gateway': { hops: [{ kind: ExplainHopKind.L4, name: 'NLB', proxyProtocol: true, sourcePreservation: SourcePreservation.NEVER }] } },
    });
    expect(entry.result.assumed).toBe(false);
    expect(entry.result.path.gateway.numTrustedProxies).toBe(2);
    expect(entry.result.normal.layers.find((l) => l.role === ExplainLayerRole.GATEWAY)?.remoteIpBlocks).toBe('203.0.113.7');
    expect(entry.result.spoofable).toBe(true);
  });

  test('explains a gateway\'s own edge and shows the settings it derives', () => {
    // GIVEN a gateway described by its edge, Cloudflare → NLB with PROXY
    const app = new App({ outdir });
    const chart = new Chart(app, 'edge');
    const cloudflare = EdgeHop.cloudflare();
    new IngressGateway(chart, 'gw', {
      edge: EdgeChain.of(cloudflare, EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
      loadBalancerSourceRanges: cloudflare.sourceRanges,
    });
    // WHEN
    const [entry] = explainIngressGateways(app);
    const report = renderSourceIpReport([entry]);
    // THEN the described hops are walked, not an assumed path
    expect(entry.result.assumed).toBe(false);
    expect(entry.result.path.hops.map((h) => h.name)).toEqual(['Cloudflare (proxied)', 'AWS NLB (ip targets, PROXY v2)']);
    expect(entry.derived).toMatchObject({ numTrustedProxies: 1, proxyProtocol: true, clientIpField: 'remoteIpBlocks' });
    expect(report).toMatch(/\*\*Derived from the edge\*\* \(`EdgeChain\.gatewaySettings\(\)`\): numTrustedProxies 1; proxyProtocol on; externalTrafficPolicy Cluster; the client is matched with `remoteIpBlocks`; Service annotations /);
    expect(report).toMatch(/\*\*Findings:\*\* none\./);
  });

  test('does not show derived settings for a gateway without an edge', () => {
    const { app } = seedApp();
    expect(renderSourceIpReport(explainIngressGateways(app))).not.toMatch(/Derived from the edge/);
  });

  test('fails on a path keyed by something that is not a gateway', () => {
    const { app } = seedApp();
    expect(() => writeSourceIpReport(app, { paths: { 'source-ip/echo-server': { hops: [] } } }))
      .toThrow(/'paths\["source-ip\/echo-server"\]' must be keyed by the construct path of an ingress gateway.*use one of "source-ip\/ingress-gateway"/);
  });

  test('says the settings are unchecked for a gateway without an edge', () => {
    const { app } = seedApp();
    const report = renderSourceIpReport(explainIngressGateways(app));
    expect(report).toMatch(/- `edge-not-described`: the settings are unchecked: nobody described the network in front of this gateway/);
    expect(report).not.toMatch(/\*\*Findings:\*\* none/);
  });

  test('writes the report into a chosen subfolder', () => {
    const { app } = seedApp();
    expect(writeSourceIpReport(app, { directory: 'checks' })).toBe(path.join(outdir, 'checks', 'source-ip-report.md'));
  });

  test('fails on a report folder that is not a plain subfolder', () => {
    const { app } = seedApp();
    expect(() => writeSourceIpReport(app, { directory: '.' }))
      .toThrow(/'directory' must be a plain folder name \(a subfolder of the output directory\), got "\."/);
  });

  test('fails on a file name with a directory in it', () => {
    const { app } = seedApp();
    expect(() => writeSourceIpReport(app, { fileName: '../report.md' }))
      .toThrow(/'fileName' must be a plain file name without directories, of at most 255 bytes, got "\.\.\/report\.md"/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});
