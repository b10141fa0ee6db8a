import { SidecarInjection, SourceIpValidationError } from '../../src';

describe('SidecarInjection', () => {
  test.each([
    ['enabled', SidecarInjection.enabled(), { 'istio-injection': 'enabled' }],
    ['revision "canary"', SidecarInjection.revision('canary'), { 'istio.io/rev': 'canary' }],
    ['disabled', SidecarInjection.disabled(), { 'istio-injection': 'disabled' }],
    ['none', SidecarInjection.none(), {}],
  ])('%s renders the namespace labels Istio selects on', (text, injection, labels) => {
    expect(injection.toString()).toBe(text);
    expect(injection._render()).toEqual(labels);
  });

  test.each(['', 'Canary!', '-canary', 'a'.repeat(64), 7, null])('fails if the revision is %p', (revision) => {
    expect(() => SidecarInjection.revision(revision as string)).toThrow(SourceIpValidationError);
    expect(() => SidecarInjection.revision(revision as string)).toThrow(/SidecarInjection.revision: 'revision' must be a revision or tag name \(a label value: 1-63 letters/);
  });

  test('accepts a revision name of 63 characters', () => {
    expect(SidecarInjection.revision('a'.repeat(63))._render()).toEqual({ 'istio.io/rev': 'a'.repeat(63) });
  });
});
