// Istio Gateway rules: the pods a Gateway selects (IST0101), the Service ports its servers need
// (IST0162), its TLS Secrets (IST0101), conflicts between Gateways (IST0145), and the working-path
// rules: the selected pods are gateways that will run (gateway-no-gateway-pods, IST0146), and
// gateway pods have a Gateway (gateway-without-listeners).
//
// Follows istio/istio 1.30.x pkg/config/analysis/analyzers/gateway/gateway.go
// (IngressGatewayPortAnalyzer), secret.go (SecretAnalyzer), conflictinggateway.go
// (ConflictingGatewayAnalyzer) and injection/image-auto.go (ImageAutoAnalyzer). Where the analyzers
// read live Pods, this reads the pod templates of the workloads in the set (plus declared
// installed gateways): files have no Pods.
import { hostMatches, stringList } from './hosts';
import { gatewayPodStatus, injectionOf, proxyContainer } from './injection';
import { asArray, asObject, asString, describeTemplate, KubeObject, ManifestSet, objectsOf, PodTemplateInfo, selectorString } from './model';
import { finding } from './rules';
import { podsMatching, selectorMatches, selectorOf } from './selectors';
import { AnalysisFinding } from './types';

const ISTIO = 'networking.istio.io';

interface Server {
  readonly port?: number;
  readonly hosts: readonly string[];
  readonly credentialName?: string;
}

function serversOf(gateway: KubeObject): Server[] {
  return asArray(gateway.spec.servers).map(asObject).filter((s) => s !== undefined).map((s) => {
    const port = asObject(s!.port);
    return {
      port: port === undefined ? undefined : Number(port.number),
      hosts: stringList(s!.hosts),
      credentialName: asString(asObject(s!.tls)?.credentialName),
    };
  });
}

/** Runs the Gateway rules. */
export function analyzeGateways(set: ManifestSet): AnalysisFinding[] {
  const gateways = objectsOf(set, ISTIO, 'Gateway');
  const findings: AnalysisFinding[] = [];
  for (const gateway of gateways) {
    findings.push(...checkGateway(set, gateway));
  }
  findings.push(...checkConflicts(gateways), ...checkImageAuto(set), ...checkGatewaysWithoutListeners(set, gateways));
  return findings;
}

function checkGateway(set: ManifestSet, gateway: KubeObject): AnalysisFinding[] {
  const selector = selectorOf(gateway.spec.selector);
  const shown = selectorString(selector);
  // A Gateway selects gateway pods in every namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE is off by
  // default), and so does the analyzer.
  const pods = podsMatching(set, selector);
  if (pods.length === 0) {
    return [finding('IST0101', gateway.ref, `Referenced selector not found: "${shown}".`,
      'No pod template in the set (nor a declared installed gateway) has these labels: set spec.selector to the labels of the gateway pods, '
      + 'deploy the gateway with the manifests, or declare the installed gateway (installedGateways / --installed-gateway).')];
  }
  const findings: AnalysisFinding[] = [];

  const statuses = pods.map((p) => ({ pod: p, status: gatewayPodStatus(set, p) }));
  if (!statuses.some((s) => s.status.injected)) {
    findings.push(finding('gateway-no-gateway-pods', gateway.ref,
      `Gateway selector "${shown}" matches ${statuses.map((s) => `${describeTemplate(s.pod)} (${s.status.reason})`).join('; ')}; none of them runs as an Istio gateway, so nothing opens the Gateway's ports.`,
      'Select the gateway pods (a Deployment with annotation inject.istio.io/templates: gateway in an injected namespace or with label sidecar.istio.io/inject: "true"), '
      + 'or declare the installed gateway the Gateway is for.'));
  }

  // IST0162: the ports a Service selecting the gateway pods sends to. The analyzer takes each TCP
  // port's numeric targetPort (or the port when there is none) and compares the Gateway server
  // port with those. (Istio itself listens on the targetPort when a server port equals a Service
  // port, so a Service 80 -> 8080 with a server on 80 works, yet is reported: istio/istio#51257.)
  const servicePorts = new Set<number>();
  for (const pod of pods) {
    for (const port of servicePortsFor(set, pod)) {
      servicePorts.add(port);
    }
  }
  for (const server of serversOf(gateway)) {
    if (server.port !== undefined && !servicePorts.has(server.port)) {
      findings.push(finding('IST0162', gateway.ref,
        `The gateway is listening on a target port (port ${server.port}) that is not defined in the Service associated with its workload instances (Pod selector ${shown}). `
        + 'If you need to access the gateway port through the gateway Service, it will not be available.',
        servicePorts.size === 0
          ? `No Service selects the gateway pods (${pods.map(describeTemplate).join(', ')}): add one that exposes port ${server.port}.`
          : `Use a server port the gateway Service sends to (${[...servicePorts].sort((a, b) => a - b).join(', ')}), or add port ${server.port} `
            + `(with targetPort ${server.port}) to the Service.`));
    }
  }

  // IST0101 for credentialName: the Secret must be in the namespace of the gateway pods.
  const gatewayNamespace = pods[0].namespace;
  for (const server of serversOf(gateway)) {
    if (server.credentialName === undefined || server.credentialName === '') {
      continue;
    }
    const [ns, name] = server.credentialName.includes('/') ? server.credentialName.split('/', 2) : [gatewayNamespace, server.credentialName];
    const inSet = set.objects.some((o) => o.group === '' && o.kind === 'Secret' && o.namespace === ns && o.name === name);
    if (!inSet && !set.existingSecrets.has(`${ns}/${name}`)) {
      findings.push(finding('IST0101', gateway.ref, `Referenced credentialName not found: "${server.credentialName}" (looked for Secret ${ns}/${name}, in the namespace of the gateway pods).`,
        `Create TLS Secret ${ns}/${name} (for example with a cert-manager Certificate), or declare that it exists (existingSecrets / --secret ${ns}/${name}).`));
    }
  }
  return findings;
}

