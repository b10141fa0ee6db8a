/**
 * The client-IP detection report of a cdk8s app: for every ingress gateway with a described edge,
 * how a hop count, trusted CIDRs and the front hop's header fare for the normal request and for a
 * forged one at every entry point, which one to run, and what to lock.
 *
 * Writes a file, like `source-ip-report.ts`; cdk8s and constructs types are imported as types only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from 'cdk8s';
import type { IIngressGateway } from '../gateway/gateway';
import type { EdgeChain } from '../edge/edge-chain';
import type { ProviderRanges } from '../edge/provider-ranges';
import { ClientIpRecommendation, clientIpPlan, recommendClientIpDetection, sourceRangesLock } from '../edge/client-ip-plan';
import { failIfAny, isPlainObject, mustBe, requireObject } from '../private/problems';
import { ClientIpDetectionMode, describeDetection, DetectionComparison, DetectionOutcome } from './client-ip-detection';
import { ingressGatewaysIn } from './source-ip-report';

/** Options for `writeClientIpDetectionReport`. */
export interface ClientIpDetectionReportOptions {
  /**
   * Ranges for hops whose provider's list is not shipped, or a load balancer's own addresses, by
   * gateway construct path and hop index (see `ClientIpPlanOptions.rangesByHop`).
   *
   * @default - the shipped snapshots only
   */
  readonly rangesByHop?: Readonly<Record<string, Readonly<Record<number, ProviderRanges>>>>;

  /**
   * Hops clients cannot reach directly (a Cloud Armor policy, a security group), by gateway
   * construct path. The gateway's own `loadBalancerSourceRanges` are read from the gateway.
   *
   * @default - none
   */
  readonly lockedHops?: Readonly<Record<string, readonly number[]>>;

  /**
   * The report's file name.
   *
   * @default 'client-ip-detection.md'
   */
  readonly fileName?: string;

  /**
   * The subfolder of the app's output directory the report goes to.
   *
   * @default 'report'
   */
  readonly directory?: string;
}

/** One gateway's part of the report. */
export interface ClientIpDetectionReportEntry {
  /** The gateway's construct path. */
  readonly name: string;
  /** The gateway's edge. */
  readonly edge: EdgeChain;
  /** The comparison and the choice. */
  readonly recommendation: ClientIpRecommendation;
  /** Whether the gateway's `loadBalancerSourceRanges` lock its load balancer. */
  readonly lockedBySourceRanges: boolean;
  /** Hops without known ranges. */
  readonly hopsWithoutRanges: readonly string[];
}

/**
 * Compares the client-IP detections of every ingress gateway with a described edge.
 *
 * @throws SourceIpValidationError when an option names a construct path that is no gateway with an edge
 */
export function compareIngressGatewayDetections(app: App, options: ClientIpDetectionReportOptions = {}): ClientIpDetectionReportEntry[] {
  requireObject('compareIngressGatewayDetections', 'options', options, 'pass { rangesByHop, lockedHops }, or nothing');
  failIfAny('compareIngressGatewayDetections', [
    options.rangesByHop === undefined || isPlainObject(options.rangesByHop) ? undefined : mustBe('rangesByHop', 'a map keyed by gateway construct path', options.rangesByHop, 'write { "app/gateway": { 0: ranges } }'),
    options.lockedHops === undefined || isPlainObject(options.lockedHops) ? undefined : mustBe('lockedHops', 'a map keyed by gateway construct path', options.lockedHops, 'write { "app/gateway": [1] }'),
    app !== null && typeof app === 'object' && typeof (app as { node?: unknown }).node === 'object' ? undefined : mustBe('app', 'a cdk8s App', app, 'pass the App after app.synth()'),
  ]);
  const gateways = ingressGatewaysIn(app).filter((g): g is IIngressGateway & { readonly edge: EdgeChain } => g.edge !== undefined);
  const known = new Set(gateways.map((g) => g.node.path));
  failIfAny('compareIngressGatewayDetections', [...Object.keys(options.rangesByHop ?? {}), ...Object.keys(options.lockedHops ?? {})]
    .filter((key) => !known.has(key))
    .map((key) => mustBe(`rangesByHop/lockedHops[${JSON.stringify(key)}]`, 'keyed by the construct path of a gateway with an edge', key,
      known.size === 0 ? 'describe the gateway\'s edge, or remove the entry' : `use one of ${[...known].map((p) => JSON.stringify(p)).join(', ')}`)));
  return gateways.map((gateway) => {
    const edge = gateway.edge;
    const chainOptions = {
      ...(options.rangesByHop?.[gateway.node.path] === undefined ? {} : { rangesByHop: options.rangesByHop[gateway.node.path] }),
      ...(options.lockedHops?.[gateway.node.path] === undefined ? {} : { lockedHops: options.lockedHops[gateway.node.path] }),
      ...(gateway.loadBalancerSourceRanges === undefined ? {} : { loadBalancerSourceRanges: gateway.loadBalancerSourceRanges }),
    };
    return {
      name: gateway.node.path,
      edge,
      recommendation: recommendClientIpDetection(edge, chainOptions),
      lockedBySourceRanges: sourceRangesLock(edge, gateway.loadBalancerSourceRanges, chainOptions.rangesByHop),
      hopsWithoutRanges: clientIpPlan(edge, chainOptions).hopsWithoutRanges,
    };
  });
}

