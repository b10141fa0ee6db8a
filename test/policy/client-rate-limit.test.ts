import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClassicElbListener, ClientRateLimit, ClientRateLimitProps, EdgeChain, EdgeHop, explainIngressGateways, ExternalTrafficPolicy, GatewayListener,
  GatewayTopology, IngressGateway, KubernetesGateway, IpAccessAction, IpAccessPolicy, IpBlock, IstioVersion, PolicyTarget, Warnings,
} from '../../src';
import { protoViolations } from '../../src/policy/proto-check';
import { formatViolations, violationsOf } from '../schema';
import { Manifest, newChart, only, synth, validationErrorOf } from '../util';

const GKE = () => EdgeChain.of(EdgeHop.gkeExternalPassthrough());

/** A chart with a GKE gateway and one limit on it; returns the EnvoyFilter and the chart. */
function limit(props: Partial<ClientRateLimitProps> = {}, edge: EdgeChain | undefined = GKE()) {
  const chart = newChart();
  const gateway = new IngressGateway(chart, 'gateway', { namespace: 'istio-ingress', ...(edge === undefined ? {} : { edge }) });
  const construct = new ClientRateLimit(chart, 'limit', { target: PolicyTarget.gateway(gateway), requestsPerInterval: 100, ...props });
  const objects = synth(chart);
  return { chart, gateway, construct, objects, filter: only(objects, 'EnvoyFilter') };
}

/** The typed_config of the HTTP filter a patch inserts, by filter name. */
function typedConfig(filter: Manifest, name: string): Manifest {
  const patch = filter.spec.configPatches.find((p: Manifest) => p.applyTo === 'HTTP_FILTER' && p.patch.value.name === name);
  return patch?.patch.value.typed_config;
}

