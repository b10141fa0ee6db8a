import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, IngressGateway, InstalledGateway, installedGatewaysIn, writeInstallerChanges,
} from '../../src';
import { renderArticleGatewayChanges } from '../../scripts/readme-installers';
import { validationErrorOf } from '../util';

/** An app in a fresh output folder; `run` gets the app and the folder, which is removed afterwards. */
function withApp<T>(run: (app: App, outdir: string) => T): T {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'installer-files-'));
  try {
    return run(new App({ outdir, recordConstructMetadata: false }), outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every file under `dir`, relative and `/`-separated, sorted. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/')).sort();
}

const gke = () => EdgeChain.of(EdgeHop.gkeExternalPassthrough());
const nlbProxy = () => EdgeChain.of(EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));

describe('writeInstallerChanges', () => {
  test('writes each installer\'s change under installers/, never where kubectl apply -f reads', () => {
    withApp((app, outdir) => {
      // GIVEN
      const chart = new Chart(app, 'app');
      const istioctl = InstalledGateway.istioctl(chart, 'istioctl', { edge: gke() });
      const helm = InstalledGateway.helm(chart, 'helm', { releaseName: 'public', namespace: 'istio-ingress', edge: nlbProxy() });
      const manifest = InstalledGateway.manifest(chart, 'manifest', {
        name: 'edge', namespace: 'edge', selectorLabels: { app: 'edge' }, ports: [{ name: 'http2', port: 80 }], edge: gke(), autoscaling: {},
      });
      app.synth();
      // WHEN
      const written = writeInstallerChanges(app);
      // THEN
      expect(filesUnder(outdir)).toEqual([
        'app.k8s.yaml',
        'installers/README.md',
        'installers/helm/istio-ingress/public.values.yaml',
        'installers/istioctl/ingress-gateways.yaml',
        'installers/kubectl-patch/edge/edge/deployment.patch.yaml',
        'installers/kubectl-patch/edge/edge/horizontalpodautoscaler.yaml',
        'installers/kubectl-patch/edge/edge/poddisruptionbudget.yaml',
        'installers/kubectl-patch/edge/edge/service.patch.yaml',
      ]);
      expect(written.map((f) => path.relative(outdir, f).split(path.sep).join('/')).sort()).toEqual(filesUnder(outdir).filter((f) => f.startsWith('installers/')));
      const read = (file: string) => parse(fs.readFileSync(path.join(outdir, 'installers', file), 'utf8'));
      expect(read('istioctl/ingress-gateways.yaml')).toEqual(istioctl.istioOperatorOverlay());
      expect(read('helm/istio-ingress/public.values.yaml')).toEqual(helm.helmValues());
      const patches = manifest.strategicMergePatches();
      expect(read('kubectl-patch/edge/edge/service.patch.yaml')).toEqual(patches.service);
      expect(read('kubectl-patch/edge/edge/deployment.patch.yaml')).toEqual(patches.deployment);
      expect(read('kubectl-patch/edge/edge/horizontalpodautoscaler.yaml')).toEqual(patches.horizontalPodAutoscaler);
    });
  });

  test('lists the command for every file in installers/README.md, and as each file\'s first comment', () => {
    withApp((app, outdir) => {
      const chart = new Chart(app, 'app');
      InstalledGateway.helm(chart, 'helm', { releaseName: 'public', namespace: 'istio-ingress', edge: nlbProxy() });
      InstalledGateway.manifest(chart, 'manifest', { name: 'edge', namespace: 'edge', selectorLabels: { app: 'edge' }, ports: [{ name: 'http2', port: 80 }], edge: gke() });
      app.synth();
      writeInstallerChanges(app);
      const readme = fs.readFileSync(path.join(outdir, 'installers', 'README.md'), 'utf8');
      const commands = [
        'helm upgrade public istio/gateway -n istio-ingress --reuse-values -f installers/helm/istio-ingress/public.values.yaml',
        'kubectl patch service edge -n edge --type strategic --patch-file installers/kubectl-patch/edge/edge/service.patch.yaml',
        'kubectl patch deployment edge -n edge --type strategic --patch-file installers/kubectl-patch/edge/edge/deployment.patch.yaml',
        'kubectl apply -f installers/kubectl-patch/edge/edge/poddisruptionbudget.yaml',
      ];
      expect([...readme.matchAll(/^ {2}((?:helm|kubectl|istioctl) .*)$/gm)].map((m) => m[1])).toEqual(commands);
      expect(fs.readFileSync(path.join(outdir, 'installers', 'helm', 'istio-ingress', 'public.values.yaml'), 'utf8')).toMatch(/^# .*\n# Apply: helm upgrade public /);
    });
  });

  test('puts every istioctl gateway in one overlay, since istioctl replaces the ingressGateways list', () => {
    withApp((app, outdir) => {
      const chart = new Chart(app, 'app');
      InstalledGateway.istioctl(chart, 'default', { edge: gke() });
      InstalledGateway.istioctl(chart, 'internal', { name: 'internal-ingressgateway', label: { istio: 'internal-ingressgateway' }, edge: EdgeChain.of(EdgeHop.gkeInternalPassthrough()) });
      app.synth();
      writeInstallerChanges(app);
      const overlay = parse(fs.readFileSync(path.join(outdir, 'installers', 'istioctl', 'ingress-gateways.yaml'), 'utf8'));
      expect(overlay.spec.components.ingressGateways.map((g: { name: string }) => g.name)).toEqual(['istio-ingressgateway', 'internal-ingressgateway']);
    });
  });

  test('writes nothing for an app without installed gateways', () => {
    withApp((app, outdir) => {
      new IngressGateway(new Chart(app, 'app'), 'gw');
      app.synth();
      expect(writeInstallerChanges(app)).toEqual([]);
      expect(filesUnder(outdir)).toEqual(['app.k8s.yaml']);
    });
  });

  test('writes only YAML the cdk8s validation step passes over: no Istio kind, or a Kubernetes kind', () => {
    // cdk8s synth hands every *.yaml under the output folder to the validation plugin, which checks
    // objects of the Istio CRDs' kinds only.
    withApp((app) => {
      const chart = new Chart(app, 'app');
      InstalledGateway.istioctl(chart, 'istioctl', { edge: gke() });
      InstalledGateway.helm(chart, 'helm', { releaseName: 'public', namespace: 'istio-ingress', edge: nlbProxy() });
      InstalledGateway.manifest(chart, 'manifest', { name: 'edge', namespace: 'edge', selectorLabels: { app: 'edge' }, ports: [{ name: 'http2', port: 80 }], edge: gke(), autoscaling: {} });
      app.synth();
      const kinds = writeInstallerChanges(app).filter((f) => f.endsWith('.yaml'))
        .flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => { const o = d.toJS(); return `${o.apiVersion ?? '-'} ${o.kind ?? '-'}`; }));
      expect(kinds.sort()).toEqual([
        '- -', '- -', '- -', 'autoscaling/v2 HorizontalPodAutoscaler', 'install.istio.io/v1alpha1 IstioOperator', 'policy/v1 PodDisruptionBudget',
      ]);
    });
  });

  test('fails if two istioctl gateways put different topologies mesh-wide', () => {
    withApp((app) => {
      const chart = new Chart(app, 'app');
      InstalledGateway.istioctl(chart, 'a', { edge: gke(), meshWideTopology: true });
      InstalledGateway.istioctl(chart, 'b', { name: 'b', label: { istio: 'b' }, edge: nlbProxy(), meshWideTopology: true });
      app.synth();
      expect(validationErrorOf(() => writeInstallerChanges(app)).message).toMatch(
        /'meshWideTopology' must be on for gateways that share one topology .*app\/a: \{\\"numTrustedProxies\\":0\}.*app\/b: .*Fix: turn meshWideTopology off on all but one/);
    });
  });

  test('fails if directory is not a plain folder name', () => {
    withApp((app) => {
      expect(validationErrorOf(() => writeInstallerChanges(app, { directory: '../x' })).message)
        .toMatch(/'directory' must be a plain folder name \(a subfolder of the output directory\), got "..\/x"/);
    });
  });
});

describe('installedGatewaysIn', () => {
  test('finds the installed gateways, sorted by path, and not the deployed ones', () => {
    const chart = new Chart(new App(), 'app');
    InstalledGateway.helm(chart, 'z', { releaseName: 'z', namespace: 'z' });
    new IngressGateway(chart, 'deployed');
    InstalledGateway.istioctl(chart, 'a');
    expect(installedGatewaysIn(chart).map((g) => g.node.path)).toEqual(['app/a', 'app/z']);
  });
});

describe('the README', () => {
  test('shows the three changes for the article\'s gateway as writeInstallerChanges writes them', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- installer-changes:start -->\n([\s\S]*?)<!-- installer-changes:end -->/.exec(readme);
    expect(block?.[1]).toBe(renderArticleGatewayChanges());
    expect(block?.[1]).toMatch(/kind: IstioOperator[\s\S]*istio\/gateway chart values[\s\S]*kubectl patch deployment istio-ingressgateway -n istio-system/);
  });
});
