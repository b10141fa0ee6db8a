import { Duration } from 'cdk8s';
import {
  ClientAffinity, ConsistentHash, HashAlgorithm, LoadBalancer, SimpleLb, SourceIpValidationError, Warnings,
} from '../src';
import { measureObjects } from '../src/private/object-size';
import { newChart, only, synth } from './util';

function loadBalancerOf(loadBalancer: LoadBalancer, localityLoadBalancing?: boolean) {
  const chart = newChart();
  new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer, localityLoadBalancing });
  return only(synth(chart), 'DestinationRule').spec.trafficPolicy.loadBalancer;
}

describe('ClientAffinity', () => {
  test('tells the size check an upper bound of what it writes', () => {
    const chart = newChart();
    new ClientAffinity(chart, 'Cookie', {
      name: 'c'.repeat(253), namespace: 'n'.repeat(63), host: 'h'.repeat(253),
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

  test('warns that locality load balancing breaks consistent hashing', () => {
    const chart = newChart();
    new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) });
    expect(Warnings.collect(chart)).toEqual([expect.objectContaining({
      path: 'test/Affinity', id: 'consistent-hash-with-locality-lb', message: expect.stringMatching(/Fix: set localityLoadBalancing: false/),
    })]);
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
    const affinity = new ClientAffinity(chart, 'Affinity', { host: 'echo', loadBalancer: LoadBalancer.consistentHash(ConsistentHash.sourceIp()) });
    Warnings.of(affinity).acknowledge('consistent-hash-with-locality-lb', 'single-zone cluster');
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

  test('fails if the maglev table size is 5000011 or more', () => {
    expect(() => HashAlgorithm.maglev(5000011)).toThrow(/'tableSize' must be a whole number from 2 to 5000010, got 5000011/);
  });

  test('fails if the ring size is 0 or fractional', () => {
    expect(() => HashAlgorithm.ringHash(0)).toThrow(/'minimumRingSize' must be a whole number from 1 to 8388608, got 0/);
    expect(() => HashAlgorithm.ringHash(10.5)).toThrow(/got 10\.5/);
  });

  test('fails if the host is empty or carries a scheme or port', () => {
    const chart = newChart();
    const loadBalancer = LoadBalancer.simple(SimpleLb.RANDOM);
    expect(() => new ClientAffinity(chart, 'A', { host: '', loadBalancer })).toThrow(/\[test\/A\] ClientAffinity: 'host' must be a lower-case DNS name/);
    expect(() => new ClientAffinity(chart, 'B', { host: 'http://echo:80', loadBalancer })).toThrow(/got "http:\/\/echo:80"/);
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
