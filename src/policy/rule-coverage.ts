/**
 * What the IP rules of an AuthorizationPolicy can match: rules that match no request, policies
 * that match every client, ranges that never meet the addresses a proxy compares them with.
 *
 * Pure: CIDRs in (canonical texts, or already parsed blocks: each address is parsed once), problems
 * and warnings out. The model is Envoy's RBAC `source_ip` /
 * `direct_remote_ip` and `remote_ip` principals as Istio builds them from `ipBlocks`,
 * `remoteIpBlocks` and their `not*` forms: within one `from.source` every field must match (ANDed);
 * a field matches when the address is in one of its ranges (`not*`: in none of them); a range
 * matches only addresses of its own family (`CidrRange::isInRange` compares IP versions).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/rbac/v3/rbac.proto
 */
import { AddressSet, Cidr, prefixOfCidr } from '../private/address-set';
import { IpPrefix, parseIpPrefix, prefixContainsPrefix } from '../private/ip';
import { BLOCK_FIELDS } from '../private/policy-split';

/** The four IP fields of one rule's `from.source`, as CIDRs (canonical texts, or parsed blocks). */
export interface RuleIpFields {
  readonly ipBlocks?: readonly Cidr[];
  readonly remoteIpBlocks?: readonly Cidr[];
  readonly notIpBlocks?: readonly Cidr[];
  readonly notRemoteIpBlocks?: readonly Cidr[];
}

/** A warning the coverage analysis raises, with a stable id from the warning catalog. */
export interface CoverageWarning {
  readonly id: 'ip-block-ipv4-mapped' | 'policy-matches-everyone' | 'ip-blocks-on-sidecar';
  readonly message: string;
  /** The block or rule the warning is about, when there can be several. */
  readonly subject?: string;
}

/** The two addresses a rule can look at: the TCP peer (`ipBlocks`) and the trusted client (`remoteIpBlocks`). */
const AXES = [
  { name: 'peer', blocks: 'ipBlocks', not: 'notIpBlocks' },
  { name: 'client', blocks: 'remoteIpBlocks', not: 'notRemoteIpBlocks' },
] as const;

/** IPv4-mapped IPv6 addresses: `::ffff:0:0/96`. */
const IPV4_MAPPED_PREFIX = (parseIpPrefix('::ffff:0:0/96') as { readonly value: IpPrefix }).value;

/** Whether the block lies inside `::ffff:0:0/96` (no address of it is an IPv4 client). */
function isIpv4Mapped(prefix: IpPrefix): boolean {
  return prefixContainsPrefix(IPV4_MAPPED_PREFIX, prefix);
}

/**
 * Where a pod, a node or the mesh itself can connect from: private (RFC 1918, IPv6 unique local),
 * shared (CGNAT, RFC 6598), link-local and loopback space. A range with no address in here can
 * only be an external client.
 */
const INTERNAL_PREFIXES = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8',
  'fc00::/7', 'fe80::/10', '::1/128',
].map((cidr) => (parseIpPrefix(cidr) as { readonly value: IpPrefix }).value);

/**
 * Whether the prefix shares an address with the internal space. Two prefixes share an address
 * exactly when one contains the other, so no set is built.
 */
function overlapsInternalSpace(prefix: IpPrefix): boolean {
  for (let i = 0; i < INTERNAL_PREFIXES.length; i++) {
    const internal = INTERNAL_PREFIXES[i];
    if (prefixContainsPrefix(internal, prefix) || prefixContainsPrefix(prefix, internal)) {
      return true;
    }
  }
  return false;
}

/** The addresses one axis of a rule matches: its ranges (or every address) minus its `not*` ranges. */
function axisSet(rule: RuleIpFields, axis: (typeof AXES)[number]): AddressSet {
  const listed = rule[axis.blocks];
  const base = listed === undefined ? AddressSet.ALL : AddressSet.ofCidrs(listed);
  const excluded = rule[axis.not];
  return excluded === undefined ? base : base.minus(AddressSet.ofCidrs(excluded));
}

/**
 * Whether the axis matches no address. Without a `not*` list it matches every address or its
 * (non-empty) list, so nothing needs computing.
 */
function axisIsEmpty(rule: RuleIpFields, axis: (typeof AXES)[number]): boolean {
  const listed = rule[axis.blocks];
  if (rule[axis.not] === undefined && (listed === undefined || listed.some((block) => prefixOfCidr(block) !== undefined))) {
    return false;
  }
  return axisSet(rule, axis).isEmpty;
}

/**
 * Why `rule` can never match any request, or `undefined`. Every reason is certain: the rule's
 * own fields leave no address, so no request, whatever its addresses, is matched.
 */
