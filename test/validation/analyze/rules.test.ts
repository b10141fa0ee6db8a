import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANALYSIS_RULES, AnalysisLevel, formatFinding } from '../../../src/validation/analyze';

describe('ANALYSIS_RULES', () => {
  test('has one entry per code, each documented in the README', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const codes = ANALYSIS_RULES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.filter((c) => !readme.includes(`\`${c}\``))).toEqual([]);
  });
});

describe('formatFinding', () => {
  test('prints level, code, object and fix on one line', () => {
    const line = formatFinding({
      code: 'IST0101', name: 'ReferencedResourceNotFound', level: AnalysisLevel.ERROR,
      object: { kind: 'VirtualService', namespace: 'apps', name: 'web', file: 'app.k8s.yaml' },
      message: 'Referenced gateway not found: "edge".', fix: 'Create it.',
    });
    expect(line).toBe('Error [IST0101] (VirtualService apps/web app.k8s.yaml) Referenced gateway not found: "edge". Fix: Create it.');
  });
});
