/**
 * What an access log line records about the client at each Istio proxy of a path, and which address
 * a per-client rate limit counts a request against, for a normal and for a forged request; and the
 * Markdown the source IP report shows for both. Every address comes from an `explain` run (the
 * Envoy simulator), never from a second model of Envoy.
 *
 * Pure: no cdk8s, no I/O; constructs are imported as types only.
 */
import type { IConstruct } from 'constructs';
import type { IIngressGateway } from '../gateway/gateway';
import { IpBlock } from '../ip-block';
import { failIfAny, listProblem, mustBe, requireGateway, requireRoot } from '../private/problems';
import { ExplainLayerRole, ExplainResult, ExplainRun } from './explain';
import { code, markdownText } from './markdown';
import { requireClientIpReportParts, requireExplainRun, requireTryItInput } from './report-input';
import { placeholders, TryItOptions, tryItSteps } from './try-it';

/**
 * How access log lines are written.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyFileAccessLogProvider-LogFormat
 */
export enum AccessLogEncoding {
  /** One JSON object per line (the provider's `logFormat.labels`): every field separate, easy to query. */
  JSON = 'JSON',
  /** `key=value` text (the provider's `logFormat.text`). */
  TEXT = 'TEXT',
}

/** One field of the client-address access log format. */
export interface AccessLogField {
  /** The key in the JSON object, or before `=` in the text line, e.g. `client_ip`. */
  readonly name: string;
  /** The Envoy command operator that fills it, e.g. `%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%`. */
  readonly operator: string;
}

/**
 * The fields of the access log format `ClientIpAccessLog` installs: Istio's own request fields
 * (`EnvoyJSONLogFormatIstio` in istio/istio `pilot/pkg/model/telemetry_logging.go`), with the
 * client's address split into what each layer of Envoy knows of it:
 *
 * - `client_ip`: `%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%`, the address the proxy trusts as the
 *   client (from PROXY protocol or `X-Forwarded-For` with `numTrustedProxies`): what
 *   `remoteIpBlocks` matches and what a per-client rate limit (`remote_address`) counts;
 * - `peer_ip`: `%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%`, always the physical TCP peer, even
 *   behind PROXY protocol or `X-Forwarded-For`: what `ipBlocks` matches;
 * - `x_forwarded_for` and `x_envoy_external_address`: the headers as the proxy forwards them.
 *
 * Istio's built-in formats log only `%DOWNSTREAM_REMOTE_ADDRESS%` (with its port) and
 * `X-Forwarded-For`, so a reader cannot tell the client from a load balancer.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators
 */
