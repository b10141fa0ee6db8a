/**
 * What the IP rules of an AuthorizationPolicy can match: rules that match no request, policies
 * that match every client, ranges that never meet the addresses a proxy compares them with.
 *
 * Pure: plain CIDR texts in, problems and warnings out. The model is Envoy's RBAC `source_ip` /
 * `direct_remote_ip` and `remote_ip` principals as Istio builds them from `ipBlocks`,
 * `remoteIpBlocks` and their `not*` forms: within one `from.source` every field must match (ANDed);
 * a field matches when the address is in one of its ranges (`not*`: in none of them); a range
 * matches only addresses of its own family (`CidrRange::isInRange` compares IP versions).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/rbac/v3/rbac.proto
 */
import { AddressSet } from '../private/address-set';
import { parseIpPrefix } from '../private/ip';

/** The four IP fields of one rule's `from.source`, as canonical CIDR texts. */
export interface RuleIpFields {
  readonly ipBlocks?: readonly string[];
  readonly remoteIpBlocks?: readonly string[];
  readonly notIpBlocks?: readonly string[];
  readonly notRemoteIpBlocks?: readonly string[];
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
const IPV4_MAPPED = AddressSet.ofCidrs(['::ffff:0:0/96']);

/**
 * Where a pod, a node or the mesh itself can connect from: private (RFC 1918, IPv6 unique local),
 * shared (CGNAT, RFC 6598), link-local and loopback space. A range with no address in here can
 * only be an external client.
 */
const INTERNAL_SPACE = AddressSet.ofCidrs([
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8',
  'fc00::/7', 'fe80::/10', '::1/128',
]);

/** The addresses one axis of a rule matches: its ranges (or every address) minus its `not*` ranges. */
function axisSet(rule: RuleIpFields, axis: (typeof AXES)[number]): AddressSet {
  const listed = rule[axis.blocks];
  const base = listed === undefined ? AddressSet.ALL : AddressSet.ofCidrs(listed);
  const excluded = rule[axis.not];
  return excluded === undefined ? base : base.minus(AddressSet.ofCidrs(excluded));
}

/**
 * Why `rule` can never match any request, or `undefined`. Every reason is certain: the rule's
 * own fields leave no address, so no request, whatever its addresses, is matched.
 */
export function whyRuleNeverMatches(rule: RuleIpFields): string | undefined {
  for (const axis of AXES) {
    if (!axisSet(rule, axis).isEmpty) {
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
    const excludedTexts = new Set(excluded);
    const same = listed.find((block) => excludedTexts.has(block));
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
  for (const field of ['ipBlocks', 'remoteIpBlocks', 'notIpBlocks', 'notRemoteIpBlocks'] as const) {
    for (const block of rule[field] ?? []) {
      if (!IPV4_MAPPED.covers(AddressSet.ofCidrs([block]))) {
        continue;
      }
      const v4 = ipv4Of(block);
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

/** `::ffff:1.2.3.0/120` → `1.2.3.0/24`. */
function ipv4Of(block: string): string | undefined {
  const parsed = parseIpPrefix(block);
  if (!parsed.ok || parsed.value.bits < 96) {
    return undefined;
  }
  return `${parsed.value.address.bytes.slice(12).join('.')}/${parsed.value.bits - 96}`;
}

/**
 * The `policy-matches-everyone` warning when the rules together match every IPv4 client or every
 * IPv6 client (a client is a pair of addresses: the TCP peer and the trusted address), or
 * `undefined`.
 */
export function matchesEveryoneWarning(action: 'ALLOW' | 'DENY', rules: readonly RuleIpFields[]): CoverageWarning | undefined {
  const families = [['IPv4', AddressSet.ALL_IPV4], ['IPv6', AddressSet.ALL_IPV6]] as const;
  // A DENY rule written for one family ("deny everyone not in 10.0.0.0/8") also denies every
  // client of the other family; that follows from what was written and fails closed, so a DENY
  // is only reported for a family its own ranges name.
  const named = AddressSet.ofCidrs(rules.flatMap((rule) => [...rule.ipBlocks ?? [], ...rule.remoteIpBlocks ?? [], ...rule.notIpBlocks ?? [], ...rule.notRemoteIpBlocks ?? []]));
  const covered = families
    .filter(([, family]) => action === 'ALLOW' || named.overlaps(family))
    .filter(([, family]) => coversFamily(rules, family)).map(([name]) => name);
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
  const external = new Set<string>();
  for (const rule of rules) {
    for (const block of [...rule.ipBlocks ?? [], ...rule.notIpBlocks ?? []]) {
      const set = AddressSet.ofCidrs([block]);
      // IPv4-mapped blocks have their own warning (ip-block-ipv4-mapped).
      if (!set.overlaps(INTERNAL_SPACE) && !IPV4_MAPPED.covers(set)) {
        external.add(block);
      }
    }
  }
  if (external.size === 0) {
    return undefined;
  }
  const list = [...external];
  const shown = list.length > 5 ? `${list.slice(0, 5).join(', ')} and ${list.length - 5} more` : list.join(', ');
  return {
    id: 'ip-blocks-on-sidecar',
    message: `ipBlocks on ${target}, which is not an ingress gateway: its proxy sees the calling pod as the TCP peer (for ingress traffic, the gateway), `
      + `never an external client, so ${shown} (outside private, CGNAT and link-local space) never match${list.length === 1 ? 'es' : ''} there. `
      + 'Fix: match clients at the gateway (PolicyTarget.gateway(...) with clientIpBlocks), or list the pod and node ranges that call this workload',
  };
}
