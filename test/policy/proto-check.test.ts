import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProtoFields, renderProtoFields } from '../../scripts/gen-proto-fields';
import { protoViolations } from '../../src/policy/proto-check';

const ROOT = path.join(__dirname, '..', '..');

describe('proto-fields data', () => {
  test('is what scripts/gen-proto-fields.ts makes of scripts/proto-fields.txt', () => {
    const expected = renderProtoFields(parseProtoFields(fs.readFileSync(path.join(ROOT, 'scripts', 'proto-fields.txt'), 'utf8')));
    expect(fs.readFileSync(path.join(ROOT, 'src', 'policy', 'data', 'proto-fields.ts'), 'utf8')).toBe(expected);
  });

  test('fails if a field refers to a message that is not transcribed', () => {
    expect(() => parseProtoFields('source x\nmessage a.B\n  a.C field\n')).toThrow(/a\.B\.field refers to a\.C, which is not transcribed/);
  });

  test('fails if a line is not a field, with its line number', () => {
    expect(() => parseProtoFields('source x\nmessage a.B\n  string\n')).toThrow(/proto-fields\.txt:3: expected/);
  });
});

describe('protoViolations', () => {
  const provider = { name: 'p', envoyFileAccessLog: { path: '/dev/stdout', logFormat: { labels: { a: '%START_TIME%' } } } };

  test('accepts a value that uses only transcribed fields with the right types', () => {
    expect(protoViolations('istio.mesh.v1alpha1.MeshConfig', { extensionProviders: [provider] }, 'json')).toEqual([]);
  });

  test('fails if a field is unknown, in the names the value uses', () => {
    expect(protoViolations('istio.mesh.v1alpha1.MeshConfig.ExtensionProvider', { ...provider, envoyFileAccessLogs: {} }, 'json'))
      .toEqual([expect.stringMatching(/^\/envoyFileAccessLogs: unknown field of istio\.mesh\.v1alpha1\.MeshConfig\.ExtensionProvider/)]);
    expect(protoViolations('istio.mesh.v1alpha1.MeshConfig', { extension_providers: [] }, 'json'))
      .toEqual([expect.stringMatching(/^\/extension_providers: unknown field/)]);
  });

  test('fails if two members of one oneof are set', () => {
    const format = { text: 'x', labels: {} };
    expect(protoViolations('istio.mesh.v1alpha1.MeshConfig.ExtensionProvider.EnvoyFileAccessLogProvider.LogFormat', format, 'json'))
      .toEqual(['/labels: oneof log_format of istio.mesh.v1alpha1.MeshConfig.ExtensionProvider.EnvoyFileAccessLogProvider.LogFormat already has text']);
  });

  test('fails if a value has the wrong type, an enum an unknown name, or a duration the wrong form', () => {
    const bucket = { max_tokens: -1, tokens_per_fill: 1.5, fill_interval: '1m' };
    expect(protoViolations('envoy.type.v3.TokenBucket', bucket, 'proto')).toEqual([
      '/max_tokens: max_tokens must be a whole number from 0 to 4294967295, got -1',
      '/tokens_per_fill: tokens_per_fill must be a whole number from 0 to 4294967295, got 1.5',
      '/fill_interval: fill_interval must be a duration such as "1s" or "0.5s", got "1m"',
    ]);
    expect(protoViolations('envoy.type.v3.FractionalPercent', { numerator: 1, denominator: 'PERCENT' }, 'proto'))
      .toEqual(['/denominator: denominator must be one of HUNDRED, TEN_THOUSAND, MILLION, got "PERCENT"']);
    expect(protoViolations('envoy.config.route.v3.VirtualHost', { rate_limits: {} }, 'proto'))
      .toEqual(['/rate_limits: repeated field must be a list, got {}']);
  });

  test('checks an Any against the message its type URL names', () => {
    const filter = (config: object) => ({ name: 'f', typed_config: config });
    expect(protoViolations('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
      filter({ '@type': 'type.googleapis.com/envoy.type.v3.TokenBucket', max_tokens: 1, fill_interval: '1s' }), 'proto')).toEqual([]);
    expect(protoViolations('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
      filter({ '@type': 'type.googleapis.com/envoy.type.v3.TokenBucket', maxTokens: 1 }), 'proto'))
      .toEqual([expect.stringMatching(/^\/typed_config\/maxTokens: unknown field of envoy\.type\.v3\.TokenBucket/)]);
    expect(protoViolations('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter', filter({ max_tokens: 1 }), 'proto'))
      .toEqual(['/typed_config/@type: must be "type.googleapis.com/<message>", got undefined']);
  });
});
