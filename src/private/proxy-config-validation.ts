import { parseIpAddress } from './ip';
import { show } from './problems';
import { parseGoDuration } from './proxy-config-decode';
import { JsonValue } from './yaml11';

/**
 * Istio's checks on a `proxy.istio.io/config` annotation, as the sidecar injector runs them: it
 * applies the annotation to `mesh.DefaultProxyConfig()` (each field it sets replaces the default's
 * whole field) and runs `agent.ValidateMeshConfigProxyConfig` on the result; any error rejects the
 * pod ("Injection failed due to invalid annotations").
 *
 * `config` is the canonical form `decodeMessage` returns. Each rule cites the Istio 1.30 source it
 * follows:
 * - injector: https://github.com/istio/istio/blob/release-1.30/pkg/kube/inject/validate.go (`validateProxyConfig`)
 * - rules: https://github.com/istio/istio/blob/release-1.30/pkg/config/validation/agent/validation.go
 *   (`ValidateMeshConfigProxyConfig`, `ValidateProxyAddress`, `ValidateDrainDuration`, `ValidateTLS`,
 *   `validatePrivateKeyProvider`, `ValidateControlPlaneAuthPolicy`, `ValidatePort`, `ValidateFQDN`)
 * - defaults: https://github.com/istio/istio/blob/release-1.30/pkg/config/mesh/mesh.go (`DefaultProxyConfig`)
 */
export function proxyConfigRuleProblems(config: Readonly<Record<string, JsonValue>>): string[] {
  const c = effectiveConfig(config);
  const problems: string[] = [];
  const add = (path: string, allowed: string, value: unknown, fix: string, why?: string) => {
    problems.push(`'${path}' must be ${allowed}, got ${show(value)}${why === undefined ? '' : ` (${why})`}. Fix: ${fix}`);
  };
  // validation.go: "config path must be set", "binary path must be set"
  for (const key of ['configPath', 'binaryPath']) {
    if (c[key] === '') {
      add(key, 'a non-empty path', c[key], `remove ${key} to keep Istio's default`);
    }
  }
  // validation.go: "service cluster must be specified" (the cluster_name oneof: serviceCluster or tracingServiceName)
  if (c.tracingServiceName === undefined && c.serviceCluster === '') {
    add('serviceCluster', 'a non-empty name', c.serviceCluster, 'remove serviceCluster to keep "istio-proxy", or set tracingServiceName instead');
  }
  // validation.go ValidateDrainDuration: at least 1ms, whole milliseconds, then whole seconds
  const drain = durationNanos(c.drainDuration);
  if (drain !== undefined) {
    const why = drain < MS ? 'Istio needs at least 1ms' : drain % MS !== BigInt(0) ? 'Istio supports whole milliseconds only'
      : drain % SECOND !== BigInt(0) ? 'Istio supports whole seconds only for the drain time' : undefined;
    if (why !== undefined) {
      add('drainDuration', 'a positive whole number of seconds, e.g. "45s"', c.drainDuration, 'write a whole number of seconds such as "5s" or "1m", or remove it to keep "45s"', why);
    }
  }
  // validation.go: "discovery address must be set to the proxy discovery service", then ValidateProxyAddress
  if (c.discoveryAddress === '') {
    add('discoveryAddress', 'set (the proxy discovery service)', c.discoveryAddress, 'remove discoveryAddress to keep "istiod.istio-system.svc:15012"');
  } else {
    addressRule(problems, 'discoveryAddress', stringOr(c.discoveryAddress), 15012);
  }
  const tracing = asMap(c.tracing);
  // validation.go ValidateLightstepCollector: address required and host:port; access token required
  const lightstep = asMap(tracing?.lightstep);
  if (lightstep !== undefined) {
    addressRule(problems, 'tracing.lightstep.address', stringOr(lightstep.address), 8080);
    if (stringOr(lightstep.accessToken) === '') {
      add('tracing.lightstep.accessToken', 'set', lightstep.accessToken ?? '', 'set the Lightstep access token, or use another tracer');
    }
  }
  // validation.go ValidateZipkinCollector / ValidateDatadogCollector: host:port, with "$(HOST_IP)" read as an IP
  for (const [tracer, port] of [['zipkin', 9411], ['datadog', 8126]] as const) {
    const settings = asMap(tracing?.[tracer]);
    if (settings !== undefined) {
      addressRule(problems, `tracing.${tracer}.address`, stringOr(settings.address), port, (a) => a.replace('$(HOST_IP)', '127.0.0.1'));
    }
  }
  // validation.go ValidateTLS, on tracing.tlsSettings only
  const tls = asMap(tracing?.tlsSettings);
  if (tls !== undefined) {
    problems.push(...tlsProblems(tls));
  }
  // validation.go: statsd, envoy metrics and access log service addresses, when set
  for (const [path, value, port] of [
    ['statsdUdpAddress', c.statsdUdpAddress, 9125],
    ['envoyMetricsServiceAddress', c.envoyMetricsServiceAddress, 15000],
    ['envoyMetricsService.address', asMap(c.envoyMetricsService)?.address, 15000],
    ['envoyAccessLogService.address', asMap(c.envoyAccessLogService)?.address, 15000],
  ] as const) {
    if (typeof value === 'string' && value !== '') {
      addressRule(problems, path, value, port);
    }
  }
  // validation.go ValidatePort: proxy admin port and status port
  for (const key of ['proxyAdminPort', 'statusPort']) {
    const port = c[key];
    if (typeof port === 'number' && (port < 1 || port > 65535)) {
      add(key, 'a port from 1 to 65535', port, `pick a free port, or remove ${key} to keep ${key === 'statusPort' ? 15020 : 15000}`);
    }
  }
  // validation.go ValidateControlPlaneAuthPolicy: NONE or MUTUAL_TLS
  if (c.controlPlaneAuthPolicy !== 'NONE' && c.controlPlaneAuthPolicy !== 'MUTUAL_TLS') {
    add('controlPlaneAuthPolicy', 'NONE or MUTUAL_TLS', c.controlPlaneAuthPolicy, 'use MUTUAL_TLS (INHERIT is for other scopes)');
  }
  // validation.go validatePrivateKeyProvider
  const pkp = asMap(c.privateKeyProvider);
  if (pkp !== undefined) {
    const provider = ['cryptomb', 'qat'].find((name) => asMap(pkp[name]) !== undefined);
    if (provider === undefined) {
      add('privateKeyProvider', 'a provider: cryptomb or qat', pkp, 'write privateKeyProvider: {cryptomb: {pollDelay: "10ms"}}, or remove it');
    } else {
      const delay = asMap(pkp[provider])?.pollDelay;
      const nanos = durationNanos(delay);
      if (nanos === undefined || nanos === BigInt(0)) {
        add(`privateKeyProvider.${provider}.pollDelay`, 'a non-zero duration', delay ?? null, 'set pollDelay, e.g. "10ms"');
      }
    }
  }
  return problems;
}

