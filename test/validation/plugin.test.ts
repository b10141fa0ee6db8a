import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing, Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { IstioVersion } from '../../src/istio-version';
import { SeedScenario } from '../../src/seed';
import { CrdSchemaValidation, CrdSchemaValidationProperties, ValidationPluginContext } from '../../src/validation/plugin';

type Violation = Parameters<ValidationPluginContext['report']['addViolation']>[0];

/** What one plugin run reported: its log lines, violations and final status. */
interface Run {
  readonly logs: string[];
  readonly violations: Violation[];
  status?: string;
}

let dir: string;
let savedEnv: string | undefined;
/**
 * The default app's manifest (src/main.ts, one chart) for each target, written as the cdk8s CLI
 * would; `<version>-small` without its DestinationRule and VirtualService, whose schemas take ~0.4 s
 * each to compile from src/ (the whole output's validity is checked in crd-schema-validator.test.ts).
 */
const manifests: Record<string, string> = {};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-'));
  for (const version of ['1.20', '1.30']) {
    const app = new App();
    IstioVersion.of(version).applyTo(app);
    const objects = Testing.synth(new SeedScenario(app, 'source-ip'));
    const small = objects.filter((o) => !['DestinationRule', 'VirtualService'].includes(o.kind as string));
    for (const [name, docs] of [[version, objects], [`${version}-small`, small]] as const) {
      manifests[name] = path.join(dir, `source-ip-${name}.k8s.yaml`);
      fs.writeFileSync(manifests[name], Yaml.stringify(...docs));
    }
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  savedEnv = process.env.ISTIO_VERSION;
  delete process.env.ISTIO_VERSION;
});
afterEach(() => {
  if (savedEnv === undefined) {
    delete process.env.ISTIO_VERSION;
  } else {
    process.env.ISTIO_VERSION = savedEnv;
  }
});

/** Runs the plugin as the cdk8s CLI does (constructed from cdk8s.yaml properties, then `validate`) on the output for `version`. */
async function runPlugin(properties: CrdSchemaValidationProperties, version: string, env?: string): Promise<Run> {
  if (env !== undefined) {
    process.env.ISTIO_VERSION = env;
  }
  const run: Run = { logs: [], violations: [] };
  const plugin = new CrdSchemaValidation({ celCacheDir: false, ...properties });
  await plugin.validate({
    manifests: [manifests[version]],
    logger: { log: (message) => run.logs.push(message) },
    report: {
      addViolation: (violation) => run.violations.push(violation),
      submit: (status) => {
        run.status = status;
      },
    },
    parseManifest: (file) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown),
  });
  return run;
}

describe('CrdSchemaValidation (the cdk8s validation plugin)', () => {
  test('validates for ISTIO_VERSION when cdk8s.yaml names no version: the Gateway, policy and Telemetry of the 1.20 default app pass against Istio 1.20.8', async () => {
    const run = await runPlugin({}, '1.20-small', '1.20');
    expect(run.logs).toEqual(['checked 4 objects against crd-all.gen-1.20.8.yaml + standard-crds-v1.5.1.yaml (Istio 1.20 (ISTIO_VERSION))']);
    expect(run.violations).toEqual([]);
    expect(run.status).toBe('success');
  });

  test('fails the 1.30 output under ISTIO_VERSION=1.20, naming each unserved apiVersion and kind with its resource', async () => {
    const run = await runPlugin({}, '1.30', '1.20');
    expect(run.status).toBe('failure');
    expect(run.violations.map((v) => [v.ruleName, v.recommendation.replace(/: it serves .*/, ''), v.violatingResources.map((r) => r.resourceName)])).toEqual([
      ['CRD served versions', 'Gateway/demo/echo: no matches for kind "Gateway" in version "networking.istio.io/v1" in crd-all.gen-1.20.8.yaml', ['echo']],
      ['CRD served versions', 'VirtualService/demo/echo: no matches for kind "VirtualService" in version "networking.istio.io/v1" in crd-all.gen-1.20.8.yaml', ['echo']],
      ['CRD served versions', 'DestinationRule/demo/echo-server: no matches for kind "DestinationRule" in version "networking.istio.io/v1" in crd-all.gen-1.20.8.yaml', ['echo-server']],
      ['CRD served versions', 'Telemetry/istio-ingress/client-ip-log: no matches for kind "Telemetry" in version "telemetry.istio.io/v1" in crd-all.gen-1.20.8.yaml', ['client-ip-log']],
      ['CRD served versions', 'Telemetry/demo/source-ip-client-ip-log-workload0: no matches for kind "Telemetry" in version "telemetry.istio.io/v1" in crd-all.gen-1.20.8.yaml',
        ['source-ip-client-ip-log-workload0']],
    ]);
  });

  test('the istioVersion property wins over ISTIO_VERSION', async () => {
    const run = await runPlugin({ istioVersion: '1.30' }, '1.30-small', '1.20');
    expect(run.logs).toEqual(['checked 5 objects against crd-all.gen-1.30.3.yaml + standard-crds-v1.5.1.yaml (Istio 1.30 (istioVersion property))']);
    expect(run.status).toBe('success');
  });

  test('the schemaSets property wins over ISTIO_VERSION', async () => {
    const run = await runPlugin({ schemaSets: ['istio-1.30.3'] }, '1.30-small', '1.20');
    expect(run.logs).toEqual(['checked 5 objects against crd-all.gen-1.30.3.yaml (schemaSets property)']);
    expect(run.status).toBe('success');
  });

  test('without either, validates for Istio 1.30', async () => {
    const run = await runPlugin({}, '1.30-small');
    expect(run.logs).toEqual(['checked 5 objects against crd-all.gen-1.30.3.yaml + standard-crds-v1.5.1.yaml (Istio 1.30 (default))']);
    expect(run.status).toBe('success');
  });

  test('fails if istioVersion is not text (YAML reads 1.20 unquoted as the number 1.2)', () => {
    expect(() => new CrdSchemaValidation({ istioVersion: 1.2 as unknown as string }))
      .toThrow(/CrdSchemaValidation: 'istioVersion' \(cdk8s\.yaml properties\) must be an Istio version from 1\.20 to 1\.30 as text, got 1\.2\. Fix: write e\.g\. "1\.20" \(quoted in YAML/);
  });

  test('fails if ISTIO_VERSION is out of range, naming the variable', () => {
    process.env.ISTIO_VERSION = '1.19';
    expect(() => new CrdSchemaValidation({})).toThrow(/CrdSchemaValidation: the environment variable ISTIO_VERSION must be an Istio version from 1\.20 to 1\.30 as text, got "1\.19"/);
  });

  test('fails if istioVersion and schemaSets are both given', () => {
    expect(() => new CrdSchemaValidation({ istioVersion: '1.20', schemaSets: ['istio-1.20.8'] })).toThrow(/'istioVersion' \(1\.20\) and 'schemaSets' .* both pick the schema sets/);
  });

  test('fails if properties is not a map (plain JavaScript)', () => {
    expect(() => new CrdSchemaValidation('1.20' as never)).toThrow(/CrdSchemaValidation: 'properties' must be a map/);
  });
});
