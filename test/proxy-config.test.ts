// cspell:ignore concurency Metdata samplng isti SANITISE
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import {
  JsonValue, mergeProxyConfig, MergeResult, parseProxyConfig, PROXY_CONFIG_ANNOTATION, proxyConfigInterceptionMode, proxyConfigProblems, readProxyConfig,
} from '../src/private/proxy-config';
import { editDistance, parseGoDuration } from '../src/private/proxy-config-decode';

/** The merged annotation text; fails the test with the problems otherwise. */
function mergedText(result: MergeResult): string {
  if (!result.ok) {
    throw new Error(`expected the merge to succeed, got: ${result.problems.join('; ')}`);
  }
  return result.text;
}

describe('mergeProxyConfig', () => {
  test('writes the patch alone as JSON when the pod has no ProxyConfig yet', () => {
    expect(mergeProxyConfig(undefined, { gatewayTopology: { numTrustedProxies: 2 } })).toStrictEqual({
      ok: true,
      text: '{"gatewayTopology":{"numTrustedProxies":2}}',
      config: { gatewayTopology: { numTrustedProxies: 2 } },
      warnings: [],
    });
  });

  test('keeps the fields of an existing JSON ProxyConfig', () => {
    expect(mergedText(mergeProxyConfig('{"concurrency":2,"holdApplicationUntilProxyStarts":true}', { gatewayTopology: { numTrustedProxies: 1 } })))
      .toBe('{"concurrency":2,"holdApplicationUntilProxyStarts":true,"gatewayTopology":{"numTrustedProxies":1}}');
  });

  test('reads an existing YAML ProxyConfig and writes the result as JSON', () => {
    expect(mergedText(mergeProxyConfig('concurrency: 2', { gatewayTopology: { numTrustedProxies: 1 } })))
      .toBe('{"concurrency":2,"gatewayTopology":{"numTrustedProxies":1}}');
  });

  test('reads multi-line YAML with nested maps, as kubectl users write it', () => {
    const existing = 'concurrency: 2\nproxyMetadata:\n  ISTIO_META_DNS_CAPTURE: "true"\n';
    expect(mergedText(mergeProxyConfig(existing, { gatewayTopology: { numTrustedProxies: 1 } })))
      .toBe('{"concurrency":2,"proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true"},"gatewayTopology":{"numTrustedProxies":1}}');
  });

  test.each(['', '   ', 'null', '~', '{}', '# only a comment'])('reads the existing annotation %j as an empty ProxyConfig', (existing) => {
    expect(mergedText(mergeProxyConfig(existing, { concurrency: 2 }))).toBe('{"concurrency":2}');
  });

  test('accepts an existing gatewayTopology that already has the same values', () => {
    const existing = '{"gatewayTopology":{"proxyProtocol":{},"numTrustedProxies":2}}';
    expect(mergeProxyConfig(existing, { gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {} } })).toEqual({
      ok: true, text: existing, config: { gatewayTopology: { proxyProtocol: {}, numTrustedProxies: 2 } }, warnings: [],
    });
  });

  test('fails if the existing gatewayTopology has another numTrustedProxies, naming both values', () => {
    const result = mergeProxyConfig('gatewayTopology:\n  numTrustedProxies: 1\n', { gatewayTopology: { numTrustedProxies: 2 } });
    expect(result).toEqual({
      ok: false,
      problems: [expect.stringMatching(
        /^proxy\.istio\.io\/config already sets gatewayTopology\.numTrustedProxies to 1, and this construct would set 2\. Fix: remove gatewayTopology\.numTrustedProxies from the annotation you pass in, or make both values agree$/)],
    });
  });

  test('fails with every conflicting field, each by its full path', () => {
    // GIVEN
    const existing = JSON.stringify({ concurrency: 4, gatewayTopology: { numTrustedProxies: 1, forwardClientCertDetails: 'SANITIZE' } });
    // WHEN
    const result = mergeProxyConfig(existing, { concurrency: 2, gatewayTopology: { numTrustedProxies: 2, forwardClientCertDetails: 'SANITIZE' } });
    // THEN
    expect(result).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/already sets concurrency to 4, and this construct would set 2\./),
        expect.stringMatching(/already sets gatewayTopology\.numTrustedProxies to 1, and this construct would set 2\./),
      ],
    });
  });

  test('fails if an unknown field holds a map on one side and a value on the other', () => {
    const result = mergeProxyConfig('{"xFuture":"none"}', { xFuture: { numTrustedProxies: 2 } });
    expect(result).toEqual({
      ok: false,
      problems: [expect.stringMatching(/already sets xFuture to "none", and this construct would set \{"numTrustedProxies":2\}\./)],
    });
  });

  test('fails if the existing gatewayTopology is not a map, as Istio does', () => {
    const result = mergeProxyConfig('{"gatewayTopology":"none"}', { gatewayTopology: { numTrustedProxies: 2 } });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/^the existing proxy\.istio\.io\/config annotation: 'gatewayTopology' must be a map of Topology fields, got "none"/)] });
  });

  test('accepts a quoted integer equal to the patch, since Istio reads "2" as 2 (jsonpb trimQuote)', () => {
    expect(mergedText(mergeProxyConfig('gatewayTopology: {numTrustedProxies: "2"}', { gatewayTopology: { numTrustedProxies: 2 } })))
      .toBe('{"gatewayTopology":{"numTrustedProxies":2}}');
  });

  test('accepts the proto field names as the same fields, and writes the JSON names', () => {
    expect(mergedText(mergeProxyConfig('gateway_topology:\n  num_trusted_proxies: 2\n', { gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {} } })))
      .toBe('{"gatewayTopology":{"numTrustedProxies":2,"proxyProtocol":{}}}');
  });

  test('fails if a proto field name holds another value than the patch', () => {
    const result = mergeProxyConfig('gateway_topology: {num_trusted_proxies: 1}', { gatewayTopology: { numTrustedProxies: 2 } });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/already sets gatewayTopology\.numTrustedProxies to 1, and this construct would set 2\./)] });
  });

  test('fails if the merged ProxyConfig breaks one of Istio\'s rules', () => {
    const result = mergeProxyConfig('discoveryAddress: istiod', { gatewayTopology: { numTrustedProxies: 1 } });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/^'discoveryAddress' must be host:port .* got "istiod" \(missing port in address\)/)] });
  });

  test('reports fields Istio ignores as warnings, keeping them', () => {
    const result = mergeProxyConfig('concurency: 2', { gatewayTopology: { numTrustedProxies: 1 } });
    expect(result).toEqual({
      ok: true, text: '{"concurency":2,"gatewayTopology":{"numTrustedProxies":1}}', config: { concurency: 2, gatewayTopology: { numTrustedProxies: 1 } },
      warnings: ['ProxyConfig has no field concurency, so Istio ignores it without a word. Fix: did you mean concurrency?'],
    });
  });

  test('merges nested maps field by field, however deep', () => {
    const existing = '{"proxyMetadata":{"A":"1"},"gatewayTopology":{"numTrustedProxies":2}}';
    expect(mergedText(mergeProxyConfig(existing, { proxyMetadata: { B: '2' }, gatewayTopology: { proxyProtocol: {} } })))
      .toBe('{"proxyMetadata":{"A":"1","B":"2"},"gatewayTopology":{"numTrustedProxies":2,"proxyProtocol":{}}}');
  });

  test('accepts equal lists, even when the maps inside list their keys in another order', () => {
    const existing = '{"extraStatTags":["a","b"],"xFuture":{"custom":[{"x":1,"y":2}]}}';
    expect(mergedText(mergeProxyConfig(existing, { extraStatTags: ['a', 'b'], xFuture: { custom: [{ y: 2, x: 1 }] } }))).toBe(existing);
  });

  test('fails if a list differs, without merging its items', () => {
    const result = mergeProxyConfig('{"extraStatTags":["a"]}', { extraStatTags: ['a', 'b'] });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/already sets extraStatTags to \["a"\], and this construct would set \["a","b"\]\./)] });
  });

  test('keeps fields this library does not know about', () => {
    const existing = '{"someFutureField":{"deep":[1,{"x":null}]},"drainDuration":"45s"}';
    const config = JSON.parse(mergedText(mergeProxyConfig(existing, { concurrency: 2 })));
    expect(config).toEqual({ someFutureField: { deep: [1, { x: null }] }, drainDuration: '45s', concurrency: 2 });
  });

  test('writes keys in a fixed order: existing ones first, as written, then new ones in patch order', () => {
    const existing = '{"zeta":1,"proxyMetadata":{"Y":"1"}}';
    const patch = { omega: 3, proxyMetadata: { X: '2' }, beta: 4 };
    expect([mergedText(mergeProxyConfig(existing, patch)), mergedText(mergeProxyConfig(existing, patch))])
      .toEqual(['{"zeta":1,"proxyMetadata":{"Y":"1","X":"2"},"omega":3,"beta":4}', '{"zeta":1,"proxyMetadata":{"Y":"1","X":"2"},"omega":3,"beta":4}']);
  });

  test('keeps both fields when a second patch adds to the first (the seed article\'s bug)', () => {
    // GIVEN: kubectl patch with {"gatewayTopology":{"numTrustedProxies":2}} ...
    const first = mergedText(mergeProxyConfig(undefined, { gatewayTopology: { numTrustedProxies: 2 } }));
    // WHEN: ... and later with {"gatewayTopology":{"proxyProtocol":{}}}, which replaced the first one
    const second = mergedText(mergeProxyConfig(first, { gatewayTopology: { proxyProtocol: {} } }));
    // THEN
    expect(JSON.parse(second)).toEqual({ gatewayTopology: { numTrustedProxies: 2, proxyProtocol: {} } });
  });

  test('leaves the patch it is given unchanged', () => {
    const patch: Record<string, JsonValue> = { gatewayTopology: { proxyProtocol: {} } };
    mergeProxyConfig('{"gatewayTopology":{"numTrustedProxies":2}}', patch);
    expect(patch).toEqual({ gatewayTopology: { proxyProtocol: {} } });
  });

  test.each([
    ['invalid YAML', '{', /it is not valid YAML or JSON \(.+\)/],
    ['YAML indented with tabs', 'a:\n\tb: 1', /it is not valid YAML or JSON/],
    ['a list', '- concurrency: 2', /it is a list, not a map of ProxyConfig fields/],
    ['a JSON list', '[]', /it is a list, not a map of ProxyConfig fields/],
    ['a number', '42', /it is a number, not a map of ProxyConfig fields/],
    ['a string', 'concurrency=2', /it is a string, not a map of ProxyConfig fields/],
    ['a boolean', 'true', /it is a boolean, not a map of ProxyConfig fields/],
  ])('fails if the existing annotation is %s, naming the annotation', (_what, existing, why) => {
    const result = mergeProxyConfig(existing, { concurrency: 2 });
    expect(result).toEqual({
      ok: false,
      problems: [expect.stringMatching(new RegExp(
        `^the existing proxy\\.istio\\.io/config annotation: ${escape(JSON.stringify(existing))} cannot be read: ${why.source}.*\\. `
        + 'Fix: write it as a JSON or YAML map, e.g. \\{"concurrency": 2\\}$'))],
    });
  });

  test('reads YAML with a repeated key as Istio does: the last value wins', () => {
    expect(mergedText(mergeProxyConfig('concurrency: 1\nconcurrency: 2', { concurrency: 2 }))).toBe('{"concurrency":2}');
  });

  // Names found on Object.prototype must not look like existing fields, and "__proto__" must not
  // set the prototype.
  test.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('adds a new field named %j like any other', (key) => {
    const patch: Record<string, JsonValue> = JSON.parse(`{${JSON.stringify(key)}:{"x":1}}`);
    expect(JSON.parse(mergedText(mergeProxyConfig('{"concurrency":2}', patch)))).toEqual(JSON.parse(`{"concurrency":2,${JSON.stringify(key)}:{"x":1}}`));
  });
});

