/**
 * The benchmark scenario, as data: every variant derives its workloads from these functions, so
 * they all describe the same objects. Imports nothing (each variant's module loading stays its own).
 */

/** Construct id of the chart; the output file is `<id>.k8s.yaml`. */
export const CHART_ID = 'bench';

/** The one ingress gateway in front of every workload. */
export const GATEWAY = {
  name: 'istio-ingressgateway',
  namespace: 'istio-ingress',
  numTrustedProxies: 1,
} as const;

/** Container port of every workload; its Service listens on `SERVICE_PORT`. */
export const CONTAINER_PORT = 8080;
export const SERVICE_PORT = 80;

/** Workloads are spread over this many namespaces. */
const NAMESPACES = 50;

/** `w<i>`: the name of the Deployment, Service, AuthorizationPolicy and DestinationRule of workload `i`. */
export function workloadName(i: number): string {
  return `w${i}`;
}

/** `team-<i mod 50>`. */
export function namespaceOf(i: number): string {
  return `team-${i % NAMESPACES}`;
}

/** Container image of workload `i`. */
export function imageOf(i: number): string {
  return `registry.example.com/${namespaceOf(i)}/${workloadName(i)}:1.0`;
}

/**
 * The 3 IP blocks workload `i` allows, unique per workload for i < 65535: an IPv4 /24, one IPv4
 * address and an IPv6 /48. Written in canonical form, which is also how `IpBlock` renders them.
 */
export function ipBlocksOf(i: number): [string, string, string] {
  return [
    `10.${(i >> 8) & 255}.${i & 255}.0/24`,
    `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}/32`,
    `2001:db8:${(i + 1).toString(16)}::/48`,
  ];
}
