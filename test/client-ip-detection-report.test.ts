import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import {
  AwsNlbTargetType, EdgeChain, EdgeHop, IngressGateway, IpBlock, ProviderRanges, Warnings, writeClientIpDetectionReport,
} from '../src';
import { compareIngressGatewayDetections, renderClientIpDetectionReport } from '../src/analysis/client-ip-detection-report';
import { validationErrorOf } from './util';

function appWith(loadBalancerSourceRanges?: IpBlock[]): { app: App; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detection-report-'));
  const app = new App({ outdir: dir });
  const chart = new Chart(app, 'edge');
  new IngressGateway(chart, 'gateway', {
    edge: EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })),
    ...(loadBalancerSourceRanges === undefined ? {} : { loadBalancerSourceRanges }),
  });
  new IngressGateway(chart, 'plain', { name: 'plain-gateway' }); // no edge: not in the report
  return { app, dir };
}

describe('the client-IP detection report', () => {
  test('without a lock it shows the forged address winning at the NLB and asks for Cloudflare\'s ranges as loadBalancerSourceRanges', () => {
    const { app, dir } = appWith();
    try {
      const entries = compareIngressGatewayDetections(app);
      expect(entries.map((e) => e.name)).toEqual(['edge/gateway']);
      expect(entries[0].recommendation.needsLock).toBe(true);
      const report = renderClientIpDetectionReport(entries);
      expect(report).toMatch(/\| hop count 1 \| yes \| 203\.0\.113\.7 \(the client\) \| 203\.0\.113\.7 \(the client\) \| \*\*198\.51\.100\.66 \(forged\)\*\* \| no \|/);
      expect(report).toMatch(/\| trusted CIDRs \(22\) \| no \| .* \| yes \|/);
      expect(report).toMatch(/Choice: hop count 1, with `loadBalancerSourceRanges` set to the 22 ranges of the hop in front/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with Cloudflare\'s ranges as loadBalancerSourceRanges the NLB is no entry point, and the file lands in report/', () => {
    const { app, dir } = appWith([...ProviderRanges.cloudflare().blocks]);
    try {
      app.synth();
      const file = writeClientIpDetectionReport(app);
      expect(path.relative(dir, file)).toBe(path.join('report', 'client-ip-detection.md'));
      const report = fs.readFileSync(file, 'utf8');
      expect(report).toMatch(/\| hop count 1 \| yes \| 203\.0\.113\.7 \(the client\) \| 203\.0\.113\.7 \(the client\) \| locked \| yes \|/);
      expect(report).toMatch(/admit only the ranges of Cloudflare \(proxied\): AWS NLB \(ip targets, PROXY v2\) is no entry point/);
      expect(report).toMatch(/Choice: hop count 1: sound as configured\./);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the attacker check agrees: it warns about the bypass without the lock, and goes quiet with Cloudflare\'s ranges', () => {
    for (const [ranges, expected] of [[undefined, ['xff-spoofable-by-bypass']], [[...ProviderRanges.cloudflare().blocks], []]] as const) {
      const { app, dir } = appWith(ranges === undefined ? undefined : [...ranges]);
      try {
        expect(Warnings.collect(app).map((w) => w.id).filter((id) => id.includes('bypass'))).toEqual(expected);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('an app without described edges gets a report that says so', () => {
    expect(renderClientIpDetectionReport([])).toMatch(/No gateway has a described edge\./);
  });

  test('fails if an option names a gateway that is not there, or the file name is a path', () => {
    const { app, dir } = appWith();
    try {
      expect(validationErrorOf(() => compareIngressGatewayDetections(app, { lockedHops: { 'edge/nope': [1] } })).message)
        .toMatch(/keyed by the construct path of a gateway with an edge, got "edge\/nope". Fix: use one of "edge\/gateway"/);
      expect(validationErrorOf(() => writeClientIpDetectionReport(app, { fileName: '../x.md' })).message).toMatch(/'fileName' must be a plain file name/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
