import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AwsNlbTargetType, ClientIpDetectionMode, EdgeChain, EdgeHop, IpBlock, ProviderRanges, providerPresets, recommendClientIpDetection,
} from '../src';
import { clientIpPlan, renderClientIpDetectionTable, ClientIpPlanOptions, compareClientIpDetectionOn, sourceRangesLock } from '../src/edge/client-ip-plan';
import { validationErrorOf } from './util';

const CLIENT = '203.0.113.7';
const FORGED = '198.51.100.66';

/** The CDN presets; for those whose list is not shipped, ranges the user would pass (a stand-in at the hop's simulated address). */
const CDNS = [
  { hop: EdgeHop.cloudflare(), given: undefined },
  { hop: EdgeHop.cloudFront(), given: ProviderRanges.custom('Amazon CloudFront (origin-facing, given)', [IpBlock.of('192.0.2.1/32')]) },
  { hop: EdgeHop.azureFrontDoor(), given: ProviderRanges.custom('AzureFrontDoor.Backend (given)', [IpBlock.of('192.0.2.1/32')]) },
];
/** Every preset that can sit in front of a gateway Service. */
const LOAD_BALANCERS = providerPresets().filter(({ hop }) => hop.serviceType !== undefined);
/** The load balancer's own addresses (its subnet, its forwarding rule), which only the user knows. */
const LB_ADDRESSES = ProviderRanges.custom('the load balancer', [IpBlock.of('192.0.2.2/32')]);

function optionsFor(given: ProviderRanges | undefined, lockedHops?: number[]): ClientIpPlanOptions {
  const rangesByHop: Record<number, ProviderRanges> = given === undefined ? { 1: LB_ADDRESSES } : { 0: given, 1: LB_ADDRESSES };
  return { rangesByHop, ...(lockedHops === undefined ? {} : { lockedHops }) };
}

const MATRIX = CDNS.flatMap((cdn) => LOAD_BALANCERS.map((lb) => ({ cdn, lb, name: `${cdn.hop.name} → ${lb.call}` })));

