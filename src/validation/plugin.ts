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
 *       schemaSets: [istio-1.30.3, gateway-api-v1.5.1]
 *       celCacheDir: false           # evaluate every CEL rule on every synth
 * ```
 *
 * The CLI loads this file with `require()` into its own process; the module itself loads nothing
 * heavy until `validate` runs.
 */
import * as path from 'node:path';
import { CrdSchemaValidator } from './crd-schema-validator';
import { CrdSchemaSet } from './schema-sets';

/** `properties` of the plugin's `cdk8s.yaml` entry. */
export interface CrdSchemaValidationProperties {
  /**
   * The schema sets to check against, by value (e.g. `istio-1.30.3`).
   *
   * @default ['istio-1.30.3', 'gateway-api-v1.5.1']
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

  constructor(properties: CrdSchemaValidationProperties = {}) {
    const celCacheDir = properties.celCacheDir ?? path.join('node_modules', '.cache', 'cdk8s-istio-source-ip');
    this.validator = new CrdSchemaValidator({
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
    context.logger.log(`checked ${checked} objects against ${source}`);
    context.report.submit(byRule.size === 0 ? 'success' : 'failure', { checkedObjects: String(checked), source });
  }
}
