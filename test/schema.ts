import { CrdSchemaValidator, SchemaViolation as Violation } from '../src/validation';
import { Manifest } from './util';

/** One validator for the whole test file: schemas compile once per kind. */
export const validator = new CrdSchemaValidator();

/** Every CRD violation of the Istio objects among `objects`. */
export function violationsOf(objects: readonly Manifest[]): Violation[] {
  return validator.validate(objects);
}

/** Formats violations one per line, `Kind/ns/name /path: message`, for readable test failures. */
export function formatViolations(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.object} ${v.path}: ${v.message}`);
}

/** The Istio objects among `objects` (those a CRD defines). */
export function istioObjects(objects: readonly Manifest[]): Manifest[] {
  return objects.filter((o) => validator.handles(o));
}
