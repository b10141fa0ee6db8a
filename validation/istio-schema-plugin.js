// @ts-check
/**
 * cdk8s validation plugin: checks every Istio and Gateway API object in the synthesized manifests
 * against the pinned CRDs (openAPIV3Schema with unknown fields refused, plus the CEL rules).
 *
 * cdk8s.yaml:
 *   validations:
 *     - package: ./validation/istio-schema-plugin.js
 *       version: 0.0.0
 *       class: IstioSchemaValidation
 *
 * cdk8s loads plugins with require(), so this file is plain JavaScript. The validator itself is
 * the TypeScript module validation/istio-schema.ts (shared with the tests), loaded through
 * tsx's scoped require: `cdk8s synth` already runs the app with tsx, it needs no build step, and
 * it cannot go stale the way a compiled lib/ copy can.
 */
'use strict';
const path = require('node:path');
const { require: tsxRequire } = require('tsx/cjs/api');

const FIX = 'Fix the construct props (or the raw object) so the object satisfies its CRD';

class IstioSchemaValidation {
  /** @param {{ schemaFile?: string }} [properties] */
  constructor(properties = {}) {
    const { IstioSchemaValidator } = tsxRequire(path.join(__dirname, 'istio-schema.ts'), __filename);
    this.validator = new IstioSchemaValidator({ schemaFile: properties.schemaFile });
  }

  /** @param {any} context the cdk8s-cli validation context */
  async validate(context) {
    let checked = 0;
    /** @type {Map<string, { rule: string, recommendation: string, resources: any[] }>} */
    const byRule = new Map();
    for (const manifestPath of context.manifests) {
      const objects = context.parseManifest(manifestPath);
      checked += objects.filter((o) => this.validator.handles(o)).length;
      for (const v of this.validator.validate(objects)) {
        const key = `${v.rule}\n${v.object}\n${v.message}`;
        if (!byRule.has(key)) {
          byRule.set(key, { rule: v.rule, recommendation: `${v.object}: ${v.message}`, resources: [] });
        }
        // resourceName must be metadata.name: cdk8s maps it to the construct path.
        byRule.get(key)?.resources.push({ resourceName: v.name, locations: [v.path], manifestPath });
      }
    }
    for (const { rule, recommendation, resources } of byRule.values()) {
      context.report.addViolation({ ruleName: rule, recommendation, fix: FIX, violatingResources: resources });
    }
    context.logger.log(`checked ${checked} Istio and Gateway API objects against ${this.validator.source}`);
    context.report.submit(byRule.size === 0 ? 'success' : 'failure', { checkedObjects: String(checked), source: this.validator.source });
  }
}

module.exports = { IstioSchemaValidation };
