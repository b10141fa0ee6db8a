import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import {
  InterceptionMode, MeshNamespace, setInterceptionMode, SidecarInjection, SourceIpValidationError, Warnings,
} from '../../src';
import { newChart, only, synth } from '../util';

describe('MeshNamespace', () => {
  test('writes a Namespace labelled istio-injection: enabled by default, as its child Resource', () => {
    const chart = newChart();
    const namespace = new MeshNamespace(chart, 'apps', { name: 'apps' });
    expect(only(synth(chart), 'Namespace')).toEqual({
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'istio-injection': 'enabled' } },
    });
    expect(namespace.node.defaultChild?.node.id).toBe('Resource');
    expect(namespace.injection.toString()).toBe('enabled');
  });

  test('labels by revision, and keeps the other labels and annotations', () => {
    const chart = newChart();
    new MeshNamespace(chart, 'shop', {
      name: 'shop', injection: SidecarInjection.revision('canary'),
      labels: { team: 'payments' }, annotations: { 'owner.example.com/contact': 'payments@example.com' },
    });
    expect(only(synth(chart), 'Namespace').metadata).toEqual({
      name: 'shop', labels: { 'team': 'payments', 'istio.io/rev': 'canary' }, annotations: { 'owner.example.com/contact': 'payments@example.com' },
    });
  });

  test('a meshed namespace with a TPROXY workload: the scenario, end to end', () => {
    // GIVEN
    const chart = newChart({ namespace: 'apps' });
    new MeshNamespace(chart, 'apps', { name: 'apps' });
    const echo = new kplus.Deployment(chart, 'echo', { containers: [{ image: 'registry.k8s.io/echoserver:1.10', portNumber: 8080 }] });
    // WHEN
    setInterceptionMode(echo, InterceptionMode.TPROXY);
    // THEN
    const objects = synth(chart);
    expect(Warnings.collect(chart).map((w) => w.id)).toEqual(['tproxy-runs-as-root']);
    // A Namespace is cluster-scoped: no metadata.namespace, though the chart has one.
    expect(only(objects, 'Namespace').metadata.namespace).toBeUndefined();
    expect(objects).toMatchSnapshot();
  });

  test('fails if the name is not a namespace name, or missing (plain JavaScript)', () => {
    const chart = newChart();
    expect(() => new MeshNamespace(chart, 'a', { name: 'Apps' })).toThrow(/\[test\/a\] MeshNamespace: 'name' must be a namespace name/);
    expect(() => new MeshNamespace(chart, 'b', {} as never)).toThrow(/'name' must be a namespace name, got undefined/);
    expect(() => new MeshNamespace(chart, 'c', undefined as never)).toThrow(/'props' must be an object, got undefined/);
  });

  test('fails if labels set istio-injection or istio.io/rev, naming the injection to use instead', () => {
    const chart = newChart();
    expect(() => new MeshNamespace(chart, 'a', { name: 'apps', labels: { 'istio.io/rev': 'canary' } }))
      .toThrow(/'labels\["istio.io\/rev"\]' must be left to 'injection', got "canary". Fix: remove it and pass injection: SidecarInjection.revision\("canary"\)/);
    expect(() => new MeshNamespace(chart, 'b', { name: 'apps', labels: { 'istio-injection': 'disabled' } }))
      .toThrow(/SidecarInjection.disabled\(\)/);
  });

  test('fails if injection, labels or annotations have the wrong type (plain JavaScript)', () => {
    const chart = newChart();
    const error = (() => {
      try {
        new MeshNamespace(chart, 'a', { name: 'apps', injection: 'enabled', labels: 'x', annotations: [] } as never);
      } catch (e) {
        return e as SourceIpValidationError;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(SourceIpValidationError);
    expect(error.problems).toEqual([
      expect.stringMatching(/^'injection' must be a SidecarInjection, got "enabled"/),
      expect.stringMatching(/^'labels' must be a map of strings, got "x"/),
      expect.stringMatching(/^'annotations' must be a map of strings, got \[\]/),
    ]);
  });
});

describe('MeshNamespace.fromExisting', () => {
  test('writes nothing', () => {
    const chart = newChart();
    const existing = MeshNamespace.fromExisting(chart, 'shop', { name: 'shop', injection: SidecarInjection.enabled() });
    expect(synth(chart)).toEqual([]);
    expect([existing.name, existing.injection.toString()]).toEqual(['shop', 'enabled']);
  });

  test('agrees with a Namespace object of the same name that has the same labels', () => {
    const chart = newChart();
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'shop', labels: { 'istio-injection': 'enabled', 'team': 'x' } } });
    MeshNamespace.fromExisting(chart, 'shop', { name: 'shop', injection: SidecarInjection.enabled() });
    expect(() => synth(chart)).not.toThrow();
  });

  test('fails at synth if the app creates the namespace with other injection labels, naming both', () => {
    const chart = newChart();
    new MeshNamespace(chart, 'created', { name: 'shop', injection: SidecarInjection.disabled() });
    MeshNamespace.fromExisting(chart, 'declared', { name: 'shop', injection: SidecarInjection.revision('canary') });
    expect(() => synth(chart)).toThrow(/\[test\/declared\] MeshNamespace.fromExisting: namespace "shop" is declared with istio.io\/rev: "canary" \(SidecarInjection revision "canary"\), but the Namespace object at test\/created\/Resource gives it istio-injection: "disabled"/);
  });

  test('fails if the options are incomplete (plain JavaScript)', () => {
    const chart = newChart();
    expect(() => MeshNamespace.fromExisting(chart, 'a', { name: 'shop' } as never)).toThrow(/'injection' must be a SidecarInjection, got undefined/);
    expect(() => MeshNamespace.fromExisting(chart, 'b', { injection: SidecarInjection.none() } as never)).toThrow(/'name' must be a namespace name, got undefined/);
    expect(() => MeshNamespace.fromExisting(chart, 'c', null as never)).toThrow(/'options' must be an object, got null/);
  });
});