const MS = BigInt(1_000_000);
const SECOND = BigInt(1_000_000_000);

/** `mesh.DefaultProxyConfig()` with the fields the rules read. */
const DEFAULTS: Readonly<Record<string, JsonValue>> = {
  configPath: './etc/istio/proxy',
  binaryPath: '/usr/local/bin/envoy',
  serviceCluster: 'istio-proxy',
  drainDuration: '45s',
  terminationDrainDuration: '5s',
  proxyAdminPort: 15000,
  controlPlaneAuthPolicy: 'MUTUAL_TLS',
  discoveryAddress: 'istiod.istio-system.svc:15012',
  tracing: { zipkin: { address: 'zipkin.istio-system:9411' } },
  statNameLength: 189,
  statusPort: 15020,
};

/** The defaults with each field the annotation sets replacing the default's whole field. */
function effectiveConfig(config: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  const merged: Record<string, JsonValue> = { ...DEFAULTS };
  if (config.tracingServiceName !== undefined) {
    delete merged.serviceCluster;
  }
  for (const [key, value] of Object.entries(config)) {
    Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

function asMap(value: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function stringOr(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function durationNanos(value: JsonValue | undefined): bigint | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const parsed = parseGoDuration(value);
  return parsed.ok ? parsed.nanos : undefined;
}

function addressRule(problems: string[], path: string, address: string, port: number, adjust: (a: string) => string = (a) => a): void {
  const why = proxyAddressProblem(adjust(address));
  if (why !== undefined) {
    problems.push(`'${path}' must be host:port (a lower-case DNS name or an IP address, and a port from 1 to 65535), got ${show(address)} (${why}). `
      + `Fix: ${address === '' ? 'set the address' : /:[0-9]+$/.test(address) ? 'fix the host name (lower case, no spaces)' : `add the port, e.g. "${address}:${port}"`}`);
  }
}

/**
 * Go's `net.SplitHostPort`, then the port and host rules of Istio's `ValidateProxyAddress`; the
 * reason, or `undefined` when the address is valid.
 */
export function proxyAddressProblem(address: string): string | undefined {
  const split = splitHostPort(address);
  if (typeof split === 'string') {
    return split;
  }
  const port = goAtoi(split.port);
  if (port === undefined) {
    return `port (${split.port}) is not a number`;
  }
  if (port < 1 || port > 65535) {
    return `port number ${port} must be in the range 1..65535`;
  }
  if (fqdnProblem(split.host) !== undefined && !parseIpAddress(split.host).ok) {
    return `${JSON.stringify(split.host)} is not a valid hostname or an IP address`;
  }
  return undefined;
}

/** Go `net.SplitHostPort`: the host and port, or the reason it fails. */
function splitHostPort(hostport: string): { host: string; port: string } | string {
  const i = hostport.lastIndexOf(':');
  if (i < 0) {
    return 'missing port in address';
  }
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) {
      return 'missing \']\' in address';
    }
    if (end + 1 === hostport.length) {
      return 'missing port in address';
    }
    if (end + 1 !== i) {
      return hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address';
    }
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) {
      return 'too many colons in address';
    }
  }
  if (hostport.slice(j).includes('[')) {
    return 'unexpected \'[\' in address';
  }
  if (hostport.slice(k).includes(']')) {
    return 'unexpected \']\' in address';
  }
  return { host, port: hostport.slice(i + 1) };
}

