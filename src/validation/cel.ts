/**
 * Evaluates the CRDs' `x-kubernetes-validations` CEL rules with @bufbuild/cel.
 *
 * Loaded by the validator only when an object reaches a schema node that has a rule, so a synth
 * whose objects carry no rule never loads the CEL library. Each rule is parsed and planned once
 * per process.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation-rules
 */
import { CelScalar, celEnv, celFunc, celMethod, isCelError, listType, parse, plan } from '@bufbuild/cel';

type CelProgram = (bindings: { self: unknown }) => unknown;

const programs = new Map<string, CelProgram>();
let env: ReturnType<typeof celEnv> | undefined;

/** `true` when `rule` holds for `self` (a value from `toCel`), `false` when not, else the evaluation error's first line. */
export function evaluateRule(rule: string, self: unknown): boolean | string {
  try {
    let program = programs.get(rule);
    if (program === undefined) {
      program = plan(celEnvironment(), parse(rule)) as unknown as CelProgram;
      programs.set(rule, program);
    }
    const result = program({ self });
    if (isCelError(result)) {
      return result.message.split('\n')[0];
    }
    return result === true;
  } catch (e) {
    return String((e as Error).message).split('\n')[0];
  }
}

function celEnvironment(): ReturnType<typeof celEnv> {
  if (env === undefined) {
    // A shim for the Kubernetes CEL URL library (a URL is modelled as its string). WHATWG URL
    // parsing only approximates Go's url.Parse; these functions only appear in kinds we do not emit.
    const parseUrl = (s: string): URL | undefined => {
      try {
        return new URL(s);
      } catch {
        return undefined;
      }
    };
    env = celEnv({
      funcs: [
        celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s) => parseUrl(s) !== undefined),
        celFunc('url', [CelScalar.STRING], CelScalar.STRING, (s) => {
          if (parseUrl(s) === undefined) {
            throw new Error(`invalid URL ${JSON.stringify(s)}`);
          }
          return s;
        }),
        celMethod('getScheme', CelScalar.STRING, [], CelScalar.STRING, function () {
          return parseUrl(this)?.protocol.replace(/:$/, '') ?? '';
        }),
        celMethod('getHost', CelScalar.STRING, [], CelScalar.STRING, function () {
          return parseUrl(this)?.host ?? '';
        }),
        // The Kubernetes CEL strings library (the Gateway API's annotation and label key rules use it).
        celMethod('split', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (separator) {
          return this.split(separator);
        }),
      ],
    });
  }
  return env;
}