export function whyRuleNeverMatches(rule: RuleIpFields): string | undefined {
  for (const axis of AXES) {
    if (!axisIsEmpty(rule, axis)) {
      continue;
    }
    const listed = rule[axis.blocks];
    const excluded = rule[axis.not] ?? [];
    if (listed === undefined) {
      return `${axis.not} ${excluded.join(', ')} exclude${excluded.length === 1 ? 's' : ''} every IPv4 and IPv6 address, so no ${axis.name} address is left`;
    }
    const excludedSet = AddressSet.ofCidrs(excluded);
    // One example for the message, in linear time: a range listed in both, or the first listed
    // range and a range that excludes it.
    const excludedTexts = new Set(excluded.map(String));
    const same = listed.find((block) => excludedTexts.has(String(block)));
    const first = listed[0];
    const cover = first === undefined ? undefined : excluded.find((not) => AddressSet.ofCidrs([not]).covers(AddressSet.ofCidrs([first])));
    const example = same !== undefined ? ` (${same} is in both)` : cover !== undefined ? ` (${first} lies inside ${cover})` : '';
    return excludedSet.covers(AddressSet.ofCidrs(listed))
      ? `every range in ${axis.blocks} is also excluded by ${axis.not}${example}, so no ${axis.name} address is left`
      : `${axis.blocks} and ${axis.not} leave no ${axis.name} address`;
  }
  return undefined;
}

/** The `ip-block-ipv4-mapped` warnings for the blocks of one rule. */
export function ipv4MappedWarnings(rule: RuleIpFields, prefix: string): CoverageWarning[] {
  const out: CoverageWarning[] = [];
  for (let f = 0; f < BLOCK_FIELDS.length; f++) {
    const field = BLOCK_FIELDS[f];
    const blocks = rule[field];
    for (let i = 0; blocks !== undefined && i < blocks.length; i++) {
      const block = blocks[i];
      const parsed = prefixOfCidr(block);
      if (parsed === undefined || !isIpv4Mapped(parsed)) {
        continue;
      }
      const v4 = ipv4Of(parsed);
      out.push({
        id: 'ip-block-ipv4-mapped',
        subject: `${prefix}${field} ${block}`,
        message: `${prefix}${field} entry ${block} is an IPv4-mapped IPv6 range: Envoy compares address families, and proxies and sockets give IPv4 `
          + `clients as IPv4 addresses, so it never matches an IPv4 client${field.startsWith('not') ? ' (and excludes none)' : ''}. `
          + `Fix: write the IPv4 range${v4 === undefined ? '' : ` ${v4}`}`,
      });
    }
  }
  return out;
}

/** `::ffff:1.2.3.0/120` → `1.2.3.0/24` (for a prefix inside `::ffff:0:0/96`). */
function ipv4Of(prefix: IpPrefix): string {
  return `${prefix.address.bytes.slice(12).join('.')}/${prefix.bits - 96}`;
}

/**
 * The `policy-matches-everyone` warning when the rules together match every IPv4 client or every
 * IPv6 client (a client is a pair of addresses: the TCP peer and the trusted address), or
 * `undefined`.
 */
export function matchesEveryoneWarning(action: 'ALLOW' | 'DENY', rules: readonly RuleIpFields[]): CoverageWarning | undefined {
  const families = [['IPv4', AddressSet.ALL_IPV4, 4], ['IPv6', AddressSet.ALL_IPV6, 6]] as const;
  // A DENY rule written for one family ("deny everyone not in 10.0.0.0/8") also denies every
  // client of the other family; that follows from what was written and fails closed, so a DENY
  // is only reported for a family its own ranges name.
  const named = action === 'ALLOW' ? undefined
    : AddressSet.ofCidrs(rules.flatMap((rule) => [...rule.ipBlocks ?? [], ...rule.remoteIpBlocks ?? [], ...rule.notIpBlocks ?? [], ...rule.notRemoteIpBlocks ?? []]));
  const covered = families
    .filter(([, family]) => named === undefined || named.overlaps(family))
    .filter(([, family, version]) => mayCoverFamily(rules, version) && coversFamily(rules, family)).map(([name]) => name);
  if (covered.length === 0) {
    return undefined;
  }
  const who = covered.length === 2 ? 'every client' : `every ${covered[0]} client`;
  const message = action === 'ALLOW'
    ? `this ALLOW policy matches ${who}: it allows everyone${covered.length === 2 ? '' : ` who connects over ${covered[0]}`}, an allow-all that does not say so. `
      + 'Fix: list only the ranges to allow, or use IpAccessPolicy.allowAll(...) to allow everyone by name'
    : `this DENY policy matches ${who}: it denies everyone${covered.length === 2 ? '' : ` who connects over ${covered[0]}`}, a deny-all that does not say so. `
      + 'Fix: list only the ranges to deny, or use IpAccessPolicy.denyAll(...) to deny everyone by name';
  return { id: 'policy-matches-everyone', message };
}

