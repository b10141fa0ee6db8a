// cspell:ignore ALLOWW
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { App, Testing } from 'cdk8s';
import { SeedScenario } from '../../src/seed';
import { ajvOptions, closeSchema } from '../../src/validation/close-schema';
import { precompiledModules } from '../../src/validation/precompile';
import { CrdSchemaSet, loadSchemaSet } from '../../src/validation/schema-sets';

const AP = 'security.istio.io/v1/AuthorizationPolicy';
const DR = 'networking.istio.io/v1/DestinationRule';
type Check = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** Loads a standalone module's source as Node would, with the real `require`. */
function load(code: string): Check {
  const module = { exports: {} as unknown };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports as Check;
}

describe('precompiledModules', () => {
  const { kinds, modules } = precompiledModules(CrdSchemaSet.ISTIO_1_30_3, [AP, DR, 'networking.istio.io/v1beta1/DestinationRule']);
  const { schemas } = loadSchemaSet(CrdSchemaSet.ISTIO_1_30_3);
  const ajv = new Ajv(ajvOptions());
  addFormats(ajv);

  const policy = (spec: unknown) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p' }, spec });
  const rule = (spec: unknown) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r' }, spec });
  const seed = Testing.synth(new SeedScenario(new App(), 'source-ip'));
  const samples: Record<string, unknown[]> = {
    [AP]: [
      ...seed.filter((o) => o.kind === 'AuthorizationPolicy'),
      policy({ action: 'ALLOWW' }), policy({ rules: [{ from: [{ source: { remoteIPBlocks: ['1.2.3.4'] } }] }] }), policy({ selector: { matchLabels: { app: 5 } } }),
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: {}, spec: {} },
    ],
    [DR]: [
      ...seed.filter((o) => o.kind === 'DestinationRule'),
      rule({ host: 'a', trafficPolicy: { loadBalancer: { simple: 'RANDOM', consistentHash: { useSourceIp: true } } } }),
      rule({ host: 'a', trafficPolicy: { loadBalancer: { consistentHash: { maglev: { tableSize: 'big' } } } } }),
      rule({ trafficPolicy: {} }),
    ],
  };

  test('shares one module between CRD versions with the same schema', () => {
    expect(kinds[DR]).toBe(kinds['networking.istio.io/v1beta1/DestinationRule']);
    expect(Object.keys(modules).sort()).toEqual([...new Set(Object.values(kinds))].sort());
  });

  test.each([AP, DR])('%s: the standalone code gives the same verdict and errors as ajv compiling the schema', (kind) => {
    const standalone = load(modules[kinds[kind]]);
    const compiled = ajv.compile(closeSchema(schemas[kind], true) as object);
    const verdicts = samples[kind].map((obj) => {
      const ok = standalone(obj);
      expect(compiled(obj)).toBe(ok);
      expect(standalone.errors ?? null).toEqual(compiled.errors ?? null);
      return ok;
    });
    // Both outcomes are exercised: the seed's objects pass, every broken one fails.
    expect(verdicts).toEqual(samples[kind].map((_, i) => i < seed.filter((o) => `${o.apiVersion}/${o.kind}` === kind).length));
  });
});
