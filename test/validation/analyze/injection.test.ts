import { injectionOf, inMeshForAnalyzers } from '../../../src/validation/analyze/injection';
import { buildManifestSet } from '../../../src/validation/analyze/model';
import { AnalyzeOptions } from '../../../src/validation/analyze';
import { deployment, namespace } from './manifests';

type Labels = Record<string, string>;

function decide(nsLabels: Labels | undefined, podLabels: Labels, podAnnotations: Labels = {}, options: AnalyzeOptions = {}, extra: { hostNetwork?: boolean; ns?: string } = {}) {
  const ns = extra.ns ?? 'apps';
  const docs = [deployment(ns, 'echo', { labels: podLabels, annotations: podAnnotations, hostNetwork: extra.hostNetwork }), ...(nsLabels === undefined ? [] : [namespace(ns, nsLabels)])];
  const { set } = buildManifestSet(docs, options);
  const template = set.podTemplates[0];
  return { ...injectionOf(set, template), inMesh: inMeshForAnalyzers(set, template) };
}

describe('injectionOf', () => {
  test.each([
    ['namespace istio-injection=enabled', { 'istio-injection': 'enabled' }, {}, {}, true],
    ['namespace enabled, pod label "false"', { 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'false' }, {}, false],
    ['namespace enabled, pod annotation "false"', { 'istio-injection': 'enabled' }, {}, { 'sidecar.istio.io/inject': 'false' }, false],
    ['namespace enabled, label "true" wins over annotation "false"', { 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'true' }, { 'sidecar.istio.io/inject': 'false' }, true],
    ['namespace disabled, pod label "true"', { 'istio-injection': 'disabled' }, { 'sidecar.istio.io/inject': 'true' }, {}, false],
    ['unlabelled namespace, pod label "true"', {}, { 'sidecar.istio.io/inject': 'true' }, {}, true],
    ['unlabelled namespace, pod annotation "true" only', {}, {}, { 'sidecar.istio.io/inject': 'true' }, false],
    ['namespace istio.io/rev', { 'istio.io/rev': 'default' }, {}, {}, true],
    ['namespace istio.io/rev and istio-injection (the legacy label wins)', { 'istio.io/rev': 'default', 'istio-injection': 'enabled' }, {}, {}, true],
    ['unlabelled namespace, pod label istio.io/rev', {}, { 'istio.io/rev': 'default' }, {}, true],
    ['unlabelled namespace, pod labels inject "true" and istio.io/rev', {}, { 'sidecar.istio.io/inject': 'true', 'istio.io/rev': 'canary' }, {}, true],
    ['nothing at all', {}, {}, {}, false],
  ])('%s', (_, nsLabels, podLabels, podAnnotations, injected) => {
    expect(decide(nsLabels, podLabels, podAnnotations).injected).toBe(injected);
  });

  test('counts istio.io/rev only for an installed revision when revisions are given', () => {
    expect(decide({ 'istio.io/rev': 'canary' }, {}, {}, { revisions: ['default'] })).toMatchObject({ injected: false, reason: expect.stringMatching(/revision not installed/) });
    expect(decide({ 'istio.io/rev': 'canary' }, {}, {}, { revisions: ['canary'] }).injected).toBe(true);
  });

  test('never injects hostNetwork pods, nor pods in kube-system', () => {
    expect(decide({ 'istio-injection': 'enabled' }, {}, {}, {}, { hostNetwork: true })).toMatchObject({ injected: false, reason: expect.stringMatching(/hostNetwork/) });
    expect(decide({ 'istio-injection': 'enabled' }, {}, {}, {}, { ns: 'kube-system' })).toMatchObject({ injected: false, reason: expect.stringMatching(/never injects pods in kube-system/) });
  });

  test('uses the labels of a namespace declared as existing, and says when they are unknown', () => {
    expect(decide(undefined, {}, {}, { existingNamespaces: [{ name: 'apps', labels: { 'istio-injection': 'enabled' } }] }).injected).toBe(true);
    expect(decide(undefined, {}, {}).reason).toMatch(/not in the set, so its labels are unknown/);
  });
});

describe('inMeshForAnalyzers', () => {
  test('follows the analyzers: istio-injection or the pod label/annotation count, istio.io/rev does not', () => {
    expect(decide({ 'istio-injection': 'enabled' }, {}).inMesh).toBe(true);
    expect(decide({}, {}, { 'sidecar.istio.io/inject': 'true' }).inMesh).toBe(true);
    expect(decide({ 'istio.io/rev': 'default' }, {}).inMesh).toBe(false);
    expect(decide({ 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'false' }).inMesh).toBe(false);
  });
});
