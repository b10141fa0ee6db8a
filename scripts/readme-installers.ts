/**
 * The README's "the change, in each installer's form" block: the seed article's gateway
 * (`istio-ingressgateway` in `istio-system`, behind GKE's passthrough load balancer) described as
 * installed by istioctl, by the `istio/gateway` Helm chart (release `istio-ingressgateway`, whose
 * labels are the same), and from plain manifests, each written by `writeInstallerChanges` exactly
 * as an app writes it. `npm run docs` refreshes it; a test checks it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EdgeChain } from '../src/edge/edge-chain';
import { EdgeHop } from '../src/edge/edge-hop';
import { InstalledGateway } from '../src/gateway/installed-gateway';
import { writeInstallerChanges } from '../src/gateway/installer-files';

/** The files an app with only `build`'s gateway writes under installers/, by path, README.md left out. */
function changeFiles(build: (scope: Construct) => void): [string, string][] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-installers-'));
  try {
    const app = new App({ outdir, recordConstructMetadata: false });
    build(new Chart(app, 'seed'));
    app.synth();
    return writeInstallerChanges(app).filter((f) => !f.endsWith('README.md'))
      .map((f): [string, string] => [path.relative(outdir, f).split(path.sep).join('/'), fs.readFileSync(f, 'utf8')]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The block between `<!-- installer-changes:start -->` and `<!-- installer-changes:end -->`. */
export function renderArticleGatewayChanges(): string {
  const edge = () => EdgeChain.of(EdgeHop.gkeExternalPassthrough());
  const forms: [string, [string, string][]][] = [
    ['**istioctl** (`InstalledGateway.istioctl(scope, id, { edge })`): merge it into your IstioOperator, or pass it after yours',
      changeFiles((scope) => InstalledGateway.istioctl(scope, 'gateway', { edge: edge() }))],
    ['**Helm** (`InstalledGateway.helm(scope, id, { releaseName: \'istio-ingressgateway\', namespace: \'istio-system\', edge })`): `--reuse-values` keeps the release\'s other values',
      changeFiles((scope) => InstalledGateway.helm(scope, 'gateway', { releaseName: 'istio-ingressgateway', namespace: 'istio-system', edge: edge() }))],
    ['**Plain manifests** (`InstalledGateway.manifest(scope, id, { name, namespace, selectorLabels, ports, edge })`): `kubectl patch` each object, `kubectl apply` the new ones',
      changeFiles((scope) => InstalledGateway.manifest(scope, 'gateway', {
        name: 'istio-ingressgateway', namespace: 'istio-system', selectorLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
        ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }], edge: edge(),
      }))],
  ];
  return forms.map(([title, files]) => [title, '', ...files.flatMap(([file, content]) => [`\`${file}\`:`, '', '```yaml', content.trimEnd(), '```', ''])].join('\n'))
    .join('\n');
}
