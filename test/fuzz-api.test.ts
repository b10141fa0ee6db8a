// Every public entry point of src/index.ts, called from plain JavaScript with hostile values: wrong
// types, null, huge, deep, cyclic and sparse. Only the library's typed errors may escape, and a
// value of the wrong kind for a prop (a string where a map belongs, "false" where a boolean
// belongs) is refused, never coerced. A test fails when an export has no entry here, so a new
// entry point cannot skip the fuzz.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as api from '../src';
import {
  ClientAffinity, ConsistentHash, EdgeChain, EdgeHop, EnvoyConfigError, explain, GatewayTopology, IngressGateway, IpAccessAction,
  IpAccessPolicy, IpBlock, LoadBalancer, PolicyTarget, SimpleLb, SourceIpValidationError, Warnings,
} from '../src';

/** A prop and what it must be; a value of another kind must be refused. */
type Kind = 'boolean' | 'number' | 'string' | 'nullableString' | 'map' | 'list' | 'object' | 'enum' | 'instance' | 'any';
interface Prop {
  readonly name: string;
  readonly kind: Kind;
  readonly required?: boolean;
  /** For `enum`: the allowed values; for `instance`: the class. */
  readonly of?: Record<string, string> | { readonly prototype: object };
}

const deep = (): unknown => {
  let value: Record<string, unknown> = {};
  const root = value;
  for (let i = 0; i < 5000; i++) {
    value.a = {};
    value = value.a as Record<string, unknown>;
  }
  return root;
};
const cyclic = (): unknown => {
  const value: Record<string, unknown> = { name: 'x' };
  value.self = value;
  return value;
};
const cyclicList = (): unknown => {
  const value: unknown[] = ['x'];
  value.push(value);
  return value;
};
// eslint-disable-next-line no-sparse-arrays
const SPARSE = [, 'x'];
const HUGE = 'x'.repeat(100_000);
const HOSTILE: readonly unknown[] = [
  undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, -0,
  '', ' ', 'abc', 'false', 'true', '0', '__proto__', 'constructor', HUGE, '1.2.3.4', '::ffff:1.2.3.4/128',
  [], ['x'], SPARSE, new Array(3), Array.from({ length: 100_000 }, () => 'x'), [null], [{}],
  {}, { a: 1 }, Object.create(null), deep(), cyclic(), cyclicList(), { length: 2, 0: 'a', 1: 'b' },
  () => 1, Symbol('s'), 10n, new Date(0), /re/, new Map([['a', 'b']]), new String('x'), Object('x'),
];
/** A smaller set for props, where every prop of every entry point gets each value. */
const HOSTILE_PROPS: readonly unknown[] = HOSTILE.filter((_, i) => i % 2 === 0 || i > HOSTILE.length - 12);

const isPlain = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v)
  && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const isSparse = (v: unknown) => Array.isArray(v) && Object.keys(v).length < v.length;

/** Whether `value` is of the right kind for `prop` (not whether it is valid). */
function rightKind(prop: Prop, value: unknown): boolean {
  if (value === undefined) {
    return !prop.required;
  }
  switch (prop.kind) {
    case 'boolean': return typeof value === 'boolean';
    case 'number': return typeof value === 'number';
    case 'string': return typeof value === 'string';
    case 'nullableString': return value === null || typeof value === 'string';
    case 'map':
    case 'object': return isPlain(value);
    case 'list': return Array.isArray(value) && !isSparse(value);
    case 'enum': return Object.values(prop.of as Record<string, string>).includes(value as string);
    case 'instance': return value instanceof (prop.of as unknown as new () => unknown);
    default: return true;
  }
}

let calls = 0;

/** Runs `fn`; returns 'ok' or 'refused'; anything but our typed errors fails the test. */
function outcome(label: string, fn: () => unknown): 'ok' | 'refused' {
  calls++;
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof SourceIpValidationError || e instanceof EnvoyConfigError) {
      if (e.message.length > 20_000) {
        throw new Error(`${label}: the message is ${e.message.length} characters long; a message quotes a bounded prefix of the input`);
      }
      return 'refused';
    }
    throw new Error(`${label} threw ${(e as Error)?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 300)}`);
  }
}

const describeValue = (v: unknown): string => {
  try {
    return typeof v === 'string' ? JSON.stringify(v.slice(0, 20)) : Array.isArray(v) ? `list(${v.length})` : typeof v === 'object' && v !== null ? Object.prototype.toString.call(v) : String(v);
  } catch {
    return typeof v;
  }
};

let chartCount = 0;
const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-api-')) });
/** A fresh chart for each call, in one app (cheaper than an app each). */
const chart = (): Chart => new Chart(app, `c${chartCount++}`);

/** One entry point: how to call it with valid arguments, and the props it takes. */
interface Entry {
  /** Calls the entry point with `args` (hostile at one position, valid elsewhere). */
  readonly call: (args: unknown[]) => unknown;
  /** Valid arguments; props objects are fuzzed key by key. */
  readonly args: () => unknown[];
  /** For a props argument: its position and its props. */
  readonly props?: { readonly at: number; readonly list: readonly Prop[] };
}

const BLOCK = IpBlock.of('192.0.2.0/24');
const gateway = () => new IngressGateway(chart(), 'gw');
const e = <T extends Record<string, string>>(of: T): Pick<Prop, 'kind' | 'of'> => ({ kind: 'enum', of });
const inst = (of: { readonly prototype: object }): Pick<Prop, 'kind' | 'of'> => ({ kind: 'instance', of });

