import {
  AwsNlbTargetType, ClassicElbListener, DigitalOceanLbType, EdgeHop, HetznerProtocol, ProxyProtocolVersion, SourcePreservation,
} from './edge-hop';
import { EdgeChain } from './edge-chain';

/** One preset as the provider table shows it: the call, and the hop it returns. */
export interface ProviderPreset {
  /** The factory call, as a user writes it. */
  readonly call: string;
  /** The hop the call returns. */
  readonly hop: EdgeHop;
}

/** Every preset factory, in the order of the provider table (with its main variants). */
export function providerPresets(): ProviderPreset[] {
  return [
    { call: 'EdgeHop.gkeExternalPassthrough()', hop: EdgeHop.gkeExternalPassthrough() },
    { call: 'EdgeHop.gkeInternalPassthrough()', hop: EdgeHop.gkeInternalPassthrough() },
    { call: 'EdgeHop.googleCloudApplicationLoadBalancer()', hop: EdgeHop.googleCloudApplicationLoadBalancer() },
    { call: 'EdgeHop.awsClassicElb(ClassicElbListener.TCP)', hop: EdgeHop.awsClassicElb(ClassicElbListener.TCP) },
    { call: 'EdgeHop.awsClassicElb(ClassicElbListener.TCP_PROXY_PROTOCOL)', hop: EdgeHop.awsClassicElb(ClassicElbListener.TCP_PROXY_PROTOCOL) },
    { call: 'EdgeHop.awsClassicElb(ClassicElbListener.HTTP)', hop: EdgeHop.awsClassicElb(ClassicElbListener.HTTP) },
    { call: 'EdgeHop.awsNlb({ targetType: AwsNlbTargetType.INSTANCE })', hop: EdgeHop.awsNlb({ targetType: AwsNlbTargetType.INSTANCE }) },
    { call: 'EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true })', hop: EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, preserveClientIp: true }) },
    { call: 'EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true })', hop: EdgeHop.awsNlb({ targetType: AwsNlbTargetType.IP, proxyProtocol: true }) },
    { call: 'EdgeHop.awsAlb()', hop: EdgeHop.awsAlb() },
    { call: 'EdgeHop.cloudFront()', hop: EdgeHop.cloudFront() },
    { call: 'EdgeHop.azureLoadBalancer()', hop: EdgeHop.azureLoadBalancer() },
    { call: 'EdgeHop.azureLoadBalancer({ internal: true })', hop: EdgeHop.azureLoadBalancer({ internal: true }) },
    { call: 'EdgeHop.azureLoadBalancer({ allowedServiceTags: [\'AzureFrontDoor.Backend\'] })', hop: EdgeHop.azureLoadBalancer({ allowedServiceTags: ['AzureFrontDoor.Backend'] }) },
    { call: 'EdgeHop.azureLoadBalancer({ internal: true, privateLinkServiceProxyProtocol: true })', hop: EdgeHop.azureLoadBalancer({ internal: true, privateLinkServiceProxyProtocol: true }) },
    { call: 'EdgeHop.azureApplicationGateway()', hop: EdgeHop.azureApplicationGateway() },
    { call: 'EdgeHop.azureFrontDoor()', hop: EdgeHop.azureFrontDoor() },
    { call: 'EdgeHop.digitalOcean()', hop: EdgeHop.digitalOcean() },
    { call: 'EdgeHop.digitalOcean({ type: DigitalOceanLbType.REGIONAL, proxyProtocol: true })', hop: EdgeHop.digitalOcean({ type: DigitalOceanLbType.REGIONAL, proxyProtocol: true }) },
    { call: 'EdgeHop.hetzner({ proxyProtocol: true })', hop: EdgeHop.hetzner({ proxyProtocol: true }) },
    { call: 'EdgeHop.hetzner({ protocol: HetznerProtocol.HTTP })', hop: EdgeHop.hetzner({ protocol: HetznerProtocol.HTTP }) },
    { call: 'EdgeHop.oracleLoadBalancer({ proxyProtocolVersion: ProxyProtocolVersion.V2 })', hop: EdgeHop.oracleLoadBalancer({ proxyProtocolVersion: ProxyProtocolVersion.V2 }) },
    { call: 'EdgeHop.oracleNetworkLoadBalancer()', hop: EdgeHop.oracleNetworkLoadBalancer() },
    { call: 'EdgeHop.metalLb()', hop: EdgeHop.metalLb() },
    { call: 'EdgeHop.cloudflare()', hop: EdgeHop.cloudflare() },
  ];
}

const SOURCE_TEXT: Record<SourcePreservation, string> = {
  [SourcePreservation.ALWAYS]: 'yes',
  [SourcePreservation.WITH_LOCAL]: 'with `Local`',
  [SourcePreservation.NEVER]: 'no',
};

/** Whether a client can skip the hops in front of this one, and what locks it down. */
function reachability(hop: EdgeHop): string {
  if (hop.lockedDown !== undefined) {
    return `no: ${hop.lockedDown}`;
  }
  if (!hop.publiclyReachable) {
    return 'no (internal)';
  }
  const ranges = hop.sourceRanges.length === 0 ? '' : `; sends from ${hop.sourceRanges.length} published ranges`;
  return `yes${hop.enforcesLoadBalancerSourceRanges ? ', unless `loadBalancerSourceRanges` admit only the hop in front' : ''}${ranges}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The provider table of the README, rendered from the presets themselves, so it cannot drift
 * from the code: per preset, what the hop does and what the gateway gets when it is the only hop.
 */
export function renderProviderTable(): string {
  const header = '| Preset | XFF entries | PROXY (can send) | Source survives | Reachable directly (behind another hop) | Alone in front of the gateway: `numTrustedProxies` / PROXY / `externalTrafficPolicy` / field | Service type and annotations |\n'
    + '|---|---|---|---|---|---|---|\n';
  const rows = providerPresets().map(({ call, hop }) => {
    const alone = hop.serviceType === undefined ? 'needs a load balancer after it'
      : (() => {
        const s = EdgeChain.of(hop).gatewaySettings();
        return `${s.numTrustedProxies} / ${s.proxyProtocol ? 'on' : 'off'} / ${s.externalTrafficPolicy} / \`${s.clientIpField}\``;
      })();
    const proxy = hop.canSendProxyProtocol ? `${hop.proxyProtocol ?? 'off'} (${hop.proxyProtocolSupport.join(', ')})` : 'no';
    const annotations = Object.entries(hop.serviceAnnotations).map(([k, v]) => `\`${k}: ${JSON.stringify(v)}\``).join('<br>');
    const service = hop.serviceType === undefined ? '—' : `${hop.serviceType}${annotations === '' ? '' : `<br>${annotations}`}`;
    return `| ${cell(`\`${call}\``)}<br>${cell(hop.name)} | ${hop.xffEntriesAppended}${hop.writesPortInXff ? ' (ip:port)' : ''} | ${proxy} | `
      + `${SOURCE_TEXT[hop.sourcePreservation]} | ${cell(reachability(hop))} | ${cell(alone)} | ${cell(service)} |`;
  });
  return `${header}${rows.join('\n')}\n`;
}
