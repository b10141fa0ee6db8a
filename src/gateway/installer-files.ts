/**
 * Writes the change every installed gateway of an app needs, in its installer's form, under a
 * subfolder of the output directory (never where `kubectl apply -f dist/` reads).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { yaml } from '../private/lazy-yaml';
import { failIfAny, mustBe, Problem, requireApp, requireRoot } from '../private/problems';
import { HelmGateway, InstalledGateway, IstioctlGateway, ManifestGateway } from './installed-gateway';
import { istioOperatorOverlay, JsonObject, meshGatewayTopology } from './installer-renderings';

/** Options for `writeInstallerChanges`. */
export interface InstallerChangesOptions {
  /**
   * The subfolder of the app's output directory the files go to: never the output directory
   * itself, which `kubectl apply -f` reads and where only manifests belong.
   *
   * @default 'installers'
   */
  readonly directory?: string;
}

/** One file of an installer change. */
interface ChangeFile {
  /** Path relative to the installers folder, `/`-separated. */
  readonly file: string;
  /** The shell command that applies it, relative to the output directory. */
  readonly command: string;
  readonly content: string;
  /** One line on what the command changes. */
  readonly what: string;
}

/**
 * Every installed gateway at or below `root` (`InstalledGateway.istioctl/helm/manifest`), sorted by construct path.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/gateway/
 */
export function installedGatewaysIn(root: IConstruct): InstalledGateway[] {
  requireRoot('installedGatewaysIn', root);
  return root.node.findAll().filter((c): c is InstalledGateway => c instanceof InstalledGateway)
    .sort((a, b) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0));
}

/**
 * Writes the change each installed gateway of `app` needs, in its installer's own form, into a
 * subfolder of the output directory (`installers/` by default), with a README.md holding the
 * command for each file; returns the paths written (none when the app has no installed gateway).
 *
 * - istioctl: `istioctl/ingress-gateways.yaml`, one IstioOperator overlay listing every istioctl
 *   gateway (istioctl replaces the whole `ingressGateways` list with the last file's).
 * - Helm: `helm/<namespace>/<release>.values.yaml`, values for `helm upgrade --reuse-values -f`.
 * - Plain manifests: `kubectl-patch/<namespace>/<name>/`, strategic-merge patches of the Service
 *   and Deployment, plus a PodDisruptionBudget or HorizontalPodAutoscaler to create when needed.
 *
 * Call it after `app.synth()`. The bytes depend only on the app.
 *
 * @throws SourceIpValidationError when `directory` is not a plain folder name, or when two istioctl
 *   gateways put different topologies mesh-wide
 * @see https://istio.io/latest/docs/setup/install/istioctl/
 */
