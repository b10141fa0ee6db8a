import { IpBlock } from '../ip-block';
import { failIfAny, listProblem, mustBe, Problem, show } from '../private/problems';
import { CLOUDFLARE, FASTLY, GOOGLE_FRONT_END, NOT_SHIPPED, ProviderRangesSnapshot, UnpublishedRanges } from './data/provider-ranges';

/**
 * The address ranges a CDN or load balancer connects to the next hop from: a dated snapshot of
 * what the provider publishes, or ranges you pass yourself.
 *
 * Used twice: as trusted CIDRs (`ClientIpDetection.trustedCidrs`), so the gateway walks
 * `X-Forwarded-For` past these proxies, and as `loadBalancerSourceRanges`, so only these proxies
 * reach the load balancer in front of the gateway. Snapshots age: each carries its source and the
 * date it was read; refresh them before relying on them.
 *
 * Not shipped (no stored copy could be read offline): Amazon CloudFront's origin-facing ranges and
 * Azure Front Door's `AzureFrontDoor.Backend` ranges; see `ProviderRanges.notShipped()` and pass
 * them with `ProviderRanges.custom`.
 *
 * @see https://www.cloudflare.com/ips/
 */
export class ProviderRanges {
  /**
   * Cloudflare's edge ranges (15 IPv4, 7 IPv6), which proxied requests reach the origin from.
   *
   * @see https://www.cloudflare.com/ips/
   */
  public static cloudflare(): ProviderRanges {
    return ProviderRanges.fromSnapshot(CLOUDFLARE);
  }

  /**
   * The Google Front End ranges (`130.211.0.0/22`, `35.191.0.0/16`) a Google Cloud Application
   * Load Balancer connects to backends from.
   *
   * @see https://cloud.google.com/load-balancing/docs/https#firewall-rules
   */
  public static googleFrontEnd(): ProviderRanges {
    return ProviderRanges.fromSnapshot(GOOGLE_FRONT_END);
  }

  /**
   * Fastly's edge ranges. Stored copies of the list disagree; this is the newest one read (see `retrieved`).
   *
   * @see https://api.fastly.com/public-ip-list
   */
  public static fastly(): ProviderRanges {
    return ProviderRanges.fromSnapshot(FASTLY);
  }

  /**
   * Ranges you name yourself: a provider whose list is not shipped (CloudFront origin-facing,
   * `AzureFrontDoor.Backend`), your load balancer's subnet, or a fresher copy of a shipped list.
   *
   * @param provider who connects from these ranges, for reports, e.g. `Amazon CloudFront`
   * @param blocks the ranges
   * @param source where they come from, for reports
   * @throws SourceIpValidationError on an empty name, an empty list or anything but IpBlocks
   */
  public static custom(provider: string, blocks: readonly IpBlock[], source?: string): ProviderRanges {
    const problems: Problem[] = [
      typeof provider === 'string' && provider.trim() !== '' ? undefined : mustBe('provider', 'a non-empty name', provider, 'name who connects from the ranges, e.g. "Amazon CloudFront"'),
      blocks === undefined ? mustBe('blocks', 'a list of IpBlock', blocks, 'write IpBlock.ofAll(["192.0.2.0/24"])') : listProblem('blocks', blocks, 'write IpBlock.ofAll(["192.0.2.0/24"])'),
      Array.isArray(blocks) && blocks.length === 0 ? mustBe('blocks', 'at least one range', blocks, 'list the ranges, e.g. IpBlock.ofAll(["192.0.2.0/24"])') : undefined,
      ...(Array.isArray(blocks) ? blocks : []).map((block, i) => (block instanceof IpBlock ? undefined
        : mustBe(`blocks[${i}]`, 'an IpBlock', block, `write IpBlock.of(${show(String(block))})`))),
      source === undefined || (typeof source === 'string' && source.trim() !== '') ? undefined : mustBe('source', 'a non-empty text', source, 'say where the ranges come from, or leave it out'),
    ];
    failIfAny('ProviderRanges.custom', problems);
    return new ProviderRanges(provider, [...blocks], source ?? 'given by the user', 'given by the user');
  }

  /** Published lists this library does not ship, with where to get each. */
  public static notShipped(): readonly UnpublishedRanges[] {
    return NOT_SHIPPED.map((entry) => ({ ...entry }));
  }

  private static fromSnapshot(snapshot: ProviderRangesSnapshot): ProviderRanges {
    return new ProviderRanges(snapshot.provider, IpBlock.ofAll(snapshot.cidrs), snapshot.source, snapshot.retrieved);
  }

  /** Who connects from these ranges. */
  public readonly provider: string;
  /** The ranges. */
  public readonly blocks: readonly IpBlock[];
  /** Where the list comes from. */
  public readonly source: string;
  /** When the list was read, and how (or `given by the user`). */
  public readonly retrieved: string;

  private constructor(provider: string, blocks: readonly IpBlock[], source: string, retrieved: string) {
    this.provider = provider;
    this.blocks = blocks;
    this.source = source;
    this.retrieved = retrieved;
  }

  /** Whether `block` lies entirely inside one of these ranges. */
  public covers(block: IpBlock): boolean {
    failIfAny('ProviderRanges.covers', [block instanceof IpBlock ? undefined : mustBe('block', 'an IpBlock', block, 'write IpBlock.of("192.0.2.1")')]);
    return this.blocks.some((range) => range.contains(block));
  }

  /** The provider and the number of ranges, e.g. `Cloudflare (22 ranges)`. */
  public toString(): string {
    return `${this.provider} (${this.blocks.length} ${this.blocks.length === 1 ? 'range' : 'ranges'})`;
  }
}

/** The README's table of shipped snapshots and of published lists not shipped, rendered from the data. */
export function renderProviderRangesTable(): string {
  const shipped = [
    ['ProviderRanges.cloudflare()', ProviderRanges.cloudflare()],
    ['ProviderRanges.googleFrontEnd()', ProviderRanges.googleFrontEnd()],
    ['ProviderRanges.fastly()', ProviderRanges.fastly()],
  ] as const;
  const rows = shipped.map(([call, ranges]) => {
    const v4 = ranges.blocks.filter((b) => b.family === 4).length;
    return `| \`${call}\` | ${ranges.provider} | ${v4} IPv4, ${ranges.blocks.length - v4} IPv6 | ${ranges.source} | ${ranges.retrieved} |`;
  });
  const missing = ProviderRanges.notShipped().map((entry) => `| not shipped | ${entry.provider} | — | ${entry.source} | ${entry.note} |`);
  return `| Call | Provider | Ranges | Source | Read |\n|---|---|---|---|---|\n${[...rows, ...missing].join('\n')}\n`;
}
