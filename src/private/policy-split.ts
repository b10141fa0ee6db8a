/**
 * Sizes of AuthorizationPolicy rules as written, and splitting a rule that is too big into rules
 * with the same meaning.
 *
 * A request matches a rule when it matches every field given (fields are ANDed), and a field
 * `ipBlocks` or `remoteIpBlocks` matches when the address is in any of its blocks. So a rule whose
 * `ipBlocks` is A ∪ B matches exactly the requests that match the rule with A or the rule with B:
 * those two lists can be cut into pieces, one rule per piece. `notIpBlocks` and `notRemoteIpBlocks`
 * match when the address is in none of the blocks; cut into pieces, each rule would match what only
 * one piece leaves out, which is more than the whole list leaves out. They are never cut.
 *
 * Several rules in one policy match when any of them does; several ALLOW (or DENY) policies on the
 * same pods allow (or deny) when any of them matches (Istio evaluates DENY first, then ALLOW), so
 * rules can also be spread over several policies with the same action and selector.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @see https://istio.io/latest/docs/concepts/security/#implicit-enablement
 */

/** The four wire fields of a rule's source, in the order they are written. */
export const BLOCK_FIELDS = ['ipBlocks', 'remoteIpBlocks', 'notIpBlocks', 'notRemoteIpBlocks'] as const;

/** One of the wire fields. */
export type BlockField = (typeof BLOCK_FIELDS)[number];

/** The fields whose list means "any of these", which may be cut into pieces. */
export const UNION_FIELDS: readonly BlockField[] = ['ipBlocks', 'remoteIpBlocks'];

/** A rule as written: each wire field a list of CIDR texts (ASCII), absent when not matched on. */
export type WrittenRule = Partial<Record<BlockField, readonly string[]>>;

/** `{"from":[{"source":{` and `}}]}`: what every rule costs around its fields. */
const RULE_FRAME_BYTES = '{"from":[{"source":{'.length + '}}]}'.length;

/** Bytes of the list's entries as JSON, without the brackets: `"a","b"`. */
export function entriesBytes(list: readonly string[]): number {
  let bytes = 0;
  for (let i = 0; i < list.length; i++) {
    bytes += list[i].length + 3;
  }
  return list.length === 0 ? 0 : bytes - 1;
}

/** Bytes of one field as JSON: `"ipBlocks":["a","b"]`. */
function fieldBytes(field: BlockField, list: readonly string[]): number {
  return field.length + 5 + entriesBytes(list);
}

/** Bytes of the rule as compact JSON, `{"from":[{"source":{"ipBlocks":[...]}}]}`. */
export function ruleBytes(rule: WrittenRule): number {
  let bytes = RULE_FRAME_BYTES;
  let fields = 0;
  for (let f = 0; f < BLOCK_FIELDS.length; f++) {
    const field = BLOCK_FIELDS[f];
    const list = rule[field];
    if (list !== undefined) {
      bytes += fieldBytes(field, list);
      fields++;
    }
  }
  return bytes + Math.max(0, fields - 1);
}

/** The outcome of `splitRule`: rules that each fit, or why the rule cannot be made to fit. */
export type SplitOutcome = { readonly ok: true; readonly rules: WrittenRule[] } | { readonly ok: false; readonly smallest: number };

/**
 * The rule as one or more rules that each take at most `maxBytes` and together match the same
 * requests, cutting only `ipBlocks` and `remoteIpBlocks`. Deterministic; the order of entries is
 * kept. When even the smallest possible piece is too big, returns that piece's size.
 */
export function splitRule(rule: WrittenRule, maxBytes: number): SplitOutcome {
  // The smallest piece: each union list cut down to its longest entry.
  const smallestPiece: Record<string, readonly string[]> = { ...rule };
  for (const field of UNION_FIELDS) {
    const list = rule[field];
    if (list !== undefined && list.length > 0) {
      smallestPiece[field] = [list.reduce((a, b) => (b.length > a.length ? b : a))];
    }
  }
  const smallest = ruleBytes(smallestPiece);
  if (smallest > maxBytes) {
    return { ok: false, smallest };
  }
  const rules: WrittenRule[] = [];
  cut(rule, maxBytes, rules);
  return { ok: true, rules };
}

/**
 * Appends pieces of `rule` that fit to `out`. Takes the union list with the most bytes (of those
 * with 2 or more entries); when the other one is small, packs it greedily into as few pieces as fit
 * beside the rest of the rule; otherwise halves it and cuts each half again, which keeps the pieces
 * of two big lists balanced. Every step shortens a list, so it ends; a rule whose union lists have
 * one entry each is no bigger than the smallest piece, which `splitRule` checked.
 */
function cut(rule: WrittenRule, maxBytes: number, out: WrittenRule[]): void {
  if (ruleBytes(rule) <= maxBytes) {
    out.push(rule);
    return;
  }
  const [field, other] = UNION_FIELDS.filter((f) => (rule[f]?.length ?? 0) >= 2)
    .sort((a, b) => entriesBytes(rule[b] ?? []) - entriesBytes(rule[a] ?? []))
    .concat(UNION_FIELDS.filter((f) => (rule[f]?.length ?? 0) < 2));
  const list = rule[field] ?? [];
  const otherList = rule[other] ?? [];
  // `rest` counts `"field":[]`: each entry adds its length + 2, and a comma after the first.
  const room = maxBytes - ruleBytes({ ...rule, [field]: [] });
  const longest = list.reduce((n, text) => Math.max(n, text.length), 0);
  if (room >= longest + 2 && (otherList.length < 2 || entriesBytes(otherList) <= maxBytes / 2)) {
    let start = 0;
    let used = 0;
    for (let i = 0; i < list.length; i++) {
      const add = list[i].length + (i > start ? 3 : 2);
      if (used + add > room) {
        out.push({ ...rule, [field]: list.slice(start, i) });
        start = i;
        used = list[i].length + 2;
      } else {
        used += add;
      }
    }
    out.push({ ...rule, [field]: list.slice(start) });
    return;
  }
  const half = Math.ceil(list.length / 2);
  cut({ ...rule, [field]: list.slice(0, half) }, maxBytes, out);
  cut({ ...rule, [field]: list.slice(half) }, maxBytes, out);
}
