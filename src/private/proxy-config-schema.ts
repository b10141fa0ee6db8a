/**
 * The ProxyConfig message of Istio 1.30 as `proxy.istio.io/config` is decoded: every field with its
 * proto name, its type and its oneof. Istio reads the annotation with the legacy
 * `github.com/golang/protobuf/jsonpb` decoder, so a field is found by its proto name
 * (`gateway_topology`) or its JSON name (`gatewayTopology`), and the type decides what value is
 * accepted.
 *
 * Transcribed from the proto definitions (field names, numbers only where a oneof needs the order):
 * - https://github.com/istio/api/blob/release-1.30/mesh/v1alpha1/proxy.proto (ProxyConfig, Tracing,
 *   Topology, PrivateKeyProvider, RemoteService)
 * - https://github.com/istio/api/blob/release-1.30/networking/v1alpha3/destination_rule.proto
 *   (ClientTLSSettings, TcpKeepalive)
 * - https://github.com/istio/api/blob/release-1.30/networking/v1alpha3/workload_group.proto (ReadinessProbe)
 * - https://github.com/istio/api/blob/release-1.30/networking/v1beta1/proxy_config.proto (ProxyImage)
 */

/** A scalar type as jsonpb decodes it. `duration` is `google.protobuf.Duration`. */
export type ScalarKind = 'string' | 'bool' | 'int32' | 'uint32' | 'int64' | 'double' | 'duration';

/** The type of one field. */
export type FieldType =
  | { readonly scalar: ScalarKind }
  /** A `google.protobuf.*Value` wrapper: the inner scalar, and `null` leaves the field unset. */
  | { readonly wrapper: ScalarKind }
  | { readonly enumType: EnumType }
  | { readonly message: MessageType };

/** A proto enum: value names to numbers. */
export interface EnumType {
  readonly name: string;
  readonly values: Readonly<Record<string, number>>;
}

/** One field of a message. */
export interface FieldSpec {
  /** The proto field name, e.g. `gateway_topology`. */
  readonly proto: string;
  /** The JSON name protoc derives, e.g. `gatewayTopology`. */
  readonly json: string;
  readonly type: FieldType;
  /** `repeated` field: a JSON list. */
  readonly repeated?: boolean;
  /** `map<string, type>` field: a JSON map. */
  readonly map?: boolean;
  /** The oneof the field belongs to. */
  readonly oneof?: string;
  /** Marked `deprecated` in the proto. */
  readonly deprecated?: boolean;
}

/** A proto message. */
export interface MessageType {
  readonly name: string;
  /** In declaration order: jsonpb sets fields in this order, so the last member of a oneof wins. */
  readonly fields: readonly FieldSpec[];
  /**
   * Fields may exist that this table does not list (only `ReadinessProbe`, whose health-check
   * oneof grew over releases): an unlisted key is passed on without claiming Istio ignores it.
   */
  readonly open?: boolean;
}