describe('client-IP detection for every CDN preset in front of every load balancer preset', () => {
  test.each(MATRIX.map((m) => [m.name, m] as const))(
    '%s: the chosen detection yields the client for the normal request and no forged value from any entry point', (_, { cdn, lb }) => {
      // An Application Gateway writing ip:port breaks trusted CIDRs, and no loadBalancerSourceRanges reach it (a ClusterIP
      // Service): it is locked with its network security group, as its preset's lock hint says.
      const recommendation = recommendClientIpDetection(EdgeChain.of(cdn.hop, lb.hop), optionsFor(cdn.given, lb.hop.writesPortInXff ? [1] : undefined));
      const chosen = recommendation.chosen;
      expect(chosen).toBeDefined();
      expect(chosen?.normal.trustedAddress).toBe(CLIENT);
      expect(chosen?.forged.length).toBeGreaterThan(0);
      expect(chosen?.forged.filter((o) => o.trustedAddress === FORGED)).toEqual([]);
      // A lock is only ever the CDN's own ranges, as loadBalancerSourceRanges on the load balancer in front of the gateway.
      if (recommendation.needsLock) {
        expect(recommendation.loadBalancerSourceRanges?.map(String)).toEqual((cdn.given ?? ProviderRanges.cloudflare()).blocks.map(String));
        expect(chosen?.detection.mode).toBe(ClientIpDetectionMode.HOP_COUNT);
      }
    });

  test('without a lock, a hop count and a custom header are spoofable from every public load balancer; trusted CIDRs only where the gateway\'s peer is a node or entries carry ports', () => {
    const unsound: Record<string, string[]> = {};
    for (const { cdn, lb, name } of MATRIX) {
      for (const result of compareClientIpDetectionOn(EdgeChain.of(cdn.hop, lb.hop), optionsFor(cdn.given))) {
        if (result.detection.mode !== ClientIpDetectionMode.TRUSTED_CIDRS) {
          // A public load balancer is reachable directly, and nothing at the gateway tells a forged header from a real one;
          // an internal one is no entry point (the attacker model's verdict).
          const entry = lb.hop.publiclyReachable && lb.hop.lockedDown === undefined ? [lb.hop.name] : [];
          expect({ name, mode: result.detection.mode, spoofableAt: result.spoofableAt }).toEqual({ name, mode: result.detection.mode, spoofableAt: entry });
        } else if (!result.sound) {
          (unsound[lb.hop.name] ??= []).push(cdn.hop.name);
          expect(result.spoofableAt).toEqual([]); // never spoofable: it fails by trusting a proxy, not a forged value
        }
      }
    }
    // Classic ELB TCP: the node SNATs (externalTrafficPolicy Cluster), so the gateway's peer is a node nobody listed;
    // Application Gateway: ip:port entries, which Envoy cannot parse.
    expect(unsound).toEqual({
      'AWS Classic ELB (TCP)': ['Cloudflare (proxied)', 'Amazon CloudFront', 'Azure Front Door'],
      'Azure Application Gateway': ['Cloudflare (proxied)', 'Amazon CloudFront', 'Azure Front Door'],
    });
  });

  test('behind an Application Gateway that writes ip:port, trusted CIDRs fail, and the hop count and the header need the gateway locked', () => {
    const appGateway = LOAD_BALANCERS.find(({ hop }) => hop.writesPortInXff)?.hop as EdgeHop;
    const chain = EdgeChain.of(EdgeHop.azureFrontDoor(), appGateway);
    const open = recommendClientIpDetection(chain, optionsFor(CDNS[2].given));
    expect(open.chosen).toBeUndefined();
    expect(open.loadBalancerSourceRanges).toBeUndefined(); // a ClusterIP Service: no loadBalancerSourceRanges
    const locked = recommendClientIpDetection(chain, optionsFor(CDNS[2].given, [1]));
    expect(locked.comparisons.map((c) => [c.detection.mode, c.sound])).toEqual([['hop-count', true], ['trusted-cidrs', false], ['custom-header', true]]);
    // The port sits on the Application Gateway's own entry, which the hop count 2 skips; the CIDR walk must parse it, and gives up.
    expect(locked.comparisons[1].normal.trustedAddress).toBe('192.0.2.2');
  });
});

describe('loadBalancerSourceRanges as a lock', () => {
  const chain = EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }));

  test('Cloudflare\'s ranges on the NLB close the bypass, so the hop count Istio runs is sound', () => {
    const open = compareClientIpDetectionOn(chain)[0];
    expect(open.spoofableAt).toEqual(['AWS NLB (ip targets, PROXY v2)']);
    const locked = compareClientIpDetectionOn(chain, { loadBalancerSourceRanges: ProviderRanges.cloudflare().blocks })[0];
    expect(locked.forged.map((o) => o.entry)).toEqual(['Cloudflare (proxied)']);
    expect(locked.sound).toBe(true);
    expect(sourceRangesLock(chain, ProviderRanges.cloudflare().blocks)).toBe(true);
  });

  test('ranges wider than the hop in front, or a load balancer that ignores them, lock nothing', () => {
    expect(sourceRangesLock(chain, [...ProviderRanges.cloudflare().blocks, IpBlock.of('0.0.0.0/0')])).toBe(false);
    expect(sourceRangesLock(chain, [])).toBe(false);
    expect(sourceRangesLock(EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.hetzner({ proxyProtocol: true })), ProviderRanges.cloudflare().blocks)).toBe(false);
    expect(sourceRangesLock(EdgeChain.of(EdgeHop.metalLb()), ProviderRanges.cloudflare().blocks)).toBe(false);
  });
});