export function writeInstallerChanges(app: App, options: InstallerChangesOptions = {}): string[] {
  requireApp('writeInstallerChanges', app, options);
  const directory = options.directory ?? 'installers';
  const plain = typeof directory === 'string' && directory !== '' && directory !== '.' && directory !== '..' && !/[\\/]/.test(directory);
  const gateways = installedGatewaysIn(app);
  const istioctl = gateways.filter((g): g is IstioctlGateway => g instanceof IstioctlGateway);
  const meshWide = istioctl.filter((g) => g.meshWideTopology);
  const meshTopologies = [...new Set(meshWide.map((g) => JSON.stringify(meshGatewayTopology(g.settings))))];
  failIfAny('writeInstallerChanges', [
    plain ? undefined : mustBe('directory', 'a plain folder name (a subfolder of the output directory)', directory, 'pass a name such as "installers"'),
    meshTopologies.length > 1 ? mustBeOneMeshTopology(meshWide) : undefined,
  ]);
  const files = changeFiles(directory, istioctl, gateways, meshTopologies);
  if (files.length === 0) {
    return [];
  }
  const written: string[] = [];
  const write = (file: string, content: string) => {
    const full = path.join(app.outdir, directory, ...file.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
    written.push(full);
  };
  for (const f of files) {
    write(f.file, f.content);
  }
  write('README.md', readme(directory, files));
  return written;
}

function mustBeOneMeshTopology(meshWide: readonly IstioctlGateway[]): Problem {
  return mustBe('meshWideTopology', 'on for gateways that share one topology (meshConfig holds one gatewayTopology for the whole mesh)',
    meshWide.map((g) => `${g.node.path}: ${JSON.stringify(meshGatewayTopology(g.settings))}`),
    'turn meshWideTopology off on all but one of them, so each carries its own topology in its pod annotation');
}

function changeFiles(directory: string, istioctl: readonly IstioctlGateway[], gateways: readonly InstalledGateway[], meshTopologies: readonly string[]): ChangeFile[] {
  const files: ChangeFile[] = [];
  if (istioctl.length > 0) {
    const file = 'istioctl/ingress-gateways.yaml';
    const overlay = istioOperatorOverlay(istioctl.map((g) => g.istioOperatorComponent()),
      meshTopologies.length === 0 ? undefined : JSON.parse(meshTopologies[0]) as JsonObject);
    const command = `istioctl install -f <your IstioOperator file> -f ${directory}/${file}`;
    files.push({
      file,
      command,
      what: `${istioctl.map((g) => `${g.namespace}/${g.name}`).join(', ')}: istioctl replaces lists, so if your file lists other ingress gateways, copy these entries into your list instead`,
      content: yamlFile(overlay, [`IstioOperator overlay for ${istioctl.map((g) => g.node.path).join(', ')}.`, `Apply: ${command}`,
        'Pass your own IstioOperator file first: istioctl resets what neither file sets to the profile\'s defaults.']),
    });
  }
  for (const gateway of gateways) {
    if (gateway instanceof HelmGateway) {
      const file = `helm/${gateway.namespace}/${gateway.releaseName}.values.yaml`;
      const command = `helm upgrade ${gateway.releaseName} istio/gateway -n ${gateway.namespace} --reuse-values -f ${directory}/${file}`;
      files.push({
        file,
        command,
        what: `${gateway.namespace}/${gateway.name}: --reuse-values keeps the release's other values`,
        content: yamlFile(gateway.helmValues(), [`istio/gateway chart values for ${gateway.node.path}.`, `Apply: ${command}`]),
      });
    } else if (gateway instanceof ManifestGateway) {
      const dir = `kubectl-patch/${gateway.namespace}/${gateway.name}`;
      const patches = gateway.strategicMergePatches();
      const ns = gateway.namespace;
      const patch = (kind: string, object: JsonObject) => {
        const resource = kind.toLowerCase();
        const file = `${dir}/${resource}.patch.yaml`;
        const command = `kubectl patch ${resource} ${gateway.name} -n ${ns} --type strategic --patch-file ${directory}/${file}`;
        files.push({ file, command, what: `${ns}/${gateway.name}`, content: yamlFile(object, [`Strategic-merge patch of the ${kind} of ${gateway.node.path}.`, `Apply: ${command}`]) });
      };
      const create = (kind: string, object: JsonObject | undefined) => {
        if (object !== undefined) {
          const file = `${dir}/${kind.toLowerCase()}.yaml`;
          const command = `kubectl apply -f ${directory}/${file}`;
          files.push({ file, command, what: `${ns}/${gateway.name}: a new ${kind}`, content: yamlFile(object, [`A ${kind} for ${gateway.node.path}.`, `Apply: ${command}`]) });
        }
      };
      patch('Service', patches.service);
      patch('Deployment', patches.deployment);
      create('PodDisruptionBudget', patches.podDisruptionBudget);
      create('HorizontalPodAutoscaler', patches.horizontalPodAutoscaler);
    }
  }
  return files;
}

function yamlFile(value: JsonObject, comment: readonly string[]): string {
  const doc = new (yaml().Document)(value);
  doc.commentBefore = comment.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}

function readme(directory: string, files: readonly ChangeFile[]): string {
  return [
    '# Changes for installed gateways',
    '',
    'The gateways below belong to their installer, so each change is written in the installer\'s own form. Apply each file',
    'with its command, run from the output directory. The gateway pods roll over to pick up the new `proxy.istio.io/config`',
    '(ProxyConfig is read at pod start); a mesh-wide topology needs `kubectl rollout restart` of every gateway Deployment.',
    '',
    ...files.flatMap((f) => [`- \`${directory}/${f.file}\` (${f.what}):`, '', '  ```bash', `  ${f.command}`, '  ```', '']),
  ].join('\n');
}
