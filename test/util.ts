import { App, Chart, ChartProps, Testing } from 'cdk8s';
import { SourceIpValidationError } from '../src/errors';

/** A synthesized Kubernetes object, as tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/** A fresh chart in a fresh app (Testing.chart() would leak a temp folder per call). */
export function newChart(props: ChartProps = {}): Chart {
  return new Chart(new App({ outdir: 'dist' }), 'test', props);
}

/** Synthesizes the chart and returns its objects. */
export function synth(chart: Chart): Manifest[] {
  return Testing.synth(chart);
}

/** The only object of `kind` (optionally with `name`); fails the test otherwise. */
export function only(objects: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name === undefined ? '' : ` named ${name}`}, found ${found.length}`);
  }
  return found[0];
}

/** The error `fn` throws; fails the test if it returns or throws something else. */
export function validationErrorOf(fn: () => unknown): SourceIpValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SourceIpValidationError) {
      return e;
    }
    throw new Error(`expected a SourceIpValidationError, got ${String(e)}`);
  }
  throw new Error('expected a SourceIpValidationError, but nothing was thrown');
}
