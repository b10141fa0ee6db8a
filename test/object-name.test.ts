import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { nameAtResourceChild } from '../src/private/object-name';
import { newChart } from './util';

const KIND = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy' } as const;

/** The name cdk8s gives an object wrapped the old way: a construct `id` with a child `Resource`, in a chart of its own app. */
function wrappedName(chartId: string, path: readonly string[], chartOf: (app: App, id: string) => Chart = (app, id) => new Chart(app, id)): string {
  let scope: Construct = chartOf(new App(), chartId);
  for (const id of path) {
    scope = new Construct(scope, id);
  }
  return new ApiObject(scope, 'Resource', KIND).name;
}

describe('nameAtResourceChild', () => {
  test('gives the name an object at <id>/Resource gets, and leaves nothing in the tree', () => {
    const chart = newChart();
    const team = new Construct(chart, 'Team.A');
    expect(nameAtResourceChild(team, 'Deny', KIND.apiVersion, KIND.kind)).toBe(wrappedName('test', ['Team.A', 'Deny']));
    expect(team.node.children).toEqual([]);
    // The id is free again: the real construct can take it.
    expect(new ApiObject(team, 'Deny', KIND).node.path).toBe('test/Team.A/Deny');
  });

  test('asks the chart, so disableResourceNameHashes and generateObjectName overrides apply as before', () => {
    const flat = new Chart(new App(), 'flat', { disableResourceNameHashes: true });
    expect(nameAtResourceChild(flat, 'Deny', KIND.apiVersion, KIND.kind)).toBe('flat-deny');
    class Custom extends Chart {
      public override generateObjectName(object: ApiObject): string {
        return `${object.kind === 'AuthorizationPolicy' ? 'ap' : 'other'}-${object.node.path.replace(/\//g, '.').toLowerCase()}`;
      }
    }
    const custom = new Custom(new App(), 'custom');
    expect(nameAtResourceChild(custom, 'Deny', KIND.apiVersion, KIND.kind)).toBe('ap-custom.deny.resource');
    expect(custom.node.children).toEqual([]);
  });

  test('fails if the id is taken, as the object itself would, and removes nothing', () => {
    const chart = newChart();
    new Construct(chart, 'Deny');
    expect(() => nameAtResourceChild(chart, 'Deny', KIND.apiVersion, KIND.kind)).toThrow(/There is already a Construct with name 'Deny'/);
    expect(chart.node.children).toHaveLength(1);
  });
});