describe('readProxyConfig', () => {
  test('reads JSON and YAML to the same map', () => {
    expect(parseProxyConfig('gatewayTopology:\n  numTrustedProxies: 2\n')).toEqual(parseProxyConfig('{"gatewayTopology":{"numTrustedProxies":2}}'));
  });

  test('names the annotation it is read from', () => {
    expect(PROXY_CONFIG_ANNOTATION).toBe('proxy.istio.io/config');
  });

  test('reads every spelling of the interception mode to one name', () => {
    expect(['interceptionMode: TPROXY', 'interception_mode: TPROXY', 'interceptionMode: 1', '{"interception_mode": "TPROXY"}'].map(proxyConfigInterceptionMode))
      .toEqual(['TPROXY', 'TPROXY', 'TPROXY', 'TPROXY']);
  });

  test('reads no interception mode from a ProxyConfig without one, or one it cannot read', () => {
    expect(['concurrency: 2', '[', 'interceptionMode: tproxy'].map(proxyConfigInterceptionMode)).toEqual([undefined, undefined, undefined]);
  });

  test('returns the first problem when the ProxyConfig cannot be read', () => {
    expect(parseProxyConfig('drainDuration: 5')).toMatch(/^'drainDuration' must be a quoted duration/);
  });
});

// How Istio decodes the annotation into a ProxyConfig: protomarshal.ApplyYAML, i.e. legacy jsonpb
// (https://github.com/golang/protobuf/blob/v1.5.4/jsonpb/decode.go) over sigs.k8s.io/yaml.
const JSONPB = 'jsonpb decode.go';
describe('readProxyConfig decodes fields as jsonpb does', () => {
  test.each<[string, string, Record<string, JsonValue>, string]>([
    ['a JSON name', '{"gatewayTopology":{"numTrustedProxies":2}}', { gatewayTopology: { numTrustedProxies: 2 } }, `${JSONPB} unmarshalMessage (JSONName)`],
    ['a proto name', 'gateway_topology: {num_trusted_proxies: 2}', { gatewayTopology: { numTrustedProxies: 2 } }, `${JSONPB} unmarshalMessage (Name)`],
    ['both names with one meaning', 'gatewayTopology: {numTrustedProxies: 2}\ngateway_topology: {num_trusted_proxies: "2"}', { gatewayTopology: { numTrustedProxies: 2 } }, `${JSONPB} unmarshalMessage`],
    ['a quoted integer', 'gatewayTopology: {numTrustedProxies: "2"}', { gatewayTopology: { numTrustedProxies: 2 } }, `${JSONPB} trimQuote`],
    ['a quoted integer with spaces', 'statusPort: " 15021 "', { statusPort: 15021 }, `${JSONPB} trimQuote + encoding/json`],
    ['an integral float for an integer', 'statusPort: 15021.0', { statusPort: 15021 }, 'encoding/json writes 15021.0 as 15021'],
    ['a YAML octal integer', 'concurrency: 010', { concurrency: 8 }, 'yaml.v2 resolve.go'],
    ['a wrapper value', 'holdApplicationUntilProxyStarts: yes', { holdApplicationUntilProxyStarts: true }, `${JSONPB} BoolValue`],
    ['an enum by name', 'interceptionMode: NONE', { interceptionMode: 'NONE' }, `${JSONPB} EnumKind`],
    ['an enum by number', 'gatewayTopology: {forwardClientCertDetails: 4}', { gatewayTopology: { forwardClientCertDetails: 'SANITIZE_SET' } }, `${JSONPB} EnumKind`],
    ['a Go duration', 'terminationDrainDuration: 1m30s', { terminationDrainDuration: '1m30s' }, `${JSONPB} Duration (time.ParseDuration)`],
    ['a null field, left unset', 'drainDuration: null\nconcurrency: 2', { concurrency: 2 }, `${JSONPB} unmarshalMessage (null)`],
    ['a null map value, the zero value', 'proxyMetadata: {A: null}', { proxyMetadata: { A: '' } }, 'encoding/json null into string'],
    ['a double given as text', 'tracing: {sampling: "2.5"}', { tracing: { sampling: 2.5 } }, `${JSONPB} DoubleKind trimQuote`],
    ['an empty PROXY protocol message', 'gatewayTopology: {proxyProtocol: {}}', { gatewayTopology: { proxyProtocol: {} } }, 'proxy.proto Topology.ProxyProtocolConfiguration'],
    ['an unknown field, kept and ignored', 'xFuture: [1]', { xFuture: [1] }, 'protomarshal.ApplyJSON AllowUnknownFields'],
  ])('accepts %s (%s)', (_what, text, expected) => {
    const reading = readProxyConfig(text);
    expect(reading.ok ? reading.config : reading.problems).toEqual(expected);
  });

  test.each<[string, string, RegExp, string]>([
    ['"true" for a boolean', 'holdApplicationUntilProxyStarts: "true"', /'holdApplicationUntilProxyStarts' must be true or false, without quotes, got "true"\. Fix: write true without quotes/, `${JSONPB} BoolKind`],
    ['5 for a duration', 'drainDuration: 5', /'drainDuration' must be a quoted duration .*, got 5\. Fix: write "5s" if you mean seconds/, `${JSONPB} Duration (unquoteString)`],
    ['a duration without unit', 'drainDuration: "5"', /missing unit in duration "5"/, 'time.ParseDuration'],
    ['a duration with an unknown unit', 'drainDuration: 5sec', /unknown unit "sec"/, 'time.ParseDuration'],
    ['a number for a string', 'meshId: 123', /'meshId' must be a string, got 123\. Fix: quote the value: "123"/, `${JSONPB} StringKind`],
    ['a YAML boolean for a metadata value', 'proxyMetadata: {ISTIO_META_DNS_CAPTURE: true}', /'proxyMetadata\["ISTIO_META_DNS_CAPTURE"\]' must be a string, got true/, `${JSONPB} map value StringKind`],
    ['a fraction for an integer', 'concurrency: 2.5', /'concurrency' must be a whole number from -2147483648 to 2147483647, got 2\.5\. Fix: drop the fraction/, `${JSONPB} Int32Kind`],
    ['a negative unsigned integer', 'gatewayTopology: {numTrustedProxies: -1}', /'gatewayTopology\.numTrustedProxies' must be a whole number from 0 to 4294967295, got -1/, `${JSONPB} Uint32Kind`],
    ['an integer out of range', 'statusPort: 4294967296', /'statusPort' must be a whole number from -2147483648 to 2147483647/, `${JSONPB} Int32Kind`],
    ['a quoted hex integer', 'concurrency: "0x10"', /'concurrency' must be a whole number/, `${JSONPB} trimQuote + encoding/json`],
    ['an unknown forwardClientCertDetails', 'gatewayTopology: {forwardClientCertDetails: SANITISE}', /'gatewayTopology\.forwardClientCertDetails' must be one of UNDEFINED, SANITIZE, .*got "SANITISE"/, `${JSONPB} EnumKind (ByName)`],
    ['an enum in the wrong case', 'interceptionMode: tproxy', /did you mean TPROXY\? Enum names are case-sensitive/, `${JSONPB} EnumKind (ByName)`],
    ['an enum number the proto does not define (refused by this library)', 'interceptionMode: 7', /7 is not a value of ProxyConfig\.InboundInterceptionMode/, 'documented refusal'],
    ['a list for a message', 'gatewayTopology: []', /'gatewayTopology' must be a map of Topology fields, got \[\]/, `${JSONPB} MessageKind`],
    ['a value for a list', 'extraStatTags: a', /'extraStatTags' must be a list, got "a"/, `${JSONPB} IsList`],
    ['a list for a map', 'proxyMetadata: [a]', /'proxyMetadata' must be a map, got \["a"\]/, `${JSONPB} IsMap`],
    ['both names with different values (refused: Istio keeps one silently)', 'gatewayTopology: {numTrustedProxies: 2}\ngateway_topology: {numTrustedProxies: 1}',
      /gateway_topology and gatewayTopology are the same ProxyConfig field .* Istio would use \{"numTrustedProxies":2\} and drop the other/, `${JSONPB} unmarshalMessage (JSON name wins)`],
    ['two members of a oneof (refused: Istio keeps the last silently)', 'tracing: {zipkin: {address: "a:1"}, datadog: {address: "b:2"}}',
      /tracing\.zipkin and tracing\.datadog are alternatives \(oneof tracer\)/, `${JSONPB} oneof, proxy.proto Tracing.tracer`],
    ['serviceCluster and tracingServiceName', 'serviceCluster: a\ntracingServiceName: CANONICAL_NAME_ONLY', /oneof cluster_name/, 'proxy.proto ProxyConfig.cluster_name'],
  ])('refuses %s (%s)', (_what, text, why) => {
    const reading = readProxyConfig(text);
    expect(reading.ok).toBe(false);
    expect(reading.ok ? [] : reading.problems).toEqual([expect.stringMatching(why)]);
  });

  test('warns about a misspelt field with the nearest real one, at any depth', () => {
    const reading = readProxyConfig('proxyMetdata: {A: "1"}\ntracing: {samplng: 1}');
    expect(reading.ok && reading.warnings).toEqual([
      'ProxyConfig has no field tracing.samplng, so Istio ignores it without a word. Fix: did you mean tracing.sampling?',
      'ProxyConfig has no field proxyMetdata, so Istio ignores it without a word. Fix: did you mean proxyMetadata?',
    ]);
  });
});