/** The most rules that constrain both addresses for which the exact coverage check runs (it is exponential in them). */
const MAX_TWO_AXIS_RULES = 8;

/**
 * A necessary condition for `coversFamily`, from the blocks' sizes alone (no set is built): every
 * address of the family must be matched on each axis by some rule (a rule covering (p, c) matches
 * p on the peer axis), so on each axis the rules together must list at least as many addresses of
 * the family as it has (a rule without a list on the axis counts as all of them). Sizes are
 * summed without removing overlaps, so `false` is certain and `true` means "maybe".
 */
function mayCoverFamily(rules: readonly RuleIpFields[], version: 4 | 6): boolean {
  const bound = new CoverageBound();
  rules.forEach((rule) => bound.add(rule));
  return bound.mayCover(version);
}

/**
 * The sizes `mayCoverFamily` sums, added up rule by rule, so a policy can tell cheaply whether its
 * rules may match everyone before it runs the exact check: per axis and family, the addresses the
 * rules list (overlaps counted twice), saturating at the family's size. A policy counts it at
 * synth over its written rules (they match exactly the addresses the given ones do).
 *
 * Kept as doubles, not bigints (a number is smaller, and most are small integers stored inline):
 * every term is a power of two, so only the sum rounds, by at most 2^-53 of it per addition. The
 * bound is only a filter (true sends the policy to the exact check), so it errs towards true: it
 * says "may cover" from `FAMILY_SIZE × (1 − 2^-20)`, which no rounding of fewer than 2^33
 * additions can bring an exact sum of `FAMILY_SIZE` below.
 */
export class CoverageBound {
  private peer4 = 0;
  private peer6 = 0;
  private client4 = 0;
  private client6 = 0;

  /** Adds the blocks of one rule. */
  public add(rule: RuleIpFields): void {
    this.peer4 = addSizes(this.peer4, rule.ipBlocks, 4);
    this.peer6 = addSizes(this.peer6, rule.ipBlocks, 6);
    this.client4 = addSizes(this.client4, rule.remoteIpBlocks, 4);
    this.client6 = addSizes(this.client6, rule.remoteIpBlocks, 6);
  }

  /** `false` when the rules added so far certainly do not match every client of the family. */
  public mayCover(version: 4 | 6): boolean {
    const enough = FAMILY_SIZE[version] * (1 - 2 ** -20);
    return version === 4 ? this.peer4 >= enough && this.client4 >= enough : this.peer6 >= enough && this.client6 >= enough;
  }
}

const FAMILY_SIZE = { 4: 2 ** 32, 6: 2 ** 128 } as const;

/** `total` plus the addresses of `listed` in the family (all of them without a list), at most the family's size. */
function addSizes(total: number, listed: readonly Cidr[] | undefined, version: 4 | 6): number {
  const all = FAMILY_SIZE[version];
  if (listed === undefined || total >= all) {
    return all;
  }
  const width = version === 4 ? 32 : 128;
  let sum = total;
  for (let i = 0; i < listed.length; i++) {
    const bits = prefixLengthIn(listed[i], version);
    if (bits !== undefined) {
      sum += 2 ** (width - bits);
      if (sum >= all) {
        return all;
      }
    }
  }
  return sum;
}

/**
 * The prefix length of `block` when it is in the family. Written blocks are canonical CIDRs, so
 * the family is told by a ':' (IPv4-mapped blocks are IPv6, as istiod reads them) and the length
 * is the number after the '/', without parsing the address; anything else is parsed. (A text
 * with a bad address, or a length written with a leading zero, counts as a block: the bound errs towards
 * "may cover".)
 */
export function prefixLengthIn(block: Cidr, version: 4 | 6): number | undefined {
  if (typeof block === 'string') {
    const slash = block.indexOf('/');
    // 1 to 3 digits after the only '/', at most the family's width.
    let bits = slash === -1 || slash >= block.length - 1 || block.length - slash > 4 ? -1 : 0;
    for (let i = slash + 1; bits >= 0 && i < block.length; i++) {
      const digit = block.charCodeAt(i) - 0x30;
      bits = digit >= 0 && digit <= 9 ? bits * 10 + digit : -1;
    }
    const v6 = block.includes(':');
    if (bits >= 0 && bits <= (v6 ? 128 : 32)) {
      return v6 === (version === 6) ? bits : undefined;
    }
  }
  const prefix = prefixOfCidr(block);
  return prefix !== undefined && prefix.address.family === version ? prefix.bits : undefined;
}

