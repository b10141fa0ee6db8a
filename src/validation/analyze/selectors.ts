import { asObject, asString, ManifestSet, PodTemplateInfo, StringMap } from './model';

/**
 * Whether a label map selector (Gateway `selector`, Service `selector`, `matchLabels`) matches
 * `labels`: every key with the same value. An empty selector matches everything, as Kubernetes'
 * `labels.SelectorFromSet` does.
 */
export function selectorMatches(selector: StringMap, labels: StringMap): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** String values of a selector object (`{app: echo}`); `{}` for anything else. */
export function selectorOf(value: unknown): StringMap {
  const object = asObject(value) ?? {};
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, asString(v)]).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Pod templates (in any namespace) whose labels `selector` matches. */
export function podsMatching(set: ManifestSet, selector: StringMap): PodTemplateInfo[] {
  return set.podTemplates.filter((t) => selectorMatches(selector, t.labels));
}
