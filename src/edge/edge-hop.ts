import { GatewayServiceType } from '../gateway-service';
import { IpBlock } from '../ip-block';
import {
  annotationMapProblems, booleanProblem, failIfAny, firstHole, listProblem, mustBe, oneOf, Problem, requireObject, show, wholeNumber,
} from '../private/problems';
import { CLOUDFLARE_RANGES, GOOGLE_FRONT_END_RANGES } from './data/published-ranges';

/** How a hop handles a connection. */
export enum HopLayer {
  /** Routes packets without terminating TCP (GKE passthrough NLB, Azure Standard LB, MetalLB). */
  L4_PASSTHROUGH = 'l4-passthrough',
  /** Terminates TCP and opens a new connection (Classic ELB TCP, DigitalOcean REGIONAL, Hetzner tcp). */
  L4_PROXY = 'l4-proxy',
  /** Terminates HTTP and appends to `X-Forwarded-For` (Application Load Balancers, CDNs). */
  L7 = 'l7',
}

/** Whether the packet that reaches the gateway still carries the client's source address. */
export enum SourcePreservation {
  /** Always (the load balancer delivers straight to pod IPs with the client as source). */
  ALWAYS = 'always',
  /** Only with `externalTrafficPolicy: Local`; with `Cluster` the node replaces it (SNAT). */
  WITH_LOCAL = 'with-local',
  /** Never: the hop's own address is the source. */
  NEVER = 'never',
}

/** A PROXY protocol version. Envoy's listener filter accepts both. */
export enum ProxyProtocolVersion {
  V1 = 'v1',
  V2 = 'v2',
}

/** Everything an `EdgeHop` knows; `EdgeHop.custom` takes it as is. */
export interface EdgeHopProps {
  /** A short name for reports, e.g. `AWS NLB (ip targets)`. */
  readonly name: string;

  /** How the hop handles connections. */
  readonly layer: HopLayer;

  /**
   * How many entries the hop appends to `X-Forwarded-For`. Only L7 hops append.
   *
   * @default - 1 for L7 hops, 0 otherwise
   */
  readonly xffEntriesAppended?: number;

  /**
   * Whether the hop's source address survives to the next hop (L4 hops).
   *
   * @default - SourcePreservation.WITH_LOCAL for L4 passthrough, NEVER otherwise
   */
  readonly sourcePreservation?: SourcePreservation;

  /**
   * The PROXY protocol versions the hop can send.
   *
   * @default - none
   */
  readonly proxyProtocolSupport?: readonly ProxyProtocolVersion[];

  /**
   * The PROXY protocol version this hop is set up to send to the next hop.
   *
   * @default - none
   */
  readonly proxyProtocol?: ProxyProtocolVersion;

  /**
   * The gateway Service type this hop needs when it sits directly in front of the gateway.
   *
   * @default - the hop cannot sit directly in front of a Kubernetes Service (a CDN, for example)
   */
  readonly serviceType?: GatewayServiceType;

  /**
   * Service annotations that create and configure this hop, when it fronts the gateway.
   *
   * @default - none
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;

  /**
   * Whether the hop writes `ip:port` entries into `X-Forwarded-For`, which Envoy cannot parse.
   *
   * @default false
   */
  readonly writesPortInXff?: boolean;

  /**
   * Whether the hop sends straight to pod IPs (AWS NLB ip targets, network endpoint groups)
   * rather than to node ports, so no node rewrites the source.
   *
   * @default - true for SourcePreservation.ALWAYS, false otherwise
   */
  readonly deliversToPods?: boolean;

  /**
   * Whether this hop's health checks fail with PROXY protocol and `externalTrafficPolicy: Local`.
   *
   * @default false
   */
  readonly proxyProtocolBreaksLocalHealthChecks?: boolean;

  /**
   * Whether the hop's settings are only valid with `externalTrafficPolicy: Local`.
   *
   * @default false
   */
  readonly requiresLocal?: boolean;

  /**
   * Whether clients on the internet can connect to this hop directly, not only through the hops in
   * front of it. An internal load balancer is not; a public one is, unless it is locked down (see
   * `lockedDown` and the gateway's `loadBalancerSourceRanges`). The checks assume an attacker
   * connects to every hop they can reach and sends headers of any length.
   *
   * @default true
   */
  readonly publiclyReachable?: boolean;

  /**
   * How this hop is kept from clients that skip the hops in front of it, in one sentence (e.g.
   * "a Cloud Armor policy admits only Cloudflare's ranges"). The checks take your word for it: a
   * hop with `lockedDown` is not an entry point.
   *
   * @default - not locked down: reachable directly when `publiclyReachable`
   */
  readonly lockedDown?: string;

  /**
   * The ranges the hop connects to the next hop from, as its provider publishes them. A
   * `loadBalancerSourceRanges` within them locks the next hop (the gateway's load balancer) down.
   *
   * @default - none published
   */
  readonly sourceRanges?: readonly string[];

  /**
   * Whether the gateway Service's `loadBalancerSourceRanges` restrict who reaches this hop, when it
   * is the Service's load balancer (Kubernetes leaves it to the provider).
   *
   * @default false
   */
  readonly enforcesLoadBalancerSourceRanges?: boolean;

  /**
   * How to let only the hop in front reach this one, for fix messages.
   *
   * @default - 'admit only the hop in front of it (a firewall or security group on it)'
   */
  readonly lockDownHint?: string;

  /**
   * Known caveats, one sentence each.
   *
   * @default - none
   */
  readonly caveats?: readonly string[];

  /**
   * Where the facts come from (a document or page).
   *
   * @default 'described by the user'
   */
  readonly source?: string;
}