/** The report's Markdown. */
export function renderClientIpDetectionReport(entries: readonly ClientIpDetectionReportEntry[]): string {
  const lines = [
    '# Client-IP detection',
    '',
    'For every gateway with a described edge: how counting hops, trusting addresses (trusted CIDRs) and reading the front hop\'s header',
    'fare with Envoy\'s rules, for a normal request and for a client that forges `X-Forwarded-For` and the header at every entry point.',
    'Only the hop count runs on an Istio 1.30 gateway; trusted CIDRs and custom headers need Envoy\'s detection extensions, which Istio',
    'cannot configure on a gateway (see the README, "Trust addresses, not positions").',
    '',
  ];
  if (entries.length === 0) {
    lines.push('No gateway has a described edge.', '');
  }
  for (const entry of entries) {
    const rec = entry.recommendation;
    const hops = entry.edge.hops;
    lines.push(`## ${entry.name}`, '', `Edge: ${entry.edge.toString()}.`, '');
    lines.push(`| Detection | Istio 1.30 gateway | Normal request | ${hops.map((h) => `Forged at ${cell(h.name)}`).join(' | ')} | Sound |`);
    lines.push(`|---|---|---|${hops.map(() => '---|').join('')}---|`);
    for (const result of rec.comparisons) {
      lines.push(`| ${describeDetection(result.detection)} | ${result.istio.supported ? 'yes' : 'no'} | ${outcomeCell(result.normal, result)} | `
        + `${hops.map((_, k) => forgedCell(result, k)).join(' | ')} | ${result.sound ? 'yes' : 'no'} |`);
    }
    lines.push('');
    if (entry.lockedBySourceRanges) {
      lines.push(`The gateway's \`loadBalancerSourceRanges\` admit only the ranges of ${cell(hops[hops.length - 2].name)}: ${cell(hops[hops.length - 1].name)} is no entry point.`, '');
    }
    lines.push(`Choice: ${choiceText(rec)}`, '');
    if (entry.hopsWithoutRanges.length > 0) {
      lines.push(`Hops without known ranges (trusted CIDRs cannot name them; pass \`rangesByHop\`): ${entry.hopsWithoutRanges.join(', ')}.`, '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * Writes the client-IP detection report into a subfolder of the app's output directory
 * (`report/client-ip-detection.md` by default) and returns the file's path. Call it after
 * `app.synth()`.
 *
 * @throws SourceIpValidationError when `fileName` or `directory` is not a plain name, or as `compareIngressGatewayDetections` does
 */
export function writeClientIpDetectionReport(app: App, options: ClientIpDetectionReportOptions = {}): string {
  requireObject('writeClientIpDetectionReport', 'options', options, 'pass { fileName, directory, ... }, or nothing');
  const fileName = options.fileName ?? 'client-ip-detection.md';
  const directory = options.directory ?? 'report';
  const plain = (name: unknown) => typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[\\/\0]/.test(name)
    && Buffer.byteLength(name) <= 255;
  failIfAny('writeClientIpDetectionReport', [
    plain(fileName) ? undefined : mustBe('fileName', 'a plain file name without directories, of at most 255 bytes', fileName, 'pass a name such as "client-ip-detection.md"'),
    plain(directory) ? undefined : mustBe('directory', 'a plain folder name (a subfolder of the output directory)', directory, 'pass a name such as "report"'),
  ]);
  const report = renderClientIpDetectionReport(compareIngressGatewayDetections(app, options));
  fs.mkdirSync(path.join(app.outdir, directory), { recursive: true });
  const file = path.join(app.outdir, directory, fileName);
  fs.writeFileSync(file, report);
  return file;
}

function choiceText(rec: ClientIpRecommendation): string {
  const chosen = rec.chosen;
  if (chosen === undefined) {
    return 'nothing is sound on this path: lock the hops behind the front door (a firewall, a security group, Cloud Armor), then compare again.';
  }
  const what = describeDetection(chosen.detection);
  if (chosen.detection.mode === ClientIpDetectionMode.HOP_COUNT) {
    return rec.needsLock
      ? `${what}, with \`loadBalancerSourceRanges\` set to the ${rec.loadBalancerSourceRanges?.length} ranges of the hop in front (e.g. \`ProviderRanges.cloudflare().blocks\`), `
        + 'which closes the bypass without any EnvoyFilter.'
      : `${what}: sound as configured.`;
  }
  return `${what} would be sound, but an Istio 1.30 gateway cannot run it; with Istio, keep the hop count and lock every hop behind the front door.`;
}

function forgedCell(result: DetectionComparison, hopIndex: number): string {
  const outcome = result.forged.find((o) => o.hopIndex === hopIndex);
  return outcome === undefined ? 'locked' : outcomeCell(outcome, result);
}

function outcomeCell(outcome: DetectionOutcome, result: DetectionComparison): string {
  if (outcome.trustedAddress === null) {
    return 'refused';
  }
  if (outcome.trustedAddress === result.forgedAddress) {
    return `**${outcome.trustedAddress} (forged)**`;
  }
  return outcome.trustedAddress === result.client ? `${outcome.trustedAddress} (the client)` : `${outcome.trustedAddress} (a proxy)`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