describe('clientIpPlan', () => {
  test('places Cloudflare inside its published ranges and trusts them, and reads CF-Connecting-IP', () => {
    const plan = clientIpPlan(EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.gkeExternalPassthrough()));
    expect(plan.path.hops.map((h) => h.address)).toEqual(['173.245.48.1', undefined]);
    expect(plan.trustedCidrs).toEqual(ProviderRanges.cloudflare().blocks.map(String));
    expect(plan.headers).toEqual({ 0: 'cf-connecting-ip' });
    expect(plan.detections.map((d) => d.mode)).toEqual(['hop-count', 'trusted-cidrs', 'custom-header']);
    expect(plan.hopsWithoutRanges).toEqual([]); // the passthrough NLB's own address never reaches the gateway
  });

  test('trusts the Google Front End ranges behind a Google Cloud Application LB, but places it at the address you give (its forwarding rule, which it writes into X-Forwarded-For)', () => {
    const chain = EdgeChain.of(EdgeHop.cloudflare(), EdgeHop.googleCloudApplicationLoadBalancer());
    const withoutFrontend = recommendClientIpDetection(chain);
    const cidrs = withoutFrontend.comparisons.find((c) => c.detection.mode === ClientIpDetectionMode.TRUSTED_CIDRS);
    expect(cidrs?.normal.trustedAddress).toBe('192.0.2.2'); // the load balancer's own entry, not trusted
    const frontend = ProviderRanges.custom('GCLB forwarding rule', [IpBlock.of('203.0.113.10')]);
    const plan = clientIpPlan(chain, { rangesByHop: { 1: frontend } });
    expect(plan.trustedCidrs.slice(-3)).toEqual(['130.211.0.0/22', '35.191.0.0/16', '203.0.113.10/32']);
    expect(recommendClientIpDetection(chain, { rangesByHop: { 1: frontend } }).chosen?.detection.mode).toBe(ClientIpDetectionMode.TRUSTED_CIDRS);
  });

  test('a CDN whose list is not shipped gets no trusted-CIDRs detection until you give its ranges', () => {
    const plan = clientIpPlan(EdgeChain.of(EdgeHop.cloudFront(), EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true })));
    expect(plan.detections.map((d) => d.mode)).toEqual(['hop-count']);
    expect(plan.hopsWithoutRanges).toEqual(['Amazon CloudFront']);
  });

  test('places a hop at the first host of the ranges you give, IPv6 too, and at the address itself for a single address', () => {
    const chain = EdgeChain.of(EdgeHop.cloudFront(), EdgeHop.awsAlb());
    const plan = clientIpPlan(chain, {
      rangesByHop: { 0: ProviderRanges.custom('v6 only', [IpBlock.of('2001:db8:1:2:3:4:5:0/112')]), 1: ProviderRanges.custom('one', [IpBlock.of('192.0.2.9')]) },
    });
    expect(plan.path.hops.map((h) => h.address)).toEqual(['2001:db8:1:2:3:4:5:1', '192.0.2.9']);
  });

  test('fails if the chain is not an EdgeChain or rangesByHop names a hop that is not there', () => {
    expect(validationErrorOf(() => clientIpPlan({} as EdgeChain)).message).toMatch(/'chain' must be an EdgeChain/);
    expect(validationErrorOf(() => clientIpPlan(EdgeChain.of(EdgeHop.metalLb()), { rangesByHop: { 3: LB_ADDRESSES } })).message)
      .toMatch(/'rangesByHop\[3\]' must be ProviderRanges for a hop index below 1/);
  });
});

describe('renderClientIpDetectionTable', () => {
  test('the README table is the one the simulator renders', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(/<!-- detection-table:start -->\n([\s\S]*?)<!-- detection-table:end -->/.exec(readme)?.[1]).toBe(renderClientIpDetectionTable());
  });

  test('every path of the table: only trusted CIDRs are sound while the load balancer is open, and every mode once it is locked', () => {
    const rows = renderClientIpDetectionTable().split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Path'));
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      const sound = row.endsWith('| yes |');
      expect({ row, sound }).toEqual({ row, sound: row.includes('trusted CIDRs') || row.includes('loadBalancerSourceRanges') });
    }
  });
});