/** Options for `EdgeHop.azureLoadBalancer`. */
export interface AzureLoadBalancerOptions {
  /**
   * An internal load balancer (`azure-load-balancer-internal`), not reachable from the internet.
   *
   * @default false
   */
  readonly internal?: boolean;

  /**
   * Send PROXY v2 through a Private Link Service (`azure-pls-create`, `azure-pls-proxy-protocol`).
   *
   * @default false
   */
  readonly privateLinkServiceProxyProtocol?: boolean;

  /**
   * Service tags the network security group admits (`azure-allowed-service-tags`), e.g.
   * `AzureFrontDoor.Backend` behind Front Door: the load balancer is then locked down to them.
   *
   * @default - every source
   */
  readonly allowedServiceTags?: readonly string[];
}

/** Options for hops that can send PROXY protocol. */
export interface ProxyProtocolOptions {
  /**
   * Whether the hop sends a PROXY protocol header to the gateway.
   *
   * @default false
   */
  readonly proxyProtocol?: boolean;
}

/** Options for `EdgeHop.awsNlb`. */
export interface AwsNlbOptions extends ProxyProtocolOptions {
  /** `instance` (node ports) or `ip` (pod IPs) targets. */
  readonly targetType: AwsNlbTargetType;

  /**
   * `preserve_client_ip.enabled`: on by default for instance targets, off for ip targets.
   *
   * @default - true for instance targets, false for ip targets (the AWS defaults)
   */
  readonly preserveClientIp?: boolean;

  /**
   * Whether the load balancer faces the internet (`aws-load-balancer-scheme`; the controller's
   * default is `internal`).
   *
   * @default true
   */
  readonly internetFacing?: boolean;
}

/** Target type of an AWS Network Load Balancer. */
export enum AwsNlbTargetType {
  INSTANCE = 'instance',
  IP = 'ip',
}

/** Listener kind of an AWS Classic ELB. */
export enum ClassicElbListener {
  /** TCP listener: the client address is lost. */
  TCP = 'tcp',
  /** TCP listener with PROXY protocol v1. */
  TCP_PROXY_PROTOCOL = 'tcp-proxy-protocol',
  /** HTTP listener: appends the client to `X-Forwarded-For`. */
  HTTP = 'http',
}

/** Load balancer type of a DigitalOcean Service. */
export enum DigitalOceanLbType {
  /** `REGIONAL_NETWORK`: passthrough network load balancer (the default since CCM v0.1.61). */
  REGIONAL_NETWORK = 'REGIONAL_NETWORK',
  /** `REGIONAL`: a proxying load balancer. */
  REGIONAL = 'REGIONAL',
}

/** Listener protocol of a Hetzner Cloud load balancer. */
export enum HetznerProtocol {
  TCP = 'tcp',
  HTTP = 'http',
  HTTPS = 'https',
}

const PEERS = 'research/peers.md table (a)';
const DEFAULT_LOCK_DOWN_HINT = 'admit only the hop in front of it (a firewall or security group on it)';
const SOURCE_RANGES_HINT = 'set loadBalancerSourceRanges on the gateway to the ranges of the hop in front';

