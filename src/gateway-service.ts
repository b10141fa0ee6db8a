/**
 * `externalTrafficPolicy` of a Service.
 *
 * @see https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy
 */
export enum ExternalTrafficPolicy {
  /** Only nodes running a gateway pod take traffic; the packet keeps the client's source address. */
  LOCAL = 'Local',
  /** Any node takes traffic and forwards it, replacing the source address with its own (SNAT). */
  CLUSTER = 'Cluster',
}

/** `type` of the gateway Service. */
export enum GatewayServiceType {
  /** A cloud load balancer in front of node ports (Istio's default for ingress gateways). */
  LOAD_BALANCER = 'LoadBalancer',
  /** A port on every node; something outside the cluster balances across them. */
  NODE_PORT = 'NodePort',
  /** Reachable inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
}

/** Transport protocol of a gateway port. */
export enum GatewayPortProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
}
