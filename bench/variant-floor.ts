/**
 * `floor`: no cdk8s at all. The plain JSON objects (`plain.ts`) go straight to `yaml.stringify`
 * with the options cdk8s' `Yaml.save` uses, joined with `---\n`, into the same file. Nothing that
 * writes these bytes from these objects can be much faster.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { childArgs, Clock } from './harness';
import { gatewayManifests, Manifest, workloadManifests } from './plain';
import { CHART_ID } from './recipe';

const clock = new Clock();
const args = childArgs();

const docs: Manifest[] = gatewayManifests();
for (let i = 0; i < args.workloads; i++) {
  const { deployment, service, policy, rule } = workloadManifests(i);
  docs.push(deployment, service, policy, rule);
}
clock.mark();

// As cdk8s' Yaml.save: one stringify per document, YAML 1.1, no line folding.
const text = docs.map((doc) => stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' })).join('---\n');
fs.mkdirSync(args.outdir, { recursive: true });
fs.writeFileSync(path.join(args.outdir, `${CHART_ID}.k8s.yaml`), text, { encoding: 'utf8' });
clock.mark();

clock.report('floor', args, docs.length);
