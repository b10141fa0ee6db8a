/**
 * The mesh-config part of the app: the extension providers its `ClientIpAccessLog` Telemetry
 * objects name, as an IstioOperator overlay (istioctl) and as istiod Helm chart values, written to a
 * subfolder of the output directory where `kubectl apply -f <outdir>/` does not read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { yaml } from '../private/lazy-yaml';
import { failIfAny, isPlainObject, listProblem, mustBe, Problem, requireApp, requireRoot } from '../private/problems';
import { ClientIpAccessLog, MeshConfigExtensionProvider } from './access-log';

/**
 * The `meshConfig` fields an app needs, as istioctl (`IstioOperator.spec.meshConfig`) and the istiod
 * chart (`meshConfig` value) read them.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig
 */
export interface MeshConfigFragment {
  /** `meshConfig.extensionProviders`, by name, each once. */
  readonly extensionProviders: readonly MeshConfigExtensionProvider[];
}

/** Options for `writeMeshConfig`. */
export interface MeshConfigFilesOptions {
  /**
   * The subfolder of the app's output directory the files go to: never the output directory
   * itself, where only manifests belong.
   *
   * @default 'mesh-config'
   */
  readonly directory?: string;
}

/**
 * Every extension provider the `ClientIpAccessLog` constructs at or below `root` name, sorted by
 * name; one entry per name.
 *
 * @throws SourceIpValidationError when two of them give one provider name different settings
 */
export function meshConfigFor(root: IConstruct): MeshConfigFragment {
  requireRoot('meshConfigFor', root);
  const byName = new Map<string, { provider: MeshConfigExtensionProvider; path: string }>();
  const problems: Problem[] = [];
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof ClientIpAccessLog)) {
      continue;
    }
    const provider = construct.extensionProvider;
    const seen = byName.get(provider.name);
    if (seen === undefined) {
      byName.set(provider.name, { provider, path: construct.node.path });
    } else if (JSON.stringify(seen.provider) !== JSON.stringify(provider)) {
      problems.push(mustBe(`providerName of ${construct.node.path}`, `a name no other ClientIpAccessLog uses with other settings (${seen.path} does)`,
        provider.name, 'give one of them another providerName, or the same encoding and path'));
    }
  }
  failIfAny('meshConfigFor', problems);
  return { extensionProviders: [...byName.keys()].sort().map((name) => byName.get(name)?.provider as MeshConfigExtensionProvider) };
}

/**
 * An IstioOperator overlay (`istioctl install -f <file>`) that sets the fragment's mesh config.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/customize-installation/
 */
export function istioOperatorOverlay(fragment: MeshConfigFragment): Record<string, unknown> {
  requireFragment('istioOperatorOverlay', fragment);
  return { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', spec: { meshConfig: { ...fragment } } };
}

/**
 * Values for the `istiod` Helm chart (`helm upgrade istiod istio/istiod -f <file>`), whose
 * `meshConfig` value is merged into the mesh config it renders.
 *
 * @see https://istio.io/latest/docs/setup/install/helm/
 */
export function istiodHelmValues(fragment: MeshConfigFragment): Record<string, unknown> {
  requireFragment('istiodHelmValues', fragment);
  return { meshConfig: { ...fragment } };
}

/**
 * Writes the app's mesh config (`meshConfigFor(app)`) to `<outdir>/mesh-config/`:
 * `istio-operator.yaml` for istioctl and `istiod-values.yaml` for the istiod chart; returns the
 * files' paths. Writes nothing, and returns no path, when the app has no `ClientIpAccessLog`.
 *
 * Call it after `app.synth()`. `extensionProviders` is a list: a second IstioOperator or values
 * file that sets it replaces it as a whole rather than adding to it (helm/helm#3486), so add
 * providers you already have to the list instead of applying both.
 *
 * @throws SourceIpValidationError when `directory` is not a plain folder name, or as `meshConfigFor` does
 */
export function writeMeshConfig(app: App, options: MeshConfigFilesOptions = {}): string[] {
  requireApp('writeMeshConfig', app, options);
  const directory = options.directory ?? 'mesh-config';
  failIfAny('writeMeshConfig', [
    typeof directory === 'string' && directory !== '' && directory !== '.' && directory !== '..' && !/[\\/]/.test(directory) ? undefined
      : mustBe('directory', 'a plain folder name (a subfolder of the output directory)', directory, 'pass a name such as "mesh-config"'),
  ]);
  const fragment = meshConfigFor(app);
  if (fragment.extensionProviders.length === 0) {
    return [];
  }
  const dir = path.join(app.outdir, directory);
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, string[], Record<string, unknown>][] = [
    ['istio-operator.yaml', ['istioctl install -f <your IstioOperator or profile overlay> -f istio-operator.yaml'],
      istioOperatorOverlay(fragment)],
    ['istiod-values.yaml', ['helm upgrade istiod istio/istiod -n istio-system --reuse-values -f istiod-values.yaml'], istiodHelmValues(fragment)],
  ];
  return files.map(([name, usage, body]) => {
    const file = path.join(dir, name);
    const header = [
      '# Generated by cdk8s-istio-source-ip (writeMeshConfig). Do not edit: synthesize the app again.',
      '# The mesh config the app\'s Telemetry objects need (ClientIpAccessLog providers). Install it before',
      '# applying the manifests:',
      ...usage.map((line) => `#   ${line}`),
      '# extensionProviders is a list: a second file that sets it replaces it, so merge yours into this one.',
    ];
    fs.writeFileSync(file, `${header.join('\n')}\n${yaml().stringify(body, { lineWidth: 0 })}`);
    return file;
  });
}

/** Refuses what is not a `meshConfigFor` result (plain-JavaScript callers). */
function requireFragment(subject: string, fragment: unknown): void {
  failIfAny(subject, [isPlainObject(fragment) ? listProblem('fragment.extensionProviders', fragment.extensionProviders ?? null, 'pass meshConfigFor(app)')
    : mustBe('fragment', 'what meshConfigFor(app) returns: { extensionProviders: [...] }', fragment, 'pass meshConfigFor(app)')]);
}
