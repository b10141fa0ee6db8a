// VirtualService rules: the Gateways it binds to (IST0101, IST0132) and the hosts it routes to
// (IST0101, IST0112).
//
// Follows istio/istio 1.30.x pkg/config/analysis/analyzers/virtualservice/gateways.go
// (GatewayAnalyzer), destinationhosts.go (DestinationHostAnalyzer) and util.go.
import { buildHostIndex, HostEntry, hostMatches, lookUpHost, stringList } from './hosts';
import { asArray, asObject, KubeObject, ManifestSet, objectsOf } from './model';
import { finding } from './rules';
import { AnalysisFinding } from './types';

const ISTIO = 'networking.istio.io';

/** Runs the VirtualService rules. */
export function analyzeVirtualServices(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  const gateways = objectsOf(set, ISTIO, 'Gateway');
  const hosts = buildHostIndex(set);
  for (const vs of objectsOf(set, ISTIO, 'VirtualService')) {
    findings.push(...checkGateways(vs, gateways), ...checkDestinations(vs, hosts));
  }
  return findings;
}

function checkGateways(vs: KubeObject, gateways: readonly KubeObject[]): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  const vsHosts = stringList(vs.spec.hosts);
  for (const name of stringList(vs.spec.gateways)) {
    // `mesh` means the sidecars, not a Gateway object.
    if (name === 'mesh') {
      continue;
    }
    // `ns/name`, or a name in the VirtualService's own namespace (resource.NewShortOrFullName).
    const [ns, gwName] = name.includes('/') ? name.split('/', 2) : [vs.namespace!, name];
    const gateway = gateways.find((g) => g.namespace === ns && g.name === gwName);
    if (gateway === undefined) {
      const inOther = gateways.filter((g) => g.name === gwName).map((g) => `${g.namespace}/${g.name}`);
      findings.push(finding('IST0101', vs.ref, `Referenced gateway not found: "${name}" (looked for Gateway ${ns}/${gwName}).`,
        inOther.length > 0
          ? `A Gateway of that name is in another namespace: write "${inOther[0]}" in spec.gateways.`
          : `Create Gateway ${ns}/${gwName}, or name an existing one as <namespace>/<name> in spec.gateways.`));
    }
    if (!vsHostInGateway(gateway, vsHosts, vs.namespace!)) {
      findings.push(finding('IST0132', vs.ref,
        `one or more host [${vsHosts.join(' ')}] defined in VirtualService ${vs.namespace}/${vs.name} not found in Gateway ${ns}/${gwName}.`,
        'Add the VirtualService hosts to the servers[].hosts of the Gateway (or use "*"), or list only hosts the Gateway serves; '
        + 'a Gateway host "<namespace>/<host>" is only visible to VirtualServices in that namespace.'));
    }
  }
  return findings;
}

// vsHostInGateway + sanitizeServerHostNamespace + host.NamesForNamespace.
function vsHostInGateway(gateway: KubeObject | undefined, vsHosts: readonly string[], vsNamespace: string): boolean {
  if (gateway === undefined) {
    return false;
  }
  const gatewayHosts: string[] = [];
  for (const server of asArray(gateway.spec.servers).map(asObject)) {
    const hosts = stringList(server?.hosts);
    if (hosts.includes('*/*')) {
      gatewayHosts.push('*');
      continue;
    }
    gatewayHosts.push(...hosts.map((h) => {
      const [ns, host] = h.includes('/') ? h.split('/', 2) : [undefined, h];
      return ns === '.' ? `${gateway.namespace}/${host}` : ns === '*' ? host : h;
    }));
  }
  const visible = gatewayHosts.flatMap((h) => {
    if (!h.includes('/')) {
      return [h];
    }
    const [ns, host] = h.split('/', 2);
    return ns === vsNamespace || ns === '*' ? [host] : [];
  });
  return visible.some((gh) => vsHosts.some((vh) => hostMatches(gh, vh)));
}

interface Destination {
  readonly rule: string;
  readonly destination: Readonly<Record<string, unknown>>;
  readonly mirror: boolean;
}

function destinationsOf(vs: KubeObject): Destination[] {
  const out: Destination[] = [];
  for (const rule of ['tcp', 'tls', 'http']) {
    asArray(vs.spec[rule]).forEach((r, i) => {
      asArray(asObject(r)?.route).forEach((route, j) => {
        const destination = asObject(asObject(route)?.destination);
        if (destination !== undefined) {
          out.push({ rule: `${rule}[${i}].route[${j}]`, destination, mirror: false });
        }
      });
    });
  }
  asArray(vs.spec.http).forEach((r, i) => {
    const mirror = asObject(asObject(r)?.mirror);
    if (mirror !== undefined) {
      out.push({ rule: `http[${i}].mirror`, destination: mirror, mirror: true });
    }
    asArray(asObject(r)?.mirrors).forEach((m, j) => {
      const destination = asObject(asObject(m)?.destination);
      if (destination !== undefined) {
        out.push({ rule: `http[${i}].mirrors[${j}]`, destination, mirror: true });
      }
    });
  });
  return out;
}

function checkDestinations(vs: KubeObject, hosts: ReturnType<typeof buildHostIndex>): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  const exportTo = stringList(vs.spec.exportTo);
  for (const d of destinationsOf(vs)) {
    const host = typeof d.destination.host === 'string' ? d.destination.host : '';
    const entry = lookUpHost(hosts, vs.namespace!, exportTo, host);
    if (entry === undefined) {
      findings.push(finding('IST0101', vs.ref, `Referenced ${d.mirror ? 'mirror host' : 'host'} not found: "${host}" (${d.rule}).`, hostFix(host, vs.namespace!)));
      continue;
    }
    findings.push(...checkPort(vs, d, host, entry));
  }
  return findings;
}

function hostFix(host: string, namespace: string): string {
  const parts = host.split('.');
  if (parts.length === 2 && !host.startsWith('*')) {
    return `istioctl only resolves short names (in the VirtualService's namespace ${namespace}) and full names: write "${host}.svc.cluster.local", or create the Service.`;
  }
  return `Create a Service (or ServiceEntry) for "${host}" visible from namespace ${namespace}, or route to an existing one `
    + `(a short name means <name>.${namespace}.svc.cluster.local; use <name>.<namespace>.svc.cluster.local for another namespace).`;
}

// checkServiceEntryPorts.
function checkPort(vs: KubeObject, d: Destination, host: string, entry: HostEntry): AnalysisFinding[] {
  const port = asObject(d.destination.port);
  const numbers = entry.ports.map((p) => p.number);
  if (port === undefined) {
    if (numbers.length > 1) {
      return [finding('IST0112', vs.ref,
        `This VirtualService routes to a service "${host}" that exposes multiple ports [${numbers.join(' ')}]. Specifying a port in the destination is required to disambiguate (${d.rule}).`,
        `Set destination.port.number to one of ${numbers.join(', ')}.`)];
    }
    return [];
  }
  const number = Number(port.number);
  if (numbers.includes(number)) {
    return [];
  }
  return [finding('IST0101', vs.ref, `Referenced host:port not found: "${host}:${port.number}" (${d.rule}).`,
    numbers.length === 0
      ? `${entry.object.kind} ${entry.object.namespace}/${entry.object.name} exposes no ports: add the port to it.`
      : `Use a port ${entry.object.kind} ${entry.object.namespace}/${entry.object.name} exposes (${numbers.join(', ')}; the Service port, not its targetPort), or add port ${port.number} to it.`)];
}
