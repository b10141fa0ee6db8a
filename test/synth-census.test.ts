import { ApiObject } from 'cdk8s';
import { IngressGateway, MeshNamespace, SidecarInjection } from '../src';
import { gatewaysOf, namespaceIndexOf, takeCensusAtSynth } from '../src/private/synth-census';
import { newChart, synth } from './util';

describe('synth census', () => {
  test('lists the gateways and the namespaces of the app, gathered on first use when no synth has run', () => {
    const chart = newChart();
    const gateway = new IngressGateway(chart, 'Edge', {});
    new MeshNamespace(chart, 'apps', { name: 'apps', injection: SidecarInjection.enabled() });
    MeshNamespace.fromExisting(chart, 'shop', { name: 'shop', injection: SidecarInjection.disabled() });
    expect(gatewaysOf(chart)).toEqual([gateway]);
    expect([...namespaceIndexOf(chart).keys()].sort()).toEqual(['apps', 'shop']);
    expect(namespaceIndexOf(chart).get('shop')?.map((s) => s.declared)).toEqual([true]);
  });

  test('is taken again at the start of every synth, so what was added after the last one counts', () => {
    const chart = newChart();
    const first = new IngressGateway(chart, 'A', { name: 'a', appLabel: 'a', istioLabel: 'a' });
    synth(chart);
    expect(gatewaysOf(chart)).toEqual([first]);
    const second = new IngressGateway(chart, 'B', { name: 'b', appLabel: 'b', istioLabel: 'b' });
    new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'later', labels: { 'istio-injection': 'enabled' } } });
    // Until the next synth, a check reads the census of the last one.
    expect(gatewaysOf(chart)).toEqual([first]);
    synth(chart);
    expect(gatewaysOf(chart)).toEqual([first, second]);
    expect(namespaceIndexOf(chart).get('later')?.[0]).toMatchObject({ labels: { injection: 'enabled' }, declared: false });
  });

  test('walks the tree as often with three gateways as with one: one census per synth pass, not one walk per gateway', () => {
    const walksOfTheApp = (gateways: number): number => {
      const chart = newChart();
      for (let i = 0; i < gateways; i++) {
        new IngressGateway(chart, `G${i}`, { name: `g${i}`, appLabel: `g${i}`, istioLabel: `g${i}` });
      }
      takeCensusAtSynth(chart);
      const walks = jest.spyOn(chart.node.root.node, 'findAll');
      synth(chart);
      return walks.mock.calls.length;
    };
    expect(walksOfTheApp(3)).toBe(walksOfTheApp(1));
  });
});