describe('parseGoDuration follows time.ParseDuration', () => {
  test.each<[string, bigint | undefined]>([
    ['0', BigInt(0)], ['5s', BigInt(5e9)], ['1m30s', BigInt(90e9)], ['1.5h', BigInt(5400e9)], ['.5s', BigInt(5e8)], ['5.s', BigInt(5e9)],
    ['-1s', BigInt(-1e9)], ['+2ms', BigInt(2e6)], ['1\u00b5s', BigInt(1000)], ['300ns', BigInt(300)],
    ['', undefined], ['5', undefined], ['s', undefined], ['.s', undefined], ['5 s', undefined], ['5S', undefined], ['1d', undefined], ['9223372036854775808ns', undefined],
  ])('%j', (text, nanos) => {
    const parsed = parseGoDuration(text);
    expect(parsed.ok ? parsed.nanos : undefined).toBe(nanos);
  });
});

// Istio's rules on the ProxyConfig the annotation makes (the defaults with each field the
// annotation sets replacing the default's field): validateProxyConfig in
// https://github.com/istio/istio/blob/release-1.30/pkg/kube/inject/validate.go, running
// ValidateMeshConfigProxyConfig from https://github.com/istio/istio/blob/release-1.30/pkg/config/validation/agent/validation.go
const RULES = 'agent/validation.go';
describe('proxyConfigProblems applies Istio\'s ProxyConfig rules', () => {
  test.each<[string, string, string, RegExp]>([
    [`${RULES} "config path must be set"`, 'configPath: /etc/istio/proxy', 'configPath: ""', /'configPath' must be a non-empty path/],
    [`${RULES} "binary path must be set"`, 'binaryPath: /usr/local/bin/envoy', 'binaryPath: ""', /'binaryPath' must be a non-empty path/],
    [`${RULES} "service cluster must be specified"`, 'serviceCluster: gw', 'serviceCluster: ""', /'serviceCluster' must be a non-empty name/],
    [`${RULES} ValidateDrainDuration (at least 1ms)`, 'drainDuration: 1s', 'drainDuration: -1s', /'drainDuration' must be .*\(Istio needs at least 1ms\)/],
    [`${RULES} ValidateDrainDuration (zero)`, 'drainDuration: 1m', 'drainDuration: 0s', /'drainDuration' must be .*\(Istio needs at least 1ms\)/],
    [`${RULES} ValidateDrainDuration (whole seconds)`, 'drainDuration: 2s', 'drainDuration: 1500ms', /whole seconds only for the drain time/],
    [`${RULES} ValidateDuration (ms precision)`, 'drainDuration: 3s', 'drainDuration: 1000001us', /whole milliseconds only/],
    [`${RULES} "discovery address must be set"`, 'discoveryAddress: istiod.istio-system.svc:15012', 'discoveryAddress: ""', /'discoveryAddress' must be set/],
    [`${RULES} ValidateProxyAddress (port)`, 'discoveryAddress: istiod:15012', 'discoveryAddress: istiod', /got "istiod" \(missing port in address\)\. Fix: add the port, e.g\. "istiod:15012"/],
    [`${RULES} ValidateProxyAddress (host)`, 'discoveryAddress: 10.0.0.100:9090', 'discoveryAddress: "isti..:80"', /"isti\.\." is not a valid hostname or an IP address/],
    [`${RULES} ValidateProxyAddress (upper case)`, 'discoveryAddress: "[2001:db8::100]:80"', 'discoveryAddress: Istiod:15012', /"Istiod" is not a valid hostname/],
    [`${RULES} ValidateProxyAddress (port range)`, 'discoveryAddress: istiod:65535', 'discoveryAddress: "istiod:100000"', /port number 100000 must be in the range 1\.\.65535/],
    [`${RULES} ValidateProxyAddress (port text)`, 'discoveryAddress: "istiod:+80"', 'discoveryAddress: "istiod:port"', /port \(port\) is not a number/],
    [`${RULES} ValidateProxyAddress (IPv6 needs brackets)`, 'discoveryAddress: "[2001:db8::100]:80"', 'discoveryAddress: "2001:db8::100:80"', /too many colons in address/],
    [`${RULES} statsd udp address`, 'statsdUdpAddress: 10.75.241.127:9125', 'statsdUdpAddress: 10.0.0.100', /'statsdUdpAddress' must be host:port.*Fix: add the port, e\.g\. "10\.0\.0\.100:9125"/],
    [`${RULES} envoy metrics service address (deprecated field)`, 'envoyMetricsServiceAddress: metrics:15000', 'envoyMetricsServiceAddress: metrics', /'envoyMetricsServiceAddress' must be host:port/],
    [`${RULES} envoy metrics service address`, 'envoyMetricsService: {address: "metrics-service.istio-system:15000"}', 'envoyMetricsService: {address: metrics-service.istio-system}', /'envoyMetricsService\.address' must be host:port/],
    [`${RULES} envoy access log service address`, 'envoyAccessLogService: {address: "als:15000"}', 'envoyAccessLogService: {address: als}', /'envoyAccessLogService\.address' must be host:port/],
    [`${RULES} ValidateZipkinCollector`, 'tracing: {zipkin: {address: "zipkin.istio-system:9411"}}', 'tracing: {zipkin: {address: 10.0.0.100}}', /'tracing\.zipkin\.address' must be host:port/],
    [`${RULES} ValidateZipkinCollector ($(HOST_IP))`, 'tracing: {zipkin: {address: "$(HOST_IP):9411"}}', 'tracing: {zipkin: {}}', /'tracing\.zipkin\.address' must be host:port.*got ""/],
    [`${RULES} ValidateDatadogCollector`, 'tracing: {datadog: {address: "datadog-agent:8126"}}', 'tracing: {datadog: {address: address-missing-port-number}}', /'tracing\.datadog\.address' must be host:port/],
    [`${RULES} ValidateLightstepCollector (address)`, 'tracing: {lightstep: {address: "collector.lightstep:8080", accessToken: abc}}', 'tracing: {lightstep: {accessToken: abc}}', /'tracing\.lightstep\.address' must be host:port/],
    [`${RULES} ValidateLightstepCollector (token)`, 'tracing: {lightstep: {address: "collector.lightstep:8080", accessToken: abc}}', 'tracing: {lightstep: {address: "collector.lightstep:8080"}}', /'tracing\.lightstep\.accessToken' must be set/],
    [`${RULES} ValidateTLS (MUTUAL needs files)`, 'tracing: {tlsSettings: {mode: MUTUAL, clientCertificate: /c, privateKey: /k}}', 'tracing: {tlsSettings: {mode: MUTUAL, clientCertificate: /c}}', /'tracing\.tlsSettings\.privateKey' must be set in MUTUAL mode/],
    [`${RULES} ValidateTLS (credentialName alone)`, 'tracing: {tlsSettings: {mode: SIMPLE, credentialName: c}}', 'tracing: {tlsSettings: {mode: SIMPLE, credentialName: c, caCertificates: /ca}}', /together with credentialName/],
    [`${RULES} ValidateTLS (insecureSkipVerify)`, 'tracing: {tlsSettings: {mode: SIMPLE, insecureSkipVerify: true}}', 'tracing: {tlsSettings: {mode: SIMPLE, insecureSkipVerify: true, subjectAltNames: [a]}}', /with insecureSkipVerify: true in SIMPLE mode/],
    [`${RULES} ValidatePort (proxy admin port)`, 'proxyAdminPort: 15000', 'proxyAdminPort: 0', /'proxyAdminPort' must be a port from 1 to 65535, got 0/],
    [`${RULES} ValidatePort (status port)`, 'statusPort: 65535', 'statusPort: 65536', /'statusPort' must be a port from 1 to 65535, got 65536/],
    [`${RULES} ValidateControlPlaneAuthPolicy`, 'controlPlaneAuthPolicy: NONE', 'controlPlaneAuthPolicy: INHERIT', /'controlPlaneAuthPolicy' must be NONE or MUTUAL_TLS, got "INHERIT"/],
    [`${RULES} validatePrivateKeyProvider (provider)`, 'privateKeyProvider: {qat: {pollDelay: 1ms}}', 'privateKeyProvider: {}', /'privateKeyProvider' must be a provider: cryptomb or qat/],
    [`${RULES} validatePrivateKeyProvider (pollDelay required)`, 'privateKeyProvider: {cryptomb: {pollDelay: 10us}}', 'privateKeyProvider: {cryptomb: {}}', /'privateKeyProvider\.cryptomb\.pollDelay' must be a non-zero duration, got null/],
    [`${RULES} validatePrivateKeyProvider (pollDelay non-zero)`, 'privateKeyProvider: {qat: {pollDelay: 5ms}}', 'privateKeyProvider: {qat: {pollDelay: 0s}}', /'privateKeyProvider\.qat\.pollDelay' must be a non-zero duration, got "0s"/],
  ])('%s', (_rule, accepted, rejected, why) => {
    expect(proxyConfigProblems(accepted)).toEqual({ problems: [], warnings: [] });
    expect(proxyConfigProblems(rejected).problems).toEqual([expect.stringMatching(why)]);
  });

  test('accepts an empty ProxyConfig (the defaults pass)', () => {
    expect(proxyConfigProblems('')).toEqual({ problems: [], warnings: [] });
  });

  test('keeps the defaults for fields set to null', () => {
    expect(proxyConfigProblems('discoveryAddress: null\nstatusPort: ~').problems).toEqual([]);
  });

  test('lists every broken rule at once', () => {
    expect(proxyConfigProblems('statusPort: 0\nproxyAdminPort: 0\ndiscoveryAddress: x').problems).toHaveLength(3);
  });
});

