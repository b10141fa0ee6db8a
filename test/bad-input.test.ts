// cspell:ignore SANITISE concurency
// docs/bad-input.md lists every input the library takes: what is accepted, canonicalized, warned
// about or refused, with the exact message. This file holds one case per row, and checks each row
// of the doc against what the library really does, so the doc cannot drift. After a deliberate
// change, regenerate the tables with `BAD_INPUT_UPDATE=1 npx jest test/bad-input.test.ts`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as plus33 from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import {
  ClientAffinity, ConsistentHash, ExternalTrafficPolicy, ForwardClientCertDetails, GatewayPort, GatewayServiceType, GatewayTopology,
  HashAlgorithm, IngressGateway, InterceptionMode, IpAccessAction, IpAccessPolicy, IpBlock, LoadBalancer, PolicyTarget,
  setInterceptionMode, SimpleLb, SourceIpValidationError, Warnings, EdgeChain, EdgeHop, AwsNlbTargetType, HopLayer, explain, ExplainHopKind,
  MeshNamespace, SidecarInjection, GatewayListener, HttpRoute, KubernetesGateway, RouteBackend, RouteNamespaces, InstalledGateway, ClientIpAccessLog, ClientRateLimit,
} from '../src';
import { Manifest, only } from './util';

const DOC = path.join(__dirname, '..', 'docs', 'bad-input.md');

/** What one input led to. */
interface Outcome {
  /** The value as written to the manifest, when the input was accepted. */
  readonly output?: string;
  /** Warning ids recorded, sorted. */
  readonly warnings: readonly string[];
  /** The full error message, when refused. */
  readonly error?: string;
}

interface Case {
  readonly id: string;
  /** The input, as Markdown. */
  readonly input: string;
  readonly run: () => Outcome;
}

/** Runs `fn`; a SourceIpValidationError becomes the outcome, anything else fails the test. */
function attempt(fn: () => Outcome): Outcome {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SourceIpValidationError) {
      return { warnings: [], error: e.message };
    }
    throw e;
  }
}

/** A value factory: the canonical text it yields, or its error. */
function value(fn: () => unknown): () => Outcome {
  return () => attempt(() => ({ output: String(fn()), warnings: [] }));
}

/** Constructs in a chart `app`, synthesizes it, and reads `pick` from the objects. */
function build(fn: (chart: Chart) => void, pick?: (objects: Manifest[]) => unknown): () => Outcome {
  return () => attempt(() => {
    const chart = new Chart(new App(), 'app');
    fn(chart);
    const objects = Testing.synth(chart);
    const warnings = [...new Set(Warnings.collect(chart).map((w) => w.id))].sort();
    return { output: pick === undefined ? undefined : JSON.stringify(pick(objects)), warnings };
  });
}

const BLOCK = [IpBlock.of('192.0.2.0/24')];
/** `count` single addresses that never merge: every other address from 10.0.0.0 up. */
const SCATTERED = (count: number) => IpBlock.ofAll(Array.from({ length: count }, (_, i) => `10.${i >> 7}.0.${(i & 127) << 1}`));
const labels = (l: Record<string, string>) => PolicyTarget.labels(l);
const policy = (props: Record<string, unknown>) => (c: Chart) => new IpAccessPolicy(c, 'policy', {
  target: labels({ app: 'echo' }), action: IpAccessAction.DENY, ...props,
} as never);
const spec = (objects: Manifest[]) => only(objects, 'AuthorizationPolicy').spec.rules?.[0]?.from?.[0]?.source;
const gateway = (props: Record<string, unknown>) => (c: Chart) => new IngressGateway(c, 'gw', props as never);
const k8sGateway = (props: Record<string, unknown>) => (c: Chart) => new KubernetesGateway(c, 'gw', props as never);
const proxyConfig = (objects: Manifest[]) => JSON.parse(only(objects, 'Deployment').spec.template.metadata.annotations['proxy.istio.io/config']);
const affinity = (props: Record<string, unknown>) => (c: Chart) => new ClientAffinity(c, 'affinity', {
  host: 'echo', loadBalancer: LoadBalancer.simple(SimpleLb.ROUND_ROBIN), ...props,
} as never);
const lb = (objects: Manifest[]) => only(objects, 'DestinationRule').spec.trafficPolicy.loadBalancer;
const deployment = (c: Construct) => new kplus.Deployment(c, 'echo', { containers: [{ image: 'echo' }] });
/** A Deployment in namespace "apps", which the app creates labelled for injection (unless `injection` says otherwise). */
const meshed = (c: Construct, podMetadata = {}, injection = SidecarInjection.enabled()) => {
  new MeshNamespace(c, 'apps', { name: 'apps', injection });
  return new kplus.Deployment(c, 'echo', { metadata: { namespace: 'apps' }, podMetadata, containers: [{ image: 'echo' }] });
};
/** `build`, but a synth-time validation error (cdk8s reports those as a plain Error) is the outcome too. */
const synthesized = (fn: (chart: Chart) => void, pick?: (objects: Manifest[]) => unknown): () => Outcome => () => {
  try {
    return build(fn, pick)();
  } catch (e) {
    return { warnings: [], error: (e as Error).message };
  }
};
const port = (p: Partial<GatewayPort>): GatewayPort => ({ name: 'http2', port: 80, ...p });
/** Builds an installed gateway (it writes no object) and reads `pick` from it. */
function installed<T>(make: (c: Chart) => T, pick?: (gateway: T) => unknown): () => Outcome {
  return () => attempt(() => {
    const chart = new Chart(new App(), 'app');
    const gw = make(chart);
    Testing.synth(chart);
    return { output: pick === undefined ? undefined : JSON.stringify(pick(gw)), warnings: [...new Set(Warnings.collect(chart).map((w) => w.id))].sort() };
  });
}
const GKE = () => EdgeChain.of(EdgeHop.gkeExternalPassthrough());
/** A list whose first entry is a hole (`[, ...items]`), as plain JavaScript can write it. */
const sparse = <T>(...items: T[]): T[] => {
  const list = new Array<T>(1);
  list.push(...items);
  return list;
};

