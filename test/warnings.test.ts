import { Writable } from 'node:stream';
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { IpAccessAction, IpAccessPolicy, IpBlock, PolicyTarget, SourceIpValidationError, Warnings } from '../src';
import { newChart } from './util';

/** A policy with two host-bit warnings, one per block (subjects `ipBlocks 10.1.2.3/8` and `ipBlocks 192.168.1.1/16`). */
function hostBitsPolicy(scope: Construct, id = 'policy'): IpAccessPolicy {
  return new IpAccessPolicy(scope, id, {
    target: PolicyTarget.labels({ app: 'echo' }), action: IpAccessAction.DENY, ipBlocks: IpBlock.ofAll(['10.1.2.3/8', '192.168.1.1/16']),
  });
}

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

  test('gives the same entries whether or not the tree holds an acknowledgement elsewhere', () => {
    // GIVEN two identical trees; in the second, one more warning on another construct, acknowledged
    const build = (acknowledged: boolean): Chart => {
      const chart = newChart();
      const a = new Construct(chart, 'a');
      Warnings.of(a).add('x-id', 'whole construct');
      Warnings.of(a).add('y-id', 'one block', 'ipBlocks 10.0.0.0/8');
      hostBitsPolicy(chart);
      if (acknowledged) {
        const other = new Construct(chart, 'other');
        Warnings.of(other).add('z-id', 'acknowledged');
        Warnings.of(other).acknowledge('tproxy-runs-as-root', 'not this one');
        Warnings.of(other).add('tproxy-runs-as-root', 'acknowledged');
      }
      return chart;
    };
    // THEN the entries, keys included (no `subject: undefined`), are the same apart from the extra one
    const unacknowledged = Warnings.collect(build(false));
    const acknowledgedElsewhere = Warnings.collect(build(true)).filter((w) => w.path !== 'test/other');
    expect(acknowledgedElsewhere).toStrictEqual(unacknowledged);
    expect(unacknowledged.map((w) => Object.keys(w))).toEqual([['path', 'id', 'message'], ['path', 'id', 'message', 'subject'],
      ['path', 'id', 'message', 'subject'], ['path', 'id', 'message', 'subject']]);
  });

  test('collects only the warnings at or below the construct given, and only of constructs still in the tree', () => {
    // GIVEN warnings in two subtrees, one construct removed from the tree, and a second app
    const chart = newChart();
    const left = new Construct(chart, 'left');
    const right = new Construct(chart, 'right');
    const kept = new Construct(left, 'kept');
    const removed = new Construct(left, 'removed');
    const inRemoved = new Construct(removed, 'inner');
    Warnings.of(kept).add('a-id', 'kept');
    Warnings.of(inRemoved).add('b-id', 'under a removed construct');
    Warnings.of(removed).add('c-id', 'removed');
    Warnings.of(right).add('d-id', 'right');
    Warnings.of(newChart()).add('e-id', 'another app');
    left.node.tryRemoveChild('removed');
    // THEN each collect lists what is in its subtree now
    expect(Warnings.collect(chart).map((w) => w.path)).toEqual(['test/left/kept', 'test/right']);
    expect(Warnings.collect(left).map((w) => w.path)).toEqual(['test/left/kept']);
    // AND a removed subtree, asked for itself, still has its own warnings
    expect(Warnings.collect(removed).map((w) => w.id)).toEqual(['c-id', 'b-id']);
  });

  test('names acknowledgements that cover no warning by path, whatever order they were made in', () => {
    const chart = newChart();
    const b = new Construct(chart, 'b');
    const a = new Construct(chart, 'a');
    Warnings.of(b).acknowledge('tproxy-runs-as-root', 'the namespace allows it');
    Warnings.of(a).acknowledge('tproxy-runs-as-root', 'the namespace allows it');
    expect(() => Warnings.collect(chart)).toThrow(/on "test\/a" covers no warning.*\n.*on "test\/b" covers no warning/);
  });

  test('records the same warning once, and keeps it in the construct metadata', () => {
    const chart = newChart();
    Warnings.of(chart).add('same', 'text');
    Warnings.of(chart).add('same', 'text');
    expect(Warnings.collect(chart)).toHaveLength(1);
    expect(chart.node.metadata.filter((m) => m.type === 'istio-source-ip:warning').map((m) => m.data)).toEqual([{ id: 'same', message: 'text' }]);
  });

  test('records each warning once however many a construct has, telling id, subject and message apart', () => {
    const chart = newChart();
    const warnings = Warnings.of(chart);
    // Past the first few, a construct's warnings are compared by key instead of one by one.
    const all = Array.from({ length: 20 }, (_, i) => [`id-${i % 2}`, `text ${i % 5}`, i % 4 === 0 ? undefined : `s${i % 3}`] as const);
    for (const [id, message, subject] of [...all, ...all.reverse()]) {
      warnings.add(id, message, subject);
    }
    const distinct = new Set(all.map(([id, message, subject]) => `${id}|${message}|${subject}`));
    expect(Warnings.collect(chart)).toHaveLength(distinct.size);
    expect(chart.node.metadata.filter((m) => m.type === 'istio-source-ip:warning')).toHaveLength(distinct.size);
    expect(distinct.size).toBeGreaterThan(8);
  });

  test('acknowledging an id silences its warnings about a whole construct, for the whole subtree only', () => {
    // GIVEN
    const chart = newChart();
    const team = new Construct(chart, 'team');
    const inner = new Construct(team, 'inner');
    const other = new Construct(chart, 'other');
    Warnings.of(inner).add('tproxy-runs-as-root', 'x');
    Warnings.of(inner).add('kept', 'y');
    Warnings.of(other).add('tproxy-runs-as-root', 'z');
    // WHEN
    Warnings.of(team).acknowledge('tproxy-runs-as-root', 'reviewed');
    // THEN
    expect(Warnings.collect(chart).map((w) => `${w.path}:${w.id}`)).toEqual(['test/other:tproxy-runs-as-root', 'test/team/inner:kept']);
  });

  test('an acknowledgement with a subject covers that warning only, so a block added later still warns', () => {
    // GIVEN a policy whose first host-bit warning was reviewed
    const chart = newChart();
    const policy = hostBitsPolicy(chart);
    Warnings.of(policy).acknowledge('ip-block-host-bits', 'the /8 is meant', { subject: 'ipBlocks 10.1.2.3/8' });
    // WHEN
    Testing.synth(chart);
    // THEN the other block's warning stays
    expect(Warnings.collect(chart).filter((w) => w.id === 'ip-block-host-bits').map((w) => w.subject)).toEqual(['ipBlocks 192.168.1.1/16']);
  });

  test('prints one line per warning, with its subject, and returns the count', () => {
    const chart = newChart();
    Warnings.of(chart).add('some-id', 'what is wrong. Fix: what to do');
    Warnings.of(chart).add('other-id', 'about one block', 'ipBlocks 10.0.0.0/8');
    let out = '';
    const stream = new Writable({ write: (chunk, _enc, done) => { out += String(chunk); done(); } });
    expect(Warnings.print(chart, stream)).toBe(2);
    expect(out).toBe('[warning] other-id [test] (subject: ipBlocks 10.0.0.0/8) about one block\n[warning] some-id [test] what is wrong. Fix: what to do\n');
  });

  test('fails if an acknowledgement names an unknown id, with the nearest known one', () => {
    expect(() => Warnings.of(newChart()).acknowledge('tproxy-run-as-root', 'x'))
      .toThrow(/\[test\] Warnings\.acknowledge: 'id' must be a warning id of WARNING_CATALOG, got "tproxy-run-as-root"\. Fix: did you mean "tproxy-runs-as-root"\?/);
  });

  test('fails if an acknowledgement has no reason', () => {
    expect(() => Warnings.of(newChart()).acknowledge('tproxy-runs-as-root', '  ')).toThrow(/'reason' must say why the warning does not apply here, got " {2}"/);
    expect(() => Warnings.of(newChart()).acknowledge('tproxy-runs-as-root', undefined as never)).toThrow(SourceIpValidationError);
  });

  test('fails if an acknowledgement covers no warning, naming the subjects it could mean', () => {
    // GIVEN an acknowledgement without a subject, for warnings that each name one
    const chart = newChart();
    const policy = hostBitsPolicy(chart);
    Warnings.of(policy).acknowledge('ip-block-host-bits', 'the ranges are meant');
    // THEN collecting fails, and says which subjects exist
    expect(() => Warnings.collect(chart)).toThrow(/the acknowledgement of ip-block-host-bits on "test\/policy" covers no warning .*Fix: warnings of this id name a subject; acknowledge one with \{ subject: "ipBlocks 10\.1\.2\.3\/8" \} or \{ subject: "ipBlocks 192\.168\.1\.1\/16" \}/);
  });

  test('fails if an acknowledgement outlives the warning it was made for', () => {
    const chart = newChart();
    Warnings.of(chart).acknowledge('tproxy-runs-as-root', 'the namespace allows it');
    expect(() => Warnings.collect(chart)).toThrow(/covers no warning .*Fix: remove it \(the warning it was made for is gone\)/);
  });

  describe('strict mode', () => {
    test('fails the synth on an unacknowledged warning, naming it and how to acknowledge it', () => {
      // GIVEN
      const app = new App({ outdir: '/tmp/warnings-strict-never-written' });
      hostBitsPolicy(new Chart(app, 'chart'));
      // WHEN
      Warnings.strict(app);
      // THEN
      expect(() => Testing.synth(app.node.findChild('chart') as Chart)).toThrow(
        /unacknowledged warning ip-block-host-bits \[chart\/policy\] \(subject: ipBlocks 10\.1\.2\.3\/8\) .*acknowledge\("ip-block-host-bits", reason, \{ subject: "ipBlocks 10\.1\.2\.3\/8" \}\)/);
    });

    test('passes when every warning is acknowledged, with subjects where they have one', () => {
      const app = new App();
      const policy = hostBitsPolicy(new Chart(app, 'chart'));
      Warnings.of(policy).acknowledge('ip-block-host-bits', 'the /8 is meant', { subject: 'ipBlocks 10.1.2.3/8' });
      Warnings.of(policy).acknowledge('ip-block-host-bits', 'the /16 is meant', { subject: 'ipBlocks 192.168.1.1/16' });
      Warnings.strict(app);
      expect(() => Testing.synth(app.node.findChild('chart') as Chart)).not.toThrow();
    });

    test('fails the synth on an acknowledgement that covers no warning', () => {
      const app = new App();
      const chart = new Chart(app, 'chart');
      Warnings.of(chart).acknowledge('consistent-hash-on-xff', 'left over');
      Warnings.strict(app);
      expect(() => Testing.synth(chart)).toThrow(/the acknowledgement of consistent-hash-on-xff on "chart" covers no warning/);
    });

    test('fails the synth when called before the last chart was added, whose checks would run after it', () => {
      const app = new App();
      Warnings.strict(app);
      const chart = new Chart(app, 'late');
      expect(() => Testing.synth(chart)).toThrow(/Warnings\.strict\(app\) was called before "late" was added/);
    });

    test('fails if given anything but the App', () => {
      expect(() => Warnings.strict(newChart())).toThrow(/'app' must be the root of the construct tree \(the App\), got "test"/);
    });
  });
});
