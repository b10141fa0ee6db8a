// Checks the analyzer's inputs, for plain-JavaScript callers and CLI flags: bad input gets a
// SourceIpValidationError naming the option, the value, what is allowed and the fix.
import { SourceIpValidationError } from '../../errors';
import { AnalyzeOptions } from './types';

const SUBJECT = 'analyzeManifests';

function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStringMap(value: unknown): boolean {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

function port(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function listProblems(prop: string, value: unknown, each: (item: unknown) => string | undefined, fix: string): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || Object.keys(value).length < value.length) {
    return [`'${prop}' must be a list without holes, got ${shown(value)}. Fix: ${fix}`];
  }
  return value.flatMap((item, i) => {
    const allowed = each(item);
    return allowed === undefined ? [] : [`'${prop}[${i}]' must be ${allowed}, got ${shown(item)}. Fix: ${fix}`];
  });
}

/** Throws when `docs` or `options` cannot be analyzed. */
export function checkInputs(docs: unknown, options: unknown): void {
  const problems: string[] = [];
  if (!Array.isArray(docs)) {
    problems.push(`'docs' must be a list of parsed manifests, got ${shown(docs)}. Fix: pass the documents, e.g. parseAllDocuments(text).map((d) => d.toJS())`);
  }
  if (options !== undefined && !isRecord(options)) {
    problems.push(`'options' must be an object, got ${shown(options)}. Fix: pass {} or leave it out`);
  }
  const o = (isRecord(options) ? options : {}) as Record<keyof AnalyzeOptions, unknown>;
  problems.push(
    ...listProblems('existingNamespaces', o.existingNamespaces,
      (n) => (isRecord(n) && nonEmpty(n.name) && (n.labels === undefined || isStringMap(n.labels)) ? undefined : '{ name: string, labels?: { [key]: string } }'),
      'list each namespace as { name: "apps" } (with labels: { "istio-injection": "enabled" } if it is injected)'),
    ...listProblems('installedGateways', o.installedGateways,
      (g) => (isRecord(g) && nonEmpty(g.name) && nonEmpty(g.namespace) && isStringMap(g.labels) && Array.isArray(g.ports)
        && g.ports.every((p) => isRecord(p) && port(p.port) && (p.targetPort === undefined || port(p.targetPort)))
        ? undefined : '{ name, namespace, labels: { [key]: string }, ports: [{ port: 1-65535, targetPort?: 1-65535 }] }'),
      'describe the installed gateway, e.g. ISTIO_DEFAULT_PROFILE_GATEWAY'),
    ...listProblems('existingSecrets', o.existingSecrets,
      (s) => (typeof s === 'string' && /^[^/\s]+\/[^/\s]+$/.test(s) ? undefined : '"<namespace>/<name>"'),
      'name each Secret as namespace/name, e.g. "istio-ingress/shop-tls"'),
    ...listProblems('proxyProtocolAnnotations', o.proxyProtocolAnnotations,
      (a) => (isRecord(a) && nonEmpty(a.key) && (a.values === undefined || (Array.isArray(a.values) && a.values.every((v) => typeof v === 'string')))
        ? undefined : '{ key: string, values?: string[] }'),
      'give the annotation key, and the values that turn PROXY on if not any "true"-like value'),
    ...listProblems('revisions', o.revisions, (r) => (nonEmpty(r) ? undefined : 'a revision name'), 'list the installed revisions and tags, e.g. ["default", "1-30"]'),
  );
  for (const prop of ['rootNamespace', 'defaultNamespace'] as const) {
    if (o[prop] !== undefined && !nonEmpty(o[prop])) {
      problems.push(`'${prop}' must be a namespace name, got ${shown(o[prop])}. Fix: leave it out for the default, or name the namespace`);
    }
  }
  if (problems.length > 0) {
    throw new SourceIpValidationError(SUBJECT, problems);
  }
}