const SECTIONS: { readonly title: string; readonly cases: readonly Case[] }[] = [
  {
    title: 'IpBlock text (`IpBlock.of`, `IpBlock.ofAll`)',
    cases: [
      { id: 'ip-cidr', input: '`IpBlock.of("203.0.113.0/24")`', run: value(() => IpBlock.of('203.0.113.0/24')) },
      { id: 'ip-bare-v4', input: '`IpBlock.of("198.51.100.7")`', run: value(() => IpBlock.of('198.51.100.7')) },
      { id: 'ip-bare-v6', input: '`IpBlock.of("2001:DB8:0:0::7")`', run: value(() => IpBlock.of('2001:DB8:0:0::7')) },
      { id: 'ip-v4-mapped', input: '`IpBlock.of("::ffff:1.2.3.4")`', run: value(() => IpBlock.of('::ffff:1.2.3.4')) },
      { id: 'ip-host-bits', input: '`remoteIpBlocks: [IpBlock.of("2.2.2.2/24")]`', run: build(policy({ remoteIpBlocks: [IpBlock.of('2.2.2.2/24')] }), (o) => spec(o).remoteIpBlocks) },
      { id: 'ip-empty', input: '`IpBlock.of("")`', run: value(() => IpBlock.of('')) },
      { id: 'ip-whitespace', input: '`IpBlock.of(" 10.0.0.0/8")`', run: value(() => IpBlock.of(' 10.0.0.0/8')) },
      { id: 'ip-octet', input: '`IpBlock.of("10.0.0.300/24")`', run: value(() => IpBlock.of('10.0.0.300/24')) },
      { id: 'ip-leading-zero', input: '`IpBlock.of("010.0.0.1")`', run: value(() => IpBlock.of('010.0.0.1')) },
      { id: 'ip-prefix-range', input: '`IpBlock.of("10.0.0.0/33")`', run: value(() => IpBlock.of('10.0.0.0/33')) },
      { id: 'ip-port', input: '`IpBlock.of("10.0.0.1:8080")`', run: value(() => IpBlock.of('10.0.0.1:8080')) },
      { id: 'ip-brackets', input: '`IpBlock.of("[2001:db8::1]")`', run: value(() => IpBlock.of('[2001:db8::1]')) },
      { id: 'ip-zone', input: '`IpBlock.of("fe80::1%eth0")`', run: value(() => IpBlock.of('fe80::1%eth0')) },
      { id: 'ip-short-v4', input: '`IpBlock.of("127.1")`', run: value(() => IpBlock.of('127.1')) },
      { id: 'ip-not-string', input: '`IpBlock.of(42)` (plain JavaScript)', run: value(() => IpBlock.of(42 as never)) },
      { id: 'ip-all-bad', input: '`IpBlock.ofAll(["10.0.0.0/8", "x", "1.2.3.4/40"])`', run: value(() => IpBlock.ofAll(['10.0.0.0/8', 'x', '1.2.3.4/40']).join(',')) },
    ],
  },
  {
    title: 'GatewayTopology fields (`GatewayTopology.of`)',
    cases: [
      { id: 'topology-direct', input: '`GatewayTopology.direct()`', run: value(() => JSON.stringify(GatewayTopology.direct()._render())) },
      { id: 'topology-proxy-protocol', input: '`{ numTrustedProxies: 1, proxyProtocol: true }`', run: value(() => JSON.stringify(GatewayTopology.of({ numTrustedProxies: 1, proxyProtocol: true })._render())) },
      { id: 'topology-xfcc', input: '`{ forwardClientCertDetails: ForwardClientCertDetails.SANITIZE }`', run: value(() => JSON.stringify(GatewayTopology.of({ forwardClientCertDetails: ForwardClientCertDetails.SANITIZE })._render())) },
      { id: 'topology-negative', input: '`{ numTrustedProxies: -1 }`', run: value(() => GatewayTopology.of({ numTrustedProxies: -1 })) },
      { id: 'topology-fraction', input: '`{ numTrustedProxies: 1.5 }`', run: value(() => GatewayTopology.of({ numTrustedProxies: 1.5 })) },
      { id: 'topology-too-big', input: '`{ numTrustedProxies: 4294967296 }`', run: value(() => GatewayTopology.of({ numTrustedProxies: 4294967296 })) },
      { id: 'topology-proxy-protocol-string', input: '`{ proxyProtocol: "yes" }` (plain JavaScript)', run: value(() => GatewayTopology.of({ proxyProtocol: 'yes' as never })) },
      { id: 'topology-xfcc-bad', input: '`{ forwardClientCertDetails: "SANITISE" }` (plain JavaScript)', run: value(() => GatewayTopology.of({ forwardClientCertDetails: 'SANITISE' as never })) },
    ],
  },
  {
    title: 'IngressGateway props',
    cases: [
      { id: 'gw-defaults', input: '`new IngressGateway(chart, "gw")`', run: build(gateway({}), (o) => only(o, 'Service').spec.externalTrafficPolicy) },
      { id: 'gw-single-replica', input: '`{ replicas: 1 }`', run: build(gateway({ replicas: 1 }), (o) => only(o, 'Deployment').spec.replicas) },
      { id: 'gw-no-spread', input: '`{ spreadAcrossNodes: false }`', run: build(gateway({ spreadAcrossNodes: false })) },
      { id: 'gw-name', input: '`{ name: "Edge_GW" }`', run: build(gateway({ name: 'Edge_GW' })) },
      { id: 'gw-namespace', input: '`{ namespace: "istio.system" }`', run: build(gateway({ namespace: 'istio.system' })) },
      { id: 'gw-service-type', input: '`{ serviceType: "ExternalName" }` (plain JavaScript)', run: build(gateway({ serviceType: 'ExternalName' })) },
      { id: 'gw-etp-cluster-ip', input: '`{ serviceType: CLUSTER_IP, externalTrafficPolicy: LOCAL }`', run: build(gateway({ serviceType: GatewayServiceType.CLUSTER_IP, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL })) },
      { id: 'gw-replicas', input: '`{ replicas: -1 }`', run: build(gateway({ replicas: -1 })) },
      { id: 'gw-health-check-port', input: '`{ externalTrafficPolicy: CLUSTER, healthCheckNodePort: 30000 }`', run: build(gateway({ externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, healthCheckNodePort: 30000 })) },
      { id: 'gw-source-ranges', input: '`{ serviceType: NODE_PORT, loadBalancerSourceRanges: [IpBlock.of("10.0.0.0/8")] }`', run: build(gateway({ serviceType: GatewayServiceType.NODE_PORT, loadBalancerSourceRanges: [IpBlock.of('10.0.0.0/8')] })) },
      { id: 'gw-source-ranges-host-bits', input: '`{ loadBalancerSourceRanges: [IpBlock.of("10.1.2.3/8")] }`', run: build(gateway({ loadBalancerSourceRanges: [IpBlock.of('10.1.2.3/8')] }), (o) => only(o, 'Service').spec.loadBalancerSourceRanges) },
      { id: 'gw-ports-default-target', input: '`{ ports: [{ name: "http2", port: 80 }] }`', run: build(gateway({ ports: [port({})] }), (o) => only(o, 'Service').spec.ports) },
      { id: 'gw-ports-empty', input: '`{ ports: [] }`', run: build(gateway({ ports: [] })) },
      { id: 'gw-port-number', input: '`{ ports: [{ name: "http2", port: 0 }] }`', run: build(gateway({ ports: [port({ port: 0 })] })) },
      { id: 'gw-port-name', input: '`{ ports: [{ name: "HTTP_2", port: 80 }] }`', run: build(gateway({ ports: [port({ name: 'HTTP_2' })] })) },
      { id: 'gw-port-duplicate', input: '`{ ports: [{ name: "a", port: 80 }, { name: "a", port: 80 }] }`', run: build(gateway({ ports: [port({ name: 'a' }), port({ name: 'a' })] })) },
      { id: 'gw-port-protocol', input: '`{ ports: [{ name: "sctp", port: 80, protocol: "SCTP" }] }` (plain JavaScript)', run: build(gateway({ ports: [port({ name: 'sctp', protocol: 'SCTP' as never })] })) },
      { id: 'gw-app-label', input: '`{ appLabel: "edge*" }`', run: build(gateway({ appLabel: 'edge*' })) },
      { id: 'gw-pod-label-key', input: '`{ podLabels: { "Team/x": "a" } }`', run: build(gateway({ podLabels: { 'Team/x': 'a' } })) },
      { id: 'gw-pod-label-conflict', input: '`{ podLabels: { app: "mine" } }`', run: build(gateway({ podLabels: { app: 'mine' } })) },
      { id: 'gw-pod-label-inject', input: '`{ podLabels: { "sidecar.istio.io/inject": "false" } }`', run: build(gateway({ podLabels: { 'sidecar.istio.io/inject': 'false' } })) },
      { id: 'gw-annotation-key', input: '`{ serviceAnnotations: { "bad key": "x" } }`', run: build(gateway({ serviceAnnotations: { 'bad key': 'x' } })) },
      { id: 'gw-annotation-value', input: '`{ podAnnotations: { "example.com/n": 1 } }` (plain JavaScript)', run: build(gateway({ podAnnotations: { 'example.com/n': 1 } })) },
      { id: 'gw-inject-template', input: '`{ podAnnotations: { "inject.istio.io/templates": "sidecar" } }`', run: build(gateway({ podAnnotations: { 'inject.istio.io/templates': 'sidecar' } })) },
      { id: 'gw-proxy-config-merge', input: '`{ podAnnotations: { "proxy.istio.io/config": "concurrency: 2" } }`', run: build(gateway({ podAnnotations: { 'proxy.istio.io/config': 'concurrency: 2' } }), proxyConfig) },
      { id: 'gw-proxy-config-yaml', input: '`{ podAnnotations: { "proxy.istio.io/config": "[1" } }`', run: build(gateway({ podAnnotations: { 'proxy.istio.io/config': '[1' } })) },
      { id: 'gw-proxy-config-list', input: '`{ podAnnotations: { "proxy.istio.io/config": "- a" } }`', run: build(gateway({ podAnnotations: { 'proxy.istio.io/config': '- a' } })) },
      { id: 'gw-name-service', input: '`{ name: "1gateway" }` (also the Service\'s name: a DNS-1035 label)', run: build(gateway({ name: '1gateway' })) },
      { id: 'gw-port-name-63', input: '`{ ports: [{ name: "http-" + "a".repeat(58), port: 80 }] }`', run: build(gateway({ ports: [port({ name: `http-${'a'.repeat(58)}` })] }), (o) => only(o, 'Service').spec.ports[0].name.length) },
      { id: 'gw-ports-sparse', input: '`{ ports: [, { name: "http2", port: 80 }] }` (plain JavaScript)', run: build(gateway({ ports: sparse(port({})) })) },
      { id: 'gw-label-constructor', input: '`{ podLabels: { constructor: "x" } }`', run: build(gateway({ podLabels: { constructor: 'x' } })) },
      { id: 'gw-label-to-string', input: '`{ podLabels: { toString: "x" } }`', run: build(gateway({ podLabels: { toString: 'x' } }), (o) => only(o, 'Deployment').spec.template.metadata.labels.toString) },
      { id: 'gw-annotations-string', input: '`{ podAnnotations: "abc" }` (plain JavaScript)', run: build(gateway({ podAnnotations: 'abc' })) },
      { id: 'gw-annotations-size', input: '`{ serviceAnnotations: { "example.com/big": "x".repeat(262144) } }`', run: build(gateway({ serviceAnnotations: { 'example.com/big': 'x'.repeat(262144) } })) },
      { id: 'gw-spread-string', input: '`{ spreadAcrossNodes: "false" }` (plain JavaScript)', run: build(gateway({ spreadAcrossNodes: 'false' })) },
      { id: 'gw-topology-plain', input: '`{ topology: { numTrustedProxies: 1 } }` (plain JavaScript)', run: build(gateway({ topology: { numTrustedProxies: 1 } })) },
      { id: 'gw-id-prototype', input: '`new IngressGateway(chart, "constructor")` (plain JavaScript)', run: build((c) => new IngressGateway(c, 'constructor')) },
      { id: 'gw-proxy-config-conflict', input: '`{ topology: GatewayTopology.of({ numTrustedProxies: 2 }), podAnnotations: { "proxy.istio.io/config": "{\\"gatewayTopology\\":{\\"numTrustedProxies\\":1}}" } }`', run: build(gateway({ topology: GatewayTopology.of({ numTrustedProxies: 2 }), podAnnotations: { 'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":1}}' } })) },
      { id: 'gw-proxy-config-spelling', input: '`{ podAnnotations: { "proxy.istio.io/config": "gateway_topology: {num_trusted_proxies: \\"0\\"}" } }`', run: build(gateway({ podAnnotations: { 'proxy.istio.io/config': 'gateway_topology: {num_trusted_proxies: "0"}' } }), proxyConfig) },
      { id: 'gw-proxy-config-type', input: '`{ podAnnotations: { "proxy.istio.io/config": "holdApplicationUntilProxyStarts: \\"true\\"" } }`', run: build(gateway({ podAnnotations: { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: "true"' } })) },
      { id: 'gw-proxy-config-rule', input: '`{ podAnnotations: { "proxy.istio.io/config": "discoveryAddress: istiod" } }`', run: build(gateway({ podAnnotations: { 'proxy.istio.io/config': 'discoveryAddress: istiod' } })) },
      { id: 'gw-proxy-config-unknown', input: '`{ podAnnotations: { "proxy.istio.io/config": "concurency: 2" } }`', run: build(gateway({ podAnnotations: { 'proxy.istio.io/config': 'concurency: 2' } }), proxyConfig) },
      { id: 'gw-istio-annotation-unknown', input: '`{ podAnnotations: { "sidecar.istio.io/proxyCpu": "100m" } }`', run: build(gateway({ podAnnotations: { 'sidecar.istio.io/proxyCpu': '100m' } })) },
      { id: 'gw-istio-annotation-kind', input: '`{ serviceAnnotations: { "sidecar.istio.io/proxyCPU": "100m" } }`', run: build(gateway({ serviceAnnotations: { 'sidecar.istio.io/proxyCPU': '100m' } })) },
      { id: 'gw-istio-annotation-deprecated', input: '`{ podAnnotations: { "sidecar.istio.io/statsInclusionPrefixes": "cluster" } }`', run: build(gateway({ podAnnotations: { 'sidecar.istio.io/statsInclusionPrefixes': 'cluster' } })) },
      { id: 'gw-istio-annotation-value', input: '`{ podAnnotations: { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8, 10.1.0.0/16" } }`', run: build(gateway({ podAnnotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8, 10.1.0.0/16' } })) },
      { id: 'gw-istio-annotation-newline', input: '`{ podAnnotations: { "sidecar.istio.io/logLevel": "info\\n  x: y" } }`', run: build(gateway({ podAnnotations: { 'sidecar.istio.io/logLevel': 'info\n  x: y' } })) },
    ],
  },
  {
    title: 'setInterceptionMode',
    cases: [
      { id: 'mode-redirect', input: '`setInterceptionMode(deployment, InterceptionMode.REDIRECT)` in an injected namespace', run: build((c) => setInterceptionMode(meshed(c), InterceptionMode.REDIRECT), (o) => only(o, 'Deployment').spec.template.metadata.annotations['sidecar.istio.io/interceptionMode']) },
      { id: 'mode-tproxy', input: '`setInterceptionMode(deployment, InterceptionMode.TPROXY)` in an injected namespace', run: build((c) => setInterceptionMode(meshed(c), InterceptionMode.TPROXY)) },
      { id: 'mode-plus-33', input: '`setInterceptionMode` on a cdk8s-plus-33 Deployment', run: build((c) => {
        new MeshNamespace(c, 'apps', { name: 'apps' });
        setInterceptionMode(new plus33.Deployment(c, 'echo', { metadata: { namespace: 'apps' }, containers: [{ image: 'echo' }] }), InterceptionMode.REDIRECT);
      }, (o) => only(o, 'Deployment').spec.template.metadata.annotations['sidecar.istio.io/interceptionMode']) },
      { id: 'mode-namespace-unknown', input: '`setInterceptionMode` on a Deployment whose namespace the app neither creates nor declares', run: build((c) => setInterceptionMode(deployment(c), InterceptionMode.REDIRECT)) },
      { id: 'mode-namespace-declared', input: '`setInterceptionMode` on a Deployment in `MeshNamespace.fromExisting(c, "apps", { name: "apps", injection: SidecarInjection.revision("canary") })`', run: build((c) => {
        MeshNamespace.fromExisting(c, 'ns', { name: 'apps', injection: SidecarInjection.revision('canary') });
        setInterceptionMode(new kplus.Deployment(c, 'echo', { metadata: { namespace: 'apps' }, containers: [{ image: 'echo' }] }), InterceptionMode.REDIRECT);
      }) },
      { id: 'mode-opted-out', input: '`setInterceptionMode` on pods labelled `sidecar.istio.io/inject: "false"`', run: synthesized((c) => setInterceptionMode(meshed(c, { labels: { 'sidecar.istio.io/inject': 'false' } }), InterceptionMode.TPROXY)) },
      { id: 'mode-opted-out-annotation', input: '`setInterceptionMode` on pods annotated `sidecar.istio.io/inject: "false"`', run: synthesized((c) => setInterceptionMode(meshed(c, { annotations: { 'sidecar.istio.io/inject': 'false' } }), InterceptionMode.TPROXY)) },
      { id: 'mode-namespace-disabled', input: '`setInterceptionMode` in a `MeshNamespace` with `SidecarInjection.disabled()`, pods labelled `sidecar.istio.io/inject: "true"`', run: synthesized((c) => setInterceptionMode(meshed(c, { labels: { 'sidecar.istio.io/inject': 'true' } }, SidecarInjection.disabled()), InterceptionMode.TPROXY)) },
      { id: 'mode-namespace-none', input: '`setInterceptionMode` in a `MeshNamespace` with `SidecarInjection.none()`, pods without labels', run: synthesized((c) => setInterceptionMode(meshed(c, {}, SidecarInjection.none()), InterceptionMode.TPROXY)) },
      { id: 'mode-host-network', input: '`setInterceptionMode` on pods with `hostNetwork: true`', run: synthesized((c) => {
        new MeshNamespace(c, 'apps', { name: 'apps' });
        setInterceptionMode(new kplus.Deployment(c, 'echo', { metadata: { namespace: 'apps' }, hostNetwork: true, containers: [{ image: 'echo' }] }), InterceptionMode.TPROXY);
      }) },
      { id: 'mode-gateway', input: '`setInterceptionMode(gateway.deployment, InterceptionMode.NONE)`', run: build((c) => {
        new MeshNamespace(c, 'apps', { name: 'apps', injection: SidecarInjection.none() });
        setInterceptionMode(new IngressGateway(c, 'gw', { namespace: 'apps' }).deployment, InterceptionMode.NONE);
      }) },
      { id: 'mode-proxy-config', input: '`setInterceptionMode` on pods whose `proxy.istio.io/config` says `interceptionMode: REDIRECT`, with `NONE`', run: build((c) => {
        setInterceptionMode(meshed(c, { annotations: { 'proxy.istio.io/config': 'interceptionMode: REDIRECT' } }), InterceptionMode.NONE);
      }) },
      { id: 'mode-proxy-config-proto', input: '`setInterceptionMode` on pods whose `proxy.istio.io/config` says `interception_mode: REDIRECT` (proto spelling), with `NONE`', run: build((c) => {
        setInterceptionMode(meshed(c, { annotations: { 'proxy.istio.io/config': 'interception_mode: REDIRECT' } }), InterceptionMode.NONE);
      }) },
      { id: 'mode-bad', input: '`setInterceptionMode(deployment, "tproxy")` (plain JavaScript)', run: build((c) => setInterceptionMode(deployment(c), 'tproxy' as never)) },
      { id: 'mode-not-workload', input: '`setInterceptionMode(service, InterceptionMode.TPROXY)`', run: build((c) => setInterceptionMode(new kplus.Service(c, 'svc', { ports: [{ port: 80 }] }), InterceptionMode.TPROXY)) },
      { id: 'mode-conflict', input: '`setInterceptionMode` with `TPROXY` on pods already annotated `REDIRECT`', run: build((c) => {
        const d = deployment(c);
        d.podMetadata.addAnnotation('sidecar.istio.io/interceptionMode', 'REDIRECT');
        setInterceptionMode(d, InterceptionMode.TPROXY);
      }) },
      { id: 'mode-overwritten', input: '`setInterceptionMode(d, TPROXY)`, then `d.podMetadata.addAnnotation("sidecar.istio.io/interceptionMode", "NONE")`', run: () => {
        try {
          return build((c) => {
            const d = deployment(c);
            setInterceptionMode(d, InterceptionMode.TPROXY);
            d.podMetadata.addAnnotation('sidecar.istio.io/interceptionMode', 'NONE');
          })();
        } catch (e) {
          // cdk8s reports synth-time validation errors as a plain Error listing each message.
          return { warnings: [], error: (e as Error).message };
        }
      } },
    ],
  },
  {
    title: 'MeshNamespace and SidecarInjection',
    cases: [
      { id: 'ns-enabled', input: '`new MeshNamespace(c, "apps", { name: "apps" })`', run: build((c) => new MeshNamespace(c, 'apps', { name: 'apps' }), (o) => only(o, 'Namespace').metadata.labels) },
      { id: 'ns-revision', input: '`{ name: "apps", injection: SidecarInjection.revision("canary") }`', run: build((c) => new MeshNamespace(c, 'apps', { name: 'apps', injection: SidecarInjection.revision('canary') }), (o) => only(o, 'Namespace').metadata.labels) },
      { id: 'ns-name', input: '`{ name: "Apps" }`', run: build((c) => new MeshNamespace(c, 'apps', { name: 'Apps' })) },
      { id: 'ns-reserved-label', input: '`{ name: "apps", labels: { "istio-injection": "enabled" } }`', run: build((c) => new MeshNamespace(c, 'apps', { name: 'apps', labels: { 'istio-injection': 'enabled' } })) },
      { id: 'ns-injection-string', input: '`{ name: "apps", injection: "enabled" }` (plain JavaScript)', run: build((c) => new MeshNamespace(c, 'apps', { name: 'apps', injection: 'enabled' } as never)) },
      { id: 'ns-revision-bad', input: '`SidecarInjection.revision("canary/1")`', run: value(() => SidecarInjection.revision('canary/1')) },
      { id: 'ns-existing-no-injection', input: '`MeshNamespace.fromExisting(c, "apps", { name: "apps" })` (plain JavaScript)', run: build((c) => MeshNamespace.fromExisting(c, 'apps', { name: 'apps' } as never)) },
      { id: 'ns-existing-conflict', input: '`MeshNamespace.fromExisting` with `SidecarInjection.enabled()` for a namespace the app creates with `SidecarInjection.disabled()`', run: synthesized((c) => {
        new MeshNamespace(c, 'created', { name: 'apps', injection: SidecarInjection.disabled() });
        MeshNamespace.fromExisting(c, 'declared', { name: 'apps', injection: SidecarInjection.enabled() });
      }) },
    ],
  },
  {
    title: 'IpAccessPolicy props',
    cases: [
      { id: 'policy-remote', input: '`{ target: PolicyTarget.gateway(gw), action: DENY, remoteIpBlocks }` (gateway trusting 1 proxy)', run: build((c) => {
        const gw = new IngressGateway(c, 'gw', { topology: GatewayTopology.of({ numTrustedProxies: 1 }), externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
        new IpAccessPolicy(c, 'policy', { target: PolicyTarget.gateway(gw), action: IpAccessAction.DENY, remoteIpBlocks: BLOCK });
      }, (o) => spec(o)) },
      { id: 'policy-no-blocks-allow', input: '`{ action: ALLOW }` without blocks', run: build(policy({ action: IpAccessAction.ALLOW })) },
      { id: 'policy-no-blocks-deny', input: '`{ action: DENY }` without blocks', run: build(policy({})) },
      { id: 'policy-empty-list', input: '`{ ipBlocks: [] }`', run: build(policy({ ipBlocks: [] })) },
      { id: 'policy-not-ip-block', input: '`{ ipBlocks: ["10.0.0.0/8"] }` (plain JavaScript)', run: build(policy({ ipBlocks: ['10.0.0.0/8'] })) },
      { id: 'policy-duplicate', input: '`{ ipBlocks: [IpBlock.of("10.0.0.1/8"), IpBlock.of("10.0.0.0/8")] }`', run: build(policy({ ipBlocks: [IpBlock.of('10.0.0.1/8'), IpBlock.of('10.0.0.0/8')] })) },
      { id: 'policy-merged', input: '`{ ipBlocks: IpBlock.ofAll(["10.0.1.0/24", "10.0.0.0/24", "10.0.0.7"]) }`', run: build(policy({ ipBlocks: IpBlock.ofAll(['10.0.1.0/24', '10.0.0.0/24', '10.0.0.7']) }), (o) => spec(o)) },
      { id: 'policy-verbatim', input: '`{ ipBlocks: IpBlock.ofAll(["10.0.1.0/24", "10.0.0.0/24", "10.0.0.7"]), reduceIpBlocks: false }`', run: build(policy({ ipBlocks: IpBlock.ofAll(['10.0.1.0/24', '10.0.0.0/24', '10.0.0.7']), reduceIpBlocks: false }), (o) => spec(o)) },
      { id: 'policy-split', input: '`{ name: "blocked", ipBlocks: <1,000 addresses that do not merge>, maxObjectBytes: 4096 }`', run: build(policy({ name: 'blocked', ipBlocks: SCATTERED(1000), maxObjectBytes: 4096 }), (o) => o.map((x) => x.metadata.name)) },
      { id: 'policy-not-list-too-big', input: '`{ notIpBlocks: <400 addresses that do not merge>, maxObjectBytes: 4096 }`', run: build(policy({ action: IpAccessAction.ALLOW, notIpBlocks: SCATTERED(400), maxObjectBytes: 4096 })) },
      { id: 'policy-max-bytes', input: '`{ maxObjectBytes: 2097152 }`', run: build(policy({ ipBlocks: BLOCK, maxObjectBytes: 2097152 })) },
      { id: 'policy-reduce-type', input: '`{ reduceIpBlocks: "no" }` (plain JavaScript)', run: build(policy({ ipBlocks: BLOCK, reduceIpBlocks: 'no' })) },
      { id: 'policy-action', input: '`{ action: "AUDIT" }` (plain JavaScript)', run: build(policy({ action: 'AUDIT', ipBlocks: BLOCK })) },
      { id: 'policy-target', input: '`{ target: { app: "echo" } }` (plain JavaScript)', run: build(policy({ target: { app: 'echo' }, ipBlocks: BLOCK })) },
      { id: 'policy-name', input: '`{ name: "Allow Office" }`', run: build(policy({ name: 'Allow Office', ipBlocks: BLOCK })) },
      { id: 'policy-namespace', input: '`{ namespace: "Prod" }`', run: build(policy({ namespace: 'Prod', ipBlocks: BLOCK })) },
      { id: 'policy-empty-target', input: '`{ target: PolicyTarget.labels({}) }`', run: build(policy({ target: labels({}), ipBlocks: BLOCK })) },
      { id: 'policy-wildcard-key', input: '`{ target: PolicyTarget.labels({ "app*": "echo" }) }`', run: build(policy({ target: labels({ 'app*': 'echo' }), ipBlocks: BLOCK })) },
      { id: 'policy-empty-key', input: '`{ target: PolicyTarget.labels({ "": "echo" }) }`', run: build(policy({ target: labels({ '': 'echo' }), ipBlocks: BLOCK })) },
      { id: 'policy-wildcard-value', input: '`{ target: PolicyTarget.labels({ app: "echo-*" }) }`', run: build(policy({ target: labels({ app: 'echo-*' }), ipBlocks: BLOCK })) },
      { id: 'policy-add-rule-catch-all', input: '`IpAccessPolicy.denyAll(...).addRule({ ipBlocks })`', run: build((c) => IpAccessPolicy.denyAll(c, 'policy', { target: labels({ app: 'echo' }) }).addRule({ ipBlocks: BLOCK })) },
      { id: 'policy-remote-on-sidecar', input: '`{ target: PolicyTarget.labels({ app: "echo" }), remoteIpBlocks }`', run: build(policy({ remoteIpBlocks: BLOCK })) },
      { id: 'policy-remote-no-hop', input: '`remoteIpBlocks` on a gateway with `numTrustedProxies: 0` and no PROXY protocol', run: build((c) => {
        new IpAccessPolicy(c, 'policy', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), action: IpAccessAction.DENY, remoteIpBlocks: BLOCK });
      }) },
      { id: 'policy-ip-blocks-snat', input: '`ipBlocks` on a gateway with `externalTrafficPolicy: Cluster`', run: build((c) => {
        const gw = new IngressGateway(c, 'gw', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
        new IpAccessPolicy(c, 'policy', { target: PolicyTarget.gateway(gw), action: IpAccessAction.DENY, ipBlocks: BLOCK });
      }) },
      { id: 'policy-ip-blocks-behind-proxy', input: '`ipBlocks` on a gateway behind PROXY protocol', run: build((c) => {
        const gw = new IngressGateway(c, 'gw', { topology: GatewayTopology.of({ proxyProtocol: true }) });
        new IpAccessPolicy(c, 'policy', { target: PolicyTarget.gateway(gw), action: IpAccessAction.DENY, ipBlocks: BLOCK });
      }) },
      { id: 'policy-ambient', input: '`remoteIpBlocks` on a workload labelled `istio.io/dataplane-mode: ambient`', run: build((c) => {
        const d = new kplus.Deployment(c, 'echo', { containers: [{ image: 'echo' }], podMetadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } });
        new IpAccessPolicy(c, 'policy', { target: PolicyTarget.workload(d), action: IpAccessAction.DENY, remoteIpBlocks: BLOCK });
      }) },
      { id: 'policy-action-missing', input: '`{ target, ipBlocks }` without `action` (plain JavaScript)', run: build(policy({ action: undefined, ipBlocks: BLOCK })) },
      { id: 'policy-sparse-blocks', input: '`{ ipBlocks: [, IpBlock.of("10.0.0.0/8")] }` (plain JavaScript)', run: build(policy({ ipBlocks: sparse(IpBlock.of('10.0.0.0/8')) })) },
      { id: 'policy-dead-rule', input: '`{ action: DENY, ipBlocks: [IpBlock.of("10.0.0.0/8")], notIpBlocks: [IpBlock.of("10.0.0.0/8")] }`', run: build(policy({ ipBlocks: [IpBlock.of('10.0.0.0/8')], notIpBlocks: [IpBlock.of('10.0.0.0/8')] })) },
      { id: 'policy-not-everything', input: '`{ action: DENY, notRemoteIpBlocks: [IpBlock.anyIpv4(), IpBlock.anyIpv6()] }`', run: build(policy({ notRemoteIpBlocks: [IpBlock.anyIpv4(), IpBlock.anyIpv6()] })) },
      { id: 'policy-allow-everyone', input: '`{ action: ALLOW, ipBlocks: [IpBlock.anyIpv4()] }` (unnamed allow-all)', run: build(policy({ action: IpAccessAction.ALLOW, ipBlocks: [IpBlock.anyIpv4()] }), (o) => spec(o).ipBlocks) },
      { id: 'policy-ipv4-mapped', input: '`{ ipBlocks: [IpBlock.of("::ffff:10.1.2.3")] }`', run: build(policy({ ipBlocks: [IpBlock.of('::ffff:10.1.2.3')] }), (o) => spec(o).ipBlocks) },
      { id: 'policy-external-on-sidecar', input: '`{ target: PolicyTarget.labels({ app: "echo" }), ipBlocks: [IpBlock.of("203.0.113.0/24")] }`', run: build(policy({ ipBlocks: [IpBlock.of('203.0.113.0/24')] })) },
      { id: 'policy-pods-on-sidecar', input: '`{ target: PolicyTarget.labels({ app: "echo" }), ipBlocks: [IpBlock.of("10.4.0.0/14")] }`', run: build(policy({ ipBlocks: [IpBlock.of('10.4.0.0/14')] })) },
      { id: 'policy-namespace-differs', input: '`{ namespace: "other", target: PolicyTarget.labels({ app: "echo" }, { namespace: "apps" }) }`', run: build(policy({ namespace: 'other', target: PolicyTarget.labels({ app: 'echo' }, { namespace: 'apps' }), ipBlocks: BLOCK })) },
    ],
  },
  {
    title: 'ConsistentHash, HashAlgorithm, LoadBalancer and ClientAffinity props',
    cases: [
      { id: 'hash-header-case', input: '`ConsistentHash.header("X-User-Id")`', run: build(affinity({ loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('X-User-Id')), localityLoadBalancing: false }), (o) => lb(o)) },
      { id: 'hash-header-bad', input: '`ConsistentHash.header("x-user: 1")`', run: value(() => ConsistentHash.header('x-user: 1')) },
      { id: 'hash-cookie-ttl', input: '`ConsistentHash.cookie({ name: "s", ttl: Duration.minutes(90) })`', run: build(affinity({ loadBalancer: LoadBalancer.consistentHash(ConsistentHash.cookie({ name: 's', ttl: Duration.minutes(90) })), localityLoadBalancing: false }), (o) => lb(o)) },
      { id: 'hash-cookie-ttl-ms', input: '`ConsistentHash.cookie({ name: "s", ttl: Duration.millis(1500) })`', run: build(affinity({ loadBalancer: LoadBalancer.consistentHash(ConsistentHash.cookie({ name: 's', ttl: Duration.millis(1500) })), localityLoadBalancing: false }), (o) => lb(o).consistentHash.httpCookie.ttl) },
      { id: 'hash-cookie-bad', input: '`ConsistentHash.cookie({ name: "my cookie", path: "api", ttl: 60 })`', run: value(() => ConsistentHash.cookie({ name: 'my cookie', path: 'api', ttl: 60 as never })) },
      { id: 'hash-query-bad', input: '`ConsistentHash.queryParameter("a=b")`', run: value(() => ConsistentHash.queryParameter('a=b')) },
      { id: 'hash-ring-bad', input: '`HashAlgorithm.ringHash(0)`', run: value(() => HashAlgorithm.ringHash(0)) },
      { id: 'hash-maglev-not-prime', input: '`HashAlgorithm.maglev(65536)`', run: value(() => HashAlgorithm.maglev(65536)) },
      { id: 'hash-maglev-too-big', input: '`HashAlgorithm.maglev(5000011)`', run: value(() => HashAlgorithm.maglev(5000011)) },
      { id: 'lb-simple-bad', input: '`LoadBalancer.simple("LEAST_CONN")` (plain JavaScript)', run: value(() => LoadBalancer.simple('LEAST_CONN' as never)) },
      { id: 'lb-hash-bad', input: '`LoadBalancer.consistentHash({ useSourceIp: true })` (plain JavaScript)', run: value(() => LoadBalancer.consistentHash({ useSourceIp: true } as never)) },
      { id: 'affinity-host', input: '`{ host: "http://echo:80" }`', run: build(affinity({ host: 'http://echo:80' })) },
      { id: 'affinity-load-balancer', input: '`{ loadBalancer: { simple: "RANDOM" } }` (plain JavaScript)', run: build(affinity({ loadBalancer: { simple: 'RANDOM' } })) },
      { id: 'affinity-locality', input: '`{ localityLoadBalancing: "no" }` (plain JavaScript)', run: build(affinity({ localityLoadBalancing: 'no' })) },
      { id: 'affinity-locality-on', input: '`{ loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) }`', run: build(affinity({ loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) }), (o) => lb(o)) },
      { id: 'hash-maglev-one', input: '`HashAlgorithm.maglev(1)` (istiod\'s prime test accepts 1)', run: value(() => JSON.stringify(HashAlgorithm.maglev(1)._fields)) },
      { id: 'hash-cookie-ttl-too-long', input: '`ConsistentHash.cookie({ name: "s", ttl: Duration.days(365 * 300) })`', run: value(() => ConsistentHash.cookie({ name: 's', ttl: Duration.days(365 * 300) })) },
      { id: 'affinity-host-numeric-tld', input: '`{ host: "echo.default.123" }`', run: build(affinity({ host: 'echo.default.123' })) },
      { id: 'affinity-host-wildcard', input: '`{ host: "*.Example.com." }`', run: build(affinity({ host: '*.Example.com.' }), (o) => only(o, 'DestinationRule').spec.host) },
      { id: 'affinity-locality-outlier', input: 'consistent hash, locality not off, and a JSON patch adding `trafficPolicy.outlierDetection`', run: build((c) => {
        const a = new ClientAffinity(c, 'affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) });
        ApiObject.of(a.resource).addJsonPatch(JsonPatch.add('/spec/trafficPolicy/outlierDetection', { consecutive5xxErrors: 5 }));
      }) },
      { id: 'affinity-xff', input: '`ConsistentHash.header("x-forwarded-for")`, `localityLoadBalancing: false`', run: build(affinity({ loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('x-forwarded-for')), localityLoadBalancing: false })) },
    ],
  },
  {
    title: 'Edge presets (`EdgeHop`, `EdgeChain.of`) and `IngressGateway` `edge`',
    cases: [
      { id: 'edge-derived', input: '`{ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()) }`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()) }), (o) => proxyConfig(o)) },
      { id: 'edge-empty', input: '`EdgeChain.of()`', run: value(() => EdgeChain.of()) },
      { id: 'edge-cdn-last', input: '`EdgeChain.of(EdgeHop.cloudflare())`', run: value(() => EdgeChain.of(EdgeHop.cloudflare())) },
      { id: 'edge-proxy-not-last', input: '`EdgeChain.of(EdgeHop.awsNlb({ targetType: IP, proxyProtocol: true }), EdgeHop.metalLb())`', run: value(() => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }), EdgeHop.metalLb())) },
      { id: 'edge-not-a-hop', input: '`EdgeChain.of({ name: "nlb" })` (plain JavaScript)', run: value(() => EdgeChain.of({ name: 'nlb' } as never)) },
      { id: 'edge-do-proxy-passthrough', input: '`EdgeHop.digitalOcean({ proxyProtocol: true })`', run: value(() => EdgeHop.digitalOcean({ proxyProtocol: true })) },
      { id: 'edge-custom-bad', input: '`EdgeHop.custom({ name: "", layer: HopLayer.L4_PROXY, xffEntriesAppended: 1 })`', run: value(() => EdgeHop.custom({ name: '', layer: HopLayer.L4_PROXY, xffEntriesAppended: 1 })) },
      { id: 'edge-nlb-target', input: '`EdgeHop.awsNlb({ targetType: "pod" })` (plain JavaScript)', run: value(() => EdgeHop.awsNlb({ targetType: 'pod' as never })) },
      { id: 'edge-gateway-not-chain', input: '`{ edge: [EdgeHop.metalLb()] }` (plain JavaScript)', run: build(gateway({ edge: [EdgeHop.metalLb()] })) },
      { id: 'edge-override', input: '`{ edge: EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()), topology: GatewayTopology.of({ numTrustedProxies: 1 }) }`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.googleCloudApplicationLoadBalancer()), topology: GatewayTopology.of({ numTrustedProxies: 1 }) }), (o) => proxyConfig(o)) },
      { id: 'edge-spoofable', input: '`{ edge: EdgeChain.of(EdgeHop.cloudflare(), <NLB with PROXY>), topology: { numTrustedProxies: 2, proxyProtocol: true } }` (istio/istio#31704)', run: build(gateway({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })), topology: GatewayTopology.of({ numTrustedProxies: 2, proxyProtocol: true }) })) },
      { id: 'edge-proxy-unsupported', input: '`{ edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()), topology: { proxyProtocol: true } }`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()), topology: GatewayTopology.of({ proxyProtocol: true }) })) },
      { id: 'edge-bypass', input: '`{ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()) }`, no `loadBalancerSourceRanges`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()) })) },
      { id: 'edge-locked-by-ranges', input: 'the same, with `loadBalancerSourceRanges: EdgeHop.cloudflare().sourceRanges`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()), loadBalancerSourceRanges: EdgeHop.cloudflare().sourceRanges }), (o) => only(o, 'Service').spec.loadBalancerSourceRanges.length) },
      { id: 'edge-ranges-too-wide', input: 'the same, with `loadBalancerSourceRanges: [IpBlock.of("0.0.0.0/0")]`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()), loadBalancerSourceRanges: [IpBlock.anyIpv4()] })) },
      { id: 'edge-lock-down', input: '`EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.googleCloudApplicationLoadBalancer().lockDown("Cloud Armor admits Cloudflare only"))`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.googleCloudApplicationLoadBalancer().lockDown('Cloud Armor admits Cloudflare only')) })) },
      { id: 'edge-lock-down-empty', input: '`EdgeHop.metalLb().lockDown("")`', run: value(() => EdgeHop.metalLb().lockDown('')) },
      { id: 'edge-node-ports', input: '`EdgeHop.custom({ name: "proxy", layer: L7, serviceType: NODE_PORT })` with `numTrustedProxies` 1', run: build(gateway({ edge: EdgeChain.of(EdgeHop.custom({ name: 'proxy', layer: HopLayer.L7, serviceType: GatewayServiceType.NODE_PORT })) })) },
      { id: 'edge-azure-service-tags', input: '`EdgeHop.azureFrontDoor()`, then `EdgeHop.azureLoadBalancer({ allowedServiceTags: ["AzureFrontDoor.Backend"] })`', run: build(gateway({ edge: EdgeChain.of(EdgeHop.azureFrontDoor(), EdgeHop.azureLoadBalancer({ allowedServiceTags: ['AzureFrontDoor.Backend'] })) }), (o) => only(o, 'Service').metadata.annotations) },
      { id: 'edge-port-entry-skipped', input: '`EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.azureApplicationGateway())` (the ip:port entry is not the one read)', run: build(gateway({ edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.azureApplicationGateway().lockDown('NSG admits Cloudflare only')) })) },
      { id: 'edge-port-entry-read', input: '`EdgeChain.of(EdgeHop.azureApplicationGateway())` (the ip:port entry is the one read)', run: build(gateway({ edge: EdgeChain.of(EdgeHop.azureApplicationGateway()) })) },
      { id: 'edge-client-ip-blocks', input: '`clientIpBlocks` on a gateway with `edge: EdgeChain.of(EdgeHop.metalLb())`', run: build((c) => {
        const gw = new IngressGateway(c, 'gw', { edge: EdgeChain.of(EdgeHop.metalLb()) });
        new IpAccessPolicy(c, 'policy', { target: PolicyTarget.gateway(gw), action: IpAccessAction.DENY, clientIpBlocks: BLOCK });
      }, (o) => spec(o)) },
      { id: 'edge-client-ip-blocks-no-edge', input: '`clientIpBlocks` on a gateway without `edge`', run: build((c) => {
        new IpAccessPolicy(c, 'policy', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), action: IpAccessAction.DENY, clientIpBlocks: BLOCK });
      }) },
    ],
  },
  {
    title: 'KubernetesGateway, GatewayListener and HttpRoute props',
    cases: [
      { id: 'k8s-gw-defaults', input: '`new KubernetesGateway(chart, "gw")`', run: build(k8sGateway({}), (o) => only(o, 'ConfigMap').data.service) },
      { id: 'k8s-gw-gateway-api-key', input: '`{ podAnnotations: { "gateway.networking.k8s.io/team": "edge" } }`', run: build(k8sGateway({ podAnnotations: { 'gateway.networking.k8s.io/team': 'edge' } })) },
      { id: 'k8s-gw-omitted-key', input: '`{ podAnnotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } }`', run: build(k8sGateway({ podAnnotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } })) },
      { id: 'k8s-gw-annotation-twice', input: '`{ podAnnotations: { "example.com/a": "1" }, serviceAnnotations: { "example.com/a": "2" } }`', run: build(k8sGateway({ podAnnotations: { 'example.com/a': '1' }, serviceAnnotations: { 'example.com/a': '2' } })) },
      { id: 'k8s-gw-too-many', input: '`{ edge: <AWS NLB, PROXY v2>, podAnnotations: <4 more> }` (9 keys)', run: build(k8sGateway({ edge: EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })), podAnnotations: Object.fromEntries([0, 1, 2, 3].map((i) => [`example.com/a${i}`, 'x'])) })) },
      { id: 'k8s-gw-label-inject', input: '`{ podLabels: { "sidecar.istio.io/inject": "true" } }`', run: build(k8sGateway({ podLabels: { 'sidecar.istio.io/inject': 'true' } })) },
      { id: 'k8s-gw-class', input: '`{ gatewayClassName: "istio-waypoint" }`', run: build(k8sGateway({ gatewayClassName: 'istio-waypoint' })) },
      { id: 'k8s-gw-long-name', input: '`{ name: "<60 characters>" }`', run: build(k8sGateway({ name: 'a'.repeat(60) })) },
      { id: 'k8s-gw-long-name-override', input: '`{ name: "<64 characters>", generatedName: "gw" }`', run: build(k8sGateway({ name: 'a'.repeat(64), generatedName: 'gw' })) },
      { id: 'k8s-gw-listener-clash', input: '`{ listeners: [GatewayListener.http(), GatewayListener.https({ port: 80, name: "tls", certificateRefs: ["c"] })] }`', run: build(k8sGateway({ listeners: [GatewayListener.http(), GatewayListener.https({ port: 80, name: 'tls', certificateRefs: ['c'] })] })) },
      { id: 'listener-reserved-port', input: '`GatewayListener.http({ port: 15021 })`', run: value(() => GatewayListener.http({ port: 15021 })) },
      { id: 'listener-wildcard-host', input: '`GatewayListener.http({ hostname: "*" })`', run: value(() => GatewayListener.http({ hostname: '*' })) },
      { id: 'listener-no-cert', input: '`GatewayListener.https({ certificateRefs: [] })`', run: value(() => GatewayListener.https({ certificateRefs: [] })) },
      { id: 'route-namespaces-none', input: '`RouteNamespaces.named()`', run: value(() => RouteNamespaces.named()) },
      { id: 'http-route-section', input: '`new HttpRoute(chart, "route", { gateway, backend, sectionNames: ["https"] })` (the gateway has only `http`)', run: build((c) => {
        new HttpRoute(c, 'route', { gateway: new KubernetesGateway(c, 'gw'), backend: RouteBackend.fromName({ name: 'echo', namespace: 'istio-ingress', port: 80 }), sectionNames: ['https'] });
      }) },
      { id: 'http-route-other-namespace', input: '`HttpRoute` in namespace `shop` to a Service in `web`', run: build((c) => {
        new HttpRoute(c, 'route', { gateway: new KubernetesGateway(c, 'gw'), namespace: 'shop', backend: RouteBackend.fromName({ name: 'echo', namespace: 'web', port: 80 }) });
      }) },
    ],
  },
  {
    title: 'Installed gateways (`InstalledGateway.istioctl`, `.helm`, `.manifest`)',
    cases: [
      { id: 'installed-istioctl', input: '`InstalledGateway.istioctl(chart, "gw", { edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()) })`', run: installed((c) => InstalledGateway.istioctl(c, 'gw', { edge: GKE() }), (g) => {
        const k8s = (g.istioOperatorComponent() as { k8s: Record<string, unknown> }).k8s;
        return { service: k8s.service, podAnnotations: k8s.podAnnotations, hpaSpec: { ...(k8s.hpaSpec as object), metrics: undefined } };
      }) },
      { id: 'installed-istioctl-inject', input: '`InstalledGateway.istioctl(chart, "gw", { podAnnotations: { "sidecar.istio.io/inject": "true" } })`', run: installed((c) => InstalledGateway.istioctl(c, 'gw', { podAnnotations: { 'sidecar.istio.io/inject': 'true' } })) },
      { id: 'installed-istioctl-pod-labels', input: '`InstalledGateway.istioctl(chart, "gw", { podLabels: { istio: "my-gateway" } })`', run: installed((c) => InstalledGateway.istioctl(c, 'gw', { podLabels: { istio: 'my-gateway' } })) },
      { id: 'installed-istioctl-mesh-wide', input: '`InstalledGateway.istioctl(chart, "gw", { edge: <GKE>, meshWideTopology: true })`', run: installed((c) => InstalledGateway.istioctl(c, 'gw', { edge: GKE(), meshWideTopology: true }), (g) => (g.istioOperatorOverlay() as { spec: { meshConfig: unknown } }).spec.meshConfig) },
      { id: 'installed-helm-labels', input: '`InstalledGateway.helm(chart, "gw", { releaseName: "my-gw", namespace: "istio-ingress" })`', run: installed((c) => InstalledGateway.helm(c, 'gw', { releaseName: 'my-gw', namespace: 'istio-ingress' }), (g) => g.selectorLabels) },
      { id: 'installed-helm-health-check-port', input: '`InstalledGateway.helm(chart, "gw", { releaseName: "gw", namespace: "gw", edge: <GKE>, healthCheckNodePort: 32000 })`', run: installed((c) => InstalledGateway.helm(c, 'gw', { releaseName: 'gw', namespace: 'gw', edge: GKE(), healthCheckNodePort: 32000 })) },
      { id: 'installed-helm-release-name', input: '`InstalledGateway.helm(chart, "gw", { releaseName: "My_Gateway", namespace: "gw" })`', run: installed((c) => InstalledGateway.helm(c, 'gw', { releaseName: 'My_Gateway', namespace: 'gw' })) },
      { id: 'installed-helm-pod-labels', input: '`InstalledGateway.helm(chart, "gw", { releaseName: "my-gw", namespace: "gw", podLabels: { app: "istio-ingressgateway" } })`', run: installed((c) => InstalledGateway.helm(c, 'gw', { releaseName: 'my-gw', namespace: 'gw', podLabels: { app: 'istio-ingressgateway' } })) },
      { id: 'installed-helm-inject-template', input: '`InstalledGateway.helm(chart, "gw", { releaseName: "gw", namespace: "gw", podAnnotations: { "inject.istio.io/templates": "sidecar" } })`', run: installed((c) => InstalledGateway.helm(c, 'gw', { releaseName: 'gw', namespace: 'gw', podAnnotations: { 'inject.istio.io/templates': 'sidecar' } })) },
      { id: 'installed-manifest-missing', input: '`InstalledGateway.manifest(chart, "gw", {})` (plain JavaScript)', run: installed((c) => InstalledGateway.manifest(c, 'gw', {} as never)) },
      ],
    },
    {
    title: 'Warnings and acknowledgements (`Warnings`)',
    cases: [
      { id: 'ack-unknown-id', input: '`Warnings.of(c).acknowledge("tproxy-run-as-root", "ok")`', run: build((c) => Warnings.of(c).acknowledge('tproxy-run-as-root', 'ok')) },
      { id: 'ack-empty-reason', input: '`Warnings.of(c).acknowledge("tproxy-runs-as-root", "")`', run: build((c) => Warnings.of(c).acknowledge('tproxy-runs-as-root', '')) },
      { id: 'ack-unmatched', input: 'an acknowledgement of `tproxy-runs-as-root` on a chart without TPROXY', run: build((c) => Warnings.of(c).acknowledge('tproxy-runs-as-root', 'reviewed')) },
      { id: 'ack-subject', input: '`acknowledge("ip-block-host-bits", "meant", { subject: "remoteIpBlocks 2.2.2.2/24" })` on a policy with two host-bit blocks', run: build((c) => {
        const p = policy({ remoteIpBlocks: IpBlock.ofAll(['2.2.2.2/24', '10.1.1.1/8']) })(c);
        Warnings.of(p).acknowledge('ip-block-host-bits', 'meant', { subject: 'remoteIpBlocks 2.2.2.2/24' });
      }) },
      { id: 'strict-unacknowledged', input: '`Warnings.strict(app)` with an unacknowledged warning', run: () => {
        try {
          return build((c) => {
            policy({ ipBlocks: [IpBlock.of('10.1.2.3/8')] })(c);
            Warnings.strict(c.node.scope as App);
          })();
        } catch (e) {
          // cdk8s reports synth-time validation errors as a plain Error listing each message.
          return { warnings: [], error: (e as Error).message };
        }
      } },
    ],
  },
  {
    title: 'Paths for `explain`',
    cases: [
      { id: 'explain-not-ip', input: '`explain({ client: "client.example", hops: [], gateway: { numTrustedProxies: 0, proxyProtocol: false } })`', run: value(() => explain({ client: 'client.example', hops: [], gateway: { numTrustedProxies: 0, proxyProtocol: false } })) },
      { id: 'explain-huge-n', input: '`explain({ hops: [{ kind: L7, name: "ALB", appendsXff: 1 }], gateway: { numTrustedProxies: 4294967295, proxyProtocol: false } }).spoofable`', run: value(() => explain({ hops: [{ kind: ExplainHopKind.L7, name: 'ALB', appendsXff: 1 }], gateway: { numTrustedProxies: 4294967295, proxyProtocol: false } }).spoofable) },
      { id: 'explain-kind-missing', input: '`explain({ hops: [{ name: "CDN", appendsXff: 1 }], gateway: { numTrustedProxies: 1, proxyProtocol: false } })` (plain JavaScript)', run: value(() => explain({ hops: [{ name: 'CDN', appendsXff: 1 } as never], gateway: { numTrustedProxies: 1, proxyProtocol: false } })) },
      { id: 'explain-negative-hops', input: '`explain({ hops: [], gateway: { numTrustedProxies: -1, proxyProtocol: false } })`', run: value(() => explain({ hops: [], gateway: { numTrustedProxies: -1, proxyProtocol: false } })) },
    ],
  },
  {
    title: 'ClientIpAccessLog and ClientRateLimit props',
    cases: [
      { id: 'log-defaults', input: '`new ClientIpAccessLog(chart, "log", { target: PolicyTarget.gateway(gw) })`', run: build((c) => {
        new ClientIpAccessLog(c, 'log', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')) });
      }, (o) => only(o, 'Telemetry').spec.accessLogging) },
      { id: 'log-target-workload', input: '`{ target: PolicyTarget.workload(deployment) }`', run: build((c) => {
        new ClientIpAccessLog(c, 'log', { target: PolicyTarget.workload(deployment(c)) });
      }) },
      { id: 'log-provider-name', input: '`{ providerName: "Client IP" }`', run: build((c) => {
        new ClientIpAccessLog(c, 'log', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), providerName: 'Client IP' });
      }) },
      { id: 'log-path', input: '`{ path: "stdout" }`', run: build((c) => {
        new ClientIpAccessLog(c, 'log', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), path: 'stdout' });
      }) },
      { id: 'limit-defaults', input: '`new ClientRateLimit(chart, "limit", { target: PolicyTarget.gateway(gw), requestsPerInterval: 100 })`', run: build((c) => {
        new ClientRateLimit(c, 'limit', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), requestsPerInterval: 100 });
      }, (o) => only(o, 'EnvoyFilter').spec.configPatches[0].patch.value.typed_config.descriptors) },
      { id: 'limit-interval', input: '`{ interval: Duration.millis(20) }`', run: build((c) => {
        new ClientRateLimit(c, 'limit', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), requestsPerInterval: 1, interval: Duration.millis(20) });
      }) },
      { id: 'limit-old-istio', input: '`{ istioVersions: ["1.25"] }`', run: build((c) => {
        new ClientRateLimit(c, 'limit', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), requestsPerInterval: 1, istioVersions: ['1.25'] });
      }) },
      { id: 'limit-zero', input: '`{ requestsPerInterval: 0 }`', run: build((c) => {
        new ClientRateLimit(c, 'limit', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), requestsPerInterval: 0 });
      }) },
      { id: 'limit-exempt-host-bits', input: '`{ exempt: [IpBlock.of("10.1.2.3/8")] }`', run: build((c) => {
        new ClientRateLimit(c, 'limit', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), requestsPerInterval: 1, exempt: [IpBlock.of('10.1.2.3/8')] });
      }, (o) => only(o, 'EnvoyFilter').spec.configPatches[0].patch.value.typed_config.ip_tags[0].ip_list) },
      { id: 'limit-spoofable', input: 'a limit on a GKE passthrough gateway with `numTrustedProxies: 2`', run: build((c) => {
        const gw = new IngressGateway(c, 'gw', { edge: EdgeChain.of(EdgeHop.gkeExternalPassthrough()), topology: GatewayTopology.of({ numTrustedProxies: 2 }) });
        new ClientRateLimit(c, 'limit', { target: PolicyTarget.gateway(gw), requestsPerInterval: 1 });
      }) },
    ],
  },
];