/**
 * One hop between the client and the ingress gateway: a CDN, a cloud load balancer, or anything
 * described with `EdgeHop.custom`.
 *
 * Each factory encodes one row of the provider table: how many `X-Forwarded-For` entries the hop
 * appends, which PROXY protocol versions it can send, whether the packet source survives (and
 * whether only with `externalTrafficPolicy: Local`), the Service annotations that create it, and
 * its known caveats.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export class EdgeHop {
  /**
   * GKE external passthrough Network Load Balancer: the default for a `LoadBalancer` Service.
   * Routes packets without PROXY protocol; the client address survives with `Local`.
   *
   * @see https://docs.cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer
   */
  public static gkeExternalPassthrough(): EdgeHop {
    return new EdgeHop({
      name: 'GKE external passthrough NLB',
      layer: HopLayer.L4_PASSTHROUGH,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      enforcesLoadBalancerSourceRanges: true,
      lockDownHint: `${SOURCE_RANGES_HINT} (GKE writes them into VPC firewall rules)`,
      caveats: ['Cannot send PROXY protocol (Google\'s TCP proxy load balancer can, but a GKE Service never creates it).'],
      source: `${PEERS}, GKE external passthrough NLB [G1][G2][G3]`,
    });
  }

  /**
   * GKE internal passthrough Network Load Balancer (`networking.gke.io/load-balancer-type: Internal`).
   *
   * @see https://docs.cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
   */
  public static gkeInternalPassthrough(): EdgeHop {
    return new EdgeHop({
      name: 'GKE internal passthrough NLB',
      layer: HopLayer.L4_PASSTHROUGH,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      serviceAnnotations: { 'networking.gke.io/load-balancer-type': 'Internal' },
      publiclyReachable: false,
      enforcesLoadBalancerSourceRanges: true,
      caveats: ['Cannot send PROXY protocol.'],
      source: `${PEERS}, GKE internal passthrough NLB [G2]`,
    });
  }

  /**
   * Google Cloud Application Load Balancer (GKE Ingress or Gateway API), sending to the gateway
   * pods through a network endpoint group. Appends two entries: the client and the load balancer.
   *
   * @see https://cloud.google.com/load-balancing/docs/https#x-forwarded-for_header
   */
  public static googleCloudApplicationLoadBalancer(): EdgeHop {
    return new EdgeHop({
      name: 'Google Cloud Application LB',
      layer: HopLayer.L7,
      xffEntriesAppended: 2,
      serviceType: GatewayServiceType.CLUSTER_IP,
      serviceAnnotations: { 'cloud.google.com/neg': '{"ingress": true}' },
      sourceRanges: GOOGLE_FRONT_END_RANGES.cidrs,
      lockDownHint: 'attach a Cloud Armor security policy to its backend service that admits only the ranges of the hop in front '
        + '(GKE: securityPolicy in a BackendConfig or GCPBackendPolicy)',
      source: `${PEERS}, GKE Ingress / Gateway API global external Application LB [G6][G7]`,
    });
  }

  /**
   * AWS Classic Elastic Load Balancer (the in-tree default for `LoadBalancer` Services).
   *
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-proxy-protocol.html
   */
  public static awsClassicElb(listener: ClassicElbListener): EdgeHop {
    failIfAny('EdgeHop.awsClassicElb', [oneOf('listener', listener, ClassicElbListener, 'use a ClassicElbListener member')]);
    const base = {
      serviceType: GatewayServiceType.LOAD_BALANCER, proxyProtocolSupport: [ProxyProtocolVersion.V1], enforcesLoadBalancerSourceRanges: true,
      lockDownHint: `${SOURCE_RANGES_HINT} (written into the ELB's security group)`,
    };
    switch (listener) {
      case ClassicElbListener.HTTP:
        return new EdgeHop({
          ...base, name: 'AWS Classic ELB (HTTP)', layer: HopLayer.L7, xffEntriesAppended: 1,
          serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'http' },
          source: `${PEERS}, AWS Classic ELB HTTP listener [A1]`,
        });
      case ClassicElbListener.TCP_PROXY_PROTOCOL:
        return new EdgeHop({
          ...base, name: 'AWS Classic ELB (TCP, PROXY v1)', layer: HopLayer.L4_PROXY, proxyProtocol: ProxyProtocolVersion.V1,
          serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*' },
          source: `${PEERS}, AWS Classic ELB TCP + PROXY v1 [A2][A3]`,
        });
      default:
        return new EdgeHop({
          ...base, name: 'AWS Classic ELB (TCP)', layer: HopLayer.L4_PROXY,
          caveats: ['A TCP listener hides the client address unless PROXY protocol v1 is on.'],
          source: `${PEERS}, AWS Classic ELB TCP listener [A1]`,
        });
    }
  }

  /**
   * AWS Network Load Balancer created by the AWS Load Balancer Controller.
   *
   * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
   */
  public static awsNlb(options: AwsNlbOptions): EdgeHop {
    requireObject('EdgeHop.awsNlb', 'options', options, 'pass { targetType: AwsNlbTargetType.IP }');
    failIfAny('EdgeHop.awsNlb', [
      options.targetType === undefined ? mustBe('targetType', 'set', undefined, 'pass targetType: AwsNlbTargetType.INSTANCE or IP') : undefined,
      oneOf('targetType', options.targetType, AwsNlbTargetType, 'use AwsNlbTargetType.INSTANCE or IP'),
      booleanProblem('preserveClientIp', options.preserveClientIp),
      booleanProblem('proxyProtocol', options.proxyProtocol),
      booleanProblem('internetFacing', options.internetFacing),
    ]);
    const instance = options.targetType === AwsNlbTargetType.INSTANCE;
    const preserve = options.preserveClientIp ?? instance;
    const annotations: Record<string, string> = {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': options.targetType,
      'service.beta.kubernetes.io/aws-load-balancer-scheme': options.internetFacing === false ? 'internal' : 'internet-facing',
    };
    if (options.preserveClientIp !== undefined && options.preserveClientIp !== instance) {
      annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'] = `preserve_client_ip.enabled=${options.preserveClientIp}`;
    }
    if (options.proxyProtocol) {
      annotations['service.beta.kubernetes.io/aws-load-balancer-proxy-protocol'] = '*';
    }
    return new EdgeHop({
      name: `AWS NLB (${options.targetType} targets${options.proxyProtocol ? ', PROXY v2' : ''})`,
      layer: preserve ? HopLayer.L4_PASSTHROUGH : HopLayer.L4_PROXY,
      sourcePreservation: !preserve ? SourcePreservation.NEVER : instance ? SourcePreservation.WITH_LOCAL : SourcePreservation.ALWAYS,
      proxyProtocolSupport: [ProxyProtocolVersion.V2],
      proxyProtocol: options.proxyProtocol ? ProxyProtocolVersion.V2 : undefined,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      serviceAnnotations: annotations,
      deliversToPods: !instance,
      proxyProtocolBreaksLocalHealthChecks: instance,
      publiclyReachable: options.internetFacing !== false,
      enforcesLoadBalancerSourceRanges: true,
      lockDownHint: `${SOURCE_RANGES_HINT} (the AWS Load Balancer Controller writes them into the NLB's security group rules)`,
      caveats: [
        'preserve_client_ip has no effect on traffic translated between IPv4 and IPv6.',
        ...(instance ? ['Do not combine PROXY v2 with instance targets and externalTrafficPolicy: Local: the HTTP health checks fail.'] : []),
      ],
      source: `${PEERS}, AWS NLB via AWS Load Balancer Controller [LBC1][LBC2]`,
    });
  }

  /**
   * AWS Application Load Balancer (AWS Load Balancer Controller Ingress or Gateway), sending to pod
   * IPs. Appends the client address.
   *
   * @param options.xffClientPort whether `routing.http.xff_client_port.enabled` is on, which writes
   *   `ip:port` entries that Envoy cannot parse
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
   */
  public static awsAlb(options: { readonly xffClientPort?: boolean } = {}): EdgeHop {
    requireObject('EdgeHop.awsAlb', 'options', options, 'pass { xffClientPort: false }, or nothing');
    failIfAny('EdgeHop.awsAlb', [booleanProblem('xffClientPort', options.xffClientPort)]);
    return new EdgeHop({
      name: 'AWS ALB',
      layer: HopLayer.L7,
      xffEntriesAppended: 1,
      serviceType: GatewayServiceType.CLUSTER_IP,
      writesPortInXff: options.xffClientPort ?? false,
      lockDownHint: 'admit only the hop in front in the ALB\'s security group (for CloudFront, the managed prefix list '
        + 'com.amazonaws.global.cloudfront.origin-facing), or make the ALB internal behind CloudFront VPC origins',
      caveats: ['Keep routing.http.xff_header_processing.mode at append (the default).'],
      source: `${PEERS}, AWS ALB [A4][A5][LBC3]`,
    });
  }

  /**
   * Amazon CloudFront, in front of an ALB or NLB. Appends the viewer address.
   *
   * @see https://repost.aws/articles/AR-VvhzdKVRgOIYl4SJMTcHg
   */
  public static cloudFront(): EdgeHop {
    return new EdgeHop({
      name: 'Amazon CloudFront',
      layer: HopLayer.L7,
      xffEntriesAppended: 1,
      caveats: ['CloudFront-Viewer-Address carries ip:port when the origin request policy includes it.'],
      source: `${PEERS}, AWS CloudFront [A5][A6]`,
    });
  }

  /**
   * Azure Standard Load Balancer (the AKS default). Passthrough; with `privateLinkService` it can
   * send PROXY v2 through a Private Link Service. With `allowedServiceTags` (e.g.
   * `AzureFrontDoor.Backend` behind Front Door) the network security group admits only those
   * sources, which locks the load balancer down to the hop in front.
   *
   * @see https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/
   */
  public static azureLoadBalancer(options: AzureLoadBalancerOptions = {}): EdgeHop {
    requireObject('EdgeHop.azureLoadBalancer', 'options', options, 'pass { internal: true }, or nothing');
    const tags = options.allowedServiceTags;
    failIfAny('EdgeHop.azureLoadBalancer', [
      booleanProblem('internal', options.internal),
      booleanProblem('privateLinkServiceProxyProtocol', options.privateLinkServiceProxyProtocol),
      listProblem('allowedServiceTags', tags, 'write allowedServiceTags: ["AzureFrontDoor.Backend"]'),
      Array.isArray(tags) && (tags.length === 0 || !tags.every((tag) => typeof tag === 'string' && /^[A-Za-z0-9][A-Za-z0-9.]*$/.test(tag)))
        ? mustBe('allowedServiceTags', 'a non-empty list of Azure service tags (letters, digits and dots)', tags, 'write e.g. ["AzureFrontDoor.Backend"]')
        : undefined,
    ]);
    const annotations: Record<string, string> = {};
    if (tags !== undefined) {
      annotations['service.beta.kubernetes.io/azure-allowed-service-tags'] = tags.join(',');
    }
    if (options.internal) {
      annotations['service.beta.kubernetes.io/azure-load-balancer-internal'] = 'true';
    }
    if (options.privateLinkServiceProxyProtocol) {
      annotations['service.beta.kubernetes.io/azure-pls-create'] = 'true';
      annotations['service.beta.kubernetes.io/azure-pls-proxy-protocol'] = 'true';
    }
    return new EdgeHop({
      name: `Azure ${options.internal ? 'internal' : 'external'} Standard LB${options.privateLinkServiceProxyProtocol ? ' (Private Link, PROXY v2)' : ''}`,
      layer: HopLayer.L4_PASSTHROUGH,
      proxyProtocolSupport: [ProxyProtocolVersion.V2],
      proxyProtocol: options.privateLinkServiceProxyProtocol ? ProxyProtocolVersion.V2 : undefined,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      serviceAnnotations: annotations,
      publiclyReachable: options.internal !== true,
      ...(tags === undefined ? {} : { lockedDown: `the network security group admits only the service tags ${tags.join(', ')}` }),
      enforcesLoadBalancerSourceRanges: true,
      lockDownHint: `${SOURCE_RANGES_HINT}, or the annotation service.beta.kubernetes.io/azure-allowed-service-tags `
        + '(AzureFrontDoor.Backend behind Front Door); Azure writes both into the network security group',
      caveats: [
        'The health probe defaults to HTTP on the health check node port with externalTrafficPolicy: Local.',
        ...(options.privateLinkServiceProxyProtocol ? ['PROXY on a Private Link Service breaks kube-proxy health checks in shared-probe mode.'] : []),
        ...(tags?.includes('AzureFrontDoor.Backend') ? ['AzureFrontDoor.Backend covers every Front Door profile, not only yours; check X-Azure-FDID to tie requests to yours.'] : []),
      ],
      source: `${PEERS}, Azure Standard LB [AZ1][AZ2][AZ4]`,
    });
  }

  /**
   * Azure Application Gateway (AGIC). Appends the client as `ip:port`, which Envoy cannot parse,
   * unless a rewrite rule strips the port (server variable `add_x_forwarded_for_proxy`).
   *
   * @see https://azure.microsoft.com/updates/appgw-rewrite-headers/
   */
  public static azureApplicationGateway(options: { readonly portStripped?: boolean } = {}): EdgeHop {
    requireObject('EdgeHop.azureApplicationGateway', 'options', options, 'pass { portStripped: true }, or nothing');
    failIfAny('EdgeHop.azureApplicationGateway', [booleanProblem('portStripped', options.portStripped)]);
    return new EdgeHop({
      name: 'Azure Application Gateway',
      layer: HopLayer.L7,
      xffEntriesAppended: 1,
      serviceType: GatewayServiceType.CLUSTER_IP,
      writesPortInXff: !(options.portStripped ?? false),
      lockDownHint: 'admit only the hop in front in the network security group of the Application Gateway\'s subnet',
      source: `${PEERS}, Azure Application Gateway [AZ6]`,
    });
  }

  /**
   * Azure Front Door, in front of an AKS load balancer. Appends the client address; also sends
   * `X-Azure-ClientIP` and `X-Azure-SocketIP`.
   *
   * @see https://github.com/MicrosoftDocs/azure-docs/issues/79394
   */
  public static azureFrontDoor(): EdgeHop {
    return new EdgeHop({
      name: 'Azure Front Door',
      layer: HopLayer.L7,
      xffEntriesAppended: 1,
      caveats: ['Users report extra internal Front Door hops in X-Forwarded-For (istio/istio#30166); check the header you receive.'],
      source: `${PEERS}, Azure Front Door [AZ7]`,
    });
  }

  /**
   * DigitalOcean load balancer: `REGIONAL_NETWORK` (passthrough) or `REGIONAL` (proxying, with
   * optional PROXY protocol).
   *
   * @see https://github.com/digitalocean/digitalocean-cloud-controller-manager/blob/master/docs/controllers/services/annotations.md
   */
  public static digitalOcean(options: { readonly type?: DigitalOceanLbType } & ProxyProtocolOptions = {}): EdgeHop {
    requireObject('EdgeHop.digitalOcean', 'options', options, 'pass { type: DigitalOceanLbType.REGIONAL }, or nothing');
    const type = options.type ?? DigitalOceanLbType.REGIONAL_NETWORK;
    failIfAny('EdgeHop.digitalOcean', [
      oneOf('type', options.type, DigitalOceanLbType, 'use a DigitalOceanLbType member'),
      booleanProblem('proxyProtocol', options.proxyProtocol),
      options.proxyProtocol && type === DigitalOceanLbType.REGIONAL_NETWORK
        ? mustBe('proxyProtocol', 'false with type REGIONAL_NETWORK (PROXY protocol is only documented for the proxying REGIONAL type)', true,
          'use type: DigitalOceanLbType.REGIONAL, or keep the passthrough load balancer and externalTrafficPolicy Local')
        : undefined,
    ]);
    const annotations: Record<string, string> = { 'service.beta.kubernetes.io/do-loadbalancer-type': type };
    if (options.proxyProtocol) {
      annotations['service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol'] = 'true';
    }
    const passthrough = type === DigitalOceanLbType.REGIONAL_NETWORK;
    return new EdgeHop({
      name: `DigitalOcean ${type}${options.proxyProtocol ? ' (PROXY)' : ''}`,
      layer: passthrough ? HopLayer.L4_PASSTHROUGH : HopLayer.L4_PROXY,
      proxyProtocolSupport: passthrough ? [] : [ProxyProtocolVersion.V1, ProxyProtocolVersion.V2],
      proxyProtocol: options.proxyProtocol ? ProxyProtocolVersion.V1 : undefined,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      serviceAnnotations: annotations,
      caveats: [
        'The PROXY protocol version is not stated in the DigitalOcean CCM docs; Envoy accepts v1 and v2.',
        'In-cluster clients reaching the load balancer address bypass it (kubernetes#66607); do-loadbalancer-hostname works around it.',
      ],
      source: `${PEERS}, DigitalOcean [DO1][DO2]`,
    });
  }

  /**
   * Hetzner Cloud load balancer (proxying). `tcp` hides the client unless PROXY protocol is on;
   * `http`/`https` append to `X-Forwarded-For`.
   *
   * @see https://github.com/hetznercloud/hcloud-cloud-controller-manager/blob/main/docs/reference/load_balancer_annotations.md
   */
  public static hetzner(options: { readonly protocol?: HetznerProtocol } & ProxyProtocolOptions = {}): EdgeHop {
    requireObject('EdgeHop.hetzner', 'options', options, 'pass { protocol: HetznerProtocol.TCP }, or nothing');
    const protocol = options.protocol ?? HetznerProtocol.TCP;
    failIfAny('EdgeHop.hetzner', [
      oneOf('protocol', options.protocol, HetznerProtocol, 'use a HetznerProtocol member'),
      booleanProblem('proxyProtocol', options.proxyProtocol),
      options.proxyProtocol && protocol !== HetznerProtocol.TCP
        ? mustBe('proxyProtocol', 'false with an http or https listener (the client arrives in X-Forwarded-For there)', true,
          'use protocol: HetznerProtocol.TCP for PROXY protocol')
        : undefined,
    ]);
    const annotations: Record<string, string> = { 'load-balancer.hetzner.cloud/protocol': protocol };
    if (options.proxyProtocol) {
      annotations['load-balancer.hetzner.cloud/uses-proxyprotocol'] = 'true';
    }
    const http = protocol !== HetznerProtocol.TCP;
    return new EdgeHop({
      name: `Hetzner LB (${protocol}${options.proxyProtocol ? ', PROXY' : ''})`,
      layer: http ? HopLayer.L7 : HopLayer.L4_PROXY,
      xffEntriesAppended: http ? 1 : 0,
      proxyProtocolSupport: http ? [] : [ProxyProtocolVersion.V1, ProxyProtocolVersion.V2],
      proxyProtocol: options.proxyProtocol ? ProxyProtocolVersion.V1 : undefined,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      serviceAnnotations: annotations,
      caveats: [
        ...(http ? ['The number of X-Forwarded-For entries the http listener appends is not verified; 1 is assumed.'] : []),
        'The PROXY protocol version is not stated in the Hetzner docs; Envoy accepts v1 and v2.',
      ],
      source: `${PEERS}, Hetzner [HZ1][HZ2]`,
    });
  }

  /**
   * Oracle Cloud (OKE) load balancer, with a TCP listener and optional PROXY protocol v1 or v2.
   *
   * @see https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengcreatingloadbalancer_topic-Summaryofannotations.htm
   */
  public static oracleLoadBalancer(options: { readonly proxyProtocolVersion?: ProxyProtocolVersion } = {}): EdgeHop {
    requireObject('EdgeHop.oracleLoadBalancer', 'options', options, 'pass { proxyProtocolVersion: ProxyProtocolVersion.V2 }, or nothing');
    failIfAny('EdgeHop.oracleLoadBalancer', [oneOf('proxyProtocolVersion', options.proxyProtocolVersion, ProxyProtocolVersion, 'use ProxyProtocolVersion.V1 or V2')]);
    const annotations: Record<string, string> = {};
    if (options.proxyProtocolVersion !== undefined) {
      annotations['service.beta.kubernetes.io/oci-load-balancer-connection-proxy-protocol-version'] = options.proxyProtocolVersion === ProxyProtocolVersion.V1 ? '1' : '2';
    }
    return new EdgeHop({
      name: `OCI load balancer${options.proxyProtocolVersion ? ` (PROXY ${options.proxyProtocolVersion})` : ''}`,
      layer: HopLayer.L4_PROXY,
      proxyProtocolSupport: [ProxyProtocolVersion.V1, ProxyProtocolVersion.V2],
      proxyProtocol: options.proxyProtocolVersion,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      serviceAnnotations: annotations,
      enforcesLoadBalancerSourceRanges: true,
      lockDownHint: `${SOURCE_RANGES_HINT} (the OCI cloud controller writes them into the load balancer's security rules)`,
      caveats: ['An HTTP listener appends 1 X-Forwarded-For entry; describe it with EdgeHop.custom if you use one.'],
      source: `${PEERS}, Oracle (OKE) LB [OCI1][OCI2]`,
    });
  }

  /**
   * Oracle Cloud (OKE) network load balancer: passthrough with source preservation (only valid
   * with `externalTrafficPolicy: Local`), or PROXY v2.
   *
   * @see https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengcreatingloadbalancer_topic-Summaryofannotations.htm
   */
  public static oracleNetworkLoadBalancer(options: ProxyProtocolOptions = {}): EdgeHop {
    requireObject('EdgeHop.oracleNetworkLoadBalancer', 'options', options, 'pass { proxyProtocol: true }, or nothing');
    failIfAny('EdgeHop.oracleNetworkLoadBalancer', [booleanProblem('proxyProtocol', options.proxyProtocol)]);
    const annotations: Record<string, string> = { 'oci.oraclecloud.com/load-balancer-type': 'nlb' };
    if (options.proxyProtocol) {
      annotations['oci-network-load-balancer.oraclecloud.com/is-ppv2-enabled'] = 'true';
    } else {
      annotations['oci-network-load-balancer.oraclecloud.com/is-preserve-source'] = 'true';
    }
    return new EdgeHop({
      name: `OCI network load balancer${options.proxyProtocol ? ' (PROXY v2)' : ''}`,
      layer: HopLayer.L4_PASSTHROUGH,
      proxyProtocolSupport: [ProxyProtocolVersion.V2],
      proxyProtocol: options.proxyProtocol ? ProxyProtocolVersion.V2 : undefined,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      serviceAnnotations: annotations,
      requiresLocal: !options.proxyProtocol,
      caveats: options.proxyProtocol ? [] : ['is-preserve-source is rejected with externalTrafficPolicy: Cluster.'],
      source: `${PEERS}, Oracle (OKE) NLB [OCI1][OCI3]`,
    });
  }

  /**
   * MetalLB (L2 or BGP): routes packets, no PROXY protocol; the source survives with `Local`.
   *
   * @see https://metallb.universe.tf/usage/
   */
  public static metalLb(): EdgeHop {
    return new EdgeHop({
      name: 'MetalLB',
      layer: HopLayer.L4_PASSTHROUGH,
      serviceType: GatewayServiceType.LOAD_BALANCER,
      // kube-proxy itself drops packets to the load balancer address from outside the ranges; MetalLB
      // keeps the source, so the filter sees the client.
      enforcesLoadBalancerSourceRanges: true,
      lockDownHint: SOURCE_RANGES_HINT,
      caveats: ['With externalTrafficPolicy: Local only nodes with a gateway pod announce or take traffic.'],
      source: `${PEERS}, MetalLB [ML1]`,
    });
  }

  /**
   * Cloudflare as a proxy (orange cloud), in front of a load balancer. Appends the address that
   * connected to Cloudflare; also sends `CF-Connecting-IP`.
   *
   * @see https://developers.cloudflare.com/fundamentals/reference/http-headers/
   */
  public static cloudflare(): EdgeHop {
    return new EdgeHop({
      name: 'Cloudflare (proxied)',
      layer: HopLayer.L7,
      xffEntriesAppended: 1,
      sourceRanges: CLOUDFLARE_RANGES.cidrs,
      caveats: ['Anyone can proxy through Cloudflare to your origin from their own Cloudflare account; Authenticated Origin Pulls with a certificate of your own ties the origin to your zone.'],
      source: `${PEERS}, Cloudflare (proxied DNS) [CF1][CF2]`,
    });
  }

  /**
   * Any other hop, described field by field.
   *
   * @throws SourceIpValidationError listing every bad field
   */
  public static custom(props: EdgeHopProps): EdgeHop {
    requireObject('EdgeHop.custom', 'props', props, 'pass { name, layer, ... }');
    return new EdgeHop(props, 'EdgeHop.custom');
  }

  /** A short name for reports. */
  public readonly name: string;
  /** How the hop handles connections. */
  public readonly layer: HopLayer;
  /** How many entries the hop appends to `X-Forwarded-For`. */
  public readonly xffEntriesAppended: number;
  /** Whether the packet source survives this hop. */
  public readonly sourcePreservation: SourcePreservation;
  /** The PROXY protocol versions the hop can send. */
  public readonly proxyProtocolSupport: readonly ProxyProtocolVersion[];
  /** The PROXY protocol version the hop sends, if any. */
  public readonly proxyProtocol?: ProxyProtocolVersion;
  /** The gateway Service type this hop needs in front of the gateway, if it can be there. */
  public readonly serviceType?: GatewayServiceType;
  /** Service annotations that create and configure this hop. */
  public readonly serviceAnnotations: Readonly<Record<string, string>>;
  /** Whether the hop writes `ip:port` into `X-Forwarded-For`. */
  public readonly writesPortInXff: boolean;
  /** Whether the hop sends straight to pod IPs rather than to node ports. */
  public readonly deliversToPods: boolean;
  /** Whether health checks fail with PROXY protocol and `externalTrafficPolicy: Local`. */
  public readonly proxyProtocolBreaksLocalHealthChecks: boolean;
  /** Whether the hop's settings need `externalTrafficPolicy: Local`. */
  public readonly requiresLocal: boolean;
  /** Whether clients on the internet can connect to this hop directly (before any lock-down). */
  public readonly publiclyReachable: boolean;
  /** How the hop is kept from clients that skip the hops in front of it, when it is. */
  public readonly lockedDown?: string;
  /** The ranges the hop connects to the next hop from, as published (empty when unknown). */
  public readonly sourceRanges: readonly IpBlock[];
  /** Whether the gateway Service's `loadBalancerSourceRanges` restrict who reaches this hop. */
  public readonly enforcesLoadBalancerSourceRanges: boolean;
  /** How to let only the hop in front reach this one. */
  public readonly lockDownHint: string;
  /** Known caveats. */
  public readonly caveats: readonly string[];
  /** Where the facts come from. */
  public readonly source: string;

  private constructor(props: EdgeHopProps, caller = 'EdgeHop') {
    failIfAny(caller, hopProblems(props));
    this.name = props.name;
    this.layer = props.layer;
    this.xffEntriesAppended = props.xffEntriesAppended ?? (props.layer === HopLayer.L7 ? 1 : 0);
    this.sourcePreservation = props.sourcePreservation
      ?? (props.layer === HopLayer.L4_PASSTHROUGH ? SourcePreservation.WITH_LOCAL : SourcePreservation.NEVER);
    this.proxyProtocolSupport = [...(props.proxyProtocolSupport ?? (props.proxyProtocol ? [props.proxyProtocol] : []))];
    this.proxyProtocol = props.proxyProtocol;
    this.serviceType = props.serviceType;
    this.serviceAnnotations = { ...props.serviceAnnotations };
    this.writesPortInXff = props.writesPortInXff ?? false;
    this.deliversToPods = props.deliversToPods ?? this.sourcePreservation === SourcePreservation.ALWAYS;
    this.proxyProtocolBreaksLocalHealthChecks = props.proxyProtocolBreaksLocalHealthChecks ?? false;
    this.requiresLocal = props.requiresLocal ?? false;
    this.publiclyReachable = props.publiclyReachable ?? true;
    this.lockedDown = props.lockedDown;
    this.sourceRanges = IpBlock.ofAll(props.sourceRanges ?? []);
    this.enforcesLoadBalancerSourceRanges = props.enforcesLoadBalancerSourceRanges ?? false;
    this.lockDownHint = props.lockDownHint ?? DEFAULT_LOCK_DOWN_HINT;
    this.caveats = [...(props.caveats ?? [])];
    this.source = props.source ?? 'described by the user';
  }

  /** Whether the hop can send PROXY protocol at all. */
  public get canSendProxyProtocol(): boolean {
    return this.proxyProtocolSupport.length > 0;
  }

  /**
   * This hop, marked as locked down: only the hops in front of it can reach it. The checks take
   * your word for it, so say how, e.g. `EdgeHop.googleCloudApplicationLoadBalancer().lockDown('a Cloud
   * Armor policy admits only Cloudflare\'s ranges')`. For the gateway's own load balancer, prefer
   * `loadBalancerSourceRanges` on the gateway, which the checks can verify.
   *
   * @param how one sentence: what keeps other clients out
   * @throws SourceIpValidationError if `how` is empty
   */
  public lockDown(how: string): EdgeHop {
    failIfAny('EdgeHop.lockDown', [typeof how === 'string' && how.trim().length > 0 ? undefined
      : mustBe('how', 'a sentence saying what keeps other clients out', how, 'write e.g. "a firewall admits only Cloudflare\'s ranges"')]);
    return new EdgeHop({
      name: this.name,
      layer: this.layer,
      xffEntriesAppended: this.xffEntriesAppended,
      sourcePreservation: this.sourcePreservation,
      proxyProtocolSupport: this.proxyProtocolSupport,
      proxyProtocol: this.proxyProtocol,
      serviceType: this.serviceType,
      serviceAnnotations: this.serviceAnnotations,
      writesPortInXff: this.writesPortInXff,
      deliversToPods: this.deliversToPods,
      proxyProtocolBreaksLocalHealthChecks: this.proxyProtocolBreaksLocalHealthChecks,
      requiresLocal: this.requiresLocal,
      publiclyReachable: this.publiclyReachable,
      lockedDown: how,
      sourceRanges: this.sourceRanges.map(String),
      enforcesLoadBalancerSourceRanges: this.enforcesLoadBalancerSourceRanges,
      lockDownHint: this.lockDownHint,
      caveats: this.caveats,
      source: this.source,
    });
  }

  /** The hop's name. */
  public toString(): string {
    return this.name;
  }
}

