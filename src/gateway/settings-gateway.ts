import { Construct } from 'constructs';
import { EdgeChain } from '../edge/edge-chain';
import { ExternalTrafficPolicy, GatewayServiceType } from '../gateway-service';
import { GatewayTopology } from '../gateway-topology';
import { IpBlock } from '../ip-block';
import { GatewaySourceIpSettings } from './settings';

/**
 * The part every way of running a gateway shares: what it does with the client's address, read
 * from its one `GatewaySourceIpSettings` value. `IngressGateway`, `KubernetesGateway` and the
 * installed gateways extend it, so they cannot disagree on any of these.
 */
export abstract class SettingsBackedGateway extends Construct {
  /** Everything about the client's address: derived from `edge` and the props. */
  public abstract readonly settings: GatewaySourceIpSettings;

  /** The network in front of the gateway, as the pods' ProxyConfig declares it. */
  public get topology(): GatewayTopology {
    return this.settings.topology;
  }

  /** `externalTrafficPolicy` of the Service (`undefined` for ClusterIP). */
  public get externalTrafficPolicy(): ExternalTrafficPolicy | undefined {
    return this.settings.externalTrafficPolicy;
  }

  /** Service type. */
  public get serviceType(): GatewayServiceType {
    return this.settings.serviceType;
  }

  /** `loadBalancerSourceRanges` of the Service, when given. */
  public get loadBalancerSourceRanges(): readonly IpBlock[] | undefined {
    return this.settings.loadBalancerSourceRanges;
  }

  /** The number of gateway pods (the autoscaler's minimum, with one). */
  public get replicas(): number {
    return this.settings.replicas;
  }

  /** The hops in front of the gateway, when described. */
  public get edge(): EdgeChain | undefined {
    return this.settings.edge;
  }

  /**
   * The AuthorizationPolicy field that sees the client at this gateway: `remoteIpBlocks` when the
   * gateway reads the client from `X-Forwarded-For` or PROXY protocol, `ipBlocks` otherwise.
   */
  public get clientIpField(): 'ipBlocks' | 'remoteIpBlocks' {
    return this.settings.clientIpField;
  }
}
