import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  clientSideApplyBytes, goJsonBytes, guardObjectSizes, LAST_APPLIED_ANNOTATION, MAX_OBJECT_BYTES_CONTEXT, measureObjects,
} from '../src/private/object-size';
import { SeedScenario } from '../src/seed';

/** A chart in an app that is never written to disk (`synthYaml` validates, then renders). */
function newApp(context?: Record<string, unknown>): { app: App; chart: Chart } {
  const app = new App({ outdir: 'dist' });
  for (const [key, value] of Object.entries(context ?? {})) {
    app.node.setContext(key, value);
  }
  return { app, chart: new Chart(app, 'test') };
}

/** A ConfigMap whose data is `bytes` characters long. */
function configMap(scope: Construct, id: string, bytes: number): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id.toLowerCase() }, data: { big: 'x'.repeat(bytes) } });
}

describe('goJsonBytes', () => {
  test('is the UTF-8 length of compact JSON', () => {
    expect(goJsonBytes({ a: ['10.0.0.0/8'], b: 'é' })).toBe(Buffer.byteLength('{"a":["10.0.0.0/8"],"b":"é"}'));
  });

  test('counts the escapes Go writes for <, > and & and for U+2028/U+2029', () => {
    // Go: {"a":"\u003c\u0026\u003e\u2028"}
    expect(goJsonBytes({ a: '<&>\u2028' })).toBe('{"a":"\\u003c\\u0026\\u003e\\u2028"}'.length);
  });
});

describe('clientSideApplyBytes', () => {
  test('adds the object\'s own annotations and the last-applied annotation to the object as JSON', () => {
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', annotations: { note: 'hello' } } };
    expect(clientSideApplyBytes(manifest)).toBe('note'.length + 'hello'.length + LAST_APPLIED_ANNOTATION.length + JSON.stringify(manifest).length);
  });
});

describe('guardObjectSizes', () => {
  test('passes objects under 200 KiB', () => {
    const { app, chart } = newApp();
    const owner = new Construct(chart, 'Owner');
    configMap(owner, 'Small', 150 * 1024);
    guardObjectSizes(owner);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('fails the synth for an object over 200 KiB, naming it and both ways out', () => {
    const { app, chart } = newApp();
    const owner = new Construct(chart, 'Owner');
    configMap(owner, 'Big', 201 * 1024);
    guardObjectSizes(owner, { prop: 'maxObjectBytes' });
    expect(() => app.synthYaml()).toThrow(new RegExp('\\[test\\] ConfigMap big \\(test/Owner/Big\\) takes 201\\.1 KiB \\(\\d+ bytes\\) as client-side kubectl apply stores it, over the limit: '
      + 'client-side kubectl apply copies the whole object into its kubectl\\.kubernetes\\.io/last-applied-configuration annotation and Kubernetes allows 256 KiB '
      + 'of annotations per object, so this library keeps objects at or under 200 KiB\\. Fix: make the object smaller, or apply with kubectl apply --server-side '
      + 'and raise the limit with maxObjectBytes or the context key istio-source-ip:max-object-bytes \\(at most 1048576 bytes: etcd refuses requests over 1\\.5 MiB\\)'));
  });

  test('counts annotations added after construction', () => {
    const { app, chart } = newApp();
    const owner = new Construct(chart, 'Owner');
    const object = configMap(owner, 'Annotated', 100 * 1024);
    guardObjectSizes(owner);
    // Counted twice: as an annotation, and inside the last-applied copy.
    object.metadata.addAnnotation('example.com/notes', 'y'.repeat(55 * 1024));
    expect(() => app.synthYaml()).toThrow(/ConfigMap annotated \(test\/Owner\/Annotated\) takes 2\d\d\.\d KiB/);
  });

  test('checks only the objects below a registered scope', () => {
    const { app, chart } = newApp();
    configMap(chart, 'Theirs', 300 * 1024);
    const owner = new Construct(chart, 'Owner');
    configMap(owner, 'Ours', 1024);
    guardObjectSizes(owner);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('measures an object below two scopes once, against the lower limit', () => {
    const { app, chart } = newApp();
    const outer = new Construct(chart, 'Outer');
    const inner = new Construct(outer, 'Inner');
    configMap(inner, 'Mid', 300 * 1024);
    guardObjectSizes(outer);
    guardObjectSizes(inner, { maxBytes: 1024 * 1024 });
    const error = (() => {
      try {
        app.synthYaml();
        return '';
      } catch (e) {
        return String(e);
      }
    })();
    expect(error.match(/ConfigMap mid/g)).toHaveLength(1);
    expect(error).toMatch(/at or under 200 KiB/);
  });

  test('renders only objects whose own bytes take more than half the limit, when the owner says', () => {
    const { app, chart } = newApp();
    const small = new Construct(chart, 'Small');
    configMap(small, 'Padded', 300 * 1024);
    guardObjectSizes(small, { ownBytes: () => 100 * 1024 });
    const big = new Construct(chart, 'Big');
    configMap(big, 'Large', 300 * 1024);
    guardObjectSizes(big, { ownBytes: () => 100 * 1024 + 1 });
    expect(() => app.synthYaml()).toThrow(/Validation failed with the following errors:\n {2}\[test\] ConfigMap large \(test\/Big\/Large\) takes 300\.1 KiB [^\n]*$/);
  });

  test('raises the limit for the whole app with the context key', () => {
    const { app, chart } = newApp({ [MAX_OBJECT_BYTES_CONTEXT]: 1024 * 1024 });
    const owner = new Construct(chart, 'Owner');
    configMap(owner, 'Big', 900 * 1024);
    guardObjectSizes(owner);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('fails if the context key is not a byte count it accepts', () => {
    const { app, chart } = newApp({ [MAX_OBJECT_BYTES_CONTEXT]: 2 * 1024 * 1024 });
    guardObjectSizes(new Construct(chart, 'Owner'));
    expect(() => app.synthYaml()).toThrow(/the context key istio-source-ip:max-object-bytes must be a whole number of bytes from 4096 to 1048576, got 2097152\. Fix: /);
  });

  test('covers every object the seed scenario writes (each construct registers its objects)', () => {
    const seed = new SeedScenario(new App({ outdir: 'dist' }), 'source-ip');
    const covered = new Set(measureObjects(seed, true).map((m) => m.object));
    const objects = seed.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.filter((o) => !covered.has(o)).map((o) => o.node.path)).toEqual([]);
  });
});
