// Small hand-written manifests for the analyzer tests: plain objects, as a YAML file would parse.
import { AnalysisFinding, analyzeManifests, AnalyzeOptions } from '../../../src/validation/analyze';

type Map = Record<string, string>;
type Obj = Record<string, unknown>;

export function namespace(name: string, labels: Map = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export interface WorkloadOptions {
  readonly labels?: Map;
  readonly annotations?: Map;
  readonly containers?: Obj[];
  readonly hostNetwork?: boolean;
  readonly kind?: string;
}

/** A Deployment (or another workload kind) whose pods carry `labels` and `annotations`. */
export function deployment(ns: string, name: string, options: WorkloadOptions = {}): Obj {
  const labels = options.labels ?? { app: name };
  const template = {
    metadata: { labels, annotations: options.annotations ?? {} },
    spec: { containers: options.containers ?? [{ name: 'app', image: 'example/app:1' }], ...(options.hostNetwork ? { hostNetwork: true } : {}) },
  };
  const kind = options.kind ?? 'Deployment';
  if (kind === 'Pod') {
    return { apiVersion: 'v1', kind, metadata: { name, namespace: ns, ...template.metadata }, spec: template.spec };
  }
  if (kind === 'CronJob') {
    return { apiVersion: 'batch/v1', kind, metadata: { name, namespace: ns }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } };
  }
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name, namespace: ns }, spec: { selector: { matchLabels: labels }, template } };
}

/** Gateway pods deployed with gateway injection, as Istio's gateway chart does. */
export function gatewayDeployment(ns: string, name: string, labels: Map = { istio: 'ingressgateway' }, annotations: Map = {}): Obj {
  return deployment(ns, name, {
    labels: { ...labels, 'sidecar.istio.io/inject': 'true' },
    annotations: { 'inject.istio.io/templates': 'gateway', ...annotations },
    containers: [{ name: 'istio-proxy', image: 'auto' }],
  });
}

export interface PortSpec {
  readonly port: number;
  readonly name?: string;
  readonly targetPort?: number | string;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

export function service(ns: string, name: string, selector: Map | undefined, ports: PortSpec[], options: { annotations?: Map; labels?: Map; type?: string } = {}): Obj {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: ns, annotations: options.annotations ?? {}, labels: options.labels ?? {} },
    spec: { ...(selector === undefined ? {} : { selector }), ports, ...(options.type === undefined ? {} : { type: options.type }) },
  };
}

export interface ServerSpec {
  readonly port: number;
  readonly hosts?: string[];
  readonly credentialName?: string;
}

export function gateway(ns: string, name: string, selector: Map, servers: ServerSpec[]): Obj {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: ns },
    spec: {
      selector,
      servers: servers.map((s) => ({
        port: { number: s.port, name: `p${s.port}`, protocol: s.credentialName === undefined ? 'HTTP' : 'HTTPS' },
        hosts: s.hosts ?? ['*'],
        ...(s.credentialName === undefined ? {} : { tls: { mode: 'SIMPLE', credentialName: s.credentialName } }),
      })),
    },
  };
}

export function virtualService(ns: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: ns }, spec };
}

/** A VirtualService routing all of `hosts` on `gateways` to `host` (port optional). */
export function route(ns: string, name: string, gateways: string[], host: string, port?: number, hosts: string[] = ['*']): Obj {
  return virtualService(ns, name, {
    hosts, gateways,
    http: [{ route: [{ destination: { host, ...(port === undefined ? {} : { port: { number: port } }) } }] }],
  });
}

export function destinationRule(ns: string, name: string, host: string, exportTo?: string[]): Obj {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: ns }, spec: { host, ...(exportTo ? { exportTo } : {}) } };
}

export function authorizationPolicy(ns: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec };
}

export function secret(ns: string, name: string): Obj {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'kubernetes.io/tls' };
}

/** The findings with `code`. */
export function codes(docs: unknown[], code: string, options?: AnalyzeOptions): AnalysisFinding[] {
  return analyzeManifests(docs, options).filter((f) => f.code === code);
}
