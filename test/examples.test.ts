import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Manifest, only } from './util';

const EXAMPLES = path.join(__dirname, '..', 'examples');

/** Runs an example app as `cdk8s synth` would, into a temporary folder; returns its objects and printed warnings. */
function runExample(file: string): { objects: Manifest[]; warnings: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
  const previous = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir;
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    jest.isolateModules(() => {
      // An example is a whole app that synthesizes on load, exactly as `cdk8s synth` runs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(EXAMPLES, file));
    });
    const warnings = stderr.mock.calls.map((call) => String(call[0])).join('');
    const objects = fs.readdirSync(outdir).sort().flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS() as Manifest));
    return { objects, warnings };
  } finally {
    stderr.mockRestore();
    process.env.CDK8S_OUTDIR = previous;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('examples', () => {
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();

  test('there is an example for every README topology', () => {
    expect(files).toEqual(['l4-local.ts', 'l7-xff.ts', 'proxy-protocol.ts', 'workload-tproxy.ts']);
  });

  test.each(files)('%s synthesizes to the snapshot', (file) => {
    expect(runExample(file)).toMatchSnapshot();
  });

  test('l4-local matches the client on ipBlocks behind externalTrafficPolicy Local, without warnings', () => {
    const { objects, warnings } = runExample('l4-local.ts');
    expect(only(objects, 'Service').spec.externalTrafficPolicy).toBe('Local');
    expect(only(objects, 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { ipBlocks: ['203.0.113.0/24', '2001:db8:1::/48'] } }] }]);
    expect(warnings).toBe('');
  });

  test('proxy-protocol turns PROXY on in the gateway and matches remoteIpBlocks, without warnings', () => {
    const { objects, warnings } = runExample('proxy-protocol.ts');
    const pod = only(objects, 'Deployment').spec.template;
    expect(JSON.parse(pod.metadata.annotations['proxy.istio.io/config'])).toEqual({ gatewayTopology: { numTrustedProxies: 0, proxyProtocol: {} } });
    expect(only(objects, 'Service').metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-proxy-protocol']).toBe('*');
    expect(warnings).toBe('');
  });

  test('l7-xff trusts two proxies and hashes on x-envoy-external-address, without warnings', () => {
    const { objects, warnings } = runExample('l7-xff.ts');
    expect(JSON.parse(only(objects, 'Deployment').spec.template.metadata.annotations['proxy.istio.io/config']).gatewayTopology.numTrustedProxies).toBe(2);
    expect(only(objects, 'DestinationRule').spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName).toBe('x-envoy-external-address');
    expect(warnings).toBe('');
  });

  test('workload-tproxy annotates the pod template, and its acknowledged warning stays quiet', () => {
    const { objects, warnings } = runExample('workload-tproxy.ts');
    expect(only(objects, 'Deployment').spec.template.metadata.annotations['sidecar.istio.io/interceptionMode']).toBe('TPROXY');
    expect(warnings).toBe('');
  });

  test('every code block in the README is an example file, verbatim', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/<!-- example: (examples\/[\w.-]+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1]).sort()).toEqual(files.map((f) => `examples/${f}`));
    for (const [, file, body] of blocks) {
      expect({ file, body }).toEqual({ file, body: fs.readFileSync(path.join(__dirname, '..', file), 'utf8') });
    }
    expect(readme.match(/```ts/g)?.length).toBe(blocks.length);
  });
});
