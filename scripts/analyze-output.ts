// Checks a folder of synthesized manifests as `kubectl apply -f <folder>/` and `istioctl analyze`
// would see it, and exits non-zero when anything is found.
//
//   npm run analyze -- dist
//   npm run analyze -- out/aws --exists apps,shop --injected apps --secret istio-ingress/shop-tls
//
// Options:
//   --exists ns1,ns2          namespaces that exist in the cluster (no labels)
//   --injected ns1,ns2        namespaces that exist and are labelled istio-injection=enabled
//   --installed-gateway default-profile
//                             the istio-ingressgateway of Istio's default profile is installed
//   --secret ns/name,...      Secrets that exist (Gateway credentialName)
//   --revision r1,r2          installed Istio revisions (default: any)
//   --failure-threshold Info|Warning|Error
//                             lowest level that fails the run (default: Info, i.e. any finding)
import { parseArgs } from 'node:util';
import {
  AnalysisLevel, analyzeManifests, ExistingNamespace, formatFinding, InstalledGateway, ISTIO_DEFAULT_PROFILE_GATEWAY, readApplyFolder,
} from '../src/validation/analyze';

const LEVELS = [AnalysisLevel.INFO, AnalysisLevel.WARNING, AnalysisLevel.ERROR];

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'exists': { type: 'string', multiple: true },
      'injected': { type: 'string', multiple: true },
      'installed-gateway': { type: 'string', multiple: true },
      'secret': { type: 'string', multiple: true },
      'revision': { type: 'string', multiple: true },
      'failure-threshold': { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    console.error('usage: analyze-output <folder> [--exists ns1,ns2] [--injected ns] [--installed-gateway default-profile] [--secret ns/name] [--failure-threshold Info|Warning|Error]');
    return 2;
  }
  const threshold = (values['failure-threshold'] ?? 'Info') as AnalysisLevel;
  if (!LEVELS.includes(threshold)) {
    console.error(`--failure-threshold must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(values['failure-threshold'])}`);
    return 2;
  }
  const gateways: InstalledGateway[] = [];
  for (const g of (values['installed-gateway'] ?? []).flatMap(list)) {
    if (g !== 'default-profile') {
      console.error(`--installed-gateway knows only "default-profile" (Istio's istio-ingressgateway in istio-system), got ${JSON.stringify(g)}`);
      return 2;
    }
    gateways.push(ISTIO_DEFAULT_PROFILE_GATEWAY);
  }
  const namespaces: ExistingNamespace[] = [
    ...(values.exists ?? []).flatMap(list).map((name) => ({ name })),
    ...(values.injected ?? []).flatMap(list).map((name) => ({ name, labels: { 'istio-injection': 'enabled' } })),
  ];
  const revisions = (values.revision ?? []).flatMap(list);

  const folder = positionals[0];
  const contents = readApplyFolder(folder);
  const analyzed = analyzeManifests(contents.manifests.map((m) => m.manifest), {
    existingNamespaces: namespaces,
    installedGateways: gateways,
    existingSecrets: (values.secret ?? []).flatMap(list),
    ...(revisions.length > 0 ? { revisions } : {}),
  });
  // Name the file each finding's object came from.
  const withFiles = analyzed.map((f) => (f.object.index === undefined ? f : { ...f, object: { ...f.object, file: contents.manifests[f.object.index].file } }));
  const findings = [...contents.findings, ...withFiles];

  console.log(`${folder}: kubectl apply -f ${folder}/ reads ${contents.files.length} file(s): ${contents.files.join(', ') || '(none)'}`);
  for (const f of findings) {
    console.log(formatFinding(f));
  }
  const failing = findings.filter((f) => LEVELS.indexOf(f.level) >= LEVELS.indexOf(threshold));
  console.log(findings.length === 0 ? 'No findings.' : `${findings.length} finding(s), ${failing.length} at or above ${threshold}.`);
  return failing.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
