// Dated snapshots of the address ranges CDNs and load balancers connect to origins from, as their
// providers publish them. Facts only (CIDRs, URLs, dates). Refresh by reading each source URL and
// replacing the list, its date and its note; `test/provider-ranges.test.ts` checks every entry parses.
//
// This build is offline: no list was fetched from its URL. Each list below was read from stored
// public copies of the provider's list (the dates say which), and the copies were compared.

/** One provider's published ranges at one date. */
export interface ProviderRangesSnapshot {
  /** Who publishes the list, e.g. `Cloudflare`. */
  readonly provider: string;
  /** What the ranges are: where the provider's connections to origins come from. */
  readonly description: string;
  /** The published list's address. */
  readonly source: string;
  /** When the list was read (YYYY-MM-DD), and how. */
  readonly retrieved: string;
  /** The ranges, as published (IPv4 first). */
  readonly cidrs: readonly string[];
}

/** Cloudflare's edge ranges, which proxied requests reach origins from. */
export const CLOUDFLARE: ProviderRangesSnapshot = {
  provider: 'Cloudflare',
  description: 'the addresses Cloudflare\'s edge connects to origins from (proxied DNS records)',
  source: 'https://www.cloudflare.com/ips-v4 and https://www.cloudflare.com/ips-v6',
  retrieved: '2026-12-01, from stored public copies of both lists (the newest copied on 2026-09-13); all copies agree',
  cidrs: [
    '173.245.48.0/20', '103.21.244.0/22', '103.22.200.0/22', '103.31.4.0/22', '141.101.64.0/18', '108.162.192.0/18',
    '190.93.240.0/20', '188.114.96.0/20', '197.234.240.0/22', '198.41.128.0/17', '162.158.0.0/15', '104.16.0.0/13',
    '104.24.0.0/14', '172.64.0.0/13', '131.0.72.0/22',
    '2400:cb00::/32', '2606:4700::/32', '2803:f800::/32', '2405:b500::/32', '2405:8100::/32', '2a06:98c0::/29', '2c0f:f248::/32',
  ],
};

/**
 * The Google Front End ranges a Google Cloud Application Load Balancer (and its health checks)
 * connects to backends from.
 */
export const GOOGLE_FRONT_END: ProviderRangesSnapshot = {
  provider: 'Google Front End',
  description: 'the addresses a Google Cloud Application Load Balancer connects to backends from',
  source: 'https://cloud.google.com/load-balancing/docs/https#firewall-rules',
  retrieved: '2026-12-01, from the documentation page (prose, no list to fetch) as research/peers.md quotes it; other load balancer types may use more ranges, see the page',
  cidrs: ['130.211.0.0/22', '35.191.0.0/16'],
};

/**
 * Fastly's edge ranges. Stored copies disagree: older ones list more IPv4 ranges (up to 19), a copy
 * dated 2026-04 lists 16; these are the 16 of that copy and the 2 IPv6 ranges every copy lists.
 */
export const FASTLY: ProviderRangesSnapshot = {
  provider: 'Fastly',
  description: 'the addresses Fastly\'s edge connects to origins from',
  source: 'https://api.fastly.com/public-ip-list',
  retrieved: '2026-12-01, from a stored public copy dated 2026-04 (copies disagree; check the live list before use)',
  cidrs: [
    '23.235.32.0/20', '43.249.72.0/22', '103.244.50.0/24', '103.245.222.0/23', '103.245.224.0/24', '104.156.80.0/20',
    '140.248.64.0/18', '140.248.128.0/17', '146.75.0.0/17', '151.101.0.0/16', '157.52.64.0/18', '167.82.0.0/17',
    '172.111.64.0/18', '185.31.16.0/22', '199.27.72.0/21', '199.232.0.0/16',
    '2a04:4e40::/32', '2a04:4e42::/32',
  ],
};

/** A provider whose list this library does not ship, and where to get it. */
export interface UnpublishedRanges {
  /** Who publishes the list. */
  readonly provider: string;
  /** Where the list is. */
  readonly source: string;
  /** Why no snapshot is shipped, and what to do instead. */
  readonly note: string;
}

/** Lists that are published but not shipped here. */
export const NOT_SHIPPED: readonly UnpublishedRanges[] = [
  {
    provider: 'Amazon CloudFront',
    source: 'https://ip-ranges.amazonaws.com/ip-ranges.json (service CLOUDFRONT_ORIGIN_FACING), or the managed prefix list com.amazonaws.global.cloudfront.origin-facing',
    note: 'no stored copy of the origin-facing list could be read in this offline build (copies of the larger CLOUDFRONT list are not the origin-facing one); '
      + 'pass the list yourself with ProviderRanges.custom, or lock the load balancer to the managed prefix list',
  },
  {
    provider: 'Azure Front Door',
    source: 'the service tag AzureFrontDoor.Backend in https://www.microsoft.com/download/details.aspx?id=56519 (a weekly JSON file)',
    note: 'the list is only in the weekly service-tag file, of which no stored copy could be read; use the service tag in the network security group '
      + '(service.beta.kubernetes.io/azure-allowed-service-tags) or pass the ranges with ProviderRanges.custom',
  },
];