function hopProblems(props: EdgeHopProps): Problem[] {
  const problems: Problem[] = [
    typeof props.name === 'string' && props.name.trim().length > 0 && props.name.length <= 200 ? undefined : mustBe('name', 'a non-empty name of at most 200 characters', props.name, 'name the hop, e.g. "corporate proxy"'),
    props.layer === undefined ? mustBe('layer', 'set', undefined, 'pass layer: HopLayer.L7, L4_PASSTHROUGH or L4_PROXY')
      : oneOf('layer', props.layer, HopLayer, 'use a HopLayer member'),
    wholeNumber('xffEntriesAppended', props.xffEntriesAppended, 0, 16, 'count the X-Forwarded-For entries the hop appends (usually 1)'),
    oneOf('sourcePreservation', props.sourcePreservation, SourcePreservation, 'use a SourcePreservation member'),
    oneOf('proxyProtocol', props.proxyProtocol, ProxyProtocolVersion, 'use ProxyProtocolVersion.V1 or V2'),
    oneOf('serviceType', props.serviceType, GatewayServiceType, 'use a GatewayServiceType member'),
    ...annotationMapProblems('serviceAnnotations', props.serviceAnnotations),
    booleanProblem('writesPortInXff', props.writesPortInXff),
    booleanProblem('deliversToPods', props.deliversToPods),
    booleanProblem('proxyProtocolBreaksLocalHealthChecks', props.proxyProtocolBreaksLocalHealthChecks),
    booleanProblem('requiresLocal', props.requiresLocal),
    booleanProblem('publiclyReachable', props.publiclyReachable),
    booleanProblem('enforcesLoadBalancerSourceRanges', props.enforcesLoadBalancerSourceRanges),
    optionalText('lockedDown', props.lockedDown, 'say what keeps other clients out, or leave it out'),
    optionalText('lockDownHint', props.lockDownHint, 'say how to admit only the hop in front, or leave it out'),
    optionalText('source', props.source, 'name the document the facts come from, or leave it out'),
    listProblem('caveats', props.caveats, 'write caveats: ["one sentence"]'),
    listProblem('sourceRanges', props.sourceRanges, 'write sourceRanges: ["192.0.2.0/24"]'),
    ...(Array.isArray(props.caveats) && firstHole(props.caveats) === undefined ? props.caveats : [])
      .map((c, i) => optionalText(`caveats[${i}]`, c, 'write each caveat as a sentence')),
    ...sourceRangeProblems(props.sourceRanges),
  ];
  problems.push(listProblem('proxyProtocolSupport', props.proxyProtocolSupport, 'write proxyProtocolSupport: [ProxyProtocolVersion.V2]'));
  (Array.isArray(props.proxyProtocolSupport) && firstHole(props.proxyProtocolSupport) === undefined ? props.proxyProtocolSupport : [])
    .forEach((v, i) => problems.push(oneOf(`proxyProtocolSupport[${i}]`, v, ProxyProtocolVersion, 'use ProxyProtocolVersion.V1 or V2')));
  if (props.layer !== HopLayer.L7 && (props.xffEntriesAppended ?? 0) > 0) {
    problems.push(mustBe('xffEntriesAppended', '0 for an L4 hop (only HTTP proxies write X-Forwarded-For)', props.xffEntriesAppended,
      'use layer: HopLayer.L7 for a hop that appends to X-Forwarded-For'));
  }
  if (props.layer === HopLayer.L7 && props.proxyProtocol !== undefined) {
    problems.push(mustBe('proxyProtocol', 'unset for an L7 hop (an HTTP proxy passes the client in X-Forwarded-For)', props.proxyProtocol,
      'remove proxyProtocol, or describe the hop as L4_PROXY'));
  }
  if (props.layer === HopLayer.L7 && props.sourcePreservation !== undefined && props.sourcePreservation !== SourcePreservation.NEVER) {
    problems.push(mustBe('sourcePreservation', 'NEVER for an L7 hop (it opens its own connections)', props.sourcePreservation, 'remove sourcePreservation'));
  }
  if (props.proxyProtocol !== undefined && Array.isArray(props.proxyProtocolSupport) && !props.proxyProtocolSupport.includes(props.proxyProtocol)) {
    problems.push(mustBe('proxyProtocol', `one of the supported versions (${props.proxyProtocolSupport.join(', ') || 'none'})`, props.proxyProtocol,
      'the hop cannot send this PROXY protocol version; remove proxyProtocol or fix proxyProtocolSupport'));
  }
  return problems;
}

function optionalText(prop: string, value: unknown, fix: string): Problem {
  return value === undefined || (typeof value === 'string' && value.trim().length > 0) ? undefined : mustBe(prop, 'a non-empty string', value, fix);
}

function sourceRangeProblems(ranges: readonly string[] | undefined): Problem[] {
  if (!Array.isArray(ranges) || firstHole(ranges) !== undefined) {
    return [];
  }
  try {
    IpBlock.ofAll(ranges);
    return [];
  } catch (e) {
    return [`'sourceRanges' must be CIDRs, got ${show(ranges)}: ${(e as Error).message}. Fix: write each range as "192.0.2.0/24" or "2001:db8::/32"`];
  }
}
