import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { formatViolations, violationsOf } from './schema';
import {
  ClientAffinity, ClientAffinityProps, ConsistentHash, HashAlgorithm, LoadBalancer, SimpleLb, SourceIpValidationError, Warnings,
} from '../src';
import { measureObjects } from '../src/private/object-size';
import { newChart, only, synth } from './util';

function loadBalancerOf(loadBalancer: LoadBalancer, localityLoadBalancing?: boolean) {
  const chart = newChart();
  new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer, localityLoadBalancing });
  return only(synth(chart), 'DestinationRule').spec.trafficPolicy.loadBalancer;
}

describe('ClientAffinity', () => {
  test('is the DestinationRule it writes, with the names generated when the object was a child with id Resource', () => {
    const chart = newChart();
    const sticky = { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) };
    const affinity = new ClientAffinity(new Construct(chart, 'Team.A'), 'Sticky', sticky);
    expect([affinity.resource, ApiObject.of(affinity)]).toEqual([affinity, affinity]);
    expect(affinity.node.children).toEqual([]);
    // A name written by the release before this change, for the same construct path.
    expect(only(synth(chart), 'DestinationRule').metadata.name).toBe('test-team.a-sticky-c8279668');
    expect(new ClientAffinity(new Chart(new App(), 'flat', { disableResourceNameHashes: true }), 'Sticky', sticky).name).toBe('flat-sticky');
    expect(new ApiObject(chart, 'Other', { apiVersion: 'v1', kind: 'ConfigMap' }) instanceof ClientAffinity).toBe(false);
  });

  test('fails if the props are bad, and leaves no object in the tree', () => {
    const chart = newChart();
    expect(() => new ClientAffinity(chart, 'Sticky', { host: 'echo', loadBalancer: 'ring' as unknown as LoadBalancer })).toThrow(/'loadBalancer' must be a LoadBalancer/);
    expect(() => new ClientAffinity(chart, 'Sticky', 42 as unknown as ClientAffinityProps)).toThrow(/'props' must be/);
    expect(chart.node.tryFindChild('Sticky')).toBeUndefined();
    expect(synth(chart)).toEqual([]);
  });

  test('tells the size check an upper bound of what it writes', () => {
    const chart = newChart();
    new ClientAffinity(chart, 'Cookie', {
      // The longest host istiod accepts: 253 characters in labels of at most 63.
      name: 'c'.repeat(253), namespace: 'n'.repeat(63), host: ['h'.repeat(63), 'h'.repeat(63), 'h'.repeat(63), 'h'.repeat(61)].join('.'),
      loadBalancer: LoadBalancer.consistentHash(ConsistentHash.cookie({ name: 'session', ttl: Duration.hours(1) })),
    });
    new ClientAffinity(chart, 'Simple', { host: 'echo', loadBalancer: LoadBalancer.simple(SimpleLb.LEAST_REQUEST), localityLoadBalancing: false });
    const all = measureObjects(chart, true);
    expect(all).toHaveLength(2);
    for (const { bytes, ownBytes } of all) {
      expect(ownBytes).toBeGreaterThanOrEqual(bytes);
    }
  });

  test('writes a networking.istio.io/v1 DestinationRule for the host', () => {
    const chart = newChart();
    new ClientAffinity(chart, 'Affinity', {
      name: 'echo', namespace: 'apps', host: 'echo.apps.svc.cluster.local', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()),
      localityLoadBalancing: false,
    });
    const rule = only(synth(chart), 'DestinationRule');
    expect(rule.apiVersion).toBe('networking.istio.io/v1');
    expect(rule.metadata).toEqual({ name: 'echo', namespace: 'apps' });
    expect(rule.spec).toEqual({
      host: 'echo.apps.svc.cluster.local',
      trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true }, localityLbSetting: { enabled: false } } },
    });
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('gets a generated metadata.name when none is given', () => {
    const chart = newChart();
    const affinity = new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.simple(SimpleLb.RANDOM) });
    const name = only(synth(chart), 'DestinationRule').metadata.name;
    expect(name).toMatch(/^test-affinity-c8[0-9a-f]{6}$/);
    expect(affinity.resource.name).toBe(name);
  });

  test('hashes on a header, written in lower case', () => {
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.header('X-User-Id')), false)).toEqual({
      consistentHash: { httpHeaderName: 'x-user-id' }, localityLbSetting: { enabled: false },
    });
  });

  test('hashes on a cookie with path and ttl', () => {
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.cookie({ name: 'session', path: '/', ttl: Duration.hours(1) })), false).consistentHash)
      .toEqual({ httpCookie: { name: 'session', path: '/', ttl: '3600s' } });
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.cookie({ name: 'session', ttl: Duration.millis(1500) })), false).consistentHash)
      .toEqual({ httpCookie: { name: 'session', ttl: '1500ms' } });
  });

  test('hashes on a session cookie when ttl is 0', () => {
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.cookie({ name: 'sid', ttl: Duration.seconds(0) })), false).consistentHash)
      .toEqual({ httpCookie: { name: 'sid', ttl: '0s' } });
  });

  test('hashes on a query parameter', () => {
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.queryParameter('user')), false).consistentHash)
      .toEqual({ httpQueryParameterName: 'user' });
  });

  test('uses ring hash with a minimum ring size, or maglev with a prime table', () => {
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.sourceIp(), HashAlgorithm.ringHash(2048)), false).consistentHash)
      .toEqual({ useSourceIp: true, ringHash: { minimumRingSize: 2048 } });
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.sourceIp(), HashAlgorithm.maglev()), false).consistentHash)
      .toEqual({ useSourceIp: true, maglev: { tableSize: 65537 } });
    expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.sourceIp(), HashAlgorithm.maglev(131071)), false).consistentHash)
      .toEqual({ useSourceIp: true, maglev: { tableSize: 131071 } });
  });

  test('writes simple load balancing alone', () => {
    expect(loadBalancerOf(LoadBalancer.simple(SimpleLb.LEAST_REQUEST))).toEqual({ simple: 'LEAST_REQUEST' });
    expect(loadBalancerOf(LoadBalancer.simple(SimpleLb.ROUND_ROBIN), true)).toEqual({ simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true } });
  });

  test('does not warn about locality without outlierDetection (Istio then applies no locality priorities)', () => {
    const chart = newChart();
    new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) });
    new ClientAffinity(chart, 'On', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()), localityLoadBalancing: true });
    synth(chart);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('warns that locality load balancing breaks consistent hashing once a patch adds outlierDetection', () => {
    // GIVEN
    const chart = newChart();
    const affinity = new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) });
    // WHEN
    ApiObject.of(affinity.resource).addJsonPatch(JsonPatch.add('/spec/trafficPolicy/outlierDetection', { consecutive5xxErrors: 5 }));
    synth(chart);
    // THEN
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({
      path: 'test/Affinity', id: 'consistent-hash-with-locality-lb', message: expect.stringMatching(/with outlierDetection.*Fix: set localityLoadBalancing: false/),
    })]);
  });

  test('does not warn with outlierDetection when locality load balancing is off for the host', () => {
    const chart = newChart();
    const affinity = new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()), localityLoadBalancing: false });
    ApiObject.of(affinity.resource).addJsonPatch(JsonPatch.add('/spec/trafficPolicy/outlierDetection', { consecutive5xxErrors: 5 }));
    synth(chart);
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('does not warn about locality for simple load balancing', () => {
    const chart = newChart();
    new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.simple(SimpleLb.RANDOM) });
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('warns that hashing the whole x-forwarded-for header changes with every hop, and suggests a stable key', () => {
    const chart = newChart();
    new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('X-Forwarded-For')), localityLoadBalancing: false });
    const warnings = Warnings.collect(chart);
    expect(warnings.map((w) => w.id)).toEqual(['consistent-hash-on-xff']);
    expect(warnings[0].message).toMatch(/x-envoy-external-address.*ConsistentHash\.sourceIp\(\)/);
  });

  test('lets a warning be acknowledged with a reason', () => {
    const chart = newChart();
    const affinity = new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.header('x-forwarded-for')), localityLoadBalancing: false });
    Warnings.of(affinity).acknowledge('consistent-hash-on-xff', 'the header is set by our own proxy');
    expect(Warnings.collect(chart)).toEqual([]);
  });

  test('fails if the header name is empty or has a colon', () => {
    expect(() => ConsistentHash.header('')).toThrow(/ConsistentHash\.header: 'name' must be an HTTP header name .*got ""/);
    expect(() => ConsistentHash.header('x-user: 1')).toThrow(SourceIpValidationError);
  });

  test('fails if a cookie has no name, a bad path or a ttl that is not a Duration, listing every problem', () => {
    expect(() => ConsistentHash.cookie({ name: '', path: 'session', ttl: '1h' as unknown as Duration }))
      .toThrow(/3 problems:[\s\S]*'name' must be a cookie name[\s\S]*'path' must be a path starting with "\/"[\s\S]*'ttl' must be a cdk8s Duration, got "1h"/);
  });

  test('fails if a query parameter name is empty or has "="', () => {
    expect(() => ConsistentHash.queryParameter('')).toThrow(/'name' must be a query parameter name/);
    expect(() => ConsistentHash.queryParameter('a=b')).toThrow(/got "a=b"/);
  });

  test('fails if the maglev table size is not prime, naming the nearest primes', () => {
    expect(() => HashAlgorithm.maglev(65536)).toThrow(/'tableSize' must be a prime number \(Istio rejects others\), got 65536\. Fix: use 65521 or 65537/);
  });

  test('fails if the maglev table size is 0, or 5000011 or more, as istiod does', () => {
    expect(() => HashAlgorithm.maglev(5000011)).toThrow(/'tableSize' must be a whole number from 1 to 5000010, got 5000011/);
    expect(() => HashAlgorithm.maglev(0)).toThrow(/got 0/);
  });

  test('accepts the maglev table sizes istiod accepts: 1, 2, 3 and odd primes (Envoy\'s isPrime, which istiod copies)', () => {
    for (const size of [1, 2, 3, 5, 65537, 4999999]) {
      expect(loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.sourceIp(), HashAlgorithm.maglev(size)), false).consistentHash.maglev).toEqual({ tableSize: size });
    }
    expect(() => HashAlgorithm.maglev(9)).toThrow(/Fix: use 7 or 11/);
  });

  test('agrees with a brute-force primality test on every table size up to 3,000', () => {
    const prime = (n: number) => n > 1 && Array.from({ length: Math.floor(Math.sqrt(n)) - 1 }, (_, i) => i + 2).every((d) => n % d !== 0);
    const refused: number[] = [];
    for (let n = 1; n <= 3_000; n++) {
      try {
        HashAlgorithm.maglev(n);
      } catch {
        refused.push(n);
      }
    }
    // Istio's only departure from primality: 1.
    expect(refused).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1).filter((n) => n !== 1 && !prime(n)));
  });

  test('writes a cookie lifetime Go can parse, and fails on one beyond time.Duration or below a millisecond', () => {
    const ttl = (d: Duration) => loadBalancerOf(LoadBalancer.consistentHash(ConsistentHash.cookie({ name: 's', ttl: d })), false).consistentHash.httpCookie.ttl;
    expect(ttl(Duration.days(365 * 290))).toBe('9145440000s');
    expect(ttl(Duration.millis(1500))).toBe('1500ms');
    expect(() => ConsistentHash.cookie({ name: 's', ttl: Duration.days(365 * 300) }))
      .toThrow(/'ttl' must be a whole number of milliseconds from 0 to 9223372036854 \(Go's time\.Duration.*got "9460800000000 ms"/);
    expect(() => ConsistentHash.cookie({ name: 's', ttl: Duration.millis(0.5) })).toThrow(/got "a fraction of a millisecond"/);
  });

  test('fails if the ring size is 0 or fractional', () => {
    expect(() => HashAlgorithm.ringHash(0)).toThrow(/'minimumRingSize' must be a whole number from 1 to 8388608, got 0/);
    expect(() => HashAlgorithm.ringHash(10.5)).toThrow(/got 10\.5/);
  });

  test('fails if the host is empty or carries a scheme or port', () => {
    const chart = newChart();
    const loadBalancer = LoadBalancer.simple(SimpleLb.RANDOM);
    expect(() => new ClientAffinity(chart, 'A', { host: '', loadBalancer })).toThrow(/\[test\/A\] ClientAffinity: 'host' must be a DNS name istiod accepts.*it is empty/);
    expect(() => new ClientAffinity(chart, 'B', { host: 'http://echo:80', loadBalancer })).toThrow(/got "http:\/\/echo:80"/);
  });

  test('fails on a host istiod\'s ValidateWildcardDomain refuses: a label over 63, an all-numeric TLD, over 255 characters', () => {
    const host = (h: string) => () => new ClientAffinity(newChart(), 'A', { host: h, loadBalancer: LoadBalancer.simple(SimpleLb.RANDOM) });
    expect(host(`${'a'.repeat(64)}.example.com`)).toThrow(/the label "a{64}" is not a DNS label of at most 63/);
    expect(host(`echo.${'b'.repeat(64)}`)).toThrow(/the label "b{64}"/);
    expect(host('echo.default.123')).toThrow(/the last label "123" is all-numeric/);
    expect(host(`${'a.'.repeat(127)}com`)).toThrow(/it has 257 characters \(at most 255\)/);
    expect(host('echo.*.example.com')).toThrow(/the label "\*"/);
  });

  test('accepts every host istiod accepts: wildcards, capitals, a trailing dot, a numeric first label, 63-character labels', () => {
    for (const h of ['*', '*.example.com', '*-svc.example.com', 'Echo.Default.svc.cluster.local', 'istio.io.', '123', `${'a'.repeat(63)}.com`, '10.0.0.1.nip.io']) {
      const chart = newChart();
      new ClientAffinity(chart, 'A', { host: h, loadBalancer: LoadBalancer.simple(SimpleLb.RANDOM) });
      const objects = Testing.synth(chart);
      expect(only(objects, 'DestinationRule').spec.host).toBe(h);
      expect(formatViolations(violationsOf(objects))).toEqual([]);
    }
  });

  test('fails if the load balancer is a plain object with both simple and consistentHash', () => {
    const both = { _fields: { simple: 'ROUND_ROBIN', consistentHash: { useSourceIp: true } } } as unknown as LoadBalancer;
    expect(() => new ClientAffinity(newChart(), 'A', { host: 'echo', loadBalancer: both }))
      .toThrow(/'loadBalancer' must be a LoadBalancer.*Fix: pass LoadBalancer\.consistentHash\(\.\.\.\) or LoadBalancer\.simple\(\.\.\.\)/);
  });

  test('fails if the simple policy is unknown', () => {
    expect(() => LoadBalancer.simple('LEAST_CONN' as SimpleLb)).toThrow(/'policy' must be one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH, got "LEAST_CONN"/);
  });
});
