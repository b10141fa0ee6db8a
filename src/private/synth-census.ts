/**
 * What the app creates or declares that checks across constructs need, gathered in one walk of
 * the construct tree per synth validation pass: the namespaces (for sidecar injection) and the
 * gateways (for name and selector collisions). One walk however many workloads and gateways ask.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GatewayTopology } from '../gateway-topology';
import { NAMESPACE_INJECTION_LABEL, NamespaceInjectionLabels, REVISION_LABEL } from '../mesh/injection-webhook';

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

/** The namespaces and gateways of one app, as of the start of the last synth validation pass. */
interface Census {
  readonly namespaces: NamespaceIndex;
  /**
   * Constructs shaped like a gateway of this library (an `IIngressGateway`: a `GatewayTopology`
   * `topology`, a `name` and `selectorLabels`), in tree order.
   */
  readonly gateways: readonly IConstruct[];
}

const censuses = new WeakMap<IConstruct, Census>();
const refreshed = new WeakSet<IConstruct>();

/**
 * Makes the app take its census again at the start of every synth validation pass.
 *
 * cdk8s validates constructs in tree order, root first, so a validation on the root runs before
 * every check that reads the census: one walk of the tree per pass, however many checks ask.
 * A check run by hand between two synths reads the census of the last one.
 */
export function takeCensusAtSynth(scope: IConstruct): void {
  const root = scope.node.root;
  if (refreshed.has(root)) {
    return;
  }
  refreshed.add(root);
  root.node.addValidation({
    validate: () => {
      censuses.set(root, takeCensus(root));
      return [];
    },
  });
}

/** The namespaces the app creates or declares (gathered now if no synth has yet). */
export function namespaceIndexOf(scope: IConstruct): NamespaceIndex {
  return censusOf(scope).namespaces;
}

/** The gateways in the app (gathered now if no synth has yet). */
export function gatewaysOf(scope: IConstruct): readonly IConstruct[] {
  return censusOf(scope).gateways;
}

function censusOf(scope: IConstruct): Census {
  const root = scope.node.root;
  let census = censuses.get(root);
  if (census === undefined) {
    census = takeCensus(root);
    censuses.set(root, census);
  }
  return census;
}

function takeCensus(root: IConstruct): Census {
  const index = new Map<string, NamespaceStatement[]>();
  const gateways: IConstruct[] = [];
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
    if (isGatewayShaped(construct)) {
      gateways.push(construct);
    }
  }
  return { namespaces: index, gateways };
}

function isGatewayShaped(construct: IConstruct): boolean {
  const candidate = construct as { topology?: unknown; name?: unknown; selectorLabels?: unknown };
  return candidate.topology instanceof GatewayTopology && typeof candidate.name === 'string' && typeof candidate.selectorLabels === 'object';
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