const GATEWAY_PROPS: Prop[] = [
  { name: 'edge', ...inst(EdgeChain) }, { name: 'name', kind: 'string' }, { name: 'namespace', kind: 'string' },
  { name: 'appLabel', kind: 'string' }, { name: 'istioLabel', kind: 'string' }, { name: 'topology', ...inst(GatewayTopology) },
  { name: 'externalTrafficPolicy', ...e(api.ExternalTrafficPolicy) }, { name: 'serviceType', ...e(api.GatewayServiceType) },
  { name: 'ports', kind: 'list' }, { name: 'serviceAnnotations', kind: 'map' }, { name: 'podAnnotations', kind: 'map' },
  { name: 'podLabels', kind: 'map' }, { name: 'replicas', kind: 'number' }, { name: 'spreadAcrossNodes', kind: 'boolean' },
  { name: 'healthCheckNodePort', kind: 'number' }, { name: 'loadBalancerSourceRanges', kind: 'list' },
  { name: 'autoscaling', kind: 'object' }, { name: 'autoscaling.minReplicas', kind: 'number' }, { name: 'autoscaling.maxReplicas', kind: 'number' },
  { name: 'autoscaling.targetCPUUtilizationPercentage', kind: 'number' }, { name: 'resources', kind: 'object' },
  { name: 'resources.requests', kind: 'object' }, { name: 'resources.requests.cpu', kind: 'string' }, { name: 'resources.limits.memory', kind: 'string' },
];
/** The props GatewaySourceIpSettings.derive takes: the gateway's, less what names its objects. */
const SETTINGS_PROPS: Prop[] = GATEWAY_PROPS.filter((p) => !['name', 'namespace', 'appLabel', 'istioLabel', 'ports', 'podLabels'].includes(p.name));
const POLICY_PROPS: Prop[] = [
  { name: 'target', required: true, ...inst(PolicyTarget) }, { name: 'action', required: true, ...e(api.IpAccessAction) },
  { name: 'name', kind: 'string' }, { name: 'namespace', kind: 'string' },
  ...['ipBlocks', 'remoteIpBlocks', 'notIpBlocks', 'notRemoteIpBlocks', 'clientIpBlocks', 'notClientIpBlocks'].map((name): Prop => ({ name, kind: 'list' })),
];
const BASE_POLICY_PROPS: Prop[] = POLICY_PROPS.filter((p) => ['target', 'name', 'namespace'].includes(p.name));
const AFFINITY_PROPS: Prop[] = [
  { name: 'host', kind: 'string', required: true }, { name: 'loadBalancer', required: true, ...inst(LoadBalancer) },
  { name: 'localityLoadBalancing', kind: 'boolean' }, { name: 'name', kind: 'string' }, { name: 'namespace', kind: 'string' },
];
const HOP_PROPS: Prop[] = [
  { name: 'name', kind: 'string', required: true }, { name: 'layer', required: true, ...e(api.HopLayer) },
  { name: 'xffEntriesAppended', kind: 'number' }, { name: 'sourcePreservation', ...e(api.SourcePreservation) },
  { name: 'proxyProtocolSupport', kind: 'list' }, { name: 'proxyProtocol', ...e(api.ProxyProtocolVersion) },
  { name: 'serviceType', ...e(api.GatewayServiceType) }, { name: 'serviceAnnotations', kind: 'map' },
  ...['writesPortInXff', 'deliversToPods', 'proxyProtocolBreaksLocalHealthChecks', 'requiresLocal', 'publiclyReachable',
    'enforcesLoadBalancerSourceRanges'].map((name): Prop => ({ name, kind: 'boolean' })),
  { name: 'lockedDown', kind: 'string' }, { name: 'sourceRanges', kind: 'list' }, { name: 'lockDownHint', kind: 'string' },
  { name: 'caveats', kind: 'list' }, { name: 'source', kind: 'string' },
];
const bool = (...names: string[]): Prop[] => names.map((name) => ({ name, kind: 'boolean' }));
const EXPLAIN_PROPS: Prop[] = [
  { name: 'client', kind: 'string' }, { name: 'forgedAddress', kind: 'string' }, { name: 'hops', kind: 'list', required: true },
  { name: 'gateway', kind: 'object', required: true }, { name: 'app', kind: 'object' }, { name: 'assumed', kind: 'boolean' },
  { name: 'app.name', kind: 'string' }, { name: 'app.interceptionMode', ...e(api.InterceptionMode) },
  { name: 'gateway.name', kind: 'string' }, { name: 'gateway.numTrustedProxies', kind: 'number', required: true },
  { name: 'gateway.proxyProtocol', kind: 'boolean', required: true }, { name: 'gateway.externalTrafficPolicy', ...e(api.ExternalTrafficPolicy) },
  { name: 'gateway.address', kind: 'string' }, { name: 'gateway.nodeAddress', kind: 'string' },
  { name: 'gateway.serviceType', ...e(api.GatewayServiceType) }, { name: 'gateway.loadBalancerSourceRanges', kind: 'list' },
  { name: 'hops.0', kind: 'object', required: true }, { name: 'hops.0.kind', required: true, ...e(api.ExplainHopKind) },
  { name: 'hops.0.name', kind: 'string', required: true }, { name: 'hops.0.appendsXff', kind: 'number', required: true },
  { name: 'hops.0.writesPort', kind: 'boolean' }, { name: 'hops.0.address', kind: 'string' }, { name: 'hops.0.lockedDown', kind: 'string' },
  { name: 'hops.0.sourceRanges', kind: 'list' }, { name: 'hops.0.enforcesLoadBalancerSourceRanges', kind: 'boolean' },
  { name: 'hops.0.lockDownHint', kind: 'string' }, { name: 'hops.1.proxyProtocol', kind: 'boolean', required: true },
  { name: 'hops.1.sourcePreservation', required: true, ...e(api.SourcePreservation) }, { name: 'hops.1.deliversToPods', kind: 'boolean' },
];
const XFF_PROPS: Prop[] = [
  { name: 'remoteAddress', kind: 'string', required: true }, { name: 'xff', kind: 'nullableString', required: true },
  { name: 'useRemoteAddress', kind: 'boolean', required: true }, { name: 'xffNumTrustedHops', kind: 'number', required: true },
  { name: 'skipXffAppend', kind: 'boolean' }, { name: 'internalAddresses', kind: 'any' }, { name: 'localAddress', kind: 'string' },
  { name: 'externalAddressIn', kind: 'nullableString' }, { name: 'originalIpDetectionXff', kind: 'object' },
];
const LISTENER_PROPS: Prop[] = [
  { name: 'name', kind: 'string' }, { name: 'port', kind: 'number' }, { name: 'hostname', kind: 'string' },
  { name: 'routeNamespaces', ...inst(api.RouteNamespaces) },
];
const INSTALLED_COMMON: Prop[] = [...SETTINGS_PROPS, { name: 'ports', kind: 'list' }, { name: 'podLabels', kind: 'map' }];
const INSTALLED_PROPS: Record<'istioctl' | 'helm' | 'manifest', Prop[]> = {
  istioctl: [...INSTALLED_COMMON, { name: 'name', kind: 'string' }, { name: 'namespace', kind: 'string' }, { name: 'label', kind: 'map' }, { name: 'meshWideTopology', kind: 'boolean' }],
  helm: [
    ...INSTALLED_COMMON, { name: 'releaseName', kind: 'string', required: true }, { name: 'namespace', kind: 'string', required: true }, { name: 'name', kind: 'string' },
    { name: 'appLabel', kind: 'string' }, { name: 'istioLabel', kind: 'string' },
  ],
  manifest: [
    ...INSTALLED_COMMON.filter((p) => p.name !== 'ports'), { name: 'name', kind: 'string', required: true }, { name: 'namespace', kind: 'string', required: true },
    { name: 'selectorLabels', kind: 'map', required: true }, { name: 'ports', kind: 'list', required: true }, { name: 'containerName', kind: 'string' },
  ],
};
const INSTALLED_ARGS = {
  istioctl: () => ({}),
  helm: () => ({ releaseName: 'gw', namespace: 'istio-ingress' }),
  manifest: () => ({ name: 'gw', namespace: 'istio-ingress', selectorLabels: { app: 'gw' }, ports: [{ name: 'http2', port: 80 }] }),
};
const validPath = (): api.ExplainPath => ({
  app: { name: 'app', interceptionMode: api.InterceptionMode.REDIRECT },
  hops: [{ kind: api.ExplainHopKind.L7, name: 'CDN', appendsXff: 1 }, { kind: api.ExplainHopKind.L4, name: 'LB', proxyProtocol: false, sourcePreservation: api.SourcePreservation.WITH_LOCAL }],
  gateway: { numTrustedProxies: 1, proxyProtocol: false, serviceType: api.GatewayServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['198.51.100.0/24'] },
});
const validEntry = () => ({ name: 'gw', result: explain(validPath()) });