/** Numeric target ports (or ports) of TCP Service ports selecting `pod`, as the analyzer reads them. */
function servicePortsFor(set: ManifestSet, pod: PodTemplateInfo): number[] {
  if (pod.installed !== undefined) {
    return pod.installed.ports.map((p) => p.targetPort ?? p.port);
  }
  const ports: number[] = [];
  for (const service of objectsOf(set, '', 'Service')) {
    // The analyzer builds the Service selector with SelectorFromSet, so a Service without a
    // selector matches every pod of its namespace.
    if (service.namespace !== pod.namespace || !selectorMatches(selectorOf(service.spec.selector), pod.labels)) {
      continue;
    }
    for (const port of asArray(service.spec.ports).map(asObject)) {
      // The API server defaults protocol to TCP; the analyzer sees stored Services.
      if (port === undefined || (port.protocol ?? 'TCP') !== 'TCP') {
        continue;
      }
      // intstr.IntValue(): a number, or a string parsed as a number (0 for a port name).
      const target = typeof port.targetPort === 'number' ? port.targetPort
        : typeof port.targetPort === 'string' ? (Number.parseInt(port.targetPort, 10) || 0) : 0;
      ports.push(target !== 0 ? target : Number(port.port));
    }
  }
  return ports;
}

// ConflictingGatewayAnalyzer: same selector string, same port, matching hosts, another Gateway.
function checkConflicts(gateways: readonly KubeObject[]): AnalysisFinding[] {
  const byKey = new Map<string, Map<string, readonly string[]>>();
  for (const gateway of gateways) {
    const key = selectorString(selectorOf(gateway.spec.selector));
    for (const server of serversOf(gateway)) {
      const mapKey = `${key}~${server.port}`;
      const entry = byKey.get(mapKey) ?? new Map<string, readonly string[]>();
      entry.set(`${gateway.namespace}/${gateway.name}`, server.hosts);
      byKey.set(mapKey, entry);
    }
  }
  const findings: AnalysisFinding[] = [];
  for (const gateway of gateways) {
    const key = selectorString(selectorOf(gateway.spec.selector));
    const self = `${gateway.namespace}/${gateway.name}`;
    for (const server of serversOf(gateway)) {
      const others: string[] = [];
      for (const [name, hosts] of byKey.get(`${key}~${server.port}`) ?? []) {
        for (const host of server.hosts) {
          if (name !== self && hosts.some((h) => hostMatches(host, h))) {
            others.push(name);
          }
        }
      }
      if (others.length > 0) {
        findings.push(finding('IST0145', gateway.ref,
          `Conflict with gateways ${others.join(',')} (workload selector ${key}, port ${server.port}, hosts ${server.hosts.join(',')}).`,
          'Serve each host and port from one Gateway per set of gateway pods: merge the servers into one Gateway, or give the Gateways different hosts or ports.'));
      }
    }
  }
  return findings;
}

// ImageAutoAnalyzer: a pod template with `image: auto` whose pods no injection webhook will
// reach. The analyzer checks Deployments against the webhooks installed in the cluster; this
// checks every workload kind against the webhooks of a default install (see injection.ts).
function checkImageAuto(set: ManifestSet): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const template of set.podTemplates) {
    if (template.owner === undefined || asString(proxyContainer(template)?.image) !== 'auto') {
      continue;
    }
    const decision = injectionOf(set, template);
    if (!decision.injected) {
      findings.push(finding('IST0146', template.owner.ref,
        `${template.kind} ${template.name} contains \`image: auto\` but does not match any Istio injection webhook selectors (${decision.reason}); its pods will fail to pull the image "auto".`,
        `Label namespace ${template.namespace} istio-injection=enabled (or istio.io/rev=<revision>), or give the pod template the label sidecar.istio.io/inject: "true".`));
    }
  }
  return findings;
}

// Working path: gateway pods that no Istio Gateway selects have no listener (apart from the
// health port), so no request reaches them.
function checkGatewaysWithoutListeners(set: ManifestSet, gateways: readonly KubeObject[]): AnalysisFinding[] {
  const findings: AnalysisFinding[] = [];
  for (const template of set.podTemplates) {
    if (template.owner === undefined || !gatewayPodStatus(set, template).injected) {
      continue;
    }
    if (gateways.some((g) => serversOf(g).length > 0 && selectorMatches(selectorOf(g.spec.selector), template.labels))) {
      continue;
    }
    findings.push(finding('gateway-without-listeners', template.owner.ref,
      `No Istio Gateway with servers selects the gateway pods of ${describeTemplate(template)} (labels ${selectorString(template.labels)}), so they open no port for clients.`,
      'Add a Gateway (networking.istio.io) whose selector matches these pod labels, with a server per port the gateway Service exposes, and bind a VirtualService to it.'));
  }
  return findings;
}