/** protoc's JSON name: each `_x` becomes `X`. */
export function jsonName(proto: string): string {
  return proto.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

type FieldOptions = Omit<FieldSpec, 'proto' | 'json' | 'type'>;

function field(proto: string, type: FieldType, options: FieldOptions = {}): FieldSpec {
  return { proto, json: jsonName(proto), type, ...options };
}

const scalar = (kind: ScalarKind): FieldType => ({ scalar: kind });
const wrapper = (kind: ScalarKind): FieldType => ({ wrapper: kind });
const message = (type: MessageType): FieldType => ({ message: type });
const enumOf = (type: EnumType): FieldType => ({ enumType: type });

function msg(name: string, fields: FieldSpec[], open = false): MessageType {
  return open ? { name, fields, open } : { name, fields };
}

export const AUTHENTICATION_POLICY: EnumType = { name: 'AuthenticationPolicy', values: { NONE: 0, MUTUAL_TLS: 1, INHERIT: 1000 } };
export const FORWARD_CLIENT_CERT_DETAILS: EnumType = {
  name: 'ForwardClientCertDetails',
  values: { UNDEFINED: 0, SANITIZE: 1, FORWARD_ONLY: 2, APPEND_FORWARD: 3, SANITIZE_SET: 4, ALWAYS_FORWARD_ONLY: 5 },
};
export const INTERCEPTION_MODE: EnumType = { name: 'ProxyConfig.InboundInterceptionMode', values: { REDIRECT: 0, TPROXY: 1, NONE: 2 } };
const TRACING_SERVICE_NAME: EnumType = {
  name: 'ProxyConfig.TracingServiceName', values: { APP_LABEL_AND_NAMESPACE: 0, CANONICAL_NAME_ONLY: 1, CANONICAL_NAME_AND_NAMESPACE: 2 },
};
const TRACE_CONTEXT: EnumType = {
  name: 'Tracing.OpenCensusAgent.TraceContext', values: { UNSPECIFIED: 0, W3C_TRACE_CONTEXT: 1, GRPC_BIN: 2, CLOUD_TRACE_CONTEXT: 3, B3: 4 },
};
export const TLS_MODE: EnumType = { name: 'ClientTLSSettings.TLSmode', values: { DISABLE: 0, SIMPLE: 1, MUTUAL: 2, ISTIO_MUTUAL: 3 } };
const METADATA_EXCHANGE_MODE: EnumType = { name: 'ProxyConfig.ProxyHeaders.MetadataExchangeMode', values: { UNDEFINED: 0, IN_MESH: 1 } };

const CLIENT_TLS_SETTINGS = msg('istio.networking.v1alpha3.ClientTLSSettings', [
  field('mode', enumOf(TLS_MODE)),
  field('client_certificate', scalar('string')),
  field('private_key', scalar('string')),
  field('ca_certificates', scalar('string')),
  field('credential_name', scalar('string')),
  field('subject_alt_names', scalar('string'), { repeated: true }),
  field('sni', scalar('string')),
  field('insecure_skip_verify', wrapper('bool')),
  field('ca_crl', scalar('string')),
]);

const TCP_KEEPALIVE = msg('istio.networking.v1alpha3.ConnectionPoolSettings.TCPSettings.TcpKeepalive', [
  field('probes', scalar('uint32')),
  field('time', scalar('duration')),
  field('interval', scalar('duration')),
]);

const REMOTE_SERVICE = msg('RemoteService', [
  field('address', scalar('string')),
  field('tls_settings', message(CLIENT_TLS_SETTINGS)),
  field('tcp_keepalive', message(TCP_KEEPALIVE)),
]);

const ADDRESS_ONLY = (name: string): MessageType => msg(name, [field('address', scalar('string'))]);
const NAME_DEFAULT = (name: string): MessageType => msg(name, [field('name', scalar('string')), field('default_value', scalar('string'))]);

const CUSTOM_TAG = msg('Tracing.CustomTag', [
  field('literal', message(msg('Tracing.Literal', [field('value', scalar('string'))])), { oneof: 'type' }),
  field('environment', message(NAME_DEFAULT('Tracing.Environment')), { oneof: 'type' }),
  field('header', message(NAME_DEFAULT('Tracing.RequestHeader')), { oneof: 'type' }),
]);

export const TRACING = msg('Tracing', [
  field('zipkin', message(ADDRESS_ONLY('Tracing.Zipkin')), { oneof: 'tracer' }),
  field('lightstep', message(msg('Tracing.Lightstep', [field('address', scalar('string')), field('access_token', scalar('string'))])),
    { oneof: 'tracer', deprecated: true }),
  field('datadog', message(ADDRESS_ONLY('Tracing.Datadog')), { oneof: 'tracer' }),
  field('stackdriver', message(msg('Tracing.Stackdriver', [
    field('debug', scalar('bool')),
    field('max_number_of_attributes', wrapper('int64')),
    field('max_number_of_annotations', wrapper('int64')),
    field('max_number_of_message_events', wrapper('int64')),
  ])), { oneof: 'tracer' }),
  field('open_census_agent', message(msg('Tracing.OpenCensusAgent', [
    field('address', scalar('string')),
    field('context', enumOf(TRACE_CONTEXT), { repeated: true }),
  ])), { oneof: 'tracer' }),
  field('custom_tags', message(CUSTOM_TAG), { map: true }),
  field('max_path_tag_length', scalar('uint32')),
  field('sampling', scalar('double')),
  field('tls_settings', message(CLIENT_TLS_SETTINGS)),
  field('enable_istio_tags', wrapper('bool')),
]);

export const TOPOLOGY = msg('Topology', [
  field('num_trusted_proxies', scalar('uint32')),
  field('forward_client_cert_details', enumOf(FORWARD_CLIENT_CERT_DETAILS)),
  field('proxy_protocol', message(msg('Topology.ProxyProtocolConfiguration', []))),
]);

const POLL_DELAY_FALLBACK = (name: string): MessageType => msg(name, [field('poll_delay', scalar('duration')), field('fallback', wrapper('bool'))]);

export const PRIVATE_KEY_PROVIDER = msg('PrivateKeyProvider', [
  field('cryptomb', message(POLL_DELAY_FALLBACK('PrivateKeyProvider.CryptoMb')), { oneof: 'provider' }),
  field('qat', message(POLL_DELAY_FALLBACK('PrivateKeyProvider.QAT')), { oneof: 'provider' }),
]);

const READINESS_PROBE = msg('istio.networking.v1alpha3.ReadinessProbe', [
  field('initial_delay_seconds', scalar('int32')),
  field('timeout_seconds', scalar('int32')),
  field('period_seconds', scalar('int32')),
  field('success_threshold', scalar('int32')),
  field('failure_threshold', scalar('int32')),
  field('http_get', message(msg('istio.networking.v1alpha3.HTTPHealthCheckConfig', [
    field('path', scalar('string')),
    field('port', scalar('uint32')),
    field('host', scalar('string')),
    field('scheme', scalar('string')),
    field('http_headers', message(msg('istio.networking.v1alpha3.HTTPHeader', [field('name', scalar('string')), field('value', scalar('string'))])),
      { repeated: true }),
  ])), { oneof: 'health_check_method' }),
  field('tcp_socket', message(msg('istio.networking.v1alpha3.TCPHealthCheckConfig', [
    field('host', scalar('string')), field('port', scalar('uint32')),
  ])), { oneof: 'health_check_method' }),
  field('exec', message(msg('istio.networking.v1alpha3.ExecHealthCheckConfig', [field('command', scalar('string'), { repeated: true })])),
    { oneof: 'health_check_method' }),
], true);

const DISABLED = (name: string): MessageType => msg(name, [field('disabled', wrapper('bool'))]);
const ENABLED = (name: string): MessageType => msg(name, [field('enabled', wrapper('bool'))]);

const PROXY_HEADERS = msg('ProxyConfig.ProxyHeaders', [
  field('forwarded_client_cert', enumOf(FORWARD_CLIENT_CERT_DETAILS)),
  field('set_current_client_cert_details', message(msg('ProxyConfig.ProxyHeaders.SetCurrentClientCertDetails',
    ['subject', 'cert', 'chain', 'dns', 'uri'].map((name) => field(name, wrapper('bool')))))),
  field('request_id', message(DISABLED('ProxyConfig.ProxyHeaders.RequestId'))),
  field('server', message(msg('ProxyConfig.ProxyHeaders.Server', [field('disabled', wrapper('bool')), field('value', scalar('string'))]))),
  field('attempt_count', message(DISABLED('ProxyConfig.ProxyHeaders.AttemptCount'))),
  field('envoy_debug_headers', message(DISABLED('ProxyConfig.ProxyHeaders.EnvoyDebugHeaders'))),
  field('metadata_exchange_headers', message(msg('ProxyConfig.ProxyHeaders.MetadataExchangeHeaders', [field('mode', enumOf(METADATA_EXCHANGE_MODE))]))),
  field('preserve_http1_header_case', wrapper('bool')),
  field('x_forwarded_host', message(ENABLED('ProxyConfig.ProxyHeaders.XForwardedHost'))),
  field('x_forwarded_port', message(ENABLED('ProxyConfig.ProxyHeaders.XForwardedPort'))),
]);

/** `istio.mesh.v1alpha1.ProxyConfig`, Istio 1.30. */
export const PROXY_CONFIG = msg('ProxyConfig', [
  field('config_path', scalar('string')),
  field('binary_path', scalar('string')),
  field('service_cluster', scalar('string'), { oneof: 'cluster_name' }),
  field('tracing_service_name', enumOf(TRACING_SERVICE_NAME), { oneof: 'cluster_name' }),
  field('drain_duration', scalar('duration')),
  field('discovery_address', scalar('string')),
  field('discovery_refresh_delay', scalar('duration'), { deprecated: true }),
  field('zipkin_address', scalar('string'), { deprecated: true }),
  field('statsd_udp_address', scalar('string')),
  field('envoy_metrics_service_address', scalar('string'), { deprecated: true }),
  field('proxy_admin_port', scalar('int32')),
  field('availability_zone', scalar('string'), { deprecated: true }),
  field('control_plane_auth_policy', enumOf(AUTHENTICATION_POLICY)),
  field('custom_config_file', scalar('string')),
  field('stat_name_length', scalar('int32')),
  field('concurrency', wrapper('int32')),
  field('proxy_bootstrap_template_path', scalar('string')),
  field('interception_mode', enumOf(INTERCEPTION_MODE)),
  field('tracing', message(TRACING)),
  field('sds', message(msg('SDS', [field('enabled', scalar('bool')), field('k8s_sa_jwt_path', scalar('string'))])), { deprecated: true }),
  field('envoy_access_log_service', message(REMOTE_SERVICE)),
  field('envoy_metrics_service', message(REMOTE_SERVICE)),
  field('proxy_metadata', scalar('string'), { map: true }),
  field('runtime_values', scalar('string'), { map: true }),
  field('status_port', scalar('int32')),
  field('extra_stat_tags', scalar('string'), { repeated: true }),
  field('gateway_topology', message(TOPOLOGY)),
  field('termination_drain_duration', scalar('duration')),
  field('mesh_id', scalar('string')),
  field('readiness_probe', message(READINESS_PROBE)),
  field('proxy_stats_matcher', message(msg('ProxyConfig.ProxyStatsMatcher',
    ['inclusion_prefixes', 'inclusion_suffixes', 'inclusion_regexps'].map((name) => field(name, scalar('string'), { repeated: true }))))),
  field('hold_application_until_proxy_starts', wrapper('bool')),
  field('ca_certificates_pem', scalar('string'), { repeated: true }),
  field('image', message(msg('istio.networking.v1beta1.ProxyImage', [field('image_type', scalar('string'))]))),
  field('private_key_provider', message(PRIVATE_KEY_PROVIDER)),
  field('proxy_headers', message(PROXY_HEADERS)),
  field('file_flush_interval', scalar('duration')),
  field('file_flush_min_size_kb', scalar('uint32')),
  field('stats_compression', wrapper('bool')),
]);