const DASH = '—';

/** A table cell as Markdown: a code span (pipes escaped), or a dash. */
function cell(text: string | undefined): string {
  if (text === undefined || text === '') {
    return DASH;
  }
  const escaped = text.replace(/\n/g, '⏎').replace(/\|/g, '\\|');
  return escaped.includes('`') ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

/** The text of a cell written by `cell`. */
function cellText(markdown: string): string | undefined {
  if (markdown === DASH) {
    return undefined;
  }
  const inner = markdown.startsWith('`` ') ? markdown.slice(3, -3) : markdown.slice(1, -1);
  return inner.replace(/\\\|/g, '|').replace(/⏎/g, '\n');
}

function row(c: Case, outcome: Outcome): string {
  return `| ${c.id} | ${c.input} | ${outcome.error === undefined ? 'yes' : 'no'} | ${cell(outcome.output)} | ${outcome.warnings.length === 0 ? DASH : outcome.warnings.join(', ')} | ${cell(outcome.error)} |`;
}

const HEADER = '| # | input | accepted | canonicalized (as written) | warns (id) | refused (exact message) |\n|---|---|---|---|---|---|';

/** The doc's rows, by id: cells split on unescaped pipes. */
function docRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of fs.readFileSync(DOC, 'utf8').split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| # ') || line.startsWith('|---')) {
      continue;
    }
    const cells = line.slice(2, -2).split(/ (?<!\\)\| /);
    rows.set(cells[0], cells);
  }
  return rows;
}

