// Host names as istioctl analyze resolves them: VirtualService destinations and DestinationRule
// hosts are looked up among Services and ServiceEntries, with Istio's visibility (exportTo) rules.
//
// Follows istio/istio 1.30.x pkg/config/analysis/analyzers/util/hosts.go (ConvertHostToFQDN,
// NewScopedFqdn), util/service_lookup.go (InitServiceEntryHostMap, GetDestinationHost) and
// pkg/config/host/name.go (Name.Matches).
import { asArray, asObject, asString, KubeObject, ManifestSet, objectsOf } from './model';

const KUBERNETES_DOMAIN = 'svc.cluster.local';
const EXPORT_TO_ALL = '*';
const EXPORT_TO_LOCAL = '.';

/** A port of a Service or ServiceEntry, as the destination checks see it (Service `port`, not `targetPort`). */
export interface HostPort {
  readonly number: number;
  readonly name?: string;
}

/** A Service or ServiceEntry a host resolved to. */
export interface HostEntry {
  readonly object: KubeObject;
  readonly ports: readonly HostPort[];
}

/**
 * `host` as a FQDN: a short name (no dot, no wildcard) gets `.<namespace>.svc.cluster.local`;
 * anything with a dot is left as written. So `echo.apps` is not `echo.apps.svc.cluster.local`.
 */
export function toFqdn(namespace: string, host: string): string {
  return !host.startsWith('*') && !host.includes('.') ? `${host}.${namespace}.${KUBERNETES_DOMAIN}` : host;
}

function scoped(scope: string, namespace: string, host: string): string {
  return `${scope}/${toFqdn(namespace, host)}`;
}

/** Services and ServiceEntries by `scope/fqdn`, where scope is `*` or the namespace that sees them. */
export type HostIndex = ReadonlyMap<string, HostEntry>;

/** Indexes the Services and ServiceEntries of the set by the namespaces they are visible to. */
export function buildHostIndex(set: ManifestSet): HostIndex {
  const index = new Map<string, HostEntry>();
  for (const se of objectsOf(set, 'networking.istio.io', 'ServiceEntry')) {
    const ports = asArray(se.spec.ports).map(asObject).filter((p) => p !== undefined)
      .map((p) => ({ number: Number(p!.number), name: asString(p!.name) }));
    const entry = { object: se, ports };
    const exportTo = asArray(se.spec.exportTo).map(asString).filter((e): e is string => e !== undefined);
    for (const host of asArray(se.spec.hosts).map(asString).filter((h): h is string => h !== undefined)) {
      if (exportTo.length === 0 || exportTo.includes(EXPORT_TO_ALL)) {
        index.set(scoped(EXPORT_TO_ALL, se.namespace!, host), entry);
        continue;
      }
      for (const e of exportTo) {
        index.set(scoped(e === EXPORT_TO_LOCAL ? se.namespace! : e, se.namespace!, host), entry);
      }
    }
  }
  for (const service of objectsOf(set, '', 'Service')) {
    const ports = asArray(service.spec.ports).map(asObject).filter((p) => p !== undefined)
      .map((p) => ({ number: Number(p!.port), name: asString(p!.name) }));
    // The `networking.istio.io/exportTo` annotation limits who sees a Service; split on "," as
    // Istio does (getVisibleNamespacesFromExportToAnno).
    const annotation = service.annotations['networking.istio.io/exportTo'];
    const scopes = annotation === undefined || annotation === ''
      ? [EXPORT_TO_ALL]
      : annotation.split(',').map((ns) => (ns === EXPORT_TO_LOCAL ? service.namespace! : ns));
    for (const scope of scopes) {
      index.set(scoped(scope, service.namespace!, service.name), { object: service, ports });
    }
  }
  return index;
}

/**
 * The Service or ServiceEntry `host` names, seen from `sourceNamespace` by an object with
 * `exportTo` (a VirtualService's or DestinationRule's own), or undefined.
 */
export function lookUpHost(index: HostIndex, sourceNamespace: string, exportTo: readonly string[], host: string): HostEntry | undefined {
  const everywhere = index.get(scoped(EXPORT_TO_ALL, sourceNamespace, host));
  if (everywhere !== undefined) {
    return everywhere;
  }
  const scopes = exportTo.length === 0 ? [sourceNamespace] : exportTo.map((e) => (e === EXPORT_TO_LOCAL ? sourceNamespace : e));
  for (const scope of scopes) {
    const entry = index.get(scoped(scope, sourceNamespace, host));
    if (entry !== undefined) {
      return entry;
    }
  }
  // Wildcard ServiceEntry hosts (`*.example.com`) visible from the source namespace.
  const bare = host.startsWith('*') ? host.slice(1) : host;
  for (const [key, entry] of index) {
    const slash = key.indexOf('/');
    const scope = key.slice(0, slash);
    const fqdn = key.slice(slash + 1);
    if (!fqdn.startsWith('*') || (scope !== EXPORT_TO_ALL && scope !== sourceNamespace)) {
      continue;
    }
    if (bare.endsWith(fqdn.slice(1))) {
      return entry;
    }
  }
  return undefined;
}

/** Istio's `host.Name.Matches`: equal, or one side a wildcard whose suffix the other ends with. */
export function hostMatches(a: string, b: string): boolean {
  const aWild = a.startsWith('*');
  const bWild = b.startsWith('*');
  if (aWild && bWild) {
    return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  }
  if (aWild) {
    return b.endsWith(a.slice(1));
  }
  if (bWild) {
    return a.endsWith(b.slice(1));
  }
  return a === b;
}

/** String entries of a list field. */
export function stringList(value: unknown): string[] {
  return asArray(value).map(asString).filter((v): v is string => v !== undefined);
}
