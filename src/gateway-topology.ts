import { failIfAny, mustBe, oneOf, requireObject, wholeNumber } from './private/problems';

/**
 * How a gateway handles the `x-forwarded-client-cert` header (`gatewayTopology.forwardClientCertDetails`).
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#Topology-ForwardClientCertDetails
 */
export enum ForwardClientCertDetails {
  /** Do not send the header to the next hop. */
  SANITIZE = 'SANITIZE',
  /** Forward the header only when the client connection is mTLS. */
  FORWARD_ONLY = 'FORWARD_ONLY',
  /** Append this gateway's client certificate details to the header (sidecar default). */
  APPEND_FORWARD = 'APPEND_FORWARD',
  /** Replace the header with this gateway's client certificate details (gateway default). */
  SANITIZE_SET = 'SANITIZE_SET',
  /** Always forward the header, whatever the connection. */
  ALWAYS_FORWARD_ONLY = 'ALWAYS_FORWARD_ONLY',
}

/**
 * Where client traffic comes from before it reaches an ingress gateway.
 */
export interface GatewayTopologyProps {
  /**
   * How many HTTP proxies in front of the gateway append to `X-Forwarded-For`.
   *
   * The gateway's Envoy trusts the Nth address from the right of `X-Forwarded-For` as the client
   * (`xff_num_trusted_hops`), and falls back to the TCP peer when the header is shorter. Count L7
   * hops only: an L4 or PROXY-protocol load balancer appends nothing and counts 0. One too low
   * trusts a proxy's address; one too high lets a client choose its own address.
   *
   * @default 0 (Istio's default: the TCP peer, or the PROXY-protocol source, is the client)
   */
  readonly numTrustedProxies?: number;

  /**
   * Whether the load balancer in front sends a PROXY protocol (v1 or v2) header.
   *
   * When true, every TCP listener of the gateway (HTTP, HTTPS, TLS passthrough, TCP) refuses
   * connections without one; the 15021 health port is not covered.
   *
   * @default false
   */
  readonly proxyProtocol?: boolean;

  /**
   * How the gateway treats `x-forwarded-client-cert`.
   *
   * @default - not set; Istio gateways then use `SANITIZE_SET`
   */
  readonly forwardClientCertDetails?: ForwardClientCertDetails;
}

/** The `gatewayTopology` object as written to the ProxyConfig annotation. */
export interface RenderedGatewayTopology {
  /** Always written, so the gateway never inherits a mesh-wide hop count. */
  readonly numTrustedProxies: number;
  /** `{}` when PROXY protocol is on; absent when off (the field is on by presence). */
  readonly proxyProtocol?: Record<string, never>;
  /** Written only when set. */
  readonly forwardClientCertDetails?: string;
}

/**
 * A gateway's view of the network in front of it: ProxyConfig `gatewayTopology`.
 *
 * Rendered by `IngressGateway` into the gateway pods' `proxy.istio.io/config` annotation, with
 * Istio's exact camelCase keys, merged with any ProxyConfig already there. The annotation
 * replaces the mesh-wide `defaultConfig.gatewayTopology` as a whole, so every field is written
 * explicitly and the gateway never inherits a hop count meant for another one.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export class GatewayTopology {
  /** Clients connect straight to the gateway (or through L4 hops that keep their address). */
  public static direct(): GatewayTopology {
    return new GatewayTopology({});
  }

  /**
   * A topology from its fields.
   *
   * @throws SourceIpValidationError listing every bad field
   */
  public static of(props: GatewayTopologyProps): GatewayTopology {
    requireObject('GatewayTopology', 'props', props, 'pass an object, e.g. GatewayTopology.of({ numTrustedProxies: 1 })');
    return new GatewayTopology(props);
  }

  /**
   * The AuthorizationPolicy field that sees the client at a gateway with this topology:
   * `remoteIpBlocks` when the client comes from `X-Forwarded-For` or a PROXY header, `ipBlocks`
   * when only the packet source can carry it.
   */
  public static clientIpFieldFor(numTrustedProxies: number, proxyProtocol: boolean): 'ipBlocks' | 'remoteIpBlocks' {
    failIfAny('GatewayTopology.clientIpFieldFor', [
      numTrustedProxies === undefined ? mustBe('numTrustedProxies', 'set', undefined, 'pass the number of trusted proxies (0 when none)')
        : wholeNumber('numTrustedProxies', numTrustedProxies, 0, 4294967295, 'pass the number of trusted proxies (0 when none)'),
      typeof proxyProtocol === 'boolean' ? undefined : mustBe('proxyProtocol', 'true or false', proxyProtocol, 'pass a boolean'),
    ]);
    return numTrustedProxies > 0 || proxyProtocol ? 'remoteIpBlocks' : 'ipBlocks';
  }

  /** `numTrustedProxies`, 0 when not given. */
  public readonly numTrustedProxies: number;

  /** Whether the gateway expects a PROXY protocol header. */
  public readonly proxyProtocol: boolean;

  /** `forwardClientCertDetails`, when given. */
  public readonly forwardClientCertDetails?: ForwardClientCertDetails;

  private constructor(props: GatewayTopologyProps) {
    failIfAny('GatewayTopology', [
      wholeNumber('numTrustedProxies', props.numTrustedProxies, 0, 4294967295,
        'count the HTTP proxies that append to X-Forwarded-For in front of the gateway (0 when none)'),
      props.proxyProtocol === undefined || typeof props.proxyProtocol === 'boolean' ? undefined
        : mustBe('proxyProtocol', 'true or false', props.proxyProtocol, 'pass a boolean'),
      oneOf('forwardClientCertDetails', props.forwardClientCertDetails, ForwardClientCertDetails,
        'use a ForwardClientCertDetails member'),
    ]);
    this.numTrustedProxies = props.numTrustedProxies ?? 0;
    this.proxyProtocol = props.proxyProtocol ?? false;
    this.forwardClientCertDetails = props.forwardClientCertDetails;
  }

  /** The AuthorizationPolicy field that sees the client at a gateway with this topology. */
  public get clientIpField(): 'ipBlocks' | 'remoteIpBlocks' {
    return GatewayTopology.clientIpFieldFor(this.numTrustedProxies, this.proxyProtocol);
  }

  /** A copy with some fields changed. */
  public with(props: GatewayTopologyProps): GatewayTopology {
    requireObject('GatewayTopology.with', 'props', props, 'pass the fields to change, e.g. { numTrustedProxies: 2 }');
    return new GatewayTopology({
      numTrustedProxies: props.numTrustedProxies ?? this.numTrustedProxies,
      proxyProtocol: props.proxyProtocol ?? this.proxyProtocol,
      forwardClientCertDetails: props.forwardClientCertDetails ?? this.forwardClientCertDetails,
    });
  }

  /**
   * The `gatewayTopology` JSON: `proxyProtocol: true` becomes `proxyProtocol: {}` (the field is an
   * empty message whose presence turns PROXY protocol on).
   *
   * @internal
   */
  public _render(): RenderedGatewayTopology {
    return {
      numTrustedProxies: this.numTrustedProxies,
      ...(this.proxyProtocol ? { proxyProtocol: {} } : {}),
      ...(this.forwardClientCertDetails === undefined ? {} : { forwardClientCertDetails: this.forwardClientCertDetails }),
    };
  }
}
