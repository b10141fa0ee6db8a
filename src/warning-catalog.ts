/** What the warning catalog says about one warning id. */
export interface WarningInfo {
  /** The construct or function that raises it. */
  readonly raisedBy: string;
  /** When it is raised, in one sentence. */
  readonly when: string;
}

/**
 * Every warning id this library raises. Ids are stable: a new release may add ids, never change
 * what an existing one means. The README's warning table is rendered from this catalog, and a test
 * checks that every id raised in the source is listed here.
 */
export const WARNING_CATALOG: Readonly<Record<string, WarningInfo>> = {
  'ip-block-host-bits': { raisedBy: '`IpAccessPolicy`, `IngressGateway`, `KubernetesGateway`, `InstalledGateway`, `ClientRateLimit`', when: 'a block had host bits set and was written as the whole range' },
  'local-traffic-policy-single-replica': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: '`externalTrafficPolicy: Local` with fewer than 2 replicas' },
  'local-traffic-policy-no-spread': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: '`externalTrafficPolicy: Local` without spreading gateway pods across nodes' },
  'edge-setting-overridden': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'an explicit prop contradicts what the `edge` calls for (the prop wins)' },
  'proxy-protocol-unsupported-by-hop': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'the gateway expects PROXY protocol from a hop that cannot send it (e.g. a GKE Service load balancer)' },
  'proxy-protocol-mismatch': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'PROXY protocol is on at the load balancer but not at the gateway, or the reverse' },
  'proxy-protocol-local-health-check': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'AWS NLB instance targets with PROXY v2 and `externalTrafficPolicy: Local` (health checks fail)' },
  'edge-requires-local': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'the hop keeps the client only with `externalTrafficPolicy: Local` (OCI `is-preserve-source`) but the Service has another policy' },
  'xff-entry-with-port': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'the `X-Forwarded-For` entry the gateway reads is written as `ip:port` (ALB `xff_client_port`, Azure Application Gateway), which Envoy cannot parse' },
  'client-address-lost': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'no hop carries the client address: no `X-Forwarded-For` entry, no PROXY protocol, no preserved source' },
  'xff-spoofable': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'the simulator finds that a client can choose the address the gateway trusts, with a forged `X-Forwarded-For`, on the described edge' },
  'xff-spoofable-by-bypass': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'a client that connects to a later hop directly (a public load balancer behind a CDN, NodePort node ports), skipping the hops in front, can choose the address the gateway trusts; the subject names the entry point' },
  'trusts-proxy-address': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'the simulator finds that the gateway trusts a proxy\'s, load balancer\'s or node\'s address instead of the client\'s, on the described edge' },
  'istio-annotation-unknown': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'a `*.istio.io/*` annotation Istio 1.30 does not know (IST0108), with the nearest known name' },
  'istio-annotation-deprecated': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'a deprecated Istio annotation (IST0135), with its replacement' },
  'proxy-config-unknown-field': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'a `proxy.istio.io/config` field ProxyConfig does not have, which Istio drops without a word' },
  'mesh-wide-gateway-topology': { raisedBy: '`InstalledGateway.istioctl`', when: '`meshWideTopology`: the topology goes to `meshConfig.defaultConfig`, so every gateway of the mesh without its own annotation gets it' },
  'tproxy-runs-as-root': { raisedBy: '`setInterceptionMode`', when: 'TPROXY: istio-proxy runs as root with `NET_ADMIN` (Pod Security baseline/restricted reject it)' },
  'interception-mode-ignored': { raisedBy: '`setInterceptionMode`', when: 'the pods are a gateway, or ambient without a known sidecar (pods that get no sidecar at all fail the synth)' },
  'sidecar-injection-unknown': { raisedBy: '`setInterceptionMode`', when: 'the pods\' namespace is neither created in the app nor declared with `MeshNamespace.fromExisting`, so whether they get a sidecar is unknown' },
  'interception-mode-overrides-proxy-config': { raisedBy: '`setInterceptionMode`', when: 'the pod\'s `proxy.istio.io/config` names another interception mode' },
  'remote-ip-blocks-on-sidecar': { raisedBy: '`IpAccessPolicy`', when: '`remoteIpBlocks` on a workload that is not a gateway (its sidecar trusts the rightmost `X-Forwarded-For` entry)' },
  'remote-ip-blocks-on-ambient': { raisedBy: '`IpAccessPolicy`', when: '`remoteIpBlocks` on an ambient workload (ztunnel cannot enforce it)' },
  'remote-ip-blocks-without-trusted-hop': { raisedBy: '`IpAccessPolicy`', when: '`remoteIpBlocks` on a gateway that trusts no proxy and has no PROXY protocol' },
  'remote-ip-blocks-spoofable': { raisedBy: '`IpAccessPolicy`', when: '`remoteIpBlocks` on a gateway whose described edge lets a client choose the trusted address, through every hop or past the first' },
  'remote-ip-blocks-see-proxy': { raisedBy: '`IpAccessPolicy`', when: '`remoteIpBlocks` on a gateway whose described edge makes it trust a proxy\'s address' },
  'ip-blocks-after-snat': { raisedBy: '`IpAccessPolicy`', when: '`ipBlocks` on a gateway whose Service has `externalTrafficPolicy: Cluster`' },
  'ip-blocks-see-proxy': { raisedBy: '`IpAccessPolicy`', when: '`ipBlocks` on a gateway behind trusted proxies or PROXY protocol' },
  'client-rate-limit-spoofable': { raisedBy: '`ClientRateLimit`', when: 'a per-client rate limit on a gateway whose described edge lets a client choose the trusted address (the key)' },
  'client-rate-limit-sees-proxy': { raisedBy: '`ClientRateLimit`', when: 'a per-client rate limit on a gateway that trusts a proxy\'s, load balancer\'s or node\'s address, so clients share a bucket' },
  'ip-blocks-on-sidecar': { raisedBy: '`IpAccessPolicy`', when: '`ipBlocks` ranges outside private, CGNAT and link-local space on a workload that is not a gateway (its TCP peer is a pod, never an external client)' },
  'ip-block-ipv4-mapped': { raisedBy: '`IpAccessPolicy`', when: 'an IPv4-mapped IPv6 block (`::ffff:a.b.c.d`), which never matches an IPv4 client because Envoy compares address families' },
  'policy-matches-everyone': { raisedBy: '`IpAccessPolicy`', when: 'the rules together match every IPv4 or every IPv6 client: an allow-all (or deny-all) that does not say so' },
  'policy-namespace-differs-from-target': { raisedBy: '`IpAccessPolicy`', when: 'the policy is not in its target\'s namespace' },
  'consistent-hash-with-locality-lb': { raisedBy: '`ClientAffinity`', when: 'consistent hashing on a rule with `outlierDetection` (added by a patch) while locality load balancing is not off: Istio then gives each proxy its own endpoint priorities' },
  'status-port-proxy-protocol-unavailable': { raisedBy: '`IngressGateway`, `KubernetesGateway`, `InstalledGateway`', when: 'PROXY protocol on a target Istio older than 1.27, whose 15021 health port cannot accept PROXY headers' },
  'route-port-protocol-unknown': { raisedBy: '`GatewayRoute`, `HttpRoute`', when: 'the backend Service port has neither an Istio protocol prefix nor `appProtocol` (IST0118)' },
  'consistent-hash-on-xff': { raisedBy: '`ClientAffinity`', when: 'hashing on the whole `x-forwarded-for` header' },
};

/** The README's warning table, rendered from the catalog. */
export function renderWarningTable(): string {
  return '| Id | Raised by | When |\n|---|---|---|\n'
    + Object.entries(WARNING_CATALOG).map(([id, info]) => `| \`${id}\` | ${info.raisedBy} | ${info.when} |`).join('\n') + '\n';
}
