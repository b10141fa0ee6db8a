import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { SourceIpValidationError } from '../errors';
import { show } from './problems';

/**
 * Checks the `scope` and `id` a construct of this library is created with, before the constructs
 * library sees them: from plain JavaScript a wrong scope or id would otherwise end in a
 * `TypeError` from `constructs`, or in cdk8s' "cannot find a parent chart".
 *
 * Returns the scope, so a constructor can write `super(checkedScope('X', scope, id), id)`.
 *
 * @throws SourceIpValidationError naming the constructor, the argument and the value received
 */
export function checkedScope(subject: string, scope: unknown, id: unknown): Construct {
  const problems: string[] = [];
  if (!(scope instanceof Construct)) {
    problems.push(`'scope' must be a construct (a Chart, or a construct inside one), got ${show(scope)}. Fix: pass the chart, e.g. new ${subject}(chart, "id", {...})`);
  } else {
    try {
      Chart.of(scope);
    } catch {
      problems.push(`'scope' must be a Chart or a construct inside one, got ${scope.node.path === '' ? 'the App' : JSON.stringify(scope.node.path)}, `
        + `which is in no chart. Fix: create a Chart and pass it, e.g. new ${subject}(new Chart(app, "chart"), "id", {...})`);
    }
  }
  if (typeof id !== 'string' || id.length === 0) {
    problems.push(`'id' must be a non-empty string, got ${show(id)}. Fix: name the construct, e.g. "gateway"`);
  } else if (id in Object.prototype) {
    // constructs keeps children in a plain object, where these names are already taken.
    problems.push(`'id' must not be a name every JavaScript object already has, got ${show(id)}. Fix: choose another id, e.g. "${id.replace(/_/g, '')}-1"`);
  } else if (scope instanceof Construct && scope.node.tryFindChild(id) !== undefined) {
    problems.push(`'id' must be unique among the scope's children, got ${JSON.stringify(id)}, which ${JSON.stringify(scope.node.path || '(the App)')} `
      + 'already has. Fix: give this construct another id');
  }
  if (problems.length > 0) {
    throw new SourceIpValidationError(subject, problems);
  }
  return scope as Construct;
}