describe('ClientRateLimit', () => {
  test('inserts a local rate limit before the router of the gateway\'s pods, with a bucket per trusted address', () => {
    const { filter } = limit({ requestsPerInterval: 100, interval: Duration.minutes(1), burst: 20, maxClients: 5000, name: 'per-client' });
    expect(filter.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(filter.metadata).toEqual({ name: 'per-client', namespace: 'istio-ingress' });
    expect(filter.spec.workloadSelector).toEqual({ labels: { app: 'ingress-gateway', istio: 'ingress-gateway' } });
    // A priority keeps istioctl analyze quiet about relative patches (IST0151, IST0155).
    expect(filter.spec.priority).toBe(10);
    expect(filter.spec.configPatches.map((p: Manifest) => `${p.applyTo} ${p.patch.operation}`)).toEqual(['HTTP_FILTER INSERT_BEFORE', 'VIRTUAL_HOST MERGE']);
    const [http] = filter.spec.configPatches;
    expect(http.match).toEqual({
      context: 'GATEWAY',
      proxy: { proxyVersion: '^1\\.30([.-]|$)' },
      listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } },
    });
    const config = typedConfig(filter, 'envoy.filters.http.local_ratelimit');
    expect(config.descriptors).toEqual([{
      entries: [{ key: 'remote_address', value: '' }],
      token_bucket: { max_tokens: 20, tokens_per_fill: 100, fill_interval: '60s' },
    }]);
    expect(config.max_dynamic_descriptors).toBe(5000);
    expect(config.token_bucket).toBeUndefined();
    expect(config.filter_enforced.default_value).toEqual({ numerator: 100, denominator: 'HUNDRED' });
    expect(filter.spec.configPatches[1].patch.value).toEqual({ rate_limits: [{ actions: [{ remote_address: {} }] }] });
  });

  test('exempts ranges with an ip_tagging filter first and a header match that drops the descriptor of tagged clients', () => {
    // GIVEN
    const { filter } = limit({ exempt: IpBlock.ofAll(['10.0.0.0/8', '2001:db8::/32']), name: 'per-client' });
    // THEN the tagging filter comes first, then the limit
    expect(filter.spec.configPatches.map((p: Manifest) => p.patch.value.name ?? 'rate_limits'))
      .toEqual(['envoy.filters.http.ip_tagging', 'envoy.filters.http.local_ratelimit', 'rate_limits']);
    expect(typedConfig(filter, 'envoy.filters.http.ip_tagging').ip_tags).toEqual([{
      ip_tag_name: 'per-client-exempt',
      ip_list: [{ address_prefix: '10.0.0.0', prefix_len: 8 }, { address_prefix: '2001:db8::', prefix_len: 32 }],
    }]);
    // AND each descriptor entry is one the actions produce, in their order
    const entries = typedConfig(filter, 'envoy.filters.http.local_ratelimit').descriptors[0].entries;
    const actions = filter.spec.configPatches[2].patch.value.rate_limits[0].actions;
    expect(entries).toEqual([{ key: 'header_match', value: 'limited' }, { key: 'remote_address', value: '' }]);
    expect(actions).toEqual([
      { header_value_match: { descriptor_value: 'limited', expect_match: false, headers: [{ name: 'x-envoy-ip-tags', present_match: true }] } },
      { remote_address: {} },
    ]);
  });

  test('selects a Gateway API gateway\'s pods by their gateway-name label (Istio 1.26 applied EnvoyFilter targetRefs to every gateway of the namespace)', () => {
    const chart = newChart();
    const gateway = new KubernetesGateway(chart, 'gateway', { namespace: 'istio-ingress', listeners: [GatewayListener.http()] });
    new ClientRateLimit(chart, 'limit', { target: PolicyTarget.gateway(gateway), requestsPerInterval: 10 });
    const objects = synth(chart);
    const filter = only(objects, 'EnvoyFilter');
    expect(filter.spec.targetRefs).toBeUndefined();
    expect(filter.spec.workloadSelector).toEqual({ labels: gateway.selectorLabels });
    expect(formatViolations(violationsOf(objects))).toEqual([]);
  });

  test('validates against the pinned EnvoyFilter CRD', () => {
    const { objects } = limit({ exempt: IpBlock.ofAll(['10.0.0.0/8']) });
    expect(formatViolations(violationsOf(objects))).toEqual([]);
  });

  test('writes only Envoy proto field names into its patches', () => {
    // The HCM's HttpFilter (name, typed_config) for the filters, VirtualHost for the rate limit actions.
    const { filter } = limit({ exempt: IpBlock.ofAll(['10.0.0.0/8', '192.0.2.7']), enforced: false });
    const violations = filter.spec.configPatches.flatMap((p: Manifest) => protoViolations(
      p.applyTo === 'HTTP_FILTER' ? 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter' : 'envoy.config.route.v3.VirtualHost',
      p.patch.value, 'proto'));
    expect(violations).toEqual([]);
  });

  test('pins the filter to the Istio versions given, as an RE2 expression on ISTIO_VERSION', () => {
    const one = new RegExp(limit().construct.proxyVersion);
    expect(['1.30.0', '1.30.3', '1.30-dev', '1.30'].filter((v) => one.test(v))).toHaveLength(4);
    expect(['1.31.0', '1.3.0', '1.300.1', '2.30.0'].filter((v) => one.test(v))).toEqual([]);
    const two = limit({ istioVersions: ['1.29', '1.30'] }).construct.proxyVersion;
    expect(two).toBe('^1\\.(29|30)([.-]|$)');
    expect(['1.29.2', '1.30.1', '1.28.9'].map((v) => new RegExp(two).test(v))).toEqual([true, true, false]);
  });

  test('pins to the app\'s target Istio version by default, and refuses a target without per-client buckets', () => {
    const app = (version: IstioVersion) => {
      const a = new App();
      version.applyTo(a);
      const chart = new Chart(a, 'app');
      return PolicyTarget.gateway(new IngressGateway(chart, 'gateway'));
    };
    const target27 = app(IstioVersion.V1_27);
    expect(new ClientRateLimit(target27.gateway?.node.scope as Chart, 'limit', { target: target27, requestsPerInterval: 1 }).istioVersions).toEqual(['1.27']);
    expect([IstioVersion.V1_24, IstioVersion.of('1.26'), IstioVersion.V1_30].map((v) => ClientRateLimit.isSupportedOn(v))).toEqual([false, true, true]);
    const target24 = app(IstioVersion.V1_24);
    expect(validationErrorOf(() => new ClientRateLimit(target24.gateway?.node.scope as Chart, 'limit', { target: target24, requestsPerInterval: 1 })).message)
      .toMatch(/'istioVersions' must be set when the app targets Istio 1.24 \(per-client buckets need Envoy 1.34.*Fix: upgrade to Istio 1.26 or later/);
  });

  test('only counts when not enforced, and writes sub-second intervals as protobuf durations', () => {
    const config = typedConfig(limit({ enforced: false, interval: Duration.millis(500) }).filter, 'envoy.filters.http.local_ratelimit');
    expect(config.filter_enforced.default_value.numerator).toBe(0);
    expect(config.filter_enabled.default_value.numerator).toBe(100);
    expect(config.descriptors[0].token_bucket.fill_interval).toBe('0.5s');
  });

  test('adds a rate limit section to its gateway\'s report', () => {
    const { chart } = limit({ exempt: IpBlock.ofAll(['10.0.0.0/8']) });
    const [entry] = explainIngressGateways(chart);
    expect(entry.clientIp?.rateLimits).toEqual([{ requestsPerInterval: 100, interval: '60s', burst: 100, exempt: IpBlock.ofAll(['10.0.0.0/8']), istioVersions: ['1.30'] }]);
  });

  test('stays quiet on a gateway that trusts the client', () => {
    expect(Warnings.collect(limit().chart)).toEqual([]);
  });

  test('warns when a client can choose its key on the described edge, as a remoteIpBlocks policy there is warned', () => {
    // GIVEN the seed article's numTrustedProxies 2 on GKE's passthrough load balancer: no proxy appends X-Forwarded-For
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gateway', { edge: GKE(), topology: GatewayTopology.of({ numTrustedProxies: 2 }) });
    new ClientRateLimit(chart, 'limit', { target: PolicyTarget.gateway(gateway), requestsPerInterval: 10 });
    new IpAccessPolicy(chart, 'policy', { target: PolicyTarget.gateway(gateway), action: IpAccessAction.DENY, remoteIpBlocks: IpBlock.ofAll(['192.0.2.0/24']) });
    synth(chart);
    // THEN both get the finding, with the simulator's fix
    const ids = Warnings.collect(chart).filter((w) => w.path !== 'test/gateway').map((w) => `${w.path} ${w.id}`);
    expect(ids).toEqual(['test/limit client-rate-limit-spoofable', 'test/policy remote-ip-blocks-spoofable']);
    const [warning] = Warnings.collect(chart).filter((w) => w.id === 'client-rate-limit-spoofable');
    expect(warning.message).toMatch(/escapes the limit with a new forged address each time.*Fix: set numTrustedProxies to 0/);
  });

  test('warns when a client that connects past the CDN (to the public load balancer) can choose its key', () => {
    // GIVEN Cloudflare in front of a GKE passthrough load balancer nobody locked down
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'gateway', { edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()) });
    new ClientRateLimit(chart, 'limit', { target: PolicyTarget.gateway(gateway), requestsPerInterval: 10 });
    synth(chart);
    const warnings = Warnings.collect(chart).filter((w) => w.path === 'test/limit');
    expect(warnings.map((w) => w.id)).toEqual(['client-rate-limit-spoofable']);
    expect(warnings[0].message).toMatch(/forged X-Forwarded-For by connecting past the first hop, so it escapes the limit.*Fix: .*loadBalancerSourceRanges/);
    // WHEN the load balancer admits only Cloudflare's ranges THEN the limit is quiet
    const locked = newChart();
    const cloudflare = EdgeHop.cloudflare();
    const lockedGateway = new IngressGateway(locked, 'gateway', {
      edge: EdgeChain.of(cloudflare, EdgeHop.gkeExternalPassthrough()), loadBalancerSourceRanges: [...cloudflare.sourceRanges],
    });
    new ClientRateLimit(locked, 'limit', { target: PolicyTarget.gateway(lockedGateway), requestsPerInterval: 10 });
    synth(locked);
    expect(Warnings.collect(locked).filter((w) => w.path === 'test/limit')).toEqual([]);
  });

  test('warns when the key is a load balancer\'s or node\'s address on the described edge', () => {
    // A Classic ELB in TCP mode opens its own connections and sends no PROXY header: the gateway sees a node.
    const { chart } = limit({}, EdgeChain.of(EdgeHop.awsClassicElb(ClassicElbListener.TCP)));
    const warnings = Warnings.collect(chart).filter((w) => w.path === 'test/limit');
    expect(warnings.map((w) => w.id)).toEqual(['client-rate-limit-sees-proxy']);
    expect(warnings[0].message).toMatch(/the gateway trusts 192\.0\.2\.100, not the client, so every client behind that address shares one bucket/);
  });

  test('warns without a described edge when nodes SNAT the client (externalTrafficPolicy Cluster, no proxy)', () => {
    const { chart } = limit({}, undefined);
    expect(Warnings.collect(chart).filter((w) => w.path === 'test/limit')).toEqual([]);
    const chart2 = newChart();
    const gateway = new IngressGateway(chart2, 'gateway', { externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    new ClientRateLimit(chart2, 'limit', { target: PolicyTarget.gateway(gateway), requestsPerInterval: 10 });
    synth(chart2);
    expect(Warnings.collect(chart2).filter((w) => w.path === 'test/limit').map((w) => w.id)).toEqual(['client-rate-limit-sees-proxy']);
  });

  test('warns when an exempt block has host bits set', () => {
    const { chart } = limit({ exempt: IpBlock.ofAll(['10.1.2.3/8']) });
    expect(Warnings.collect(chart).filter((w) => w.path === 'test/limit').map((w) => w.id)).toEqual(['ip-block-host-bits']);
  });

  test('fails if two limits select the same gateway', () => {
    const chart = newChart();
    const target = PolicyTarget.gateway(new IngressGateway(chart, 'gateway'));
    new ClientRateLimit(chart, 'a', { target, requestsPerInterval: 10 });
    new ClientRateLimit(chart, 'b', { target, requestsPerInterval: 20 });
    expect(() => synth(chart)).toThrow(/ClientRateLimit test\/b limits the same gateway .*Fix: keep one ClientRateLimit per gateway/);
  });

  test('fails if the target is not a gateway', () => {
    const chart = newChart();
    const echo = new kplus.Deployment(chart, 'echo', { containers: [{ image: 'echo' }] });
    expect(validationErrorOf(() => new ClientRateLimit(chart, 'limit', { target: PolicyTarget.workload(echo), requestsPerInterval: 1 })).message)
      .toMatch(/'target' must be the pods of an ingress gateway, got "test\/echo". Fix: pass PolicyTarget.gateway\(gateway\)/);
  });

  test('fails if a number, the interval, an exempt block or a version is wrong, reporting all at once', () => {
    const chart = newChart();
    const target = PolicyTarget.gateway(new IngressGateway(chart, 'gateway'));
    const error = validationErrorOf(() => new ClientRateLimit(chart, 'limit', {
      target, requestsPerInterval: 0, burst: 1.5, maxClients: -1, interval: Duration.millis(20),
      exempt: ['10.0.0.0/8' as never], istioVersions: ['1.25', '1.30.3', '1.30', '1.30'],
    }));
    expect(error.message).toMatch(/^\[test\/limit\] ClientRateLimit: 8 problems:/);
    expect(error.message).toMatch(/'requestsPerInterval' must be a whole number from 1 to 4294967295, got 0/);
    expect(error.message).toMatch(/'burst' must be a whole number from 1 to 4294967295, got 1.5/);
    expect(error.message).toMatch(/'maxClients' must be a whole number from 1 to 4294967295, got -1/);
    expect(error.message).toMatch(/'interval' must be whole milliseconds, at least 50 ms \(Envoy refuses a shorter fill interval\), got "20 ms"/);
    expect(error.message).toMatch(/'exempt\[0\]' must be an IpBlock, got "10.0.0.0\/8". Fix: write IpBlock.of\("10.0.0.0\/8"\)/);
    expect(error.message).toMatch(/'istioVersions\[0\]' must be 1.26 or later \(per-client buckets need Envoy 1.34/);
    expect(error.message).toMatch(/'istioVersions\[1\]' must be an Istio minor version such as "1.30", got "1.30.3"/);
    expect(error.message).toMatch(/'istioVersions\[3\]' must be listed once, got "1.30"/);
  });

  test('fails if requestsPerInterval is missing or the interval is not a Duration (plain JavaScript)', () => {
    const chart = newChart();
    const target = PolicyTarget.gateway(new IngressGateway(chart, 'gateway'));
    const error = validationErrorOf(() => new ClientRateLimit(chart, 'limit', { target, interval: 60 as never } as never));
    expect(error.message).toMatch(/'requestsPerInterval' must be set, got undefined/);
    expect(error.message).toMatch(/'interval' must be a Duration, got 60. Fix: write interval: Duration.minutes\(1\)/);
    expect(validationErrorOf(() => new ClientRateLimit(chart, 'limit2', { target, requestsPerInterval: 1, istioVersions: [] })).message)
      .toMatch(/'istioVersions' must be a non-empty list of Istio minor versions, got \[\]/);
  });
});
