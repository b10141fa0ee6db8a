import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import {
  AccessLogEncoding, ClientIpAccessLog, IngressGateway, istiodHelmValues, istioOperatorOverlay, meshConfigFor, PolicyTarget, writeMeshConfig,
} from '../../src';
import { protoViolations } from '../../src/policy/proto-check';
import { validationErrorOf } from '../util';

let outdir: string;
beforeEach(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-config-'));
});
afterEach(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

/** An app with one gateway and the given access logs on it. */
function appWith(...logs: { id: string; providerName?: string; encoding?: AccessLogEncoding }[]): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'app');
  const target = PolicyTarget.gateway(new IngressGateway(chart, 'gateway'));
  for (const { id, ...props } of logs) {
    new ClientIpAccessLog(chart, id, { target, ...props });
  }
  return app;
}

describe('meshConfigFor', () => {
  test('lists each provider once, sorted by name', () => {
    const app = appWith({ id: 'b', providerName: 'b-log' }, { id: 'a', providerName: 'a-log' }, { id: 'a-again', providerName: 'a-log' });
    expect(meshConfigFor(app).extensionProviders.map((p) => p.name)).toEqual(['a-log', 'b-log']);
  });

  test('fails if two access logs give one provider name different settings', () => {
    const app = appWith({ id: 'json' }, { id: 'text', encoding: AccessLogEncoding.TEXT });
    expect(validationErrorOf(() => meshConfigFor(app)).message)
      .toMatch(/'providerName of app\/text' must be a name no other ClientIpAccessLog uses with other settings \(app\/json does\), got "client-ip-access-log"/);
  });
});

describe('the mesh-config fragments', () => {
  test.each([AccessLogEncoding.JSON, AccessLogEncoding.TEXT])('use only MeshConfig extensionProviders fields of Istio 1.30 (%s)', (encoding) => {
    const fragment = meshConfigFor(appWith({ id: 'log', encoding }));
    const operator = istioOperatorOverlay(fragment) as { apiVersion: string; kind: string; spec: { meshConfig: unknown } };
    expect([operator.apiVersion, operator.kind]).toEqual(['install.istio.io/v1alpha1', 'IstioOperator']);
    expect(protoViolations('istio.mesh.v1alpha1.MeshConfig', operator.spec.meshConfig, 'json')).toEqual([]);
    expect(protoViolations('istio.mesh.v1alpha1.MeshConfig', istiodHelmValues(fragment).meshConfig, 'json')).toEqual([]);
  });

  test('fail the field check if a name is misspelled', () => {
    // The check that guards the test above: a provider written with the proto name instead of the JSON name.
    const fragment = meshConfigFor(appWith({ id: 'log' }));
    const misspelled = { extensionProviders: fragment.extensionProviders.map(({ name, envoyFileAccessLog }) => ({ name, envoy_file_access_log: envoyFileAccessLog })) };
    expect(protoViolations('istio.mesh.v1alpha1.MeshConfig', misspelled, 'json')).toEqual([expect.stringMatching(/\/envoy_file_access_log: unknown field/)]);
  });
});

describe('writeMeshConfig', () => {
  test('writes an IstioOperator overlay and istiod values under mesh-config/, never beside the manifests', () => {
    // GIVEN
    const app = appWith({ id: 'log' });
    app.synth();
    // WHEN
    const files = writeMeshConfig(app);
    // THEN
    expect(files.map((f) => path.relative(outdir, f))).toEqual([path.join('mesh-config', 'istio-operator.yaml'), path.join('mesh-config', 'istiod-values.yaml')]);
    const operator = parse(fs.readFileSync(files[0], 'utf8'));
    const values = parse(fs.readFileSync(files[1], 'utf8'));
    expect(operator.spec.meshConfig).toEqual(values.meshConfig);
    expect(values.meshConfig.extensionProviders[0].envoyFileAccessLog.logFormat.labels.peer_ip).toBe('%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%');
    expect(fs.readdirSync(outdir).filter((f) => !f.endsWith('.k8s.yaml')).sort()).toEqual(['mesh-config']);
    expect(Object.fromEntries(files.map((f) => [path.basename(f), fs.readFileSync(f, 'utf8')]))).toMatchSnapshot();
  });

  test('writes nothing for an app without access logs', () => {
    const app = appWith();
    app.synth();
    expect(writeMeshConfig(app)).toEqual([]);
    expect(fs.existsSync(path.join(outdir, 'mesh-config'))).toBe(false);
  });

  test('fails if the folder is not a plain subfolder name', () => {
    const app = appWith({ id: 'log' });
    expect(validationErrorOf(() => writeMeshConfig(app, { directory: '../elsewhere' })).message)
      .toMatch(/'directory' must be a plain folder name \(a subfolder of the output directory\), got "..\/elsewhere"/);
  });
});
