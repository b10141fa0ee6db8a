import { IConstruct } from 'constructs';
import { EdgeChain } from '../edge/edge-chain';
import { ExternalTrafficPolicy, GatewayPortProtocol, GatewayServiceType } from '../gateway-service';
import { GatewayTopology } from '../gateway-topology';
import { IpBlock } from '../ip-block';

/** One port of the gateway Service. */
export interface GatewayPort {
  /**
   * Port name, e.g. `http2`. Istio reads the protocol from the name prefix (`http`, `http2`,
   * `https`, `tcp`, `tls`, `grpc`, ...), unless `appProtocol` says it.
   */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The container port.
   *
   * @default - the same as `port` (gateway pods may bind ports below 1024)
   */
  readonly targetPort?: number;
  /**
   * The transport protocol.
   *
   * @default GatewayPortProtocol.TCP
   */
  readonly protocol?: GatewayPortProtocol;
  /**
   * `appProtocol` of the Service port, which Istio reads before the name prefix.
   *
   * @default - none; the name prefix says the protocol
   * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
   */
  readonly appProtocol?: string;
}

/**
 * What a route, a policy or an analysis needs to know about an ingress gateway, whatever runs it.
 *
 * `IngressGateway` implements it for gateways this library deploys by gateway injection; an
 * installed gateway (istioctl, Helm) or a Kubernetes Gateway API gateway can implement it too.
 */
export interface IIngressGateway extends IConstruct {
  /** Labels that select the gateway pods (Service selector, Istio `Gateway` and AuthorizationPolicy `selector`). */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** Every label on the gateway pods (the selector labels among them). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The namespace the gateway runs in, when known. */
  readonly namespace?: string;
  /** The name of the gateway's Service (and Deployment). */
  readonly name: string;
  /** The gateway Service's ports. */
  readonly ports: readonly GatewayPort[];
  /** The network in front of the gateway, as its ProxyConfig declares it. */
  readonly topology: GatewayTopology;
  /** The Service's `externalTrafficPolicy`, or `undefined` for a ClusterIP Service. */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /** The Service type. */
  readonly serviceType: GatewayServiceType;
  /** The Service's `loadBalancerSourceRanges`, when it restricts them. */
  readonly loadBalancerSourceRanges?: readonly IpBlock[];
  /** The hops in front of the gateway, when described. */
  readonly edge?: EdgeChain;
  /** The AuthorizationPolicy field that sees the client at this gateway, as configured. */
  readonly clientIpField: 'ipBlocks' | 'remoteIpBlocks';
  /**
   * The object policies attach to with `targetRefs`, for a gateway whose policies must not use a
   * `selector` (a Kubernetes Gateway API gateway: istioctl analyze IST0166).
   *
   * @default - none: policies select the gateway pods by `selectorLabels`
   */
  readonly policyTargetRef?: PolicyTargetRef;
}

/**
 * A reference to the object a policy attaches to (AuthorizationPolicy `targetRefs` entry), in the
 * policy's own namespace.
 *
 * @see https://istio.io/latest/docs/reference/config/type/workload-selector/#PolicyTargetReference
 */
export interface PolicyTargetRef {
  /** API group, e.g. `gateway.networking.k8s.io`. */
  readonly group: string;
  /** Kind, e.g. `Gateway`. */
  readonly kind: string;
  /** `metadata.name` of the object. */
  readonly name: string;
}
