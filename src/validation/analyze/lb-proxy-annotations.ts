// Service annotations that make a cloud load balancer send PROXY protocol headers to its backends.
// Sources: the presets in src/edge/edge-hop.ts, ../shared/research/peers.md (rows AWS, Azure,
// DigitalOcean, Hetzner, Oracle, Linode) and the providers' cloud controller manager docs linked
// below. Exoscale's NLB and GKE's passthrough load balancers cannot send PROXY headers, so they
// have no entry; Tencent's TKE configures it through a TkeServiceConfig object, not an annotation.
import { ProxyProtocolAnnotation } from './types';
import { StringMap } from './model';

/** One way a provider is told to send PROXY headers. */
export interface LoadBalancerProxyAnnotation {
  /** Provider and load balancer, for messages. */
  readonly provider: string;
  /** The annotation key, or its prefix when `prefix` is set. */
  readonly key: string;
  readonly prefix?: boolean;
  /** Whether the value turns PROXY on. */
  readonly enables: (value: string) => boolean;
  /** Where the annotation is documented (a page, or the repository and symbol that define it). */
  readonly see: string;
}

const oneOf = (...values: string[]) => (v: string) => values.includes(v.trim().toLowerCase());
// "true", "*" or a port list, but not "false" / empty.
const onOrPorts = (v: string) => !['', 'false', 'off', 'none', 'disabled'].includes(v.trim().toLowerCase());

/** The built-in list. */
export const LOAD_BALANCER_PROXY_ANNOTATIONS: readonly LoadBalancerProxyAnnotation[] = [
  { provider: 'AWS (Classic ELB, or NLB with the AWS Load Balancer Controller)', key: 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol', enables: oneOf('*'),
    see: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/' },
  { provider: 'AWS NLB (AWS Load Balancer Controller)', key: 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes',
    enables: (v) => v.split(',').map((kv) => kv.trim().toLowerCase().replace(/\s+/g, '')).includes('proxy_protocol_v2.enabled=true'),
    see: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/' },
  { provider: 'AWS NLB (AWS Load Balancer Controller, per target group)', key: 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol-per-target-group', enables: onOrPorts,
    see: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/' },
  { provider: 'Azure Private Link Service', key: 'service.beta.kubernetes.io/azure-pls-proxy-protocol', enables: oneOf('true'),
    see: 'https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/ (pls-integration)' },
  { provider: 'DigitalOcean', key: 'service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol', enables: oneOf('true'),
    see: 'https://github.com/digitalocean/digitalocean-cloud-controller-manager/blob/master/docs/controllers/services/annotations.md' },
  { provider: 'Hetzner Cloud', key: 'load-balancer.hetzner.cloud/uses-proxyprotocol', enables: oneOf('true'),
    see: 'https://github.com/hetznercloud/hcloud-cloud-controller-manager/blob/main/docs/reference/load_balancer_annotations.md' },
  { provider: 'Oracle Cloud load balancer', key: 'service.beta.kubernetes.io/oci-load-balancer-connection-proxy-protocol-version', enables: oneOf('1', '2'),
    see: 'https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengcreatingloadbalancer_topic-Summaryofannotations.htm' },
  { provider: 'Oracle Cloud network load balancer', key: 'oci-network-load-balancer.oraclecloud.com/is-ppv2-enabled', enables: oneOf('true'),
    see: 'https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengcreatingloadbalancer_topic-Summaryofannotations.htm' },
  { provider: 'Linode / Akamai NodeBalancer', key: 'service.beta.kubernetes.io/linode-loadbalancer-default-proxy-protocol', enables: oneOf('v1', 'v2'),
    see: 'linode/linode-cloud-controller-manager: AnnLinodeDefaultProxyProtocol, AnnLinodePortConfigPrefix' },
  { provider: 'Linode / Akamai NodeBalancer (per port)', key: 'service.beta.kubernetes.io/linode-loadbalancer-port-', prefix: true,
    enables: (v) => {
      try {
        const parsed = JSON.parse(v) as Record<string, unknown>;
        return typeof parsed['proxy-protocol'] === 'string' && oneOf('v1', 'v2')(parsed['proxy-protocol']);
      } catch {
        return false;
      }
    },
    see: 'linode/linode-cloud-controller-manager: AnnLinodeDefaultProxyProtocol, AnnLinodePortConfigPrefix' },
  { provider: 'Scaleway (PROXY v1)', key: 'service.beta.kubernetes.io/scw-loadbalancer-proxy-protocol-v1', enables: onOrPorts,
    see: 'scaleway/scaleway-cloud-controller-manager: docs/loadbalancer-annotations.md' },
  { provider: 'Scaleway (PROXY v2)', key: 'service.beta.kubernetes.io/scw-loadbalancer-proxy-protocol-v2', enables: onOrPorts,
    see: 'scaleway/scaleway-cloud-controller-manager: docs/loadbalancer-annotations.md' },
  { provider: 'Scaleway (deprecated send-proxy-v2)', key: 'service.beta.kubernetes.io/scw-loadbalancer-send-proxy-v2', enables: oneOf('true'),
    see: 'scaleway/scaleway-cloud-controller-manager: docs/loadbalancer-annotations.md' },
  { provider: 'Outscale', key: 'service.beta.kubernetes.io/osc-load-balancer-proxy-protocol', enables: onOrPorts,
    see: 'outscale/cloud-provider-osc: docs/annotations.md' },
  { provider: 'Vultr', key: 'service.beta.kubernetes.io/vultr-loadbalancer-proxy-protocol', enables: onOrPorts,
    see: 'vultr/vultr-cloud-controller-manager: annoVultrProxyProtocol' },
  { provider: 'OpenStack Octavia (also OVHcloud Public Cloud load balancer)', key: 'loadbalancer.openstack.org/proxy-protocol', enables: oneOf('true', 'v1', 'v2'),
    see: 'kubernetes/cloud-provider-openstack: ServiceAnnotationLoadBalancerProxyEnabled' },
  { provider: 'OVHcloud Managed Kubernetes (legacy load balancer)', key: 'service.beta.kubernetes.io/ovh-loadbalancer-proxy-protocol', enables: oneOf('v1', 'v2', 'v2-ssl', 'v2-ssl-cn'),
    see: 'OVHcloud Managed Kubernetes docs: load balancer annotation migration table' },
  { provider: 'Civo', key: 'kubernetes.civo.com/loadbalancer-enable-proxy-protocol', enables: oneOf('send-proxy', 'send-proxy-v2'),
    see: 'civo/civo-cloud-controller-manager: loadbalancer-enable-proxy-protocol' },
  { provider: 'Alibaba Cloud', key: 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol', enables: oneOf('on'),
    see: 'Alibaba Cloud ACK docs: configure Proxy Protocol (CLB and NLB)' },
];

/** The annotations of `annotations` that tell a load balancer to send PROXY headers (`key: value`). */
export function proxyProtocolAnnotationsIn(annotations: StringMap, extra: readonly ProxyProtocolAnnotation[]): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    const known = LOAD_BALANCER_PROXY_ANNOTATIONS.some((a) => (a.prefix === true ? key.startsWith(a.key) : key === a.key) && a.enables(value));
    const declared = extra.some((a) => a.key === key && (a.values === undefined ? onOrPorts(value) : a.values.some((v) => v.toLowerCase() === value.trim().toLowerCase())));
    if (known || declared) {
      found.push(`${key}: ${JSON.stringify(value)}`);
    }
  }
  return found;
}
