/**
 * The cdk8s validation plugin: checks every object of a known CRD kind in the synthesized
 * manifests against the package's pinned CRD schemas and CEL rules. A violation fails the synth
 * (the cdk8s CLI exits 2) and is listed with its construct path.
 *
 * In an app's `cdk8s.yaml` (a local path: the CLI would try to install a package name from npm):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio-source-ip/validation-plugin.js
 *     version: 0.0.0          # any exact version; the CLI requires one, even for a path
 *     class: CrdSchemaValidation
 *     properties:                     # optional
 *       istioVersion: "1.20"         # the target Istio: its schema sets (quote it: 1.20 is a YAML number)
 *       celCacheDir: false           # evaluate every CEL rule on every synth
 * ```
 *
 * Which schema sets it checks against, first match wins:
 * 1. `schemaSets` or `istioVersion` in `properties` (not both): what the app's `cdk8s.yaml` says;
 * 2. the environment variable `ISTIO_VERSION`, which the cdk8s CLI passes on to the app it runs, so
 *    `ISTIO_VERSION=1.20 cdk8s synth` targets 1.20 in an app that honours it (as this package's
 *    default app does) and validates for 1.20 in one setting;
 * 3. Istio 1.30's sets.
 * The synthesized YAML does not say which Istio it was written for (a `v1beta1` object is valid on
 * both), so the plugin does not guess from it: an app that sets its target in code
 * (`IstioVersion.of('1.20').applyTo(app)`) sets the same `istioVersion` here.
 *
 * The CLI loads this file with `require()` into its own process; the module itself loads nothing
 * heavy until `validate` runs.
 */
import * as path from 'node:path';
import { SourceIpValidationError } from '../errors';
import { IstioVersion } from '../istio-version';
import { mustBe, show } from '../private/problems';
import { CrdSchemaValidator } from './crd-schema-validator';
import { CrdSchemaSet } from './schema-sets';

/** `properties` of the plugin's `cdk8s.yaml` entry. */
export interface CrdSchemaValidationProperties {
  /**
   * The app's target Istio version (`1.20` to `1.30`, as text): checks against the schema sets
   * for it (Istio 1.20.8's for 1.20 and 1.21, Istio 1.30.3's from 1.22; the Gateway API's always).
   * Give this or `schemaSets`, not both.
   *
   * @default - the environment variable `ISTIO_VERSION`, else 1.30
   */
  readonly istioVersion?: string;

  /**
   * The schema sets to check against, by value (e.g. `istio-1.30.3`), instead of the ones for the
   * target version.
   *
   * @default - the sets for `istioVersion`
   */
  readonly schemaSets?: readonly string[];

  /**
   * Where to remember CEL verdicts across synths (see `CrdSchemaValidatorOptions.celCacheDir`),
   * relative to the app folder; `false` evaluates every rule on every synth.
   *
   * @default 'node_modules/.cache/cdk8s-istio-source-ip'
   */
  readonly celCacheDir?: string | false;
}

/** The parts of the cdk8s CLI's validation context this plugin uses. */
export interface ValidationPluginContext {
  readonly manifests: readonly string[];
  readonly logger: { log(message: string): void };
  readonly report: {
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: readonly { readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  parseManifest(manifestPath: string): unknown[];
}

const FIX = 'Fix the construct props (or the raw object) so the object satisfies the CRD';

/** The cdk8s validation plugin class (`class: CrdSchemaValidation` in `cdk8s.yaml`). */
export class CrdSchemaValidation {
  private readonly validator: CrdSchemaValidator;

  /** How the schema sets were picked, for the log line: e.g. `Istio 1.20 (ISTIO_VERSION)`. */
  private readonly target: string;

  constructor(properties: CrdSchemaValidationProperties = {}) {
    if (properties === null || typeof properties !== 'object') {
      throw new SourceIpValidationError('CrdSchemaValidation', [mustBe('properties', 'a map (the plugin\'s cdk8s.yaml properties)', properties,
        'write properties: { istioVersion: "1.20" }, or leave properties out')]);
    }
    const celCacheDir = properties.celCacheDir ?? path.join('node_modules', '.cache', 'cdk8s-istio-source-ip');
    const { istioVersion, target } = targetOf(properties, process.env.ISTIO_VERSION);
    this.target = target;
    this.validator = new CrdSchemaValidator({
      istioVersion,
      schemaSets: properties.schemaSets as CrdSchemaSet[] | undefined,
      celCacheDir: celCacheDir === false ? undefined : path.resolve(celCacheDir),
    });
  }

  /** Called by the cdk8s CLI after the app has written its manifests. */
  public async validate(context: ValidationPluginContext): Promise<void> {
    let checked = 0;
    const byRule = new Map<string, { rule: string; recommendation: string; resources: { resourceName: string; locations: string[]; manifestPath: string }[] }>();
    for (const manifestPath of context.manifests) {
      const objects = context.parseManifest(manifestPath);
      checked += objects.filter((o) => this.validator.handles(o)).length;
      for (const v of this.validator.validate(objects)) {
        const key = `${v.rule}\n${v.object}\n${v.message}`;
        let entry = byRule.get(key);
        if (entry === undefined) {
          entry = { rule: v.rule, recommendation: `${v.object}: ${v.message}`, resources: [] };
          byRule.set(key, entry);
        }
        // resourceName must be metadata.name: cdk8s maps it to the construct path.
        entry.resources.push({ resourceName: v.name, locations: [v.path], manifestPath });
      }
    }
    for (const { rule, recommendation, resources } of byRule.values()) {
      context.report.addViolation({ ruleName: rule, recommendation, fix: FIX, violatingResources: resources });
    }
    const source = this.validator.sources.join(' + ');
    context.logger.log(`checked ${checked} objects against ${source} (${this.target})`);
    context.report.submit(byRule.size === 0 ? 'success' : 'failure', { checkedObjects: String(checked), source, target: this.target });
  }
}

/**
 * The target version the plugin validates for (undefined: `schemaSets` picks the sets), and how it
 * was picked: the `istioVersion` property, else `schemaSets`, else `env` (`ISTIO_VERSION`), else 1.30.
 */
function targetOf(properties: CrdSchemaValidationProperties, env: string | undefined): { istioVersion?: IstioVersion; target: string } {
  if (properties.istioVersion !== undefined) {
    const istioVersion = versionOf(properties.istioVersion, "'istioVersion' (cdk8s.yaml properties)");
    return { istioVersion, target: `Istio ${istioVersion.toString()} (istioVersion property)` };
  }
  if (properties.schemaSets !== undefined) {
    return { target: 'schemaSets property' };
  }
  if (env !== undefined) {
    const istioVersion = versionOf(env, 'the environment variable ISTIO_VERSION');
    return { istioVersion, target: `Istio ${istioVersion.toString()} (ISTIO_VERSION)` };
  }
  return { istioVersion: IstioVersion.DEFAULT, target: `Istio ${IstioVersion.DEFAULT.toString()} (default)` };
}

/** `text` as a version, or our error naming where it came from. */
function versionOf(text: unknown, where: string): IstioVersion {
  try {
    return IstioVersion.of(text as string);
  } catch {
    throw new SourceIpValidationError('CrdSchemaValidation', [`${where} must be an Istio version from 1.20 to 1.30 as text, got ${show(text)}. `
      + 'Fix: write e.g. "1.20" (quoted in YAML: 1.20 unquoted is the number 1.2), or leave it out for 1.30']);
  }
}