describe('properties', () => {
  // Keys no ProxyConfig field has, so Istio keeps them as unknown fields; values this library
  // reads exactly (see yaml11.ts).
  const key = fc.string({ maxLength: 8 }).map((k) => `x-${k}`);
  const value: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null), fc.maxSafeInteger(),
      fc.array(tie('value'), { maxLength: 3 }),
      // '<<' is YAML's merge key, which the reader refuses on purpose (tested on its own); it is no ordinary nested key.
      fc.dictionary(fc.string({ maxLength: 4 }).filter((k) => k !== '<<'), tie('value'), { maxKeys: 3, noNullPrototype: true })),
  })).value;
  const map = fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });
  const disjointMaps = fc.tuple(map, map).map(([a, b]) => {
    const patch = Object.fromEntries(Object.entries(b).filter(([k]) => !(k in a)));
    return [a, patch] as const;
  });
  /** A value as it reads back from JSON text (which is what the annotation holds). */
  const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));

  test.each([
    ['JSON', (m: object) => JSON.stringify(m)],
    // Quoted strings: yaml.v2 reads some plain scalars YAML 1.1 calls strings as numbers (`+_0`, `0o7`).
    ['YAML 1.1', (m: object) => stringify(m, { version: '1.1', defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'QUOTE_DOUBLE' })],
  ])('keeps every key and value of an existing %s ProxyConfig and of a patch with other keys', (_format, write) => {
    fc.assert(fc.property(disjointMaps, ([a, b]) => {
      const merged = JSON.parse(mergedText(mergeProxyConfig(write(a), b)));
      expect(Object.keys(merged).sort()).toEqual([...Object.keys(a), ...Object.keys(b)].sort());
      for (const [k, v] of [...Object.entries(a), ...Object.entries(b)]) {
        expect(merged[k]).toEqual(roundTrip(v));
      }
    }), { numRuns: 1000 });
  });

  test('changes nothing when a ProxyConfig is merged with itself', () => {
    fc.assert(fc.property(map, (a) => {
      const text = JSON.stringify(a);
      expect(mergedText(mergeProxyConfig(text, a))).toBe(text);
    }), { numRuns: 1000 });
  });

  test('reports a conflict, naming the key, whenever both sides set a key to different scalars', () => {
    const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.boolean());
    fc.assert(fc.property(map, key, scalar, scalar, (a, k, x, y) => {
      fc.pre(JSON.stringify(x) !== JSON.stringify(y));
      const result = mergeProxyConfig(JSON.stringify({ ...a, [k]: x }), { [k]: y });
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.problems).toEqual([
        `${PROXY_CONFIG_ANNOTATION} already sets ${k} to ${JSON.stringify(x)}, and this construct would set ${JSON.stringify(y)}. `
        + `Fix: remove ${k} from the annotation you pass in, or make both values agree`,
      ]);
    }), { numRuns: 1000 });
  });

  test('reads a numTrustedProxies written as a number or quoted to the same meaning, and refuses a different one', () => {
    fc.assert(fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 }), fc.boolean(), (n, m, quoted) => {
      const existing = `gatewayTopology: {numTrustedProxies: ${quoted ? `"${n}"` : n}}`;
      expect(mergeProxyConfig(existing, { gatewayTopology: { numTrustedProxies: m } }).ok).toBe(n === m);
    }), { numRuns: 500 });
  });
});

describe('editDistance', () => {
  /** The whole Levenshtein table, as the textbook fills it. */
  const reference = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_r, i) => Array.from({ length: b.length + 1 }, (_c, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
    }
    return d[a.length][b.length];
  };
  const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 12 });

  test('with a bound, is exact up to the bound and above it beyond, as the full table says', () => {
    fc.assert(fc.property(text, text, fc.integer({ min: 0, max: 8 }), (a, b, max) => {
      const full = reference(a, b);
      const bounded = editDistance(a, b, max);
      if (full <= max) {
        expect(bounded).toBe(full);
      } else {
        expect(bounded).toBeGreaterThan(max);
      }
    }), { numRuns: 2000 });
  });

  test('without a bound, is exact for strings whose lengths differ by at most 8', () => {
    fc.assert(fc.property(text, text, (a, b) => {
      fc.pre(Math.abs(a.length - b.length) <= 8);
      expect(editDistance(a, b)).toBe(reference(a, b));
    }), { numRuns: 1000 });
  });
});

/** `text` with regular-expression characters escaped. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