if (process.env.BAD_INPUT_UPDATE === '1') {
  const text = fs.readFileSync(DOC, 'utf8');
  const start = text.indexOf('<!-- table:start -->');
  const end = text.indexOf('<!-- table:end -->');
  const tables = SECTIONS.map((s) => `### ${s.title}\n\n${HEADER}\n${s.cases.map((c) => row(c, c.run())).join('\n')}\n`).join('\n');
  fs.writeFileSync(DOC, `${text.slice(0, start)}<!-- table:start -->\n\n${tables}\n${text.slice(end)}`);
}

describe('docs/bad-input.md', () => {
  const rows = docRows();
  const cases = SECTIONS.flatMap((s) => s.cases);

  test('has exactly one row per case, and each case one row', () => {
    expect([...rows.keys()].sort()).toEqual(cases.map((c) => c.id).sort());
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  test.each(cases.map((c) => [c.id, c] as const))('row %s says exactly what the library does', (_id, c) => {
    const outcome = c.run();
    const [, input, acceptedCell, canonical, warns, refused] = rows.get(c.id) ?? [];
    expect({ input, accepted: acceptedCell, canonical: cellText(canonical ?? DASH), warns, refused: cellText(refused ?? DASH) }).toEqual({
      input: c.input,
      accepted: outcome.error === undefined ? 'yes' : 'no',
      canonical: outcome.output,
      warns: outcome.warnings.length === 0 ? DASH : outcome.warnings.join(', '),
      refused: outcome.error,
    });
  });
});