/** Every callable export and its public static and instance methods, with how to call them. */
const ENTRIES: Record<string, Entry> = {
  'new CrdSchemaValidator': {
    call: (a) => new api.CrdSchemaValidator(a[0] as never), args: () => [{}],
    props: { at: 0, list: [{ name: 'schemaSets', kind: 'list' }, { name: 'celCacheDir', kind: 'string' }, { name: 'istioVersion', ...inst(api.IstioVersion) }] },
  },
  'CrdSchemaValidator#handles': { call: (a) => new api.CrdSchemaValidator().handles(a[0]), args: () => [{ apiVersion: 'v1', kind: 'Service' }] },
  'CrdSchemaValidator#validate': { call: (a) => new api.CrdSchemaValidator().validate(a[0] as never), args: () => [[]] },
  'validateManifests': {
    call: (a) => api.validateManifests(a[0] as never, a[1] as never), args: () => [[], {}],
    props: { at: 1, list: [{ name: 'schemaSets', kind: 'list' }, { name: 'celCacheDir', kind: 'string' }, { name: 'istioVersion', ...inst(api.IstioVersion) }] },
  },
  'new IngressGateway': { call: (a) => new IngressGateway(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'gw', {}], props: { at: 2, list: GATEWAY_PROPS } },
  'new IpAccessPolicy': {
    call: (a) => new IpAccessPolicy(a[0] as never, a[1] as never, a[2] as never),
    args: () => [chart(), 'p', { target: PolicyTarget.labels({ app: 'x' }), action: IpAccessAction.DENY, ipBlocks: [BLOCK] }],
    props: { at: 2, list: POLICY_PROPS },
  },
  'IpAccessPolicy.allowNothing': { call: (a) => IpAccessPolicy.allowNothing(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'p', { target: PolicyTarget.labels({ app: 'x' }) }], props: { at: 2, list: BASE_POLICY_PROPS } },
  'IpAccessPolicy.allowAll': { call: (a) => IpAccessPolicy.allowAll(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'p', { target: PolicyTarget.labels({ app: 'x' }) }], props: { at: 2, list: BASE_POLICY_PROPS } },
  'IpAccessPolicy.denyAll': { call: (a) => IpAccessPolicy.denyAll(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'p', { target: PolicyTarget.labels({ app: 'x' }) }], props: { at: 2, list: BASE_POLICY_PROPS } },
  'IpAccessPolicy#addRule': {
    call: (a) => new IpAccessPolicy(chart(), 'p', { target: PolicyTarget.labels({ app: 'x' }), action: IpAccessAction.ALLOW, ipBlocks: [BLOCK] }).addRule(a[0] as never),
    args: () => [{ remoteIpBlocks: [BLOCK] }],
    props: { at: 0, list: POLICY_PROPS.filter((p) => p.kind === 'list') },
  },
  'new ClientAffinity': {
    call: (a) => new ClientAffinity(a[0] as never, a[1] as never, a[2] as never),
    args: () => [chart(), 'a', { host: 'echo', loadBalancer: LoadBalancer.simple(SimpleLb.RANDOM) }],
    props: { at: 2, list: AFFINITY_PROPS },
  },
  'ConsistentHash.sourceIp': { call: () => ConsistentHash.sourceIp(), args: () => [] },
  'ConsistentHash.header': { call: (a) => ConsistentHash.header(a[0] as never), args: () => ['x-user'] },
  'ConsistentHash.queryParameter': { call: (a) => ConsistentHash.queryParameter(a[0] as never), args: () => ['user'] },
  'ConsistentHash.cookie': {
    call: (a) => ConsistentHash.cookie(a[0] as never), args: () => [{ name: 's', ttl: Duration.hours(1) }],
    props: { at: 0, list: [{ name: 'name', kind: 'string', required: true }, { name: 'path', kind: 'string' }, { name: 'ttl', ...inst(Duration) }] },
  },
  'HashAlgorithm.ringHash': { call: (a) => api.HashAlgorithm.ringHash(a[0] as never), args: () => [1024] },
  'HashAlgorithm.maglev': { call: (a) => api.HashAlgorithm.maglev(a[0] as never), args: () => [65537] },
  'LoadBalancer.simple': { call: (a) => LoadBalancer.simple(a[0] as never), args: () => [SimpleLb.RANDOM] },
  'LoadBalancer.consistentHash': { call: (a) => LoadBalancer.consistentHash(a[0] as never, a[1] as never), args: () => [ConsistentHash.sourceIp(), api.HashAlgorithm.maglev()] },
  'PolicyTarget.gateway': { call: (a) => PolicyTarget.gateway(a[0] as never), args: () => [gateway()] },
  'PolicyTarget.workload': { call: (a) => PolicyTarget.workload(a[0] as never), args: () => [new kplus.Deployment(chart(), 'd', { containers: [{ image: 'x' }] })] },
  'PolicyTarget.labels': {
    call: (a) => PolicyTarget.labels(a[0] as never, a[1] as never), args: () => [{ app: 'x' }, { namespace: 'apps' }],
    props: { at: 1, list: [{ name: 'namespace', kind: 'string' }, { name: 'isGateway', kind: 'boolean' }] },
  },
  'IpBlock.anyIpv4': { call: () => IpBlock.anyIpv4(), args: () => [] },
  'IpBlock.anyIpv6': { call: () => IpBlock.anyIpv6(), args: () => [] },
  'IpBlock.of': { call: (a) => IpBlock.of(a[0] as never), args: () => ['10.0.0.0/8'] },
  'IpBlock.ofAll': { call: (a) => IpBlock.ofAll(a[0] as never), args: () => [['10.0.0.0/8']] },
  'IpBlock#contains': { call: (a) => BLOCK.contains(a[0] as never), args: () => [BLOCK] },
  'IpBlock#equals': { call: (a) => BLOCK.equals(a[0] as never), args: () => [BLOCK] },
  'IpBlock#toString': { call: () => BLOCK.toString(), args: () => [] },
  'IpBlock#toJSON': { call: () => BLOCK.toJSON(), args: () => [] },
  'GatewayTopology.direct': { call: () => GatewayTopology.direct(), args: () => [] },
  'GatewayTopology.of': {
    call: (a) => GatewayTopology.of(a[0] as never), args: () => [{ numTrustedProxies: 1 }],
    props: { at: 0, list: [{ name: 'numTrustedProxies', kind: 'number' }, { name: 'proxyProtocol', kind: 'boolean' }, { name: 'forwardClientCertDetails', ...e(api.ForwardClientCertDetails) }] },
  },
  'GatewayTopology.clientIpFieldFor': { call: (a) => GatewayTopology.clientIpFieldFor(a[0] as never, a[1] as never), args: () => [1, false] },
  'GatewayTopology#with': {
    call: (a) => GatewayTopology.direct().with(a[0] as never), args: () => [{ numTrustedProxies: 2 }],
    props: { at: 0, list: [{ name: 'numTrustedProxies', kind: 'number' }, { name: 'proxyProtocol', kind: 'boolean' }, { name: 'forwardClientCertDetails', ...e(api.ForwardClientCertDetails) }] },
  },
  'EdgeChain.of': { call: (a) => EdgeChain.of(...(a as never[])), args: () => [EdgeHop.cloudflare(), EdgeHop.metalLb()] },
  'EdgeChain#gatewaySettings': { call: () => EdgeChain.of(EdgeHop.metalLb()).gatewaySettings(), args: () => [] },
  'EdgeChain#explainEdge': { call: () => EdgeChain.of(EdgeHop.metalLb()).explainEdge(), args: () => [] },
  'EdgeChain#toString': { call: () => EdgeChain.of(EdgeHop.metalLb()).toString(), args: () => [] },
  'EdgeChain#hopWritingTrustedPortEntry': { call: (a) => EdgeChain.of(EdgeHop.azureApplicationGateway()).hopWritingTrustedPortEntry(a[0] as never), args: () => [1] },
  'EdgeHop#lockDown': { call: (a) => EdgeHop.metalLb().lockDown(a[0] as never), args: () => ['a firewall'] },
  'EdgeHop#toString': { call: () => EdgeHop.metalLb().toString(), args: () => [] },
  'EdgeHop.custom': { call: (a) => EdgeHop.custom(a[0] as never), args: () => [{ name: 'proxy', layer: api.HopLayer.L7 }], props: { at: 0, list: HOP_PROPS } },
  'EdgeHop.awsClassicElb': { call: (a) => EdgeHop.awsClassicElb(a[0] as never), args: () => [api.ClassicElbListener.TCP] },
  'EdgeHop.awsNlb': {
    call: (a) => EdgeHop.awsNlb(a[0] as never), args: () => [{ targetType: api.AwsNlbTargetType.IP }],
    props: { at: 0, list: [{ name: 'targetType', required: true, ...e(api.AwsNlbTargetType) }, ...bool('preserveClientIp', 'proxyProtocol', 'internetFacing')] },
  },
  'EdgeHop.awsAlb': { call: (a) => EdgeHop.awsAlb(a[0] as never), args: () => [{}], props: { at: 0, list: bool('xffClientPort') } },
  'EdgeHop.azureLoadBalancer': { call: (a) => EdgeHop.azureLoadBalancer(a[0] as never), args: () => [{}], props: { at: 0, list: [...bool('internal', 'privateLinkServiceProxyProtocol'), { name: 'allowedServiceTags', kind: 'list' }] } },
  'EdgeHop.azureApplicationGateway': { call: (a) => EdgeHop.azureApplicationGateway(a[0] as never), args: () => [{}], props: { at: 0, list: bool('portStripped') } },
  'EdgeHop.digitalOcean': { call: (a) => EdgeHop.digitalOcean(a[0] as never), args: () => [{}], props: { at: 0, list: [{ name: 'type', ...e(api.DigitalOceanLbType) }, ...bool('proxyProtocol')] } },
  'EdgeHop.hetzner': { call: (a) => EdgeHop.hetzner(a[0] as never), args: () => [{}], props: { at: 0, list: [{ name: 'protocol', ...e(api.HetznerProtocol) }, ...bool('proxyProtocol')] } },
  'EdgeHop.oracleLoadBalancer': { call: (a) => EdgeHop.oracleLoadBalancer(a[0] as never), args: () => [{}], props: { at: 0, list: [{ name: 'proxyProtocolVersion', ...e(api.ProxyProtocolVersion) }] } },
  'EdgeHop.oracleNetworkLoadBalancer': { call: (a) => EdgeHop.oracleNetworkLoadBalancer(a[0] as never), args: () => [{}], props: { at: 0, list: bool('proxyProtocol') } },
  ...Object.fromEntries(['gkeExternalPassthrough', 'gkeInternalPassthrough', 'googleCloudApplicationLoadBalancer', 'cloudFront', 'azureFrontDoor', 'metalLb', 'cloudflare']
    .map((name) => [`EdgeHop.${name}`, { call: (a: unknown[]) => (EdgeHop as unknown as Record<string, (...x: unknown[]) => unknown>)[name](...a), args: () => [] }])),
  'Warnings.of': { call: (a) => Warnings.of(a[0] as never), args: () => [chart()] },
  'Warnings.collect': { call: (a) => Warnings.collect(a[0] as never), args: () => [chart()] },
  'Warnings.format': { call: (a) => Warnings.format(a[0] as never), args: () => [[{ path: 'a', id: 'b', message: 'c' }]] },
  'Warnings.print': { call: (a) => Warnings.print(a[0] as never, a[1] as never), args: () => [chart(), { write: () => true }] },
  'Warnings.strict': { call: (a) => Warnings.strict(a[0] as never), args: () => [new App()] },
  'Warnings#add': { call: (a) => Warnings.of(chart()).add(a[0] as never, a[1] as never, a[2] as never), args: () => ['some-id', 'message', 'subject'] },
  'Warnings#acknowledge': {
    call: (a) => Warnings.of(chart()).acknowledge(a[0] as never, a[1] as never, a[2] as never), args: () => ['tproxy-runs-as-root', 'reviewed', {}],
    props: { at: 2, list: [{ name: 'subject', kind: 'string' }] },
  },
  'new SourceIpValidationError': { call: (a) => new SourceIpValidationError(a[0] as never, a[1] as never, a[2] as never), args: () => ['X', ['a problem'], 'path'] },
  'new EnvoyConfigError': { call: (a) => new EnvoyConfigError(a[0] as never), args: () => [['a problem']] },
  'explain': { call: (a) => explain(a[0] as never), args: () => [validPath()], props: { at: 0, list: EXPLAIN_PROPS } },
  'simulateEnvoyXff': {
    call: (a) => api.simulateEnvoyXff(a[0] as never), args: () => [{ remoteAddress: '192.0.2.1', xff: null, useRemoteAddress: true, xffNumTrustedHops: 0 }],
    props: { at: 0, list: XFF_PROPS },
  },
  'setInterceptionMode': { call: (a) => api.setInterceptionMode(a[0] as never, a[1] as never), args: () => [new kplus.Deployment(chart(), 'd', { containers: [{ image: 'x' }] }), api.InterceptionMode.TPROXY] },
  'assumedPathFor': { call: (a) => api.assumedPathFor(a[0] as never, a[1] as never), args: () => [gateway(), {}], props: { at: 1, list: [{ name: 'app', kind: 'object' }] } },
  'explainPathFor': { call: (a) => api.explainPathFor(a[0] as never, a[1] as never), args: () => [gateway(), { hops: [] }] },
  'explainGatewayOf': { call: (a) => api.explainGatewayOf(a[0] as never), args: () => [gateway()] },
  'explainDescribedEdge': { call: (a) => api.explainDescribedEdge(a[0] as never), args: () => [gateway()] },
  'explainIngressGateways': {
    call: (a) => api.explainIngressGateways(a[0] as never, a[1] as never), args: () => [chart(), {}],
    props: { at: 1, list: [{ name: 'paths', kind: 'map' }, { name: 'app', kind: 'object' }] },
  },
  'ingressGatewaysIn': { call: (a) => api.ingressGatewaysIn(a[0] as never), args: () => [chart()] },
  'writeSourceIpReport': {
    // A small app of its own: the shared one holds every chart made so far.
    call: (a) => api.writeSourceIpReport(a[0] as never, a[1] as never), args: () => [new App({ outdir: app.outdir }), {}],
    props: { at: 1, list: [{ name: 'paths', kind: 'map' }, { name: 'app', kind: 'object' }, { name: 'fileName', kind: 'string' }] },
  },
  'renderSourceIpReport': { call: (a) => api.renderSourceIpReport(a[0] as never), args: () => [[validEntry()]] },
  'ProviderRanges.cloudflare': { call: () => api.ProviderRanges.cloudflare(), args: () => [] },
  'ProviderRanges.googleFrontEnd': { call: () => api.ProviderRanges.googleFrontEnd(), args: () => [] },
  'ProviderRanges.fastly': { call: () => api.ProviderRanges.fastly(), args: () => [] },
  'ProviderRanges.notShipped': { call: () => api.ProviderRanges.notShipped(), args: () => [] },
  'ProviderRanges.custom': { call: (a) => api.ProviderRanges.custom(a[0] as never, a[1] as never, a[2] as never), args: () => ['lb', [BLOCK], 'given'] },
  'ProviderRanges#covers': { call: (a) => api.ProviderRanges.cloudflare().covers(a[0] as never), args: () => [BLOCK] },
  'ProviderRanges#toString': { call: () => api.ProviderRanges.cloudflare().toString(), args: () => [] },
  'compareClientIpDetection': {
    call: (a) => api.compareClientIpDetection(a[0] as never, a[1] as never, a[2] as never),
    args: () => [validPath(), [{ mode: api.ClientIpDetectionMode.HOP_COUNT, numTrustedProxies: 1 }], {}],
    props: { at: 2, list: [{ name: 'headers', kind: 'map' }, { name: 'lockedHops', kind: 'list' }] },
  },
  'recommendClientIpDetection': {
    call: (a) => api.recommendClientIpDetection(a[0] as never, a[1] as never), args: () => [EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.metalLb()), {}],
    props: { at: 1, list: [{ name: 'rangesByHop', kind: 'map' }, { name: 'lockedHops', kind: 'list' }, { name: 'loadBalancerSourceRanges', kind: 'list' }] },
  },
  'writeClientIpDetectionReport': {
    call: (a) => api.writeClientIpDetectionReport(a[0] as never, a[1] as never), args: () => [new App({ outdir: app.outdir }), {}],
    props: { at: 1, list: [{ name: 'rangesByHop', kind: 'map' }, { name: 'lockedHops', kind: 'map' }, { name: 'fileName', kind: 'string' }, { name: 'directory', kind: 'string' }] },
  },
  'envoyRejection': {
    call: (a) => api.envoyRejection(a[0] as never),
    args: () => [{ remoteAddress: '192.0.2.1', xff: null, useRemoteAddress: false, xffNumTrustedHops: 0, originalIpDetectionCustomHeader: { headerName: 'x', rejectWithStatus: 403 } }],
    props: { at: 0, list: [...XFF_PROPS, { name: 'originalIpDetectionCustomHeader', kind: 'object' }, { name: 'requestHeaders', kind: 'map' }] },
  },
  'providerPresets': { call: () => api.providerPresets(), args: () => [] },
  'new GatewayRoute': {
    call: (a) => new api.GatewayRoute(a[0] as never, a[1] as never, a[2] as never),
    args: () => {
      const c = chart();
      return [c, 'route', { gateway: new IngressGateway(c, 'gw'), backend: api.RouteBackend.fromName({ name: 'echo', namespace: 'shop', port: 80 }) }];
    },
    props: {
      at: 2,
      list: [
        { name: 'gateway', kind: 'any', required: true }, { name: 'backend', required: true, ...inst(api.RouteBackend) }, { name: 'hosts', kind: 'list' },
        { name: 'listeners', kind: 'list' }, { name: 'pathPrefix', kind: 'string' }, { name: 'name', kind: 'string' }, { name: 'namespace', kind: 'string' },
      ],
    },
  },
  'GatewayRoute#addPath': {
    call: (a) => {
      const c = chart();
      new api.GatewayRoute(c, 'route', { gateway: new IngressGateway(c, 'gw'), backend: api.RouteBackend.fromName({ name: 'echo', namespace: 'shop', port: 80 }) })
        .addPath(a[0] as never, a[1] as never);
    },
    args: () => ['/api', api.RouteBackend.fromName({ name: 'api', namespace: 'shop', port: 80 })],
  },
  'RouteBackend.fromName': {
    call: (a) => api.RouteBackend.fromName(a[0] as never), args: () => [{ name: 'echo', namespace: 'shop', port: 80 }],
    props: { at: 0, list: [{ name: 'name', kind: 'string', required: true }, { name: 'namespace', kind: 'string', required: true }, { name: 'port', kind: 'number', required: true }, { name: 'portName', kind: 'string' }] },
  },
  'RouteBackend.service': {
    call: (a) => api.RouteBackend.service(a[0] as never, a[1] as never), args: () => [new api.SourceIpEcho(chart(), 'echo').service, {}],
    props: { at: 1, list: [{ name: 'port', kind: 'number' }] },
  },
  'RouteListener.http': { call: (a) => api.RouteListener.http(a[0] as never), args: () => [{}], props: { at: 0, list: [{ name: 'port', kind: 'number' }] } },
  'RouteListener.https': {
    call: (a) => api.RouteListener.https(a[0] as never), args: () => [{ credentialName: 'tls' }],
    props: { at: 0, list: [{ name: 'credentialName', kind: 'string', required: true }, { name: 'port', kind: 'number' }] },
  },
  'GatewaySourceIpSettings.derive': { call: (a) => api.GatewaySourceIpSettings.derive(a[0] as never), args: () => [{}], props: { at: 0, list: SETTINGS_PROPS } },
  'new MeshNamespace': {
    call: (a) => new api.MeshNamespace(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'ns', { name: 'apps', injection: api.SidecarInjection.enabled() }],
    props: {
      at: 2,
      list: [{ name: 'name', kind: 'string', required: true }, { name: 'injection', ...inst(api.SidecarInjection) }, { name: 'labels', kind: 'map' }, { name: 'annotations', kind: 'map' }],
    },
  },
  'MeshNamespace.fromExisting': {
    call: (a) => api.MeshNamespace.fromExisting(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'ns', { name: 'apps', injection: api.SidecarInjection.enabled() }],
    props: { at: 2, list: [{ name: 'name', kind: 'string', required: true }, { name: 'injection', required: true, ...inst(api.SidecarInjection) }] },
  },
  'SidecarInjection.enabled': { call: () => api.SidecarInjection.enabled(), args: () => [] },
  'SidecarInjection.disabled': { call: () => api.SidecarInjection.disabled(), args: () => [] },
  'SidecarInjection.none': { call: () => api.SidecarInjection.none(), args: () => [] },
  'SidecarInjection.revision': { call: (a) => api.SidecarInjection.revision(a[0] as never), args: () => ['1-30'] },
  'SidecarInjection#toString': { call: () => api.SidecarInjection.enabled().toString(), args: () => [] },
  'new SourceIpEcho': {
    call: (a) => new api.SourceIpEcho(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'echo', {}],
    props: {
      at: 2,
      list: [{ name: 'namespace', kind: 'string' }, { name: 'replicas', kind: 'number' }, { name: 'interceptionMode', ...e(api.InterceptionMode) }, { name: 'curlClient', kind: 'boolean' }],
    },
  },
  'tryItSteps': {
    call: (a) => api.tryItSteps(a[0] as never, a[1] as never), args: () => [explain(validPath()), {}],
    props: { at: 1, list: [{ name: 'gatewayAddress', kind: 'string' }, { name: 'eastWest', kind: 'object' }] },
  },
  'renderTryIt': { call: (a) => api.renderTryIt(a[0] as never), args: () => [api.tryItSteps(explain(validPath()))] },
  'analyzeManifests': {
    call: (a) => api.analyzeManifests(a[0] as never, a[1] as never), args: () => [[{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }], {}],
    props: { at: 1, list: [{ name: 'existingNamespaces', kind: 'list' }] },
  },
  'readApplyFolder': { call: (a) => api.readApplyFolder(a[0] as never), args: () => [app.outdir] },
  'checkApplyFolder': { call: (a) => api.checkApplyFolder(a[0] as never), args: () => [app.outdir] },
  'formatFinding': { call: (a) => api.formatFinding(a[0] as never), args: () => [{ code: 'IST0101', name: 'ReferencedResourceNotFound', level: api.AnalysisLevel.ERROR, object: { kind: 'Gateway', name: 'g' }, message: 'm', fix: 'f' }] },
  'new KubernetesGateway': {
    call: (a) => new api.KubernetesGateway(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'gw', {}],
    props: {
      at: 2,
      list: [
        ...SETTINGS_PROPS, { name: 'name', kind: 'string' }, { name: 'namespace', kind: 'string' }, { name: 'gatewayClassName', kind: 'string' },
        { name: 'listeners', kind: 'list' }, { name: 'podLabels', kind: 'map' }, { name: 'generatedName', kind: 'string' },
      ],
    },
  },
  'KubernetesGateway#listener': { call: (a) => new api.KubernetesGateway(chart(), 'gw').listener(a[0] as never), args: () => ['http'] },
  'GatewayListener.http': { call: (a) => api.GatewayListener.http(a[0] as never), args: () => [{}], props: { at: 0, list: LISTENER_PROPS } },
  'GatewayListener.https': {
    call: (a) => api.GatewayListener.https(a[0] as never), args: () => [{ certificateRefs: ['tls'] }],
    props: { at: 0, list: [...LISTENER_PROPS, { name: 'certificateRefs', kind: 'list', required: true }] },
  },
  'RouteNamespaces.same': { call: () => api.RouteNamespaces.same(), args: () => [] },
  'RouteNamespaces.all': { call: () => api.RouteNamespaces.all(), args: () => [] },
  'RouteNamespaces.named': { call: (a) => api.RouteNamespaces.named(...(a as never[])), args: () => ['shop', 'apps'] },
  'RouteNamespaces#allows': { call: (a) => api.RouteNamespaces.named('shop').allows(a[0] as never, a[1] as never), args: () => ['shop', 'istio-ingress'] },
  'RouteNamespaces#toString': { call: () => api.RouteNamespaces.all().toString(), args: () => [] },
  'new HttpRoute': {
    call: (a) => new api.HttpRoute(a[0] as never, a[1] as never, a[2] as never),
    args: () => {
      const c = chart();
      return [c, 'route', { gateway: new api.KubernetesGateway(c, 'gw'), backend: api.RouteBackend.fromName({ name: 'echo', namespace: 'shop', port: 80 }), namespace: 'shop' }];
    },
    props: {
      at: 2,
      list: [
        { name: 'gateway', required: true, ...inst(api.KubernetesGateway) }, { name: 'backend', required: true, ...inst(api.RouteBackend) },
        { name: 'sectionNames', kind: 'list' }, { name: 'hostnames', kind: 'list' }, { name: 'pathPrefix', kind: 'string' },
        { name: 'name', kind: 'string' }, { name: 'namespace', kind: 'string' },
      ],
    },
  },
  'HttpRoute#addPath': {
    call: (a) => {
      const c = chart();
      new api.HttpRoute(c, 'route', { gateway: new api.KubernetesGateway(c, 'gw'), backend: api.RouteBackend.fromName({ name: 'echo', namespace: 'shop', port: 80 }), namespace: 'shop' })
        .addPath(a[0] as never, a[1] as never);
    },
    args: () => ['/api', api.RouteBackend.fromName({ name: 'api', namespace: 'shop', port: 80 })],
  },
  'IstioVersion.of': { call: (a) => api.IstioVersion.of(a[0] as never), args: () => ['1.22'] },
  'IstioVersion.targetOf': { call: (a) => api.IstioVersion.targetOf(a[0] as never), args: () => [chart()] },
  'IstioVersion#applyTo': { call: (a) => api.IstioVersion.V1_22.applyTo(a[0] as never), args: () => [new App()] },
  'IstioVersion#isAtLeast': { call: (a) => api.IstioVersion.V1_22.isAtLeast(a[0] as never), args: () => [api.IstioVersion.V1_20] },
  'IstioVersion#toString': { call: () => api.IstioVersion.V1_22.toString(), args: () => [] },
  'networkingApiVersion': { call: (a) => api.networkingApiVersion(a[0] as never), args: () => [chart()] },
  'requireIstioFeature': {
    call: (a) => api.requireIstioFeature(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), api.ISTIO_FEATURES.networkingV1, 'Feature'],
    props: { at: 1, list: [{ name: 'name', kind: 'string', required: true }, { name: 'since', required: true, ...inst(api.IstioVersion) }, { name: 'fallback', kind: 'string', required: true }] },
  },
  'renderIstioFeatureTable': { call: () => api.renderIstioFeatureTable(), args: () => [] },
  ...Object.fromEntries((['istioctl', 'helm', 'manifest'] as const).map((kind) => [`InstalledGateway.${kind}`, {
    call: (a: unknown[]) => (api.InstalledGateway[kind] as (...x: unknown[]) => unknown)(a[0], a[1], a[2]),
    args: () => [chart(), 'gw', INSTALLED_ARGS[kind]()],
    props: { at: 2, list: INSTALLED_PROPS[kind] },
  }])),
  'new IstioctlGateway': { call: (a) => new api.IstioctlGateway(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'gw', {}], props: { at: 2, list: INSTALLED_PROPS.istioctl } },
  'new HelmGateway': { call: (a) => new api.HelmGateway(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'gw', INSTALLED_ARGS.helm()], props: { at: 2, list: INSTALLED_PROPS.helm } },
  'new ManifestGateway': {
    call: (a) => new api.ManifestGateway(a[0] as never, a[1] as never, a[2] as never), args: () => [chart(), 'gw', INSTALLED_ARGS.manifest()], props: { at: 2, list: INSTALLED_PROPS.manifest },
  },
  'IstioctlGateway#istioOperatorComponent': { call: () => api.InstalledGateway.istioctl(chart(), 'gw').istioOperatorComponent(), args: () => [] },
  'IstioctlGateway#istioOperatorOverlay': { call: () => api.InstalledGateway.istioctl(chart(), 'gw').istioOperatorOverlay(), args: () => [] },
  'HelmGateway#helmValues': { call: () => api.InstalledGateway.helm(chart(), 'gw', INSTALLED_ARGS.helm()).helmValues(), args: () => [] },
  'ManifestGateway#strategicMergePatches': { call: () => api.InstalledGateway.manifest(chart(), 'gw', INSTALLED_ARGS.manifest()).strategicMergePatches(), args: () => [] },
  'installedGatewaysIn': { call: (a) => api.installedGatewaysIn(a[0] as never), args: () => [chart()] },
  'writeInstallerChanges': {
    call: (a) => api.writeInstallerChanges(a[0] as never, a[1] as never), args: () => [new App({ outdir: app.outdir }), {}],
    props: { at: 1, list: [{ name: 'directory', kind: 'string' }] },
  },
  'new ClientIpAccessLog': {
    call: (a) => new api.ClientIpAccessLog(a[0] as never, a[1] as never, a[2] as never), args: () => { const c = chart(); return [c, 'log', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')) }]; },
    props: {
      at: 2,
      list: [
        { name: 'target', required: true, ...inst(PolicyTarget) }, { name: 'workloads', kind: 'list' }, { name: 'providerName', kind: 'string' },
        { name: 'encoding', ...e(api.AccessLogEncoding) }, { name: 'path', kind: 'string' }, { name: 'name', kind: 'string' },
      ],
    },
  },
  'ClientIpAccessLog#clientIpReportFor': {
    call: (a) => { const c = chart(); return new api.ClientIpAccessLog(c, 'log', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')) }).clientIpReportFor(a[0] as never); },
    args: () => [gateway()],
  },
  'new ClientRateLimit': {
    call: (a) => new api.ClientRateLimit(a[0] as never, a[1] as never, a[2] as never),
    args: () => { const c = chart(); return [c, 'limit', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), requestsPerInterval: 100 }]; },
    props: {
      at: 2,
      list: [
        { name: 'target', required: true, ...inst(PolicyTarget) }, { name: 'requestsPerInterval', kind: 'number', required: true }, { name: 'interval', ...inst(Duration) },
        { name: 'burst', kind: 'number' }, { name: 'exempt', kind: 'list' }, { name: 'maxClients', kind: 'number' }, { name: 'istioVersions', kind: 'list' },
        { name: 'enforced', kind: 'boolean' }, { name: 'name', kind: 'string' },
      ],
    },
  },
  'ClientRateLimit#clientIpReportFor': {
    call: (a) => { const c = chart(); return new api.ClientRateLimit(c, 'limit', { target: PolicyTarget.gateway(new IngressGateway(c, 'gw')), requestsPerInterval: 1 }).clientIpReportFor(a[0] as never); },
    args: () => [gateway()],
  },
  'ClientRateLimit.isSupportedOn': { call: (a) => api.ClientRateLimit.isSupportedOn(a[0] as never), args: () => [api.IstioVersion.V1_30] },
  'meshConfigFor': { call: (a) => api.meshConfigFor(a[0] as never), args: () => [chart()] },
  'istioOperatorOverlay': { call: (a) => api.istioOperatorOverlay(a[0] as never), args: () => [{ extensionProviders: [] }], props: { at: 0, list: [{ name: 'extensionProviders', kind: 'list', required: true }] } },
  'istiodHelmValues': { call: (a) => api.istiodHelmValues(a[0] as never), args: () => [{ extensionProviders: [] }], props: { at: 0, list: [{ name: 'extensionProviders', kind: 'list', required: true }] } },
  'writeMeshConfig': {
    call: (a) => api.writeMeshConfig(a[0] as never, a[1] as never), args: () => [new App({ outdir: app.outdir }), {}],
    props: { at: 1, list: [{ name: 'directory', kind: 'string' }] },
  },
  'clientIpLogLabels': { call: () => api.clientIpLogLabels(), args: () => [] },
  'clientIpLogText': { call: () => api.clientIpLogText(), args: () => [] },
  'clientIpLogLines': { call: (a) => api.clientIpLogLines(a[0] as never), args: () => [explain(validPath()).normal] },
  'rateLimitKey': { call: (a) => api.rateLimitKey(a[0] as never), args: () => [explain(validPath()).spoofed] },
  'exemptBlockFor': { call: (a) => api.exemptBlockFor(a[0] as never, a[1] as never), args: () => ['192.0.2.1', [BLOCK]] },
  'clientIpReportPartsFor': { call: (a) => api.clientIpReportPartsFor(a[0] as never, a[1] as never), args: () => { const c = chart(); return [c, new IngressGateway(c, 'gw')]; } },
  'renderClientIpSections': {
    call: (a) => api.renderClientIpSections(a[0] as never, a[1] as never, a[2] as never),
    args: () => [explain(validPath()), { accessLogs: [{ providerName: 'p', encoding: api.AccessLogEncoding.JSON, path: '/dev/stdout', sidecars: true }], rateLimits: [] }, {}],
    props: { at: 1, list: [{ name: 'accessLogs', kind: 'list', required: true }, { name: 'rateLimits', kind: 'list', required: true }] },
  },
  'placeholders': { call: (a) => api.placeholders(a[0] as never), args: () => [explain(validPath())] },
};

/** Classes whose constructor is private (reached only through their factories), and methods that are not public API. */
const PRIVATE_CONSTRUCTORS = new Set(['ConsistentHash', 'HashAlgorithm', 'LoadBalancer', 'PolicyTarget', 'IpBlock', 'GatewayTopology', 'EdgeChain', 'EdgeHop', 'Warnings',
  'GatewaySourceIpSettings', 'RouteBackend', 'RouteListener', 'SidecarInjection', 'GatewayListener', 'RouteNamespaces', 'IstioVersion', 'InstalledGateway',
  'ProviderRanges',
  // Abstract: the shared accessors of every gateway, never constructed on its own.
  'SettingsBackedGateway']);
const NOT_PUBLIC = new Set(['IpAccessPolicy.withMode', 'IpBlock.parse', 'IpBlock.parseOrRefuse', 'ProviderRanges.fromSnapshot', 'IpAccessPolicy#renderRules',
  'IpAccessPolicy#checkClientAddressView', 'IpAccessPolicy#addPart', 'IpAccessPolicy#attachment', 'IpAccessPolicy#attachmentBytes', 'IpAccessPolicy#emptyBytes', 'IpAccessPolicy#place',
  'IpAccessPolicy#renderPart', 'IpAccessPolicy#warnRule', 'IpAccessPolicy#writtenRules', 'ClientAffinity#checkLocality', 'HttpRoute#attachmentProblems',
  // @internal helpers the installed gateways share, and private methods (on the prototype all the same).
  'collisionProblems', 'portProblems', 'ClientIpAccessLog#telemetry', 'ClientIpAccessLog#renderSpec', 'ClientRateLimit#actions', 'ClientRateLimit#checkKey',
  'ClientRateLimit#ipTaggingFilter', 'ClientRateLimit#localRateLimitFilter', 'ClientRateLimit#otherLimits',
  'CrdSchemaValidator#ajvInstance', 'CrdSchemaValidator#entryOf', 'CrdSchemaValidator#evaluate', 'CrdSchemaValidator#loadPrecompiled',
  'CrdSchemaValidator#validatorOf', 'CrdSchemaValidator#walkCel']);

/** Every callable of the public API by the name used in ENTRIES. */
function publicCallables(): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(api)) {
    if (typeof value !== 'function') {
      continue;
    }
    if (!/^class[\s{]/.test(Function.prototype.toString.call(value))) {
      names.push(name);
      continue;
    }
    if (!PRIVATE_CONSTRUCTORS.has(name)) {
      names.push(`new ${name}`);
    }
    for (const method of Object.getOwnPropertyNames(value)) {
      if (typeof (value as unknown as Record<string, unknown>)[method] === 'function' && !['length', 'name', 'prototype'].includes(method)) {
        names.push(`${name}.${method}`);
      }
    }
    for (const method of Object.getOwnPropertyNames(value.prototype)) {
      if (method !== 'constructor' && typeof Object.getOwnPropertyDescriptor(value.prototype, method)?.value === 'function') {
        names.push(`${name}#${method}`);
      }
    }
  }
  return names.filter((name) => !NOT_PUBLIC.has(name) && !/[.#]_/.test(name)).sort();
}

/** A copy of `target` with `value` at `keys` (undefined: the key removed), copying every object on the way. */
function withValue(target: unknown, keys: readonly string[], value: unknown): unknown {
  const copy: Record<string, unknown> | unknown[] = Array.isArray(target) ? [...target] : { ...(target as Record<string, unknown>) };
  const [key, ...rest] = keys;
  const slot = copy as Record<string, unknown>;
  if (rest.length > 0) {
    slot[key] = withValue(slot[key], rest, value);
  } else if (value === undefined) {
    delete slot[key];
  } else {
    slot[key] = value;
  }
  return copy;
}

afterAll(() => {
  fs.rmSync(app.outdir, { recursive: true, force: true });
});

describe('every public entry point, from plain JavaScript', () => {
  test('has a fuzz entry, and every fuzz entry is a public entry point', () => {
    expect(Object.keys(ENTRIES).sort()).toEqual(publicCallables());
  });

  test('accepts its valid arguments (so the hostile calls below start from a working call)', () => {
    for (const [name, entry] of Object.entries(ENTRIES)) {
      expect([name, outcome(name, () => entry.call(entry.args()))]).toEqual([name, 'ok']);
    }
  });

  test.each(Object.keys(ENTRIES))('%s gets only typed errors for hostile arguments', (name) => {
    const entry = ENTRIES[name];
    // A function without parameters gets one hostile argument (it must ignore it).
    const arity = Math.max(entry.args().length, 1);
    const values = entry.args().length === 0 ? HOSTILE.slice(0, 3) : HOSTILE;
    for (let at = 0; at < arity; at++) {
      for (const value of values) {
        const args = entry.args();
        args[at] = value;
        outcome(`${name} with argument ${at} = ${describeValue(value)}`, () => entry.call(args));
      }
    }
  });

  test.each(Object.keys(ENTRIES).filter((name) => ENTRIES[name].props !== undefined))('%s refuses every prop of the wrong kind, with a typed error', (name) => {
    const entry = ENTRIES[name];
    const { at, list } = entry.props!;
    const coerced: string[] = [];
    for (const prop of list) {
      for (const value of HOSTILE_PROPS) {
        const args = entry.args();
        args[at] = withValue(args[at], prop.name.split('.'), value);
        const label = `${name} with ${prop.name} = ${describeValue(value)}`;
        if (outcome(label, () => entry.call(args)) === 'ok' && !rightKind(prop, value)) {
          coerced.push(label);
        }
      }
    }
    expect(coerced).toEqual([]);
  });

  test('made every call above (so the counts are not vacuous)', () => {
    // Each entry point with each hostile value at each argument, and each prop with each value.
    expect(calls).toBeGreaterThan(7_000);
  });
});
