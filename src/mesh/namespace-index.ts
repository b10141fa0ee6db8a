import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { NAMESPACE_INJECTION_LABEL, NamespaceInjectionLabels, REVISION_LABEL } from './injection-webhook';

/** One thing the app says about a namespace: it creates it, or declares that it exists. */
export interface NamespaceStatement {
  /** The namespace name. */
  readonly name: string;
  /** Its injection labels. */
  readonly labels: NamespaceInjectionLabels;
  /** Construct path of the Namespace object or of the declaration. */
  readonly path: string;
  /** Whether it was declared as existing (`MeshNamespace.fromExisting`), not created. */
  readonly declared: boolean;
}

/** Every namespace the app creates or declares, by name. */
export type NamespaceIndex = ReadonlyMap<string, readonly NamespaceStatement[]>;

/** Marks a construct as a declaration of an existing namespace (works across copies of this library). */
const DECLARATION = Symbol.for('cdk8s-istio-source-ip.existing-namespace');

interface Declared {
  [DECLARATION]?: { readonly name: string; readonly labels: NamespaceInjectionLabels };
}

/** Records on `construct` that the namespace `name` exists outside the app with these labels. */
export function markDeclaration(construct: IConstruct, name: string, labels: NamespaceInjectionLabels): void {
  (construct as Declared)[DECLARATION] = { name, labels };
}

const indexes = new WeakMap<IConstruct, NamespaceIndex>();
const refreshed = new WeakSet<IConstruct>();

/**
 * Makes the app rebuild its namespace index at the start of every synth.
 *
 * cdk8s validates constructs in tree order, root first, so a validation on the root runs before
 * every check that reads the index: one walk of the tree per synth, however many workloads ask.
 */
export function indexNamespacesAtSynth(scope: IConstruct): void {
  const root = scope.node.root;
  if (refreshed.has(root)) {
    return;
  }
  refreshed.add(root);
  root.node.addValidation({
    validate: () => {
      indexes.set(root, buildIndex(root));
      return [];
    },
  });
}

/** The namespaces the app creates or declares (built now if no synth has built it yet). */
export function namespaceIndexOf(scope: IConstruct): NamespaceIndex {
  const root = scope.node.root;
  let index = indexes.get(root);
  if (index === undefined) {
    index = buildIndex(root);
    indexes.set(root, index);
  }
  return index;
}

function buildIndex(root: IConstruct): NamespaceIndex {
  const index = new Map<string, NamespaceStatement[]>();
  const add = (statement: NamespaceStatement): void => {
    const list = index.get(statement.name);
    if (list === undefined) {
      index.set(statement.name, [statement]);
    } else {
      list.push(statement);
    }
  };
  for (const construct of root.node.findAll()) {
    const declared = (construct as Declared)[DECLARATION];
    if (declared !== undefined) {
      add({ name: declared.name, labels: declared.labels, path: construct.node.path, declared: true });
    } else if (ApiObject.isApiObject(construct) && construct.kind === 'Namespace' && construct.apiVersion === 'v1') {
      // Rendered, so labels added later, by patches or by a cdk8s-plus Namespace, all count.
      const metadata = (construct.toJson() as { metadata?: { name?: unknown; labels?: Record<string, unknown> } }).metadata;
      if (typeof metadata?.name === 'string') {
        const labels = metadata.labels ?? {};
        add({ name: metadata.name, labels: { injection: stringOrUndefined(labels[NAMESPACE_INJECTION_LABEL]), revision: stringOrUndefined(labels[REVISION_LABEL]) }, path: construct.node.path, declared: false });
      }
    }
  }
  return index;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `istio-injection: enabled, istio.io/rev: "x"`, or `no injection labels`. */
export function describeLabels(labels: NamespaceInjectionLabels): string {
  const parts = [
    ...(labels.injection === undefined ? [] : [`${NAMESPACE_INJECTION_LABEL}: ${JSON.stringify(labels.injection)}`]),
    ...(labels.revision === undefined ? [] : [`${REVISION_LABEL}: ${JSON.stringify(labels.revision)}`]),
  ];
  return parts.length === 0 ? 'no injection labels' : parts.join(', ');
}

/** Whether two statements give the namespace the same injection labels. */
export function sameLabels(a: NamespaceInjectionLabels, b: NamespaceInjectionLabels): boolean {
  return a.injection === b.injection && a.revision === b.revision;
}