/** Whether the union of the rules' (peer × client) sets covers `family` × `family`. */
function coversFamily(rules: readonly RuleIpFields[], family: AddressSet): boolean {
  const sets = rules.map((rule) => ({ peer: axisSet(rule, AXES[0]).intersect(family), client: axisSet(rule, AXES[1]).intersect(family) }));
  // Rules that leave one address free cover whole strips.
  let peerStrip = AddressSet.EMPTY;
  let clientStrip = AddressSet.EMPTY;
  const both: { peer: AddressSet; client: AddressSet }[] = [];
  for (const set of sets) {
    const peerFree = set.peer.covers(family);
    const clientFree = set.client.covers(family);
    if (peerFree && clientFree) {
      return true;
    } else if (clientFree) {
      peerStrip = peerStrip.union(set.peer);
    } else if (peerFree) {
      clientStrip = clientStrip.union(set.client);
    } else if (!set.peer.isEmpty && !set.client.isEmpty) {
      both.push(set);
    }
  }
  const peerLeft = family.minus(peerStrip);
  const clientLeft = family.minus(clientStrip);
  if (peerLeft.isEmpty || clientLeft.isEmpty) {
    return true;
  }
  if (both.length === 0 || both.length > MAX_TWO_AXIS_RULES) {
    return false;
  }
  // The rest, peerLeft × clientLeft, must be covered by the two-address rules: split peerLeft
  // into the regions each subset of them (exactly) covers, and check the client side there.
  for (let mask = 0; mask < 1 << both.length; mask++) {
    let region = peerLeft;
    let clients = AddressSet.EMPTY;
    both.forEach((set, i) => {
      if ((mask & (1 << i)) !== 0) {
        region = region.intersect(set.peer);
        clients = clients.union(set.client);
      } else {
        region = region.minus(set.peer);
      }
    });
    if (!region.isEmpty && !clients.covers(clientLeft)) {
      return false;
    }
  }
  return true;
}

/**
 * The `ip-blocks-on-sidecar` warning for `ipBlocks`/`notIpBlocks` ranges that hold no private,
 * CGNAT, link-local or loopback address, on a target that is not an ingress gateway: there the
 * TCP peer is the calling pod (for ingress traffic, the gateway), never an external client.
 */
export function externalOnlyBlocksWarning(target: string, rules: readonly RuleIpFields[]): CoverageWarning | undefined {
  return externalBlocksWarning(target, rules.flatMap(externalBlocksOf));
}

/**
 * The `ipBlocks`/`notIpBlocks` entries of one rule that `externalOnlyBlocksWarning` names (as
 * canonical texts, in order), so a policy can keep these instead of its rules.
 */
export function externalBlocksOf(rule: RuleIpFields): string[] {
  const external: string[] = [];
  addExternal(rule.ipBlocks, external);
  addExternal(rule.notIpBlocks, external);
  return external;
}

/** Appends to `external` the canonical texts of the blocks with no internal address. */
function addExternal(blocks: readonly Cidr[] | undefined, external: string[]): void {
  for (let i = 0; blocks !== undefined && i < blocks.length; i++) {
    const prefix = prefixOfCidr(blocks[i]);
    // IPv4-mapped blocks have their own warning (ip-block-ipv4-mapped).
    if (prefix !== undefined && !isIpv4Mapped(prefix) && !overlapsInternalSpace(prefix)) {
      external.push(String(blocks[i]));
    }
  }
}

/** `externalOnlyBlocksWarning` from the blocks `externalBlocksOf` gave for each rule, in order. */
export function externalBlocksWarning(target: string, blocks: readonly string[]): CoverageWarning | undefined {
  if (blocks.length === 0) {
    return undefined;
  }
  const list = blocks.length === 1 ? blocks : [...new Set(blocks)];
  const shown = list.length > 5 ? `${list.slice(0, 5).join(', ')} and ${list.length - 5} more` : list.join(', ');
  return {
    id: 'ip-blocks-on-sidecar',
    message: `ipBlocks on ${target}, which is not an ingress gateway: its proxy sees the calling pod as the TCP peer (for ingress traffic, the gateway), `
      + `never an external client, so ${shown} (outside private, CGNAT and link-local space) never match${list.length === 1 ? 'es' : ''} there. `
      + 'Fix: match clients at the gateway (PolicyTarget.gateway(...) with clientIpBlocks), or list the pod and node ranges that call this workload',
  };
}