/** Go `strconv.Atoi`: optional sign and decimal digits, within int64. */
function goAtoi(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    return undefined;
  }
  const value = BigInt(text);
  return value > BigInt('9223372036854775807') || value < BigInt('-9223372036854775808') ? undefined : Number(value);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Istio `ValidateFQDN`: at most 255 characters, DNS-1123 labels, no all-numeric top-level label. */
function fqdnProblem(name: string): string | undefined {
  if (name.length > 255) {
    return 'longer than 255';
  }
  if (name.length === 0) {
    return 'empty';
  }
  const labels = name.split('.');
  if (goAtoi(labels[labels.length - 1]) !== undefined) {
    return 'all-numeric top-level domain';
  }
  for (let i = 0; i < labels.length; i++) {
    if (i === labels.length - 1 && labels[i] === '') {
      return undefined;
    }
    if (labels[i].length > 63 || !DNS1123_LABEL.test(labels[i])) {
      return `label ${JSON.stringify(labels[i])} invalid`;
    }
  }
  return undefined;
}

/** Istio `ValidateTLS` on `tracing.tlsSettings`. */
function tlsProblems(tls: Record<string, JsonValue>): string[] {
  const problems: string[] = [];
  const mode = tls.mode ?? 'DISABLE';
  const set = (key: string) => typeof tls[key] === 'string' && tls[key] !== '';
  const sans = Array.isArray(tls.subjectAltNames) && tls.subjectAltNames.length > 0;
  const path = 'tracing.tlsSettings';
  if (tls.insecureSkipVerify === true) {
    if (mode === 'SIMPLE' && (set('caCertificates') || set('credentialName') || sans)) {
      problems.push(`'${path}' must not set caCertificates, credentialName or subjectAltNames with insecureSkipVerify: true in SIMPLE mode, got ${show(tls)}. Fix: remove them, or insecureSkipVerify`);
    }
    if (mode === 'MUTUAL' && (set('caCertificates') || sans)) {
      problems.push(`'${path}' must not set caCertificates or subjectAltNames with insecureSkipVerify: true in MUTUAL mode, got ${show(tls)}. Fix: remove them, or insecureSkipVerify`);
    }
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && set('credentialName')) {
    if (set('clientCertificate') || set('caCertificates') || set('privateKey') || set('caCrl')) {
      problems.push(`'${path}' must not set clientCertificate, caCertificates, privateKey or caCrl together with credentialName, got ${show(tls)}. Fix: keep credentialName or the file paths, not both`);
    }
    return problems;
  }
  if (mode === 'MUTUAL') {
    for (const key of ['clientCertificate', 'privateKey']) {
      if (!set(key)) {
        problems.push(`'${path}.${key}' must be set in MUTUAL mode, got ${show(tls[key] ?? '')}. Fix: set the file path, or use credentialName`);
      }
    }
  }
  return problems;
}
