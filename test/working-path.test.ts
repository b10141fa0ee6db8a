/**
 * The output works when applied: `istioctl analyze`'s rules that matter here, and the working-path
 * rules (namespaces exist, gateways have listeners on Service ports, TPROXY pods are injected,
 * PROXY protocol only with a load balancer told to send it, only manifests where `kubectl apply -f`
 * reads), over `dist/` and every example's output. Nothing is declared as existing, except what an
 * app describes as installed outside its manifests (`InstalledGateway.*`): those gateways, and the
 * namespaces their installer created.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnalyzeOptions, analyzeManifests, checkApplyFolder, formatFinding, readApplyFolder } from '../src';
import { ExampleInstalledGateway, exampleFiles, runExampleFiles, writeRunFiles } from './run-example';

/** What an app's installed gateways tell the analyzer exists in the cluster. */
function declaredBy(gateways: readonly ExampleInstalledGateway[]): AnalyzeOptions {
  return {
    existingNamespaces: [...new Set(gateways.map((g) => g.namespace))].map((name) => ({ name })),
    installedGateways: gateways.map((g) => ({ name: g.name, namespace: g.namespace, labels: g.podLabels, ports: g.ports })),
  };
}

describe('what kubectl apply -f reads', () => {
  test('dist/ holds only manifests, and istioctl analyze\'s rules and the working-path rules find nothing in it', () => {
    const dist = path.join(__dirname, '..', 'dist');
    expect(checkApplyFolder(dist).map(formatFinding)).toEqual([]);
    expect(analyzeManifests(readApplyFolder(dist).manifests.map((m) => m.manifest)).map(formatFinding)).toEqual([]);
  });

  test.each(exampleFiles())('%s writes only manifests where kubectl apply reads, and the rules find nothing', (file) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'working-path-'));
    try {
      // The files exactly as the example wrote them (its run is shared with the other test files).
      const run = runExampleFiles(file);
      writeRunFiles(run, dir);
      const { installedGateways } = run;
      const folder = readApplyFolder(dir);
      expect(folder.findings.map(formatFinding)).toEqual([]);
      expect(folder.manifests.length).toBeGreaterThan(0);
      expect(analyzeManifests(folder.manifests.map((m) => m.manifest), declaredBy(installedGateways)).map(formatFinding)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('catches the seed article\'s original output: no listener, no injection, a dangling host, a non-manifest file', () => {
    // GIVEN what the first default app wrote (abridged): the article's patches on one gateway, nothing else
    const docs = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo-server', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'echo-server' } },
        template: { metadata: { labels: { app: 'echo-server' }, annotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' } }, spec: { containers: [{ name: 'e', image: 'x' }] } } } },
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'default' }, spec: { host: 'example-service' } },
    ];
    // WHEN / THEN
    expect(analyzeManifests(docs).map((f) => f.code).sort()).toEqual(['IST0174', 'tproxy-not-injected']);
  });
});