export const CLIENT_IP_LOG_FIELDS: readonly AccessLogField[] = [
  { name: 'start_time', operator: '%START_TIME%' },
  { name: 'method', operator: '%REQ(:METHOD)%' },
  { name: 'path', operator: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%' },
  { name: 'protocol', operator: '%PROTOCOL%' },
  { name: 'response_code', operator: '%RESPONSE_CODE%' },
  { name: 'response_flags', operator: '%RESPONSE_FLAGS%' },
  { name: 'client_ip', operator: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' },
  { name: 'peer_ip', operator: '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%' },
  { name: 'x_forwarded_for', operator: '%REQ(X-FORWARDED-FOR)%' },
  { name: 'x_envoy_external_address', operator: '%REQ(X-ENVOY-EXTERNAL-ADDRESS)%' },
  { name: 'authority', operator: '%REQ(:AUTHORITY)%' },
  { name: 'user_agent', operator: '%REQ(USER-AGENT)%' },
  { name: 'request_id', operator: '%REQ(X-REQUEST-ID)%' },
  { name: 'upstream_host', operator: '%UPSTREAM_HOST%' },
  { name: 'route_name', operator: '%ROUTE_NAME%' },
  { name: 'duration', operator: '%DURATION%' },
];

/** The four fields about the client's address, in report order. */
const ADDRESS_FIELDS = ['client_ip', 'peer_ip', 'x_forwarded_for', 'x_envoy_external_address'] as const;

/** Fields whose text value is quoted in the text format (they may hold spaces or commas). */
const QUOTED_TEXT_FIELDS = new Set(['x_forwarded_for', 'authority', 'user_agent', 'path']);

/** The JSON `logFormat.labels` of the format: field name → command operator. */
export function clientIpLogLabels(): Record<string, string> {
  return Object.fromEntries(CLIENT_IP_LOG_FIELDS.map((field) => [field.name, field.operator]));
}

/**
 * The text `logFormat.text` of the format: `key=value` pairs in field order, values that may hold
 * spaces or commas in double quotes, ending with a newline (Istio adds one when missing).
 */
export function clientIpLogText(): string {
  return `${CLIENT_IP_LOG_FIELDS.map((f) => `${f.name}=${QUOTED_TEXT_FIELDS.has(f.name) ? `"${f.operator}"` : f.operator}`).join(' ')}\n`;
}

/** What one proxy's access log line says about the client for one request. */
export interface ClientIpLogLine {
  /** `ExplainLayerRole.GATEWAY` or `ExplainLayerRole.SIDECAR`. */
  readonly role: ExplainLayerRole;
  /** The proxy's name in the path, e.g. `ingress-gateway` or `app sidecar`. */
  readonly proxy: string;
  /** `client_ip`: the address the proxy trusts as the client. */
  readonly clientIp: string | null;
  /** `peer_ip`: the physical TCP peer. */
  readonly peerIp: string | null;
  /** `x_forwarded_for`, as the proxy forwards it (`null`: absent). */
  readonly xForwardedFor: string | null;
  /** `x_envoy_external_address`, as the proxy forwards it (`null`: absent). */
  readonly xEnvoyExternalAddress: string | null;
}

/**
 * The client-address fields each Istio proxy of `run` logs: the gateway's line, then the
 * sidecar's; none when the gateway refuses the connection (no HTTP request reaches it).
 *
 * `client_ip` and `peer_ip` are what the proxy's policies see (`remoteIpBlocks`, `ipBlocks`). The
 * headers are logged as the proxy forwards them: the connection manager changes the request's
 * header map in place (it appends its peer to `X-Forwarded-For` and, at the gateway, sets
 * `x-envoy-external-address`, envoy `source/common/http/conn_manager_utility.cc`
 * `mutateRequestHeaders`) before the access log reads it at the end of the stream, so the values
 * are the ones the next layer receives.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
 */
export function clientIpLogLines(run: ExplainRun): ClientIpLogLine[] {
  requireExplainRun('clientIpLogLines', run);
  if (run.refusal !== null) {
    return [];
  }
  const lines: ClientIpLogLine[] = [];
  run.layers.forEach((layer, i) => {
    if (layer.role !== ExplainLayerRole.GATEWAY && layer.role !== ExplainLayerRole.SIDECAR) {
      return;
    }
    // A gateway or sidecar always forwards to a next layer: the sidecar, or the app.
    const next = run.layers[i + 1];
    lines.push({
      role: layer.role,
      proxy: layer.name,
      clientIp: layer.remoteIpBlocks,
      peerIp: layer.tcpPeer,
      xForwardedFor: next?.xff ?? null,
      xEnvoyExternalAddress: next?.externalAddress ?? null,
    });
  });
  return lines;
}

/**
 * The address a per-client rate limit at the gateway counts the request against: Envoy's
 * `remote_address` descriptor, the trusted address (the gateway's `remoteIpBlocks` view), or `null`
 * when the gateway refuses the connection.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-ratelimit-action-remoteaddress
 */
export function rateLimitKey(run: ExplainRun): string | null {
  requireExplainRun('rateLimitKey', run);
  if (run.refusal !== null) {
    return null;
  }
  return run.layers.find((layer) => layer.role === ExplainLayerRole.GATEWAY)?.remoteIpBlocks ?? null;
}

/** The first of `exempt` that holds `address`, or `undefined`. */
export function exemptBlockFor(address: string, exempt: readonly IpBlock[]): IpBlock | undefined {
  failIfAny('exemptBlockFor', [listProblem('exempt', exempt ?? null, 'pass the IpBlock list of the limit'),
    ...(Array.isArray(exempt) ? exempt.map((b, i) => (b instanceof IpBlock ? undefined : mustBe(`exempt[${i}]`, 'an IpBlock', b, 'pass IpBlock.of(...)'))) : [])]);
  const single = IpBlock.of(address);
  return exempt.find((block) => block.contains(single));
}

/** What the report says about one access log construct on a gateway. */
export interface AccessLogReport {
  /** The mesh-config extension provider's name. */
  readonly providerName: string;
  /** JSON or text lines. */
  readonly encoding: AccessLogEncoding;
  /** The file the proxies write to, e.g. `/dev/stdout`. */
  readonly path: string;
  /** Whether the app's sidecars log their inbound requests too. */
  readonly sidecars: boolean;
}

/** What the report says about one per-client rate limit on a gateway. */
export interface RateLimitReport {
  /** Requests each client may make per interval, per gateway pod. */
  readonly requestsPerInterval: number;
  /** The interval, as written to Envoy (e.g. `60s`). */
  readonly interval: string;
  /** The most requests a client may make at once (the bucket's size). */
  readonly burst: number;
  /** Client ranges the limit does not apply to. */
  readonly exempt: readonly IpBlock[];
  /** The Istio minor versions whose proxies apply the limit, e.g. `['1.30']`. */
  readonly istioVersions: readonly string[];
}

/** What the app configures about a gateway's clients beyond the path: its access logs and per-client rate limits. */
export interface ClientIpReportParts {
  /** Access logs on the gateway. */
  readonly accessLogs: readonly AccessLogReport[];
  /** Per-client rate limits on the gateway. */
  readonly rateLimits: readonly RateLimitReport[];
}

/**
 * A construct that adds a section to a gateway's source IP report (`ClientIpAccessLog`,
 * `ClientRateLimit` implement it).
 */
export interface IClientIpReportContributor extends IConstruct {
  /** What this construct adds to the report of `gateway`, or `undefined` when it does not apply to it. */
  clientIpReportFor(gateway: IIngressGateway): Partial<ClientIpReportParts> | undefined;
}

/**
 * What every construct at or below `root` adds to the report of `gateway`, in construct-path order.
 */
export function clientIpReportPartsFor(root: IConstruct, gateway: IIngressGateway): ClientIpReportParts {
  requireRoot('clientIpReportPartsFor', root);
  requireGateway('clientIpReportPartsFor', gateway);
  const accessLogs: AccessLogReport[] = [];
  const rateLimits: RateLimitReport[] = [];
  for (const construct of root.node.findAll()) {
    if (!isContributor(construct)) {
      continue;
    }
    const parts = construct.clientIpReportFor(gateway);
    accessLogs.push(...(parts?.accessLogs ?? []));
    rateLimits.push(...(parts?.rateLimits ?? []));
  }
  return { accessLogs, rateLimits };
}

function isContributor(construct: IConstruct): construct is IClientIpReportContributor {
  return typeof (construct as Partial<IClientIpReportContributor>).clientIpReportFor === 'function';
}

/**
 * The report's "Access log" and "Per-client rate limit" sections for one explained path, or no
 * lines when the app has neither on this gateway.
 */
export function renderClientIpSections(result: ExplainResult, parts: ClientIpReportParts, tryIt: TryItOptions = {}): string[] {
  requireTryItInput(result, tryIt);
  requireClientIpReportParts('renderClientIpSections', parts);
  const lines: string[] = [];
  for (const log of parts.accessLogs) {
    lines.push(...renderAccessLog(result, log, tryIt), '');
  }
  for (const limit of parts.rateLimits) {
    lines.push(...renderRateLimit(result, limit), '');
  }
  while (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

const FIELD_MEANING: Readonly<Record<(typeof ADDRESS_FIELDS)[number], string>> = {
  client_ip: 'the address the proxy trusts as the client: what `remoteIpBlocks` matches and a per-client rate limit counts',
  peer_ip: 'the TCP peer, even behind PROXY protocol or `X-Forwarded-For`: what `ipBlocks` matches',
  x_forwarded_for: 'the header as the proxy forwards it (a proxy appends its TCP peer, a sidecar passes it on)',
  x_envoy_external_address: 'the header as the proxy forwards it (the gateway sets it to `client_ip`)',
};

function renderAccessLog(result: ExplainResult, log: AccessLogReport, tryIt: TryItOptions): string[] {
  const operators = new Map(CLIENT_IP_LOG_FIELDS.map((f) => [f.name, f.operator]));
  const who = log.sidecars ? 'this gateway and the app\'s sidecars (inbound requests) log' : 'this gateway logs';
  const lines: string[] = [
    '### Access log',
    '',
    `With \`ClientIpAccessLog\`, ${who} every request through the mesh-config provider ${code(log.providerName)} `
      + `(${log.encoding === AccessLogEncoding.JSON ? 'one JSON object per line' : 'key=value text'}, to ${code(log.path)}); `
      + 'install the provider from `mesh-config/` first. The fields about the client:',
    '',
    '| Field | Envoy command operator | What it holds |',
    '| --- | --- | --- |',
    ...ADDRESS_FIELDS.map((name) => `| ${code(name)} | ${code(operators.get(name) ?? '')} | ${FIELD_MEANING[name]} |`),
    '',
    '**Normal request:**',
    '',
    ...renderLogTable(result.normal, log.sidecars),
    '',
    '**Request with forged headers:**',
    '',
    ...renderLogTable(result.spoofed, log.sidecars),
  ];
  const steps = tryItSteps(result, tryIt).slice(0, 2);
  const runs = [result.normal, result.spoofed];
  const names = placeholders(result);
  lines.push('', 'What the gateway\'s line holds for the "try it" requests (the client-address fields; the line has the other fields too):', '');
  steps.forEach((step, i) => {
    const gateway = clientIpLogLines(runs[i]).find((line) => line.role === ExplainLayerRole.GATEWAY);
    lines.push(`**${step.title}:**`, '');
    if (gateway === undefined) {
      lines.push(`No line: the gateway refuses the connection (${markdownText(runs[i].refusal ?? '')}).`, '');
      return;
    }
    lines.push(log.encoding === AccessLogEncoding.JSON ? '```json' : '```text', renderSampleLine(gateway, names, log.encoding), '```', '');
  });
  while (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

function renderLogTable(run: ExplainRun, sidecars: boolean): string[] {
  const logged = clientIpLogLines(run);
  if (logged.length === 0) {
    return [`No line: the gateway refuses the connection (${markdownText(run.refusal ?? '')}).`];
  }
  const cell = (value: string | null) => (value === null ? '*absent*' : code(value));
  return [
    `| Proxy | ${ADDRESS_FIELDS.map((name) => code(name)).join(' | ')} |`,
    `| --- | ${ADDRESS_FIELDS.map(() => '---').join(' | ')} |`,
    ...logged.map((line) => `| ${markdownText(line.proxy)}${line.role === ExplainLayerRole.SIDECAR && !sidecars ? ' (logs only with `workloads`)' : ''} | ${cell(line.clientIp)} | ${cell(line.peerIp)} | ${cell(line.xForwardedFor)} | ${cell(line.xEnvoyExternalAddress)} |`),
  ];
}

/** The client-address fields of one line, with the addresses only the user's cluster knows as placeholders. */
function renderSampleLine(line: ClientIpLogLine, names: Map<string, string>, encoding: AccessLogEncoding): string {
  const values: Record<(typeof ADDRESS_FIELDS)[number], string | null> = {
    client_ip: line.clientIp, peer_ip: line.peerIp, x_forwarded_for: line.xForwardedFor, x_envoy_external_address: line.xEnvoyExternalAddress,
  };
  // Each address token is replaced where it stands, so X-Forwarded-For keeps Envoy's separators.
  const named = (value: string) => value.replace(/[^,\s]+/g, (address) => names.get(address) ?? address);
  if (encoding === AccessLogEncoding.JSON) {
    return JSON.stringify(Object.fromEntries(ADDRESS_FIELDS.map((name) => [name, values[name] === null ? null : named(values[name] as string)])));
  }
  // Envoy writes "-" for an absent value in a text format.
  return ADDRESS_FIELDS.map((name) => {
    const value = values[name] === null ? '-' : named(values[name] as string);
    return `${name}=${QUOTED_TEXT_FIELDS.has(name) ? `"${value}"` : value}`;
  }).join(' ');
}

function renderRateLimit(result: ExplainResult, limit: RateLimitReport): string[] {
  const client = result.path.client ?? '';
  const exempt = limit.exempt.length === 0 ? '' : `; exempt: ${limit.exempt.map((b) => code(b.toString())).join(', ')}`;
  const lines = [
    '### Per-client rate limit',
    '',
    `With \`ClientRateLimit\`, each gateway pod lets each client address make ${limit.requestsPerInterval} `
      + `${limit.requestsPerInterval === 1 ? 'request' : 'requests'} per ${code(limit.interval)} (bursts of up to ${limit.burst}), `
      + 'and answers 429 beyond that. Every pod counts on its own, so with N gateway pods a client gets up to N times as many. '
      + `It applies to Istio ${limit.istioVersions.map((v) => code(v)).join(', ')} proxies only${exempt}. `
      + 'The key is the address the gateway trusts (Envoy `remote_address`, the access log\'s `client_ip`):',
    '',
    '| Request | Key | Counted against |',
    '| --- | --- | --- |',
  ];
  const row = (title: string, run: ExplainRun, forged: boolean) => {
    const key = rateLimitKey(run);
    if (key === null) {
      return `| ${title} | — | nothing: the gateway refuses the connection |`;
    }
    const block = exemptBlockFor(key, limit.exempt);
    let bucket: string;
    if (block !== undefined) {
      bucket = `nothing: exempt (in ${code(block.toString())})`;
    } else if (forged && key === result.path.forgedAddress) {
      bucket = '**a bucket the client chose: a new forged address each time escapes the limit**';
    } else if (key !== client) {
      bucket = '**a bucket shared by every client behind that address**';
    } else {
      bucket = 'the client\'s own bucket';
    }
    const whose = key === client ? ' (the client)' : '';
    return `| ${title} | ${code(key)}${whose} | ${bucket} |`;
  };
  lines.push(row('normal', result.normal, false), row('forged headers', result.spoofed, true));
  return lines;
}
