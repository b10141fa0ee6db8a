import { Writable } from 'node:stream';
import { Construct } from 'constructs';
import { Warnings } from '../src';
import { newChart } from './util';

describe('Warnings', () => {
  test('lists warnings with path, stable id and message, sorted by path then id', () => {
    const chart = newChart();
    const b = new Construct(chart, 'b');
    const a = new Construct(chart, 'a');
    Warnings.of(b).add('z-id', 'second');
    Warnings.of(a).add('y-id', 'first');
    Warnings.of(a).add('x-id', 'zeroth');
    expect(Warnings.collect(chart)).toEqual([
      { path: 'test/a', id: 'x-id', message: 'zeroth' },
      { path: 'test/a', id: 'y-id', message: 'first' },
      { path: 'test/b', id: 'z-id', message: 'second' },
    ]);
  });

  test('records the same warning once', () => {
    const chart = newChart();
    Warnings.of(chart).add('same', 'text');
    Warnings.of(chart).add('same', 'text');
    expect(Warnings.collect(chart)).toHaveLength(1);
  });

  test('acknowledging an id silences it for the whole subtree only', () => {
    // GIVEN
    const chart = newChart();
    const team = new Construct(chart, 'team');
    const inner = new Construct(team, 'inner');
    const other = new Construct(chart, 'other');
    Warnings.of(inner).add('noisy', 'x');
    Warnings.of(inner).add('kept', 'y');
    Warnings.of(other).add('noisy', 'z');
    // WHEN
    Warnings.of(team).acknowledge('noisy', 'reviewed');
    // THEN
    expect(Warnings.collect(chart).map((w) => `${w.path}:${w.id}`)).toEqual(['test/other:noisy', 'test/team/inner:kept']);
  });

  test('prints one line per warning and returns the count', () => {
    const chart = newChart();
    Warnings.of(chart).add('some-id', 'what is wrong. Fix: what to do');
    let out = '';
    const stream = new Writable({ write: (chunk, _enc, done) => { out += String(chunk); done(); } });
    expect(Warnings.print(chart, stream)).toBe(1);
    expect(out).toBe('[warning] some-id [test] what is wrong. Fix: what to do\n');
  });
});
