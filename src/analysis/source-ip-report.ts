/**
 * Finds the ingress gateways of a cdk8s app, explains each one's path and writes the report.
 *
 * The only module of `analysis/` that touches the file system; cdk8s and constructs types are
 * imported as types only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { GatewayTopology } from '../gateway-topology';
import type { IIngressGateway } from '../gateway/gateway';
import { failIfAny, isPlainObject, mustBe, Problem, requireRoot } from '../private/problems';
import { assumedPathFor, explainPathFor } from './assumed-path';
import { clientIpReportPartsFor } from './client-ip-log';
import { explain, ExplainApp, ExplainEdge } from './explain';
import { renderSourceIpReport, SourceIpReportEntry } from './report';
import { TryItOptions } from './try-it';

/**
 * Options for `explainIngressGateways`.
 *
 * Without any, every gateway is explained with the path its settings are right for.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface ExplainIngressGatewaysOptions {
  /**
   * The real path in front of some gateways, keyed by the gateway's construct path (e.g.
   * `source-ip/ingress-gateway`). The gateway's own settings always come from the construct.
   *
   * @default - a gateway's `edge` description when it has one, else the path its settings are
   *   right for (`assumedPathFor`)
   */
  readonly paths?: Readonly<Record<string, ExplainEdge>>;

  /**
   * The application behind the gateways, for paths that do not name one.
   *
   * @default - an app named `app` with REDIRECT interception (Istio's default)
   */
  readonly app?: ExplainApp;
}

/**
 * Options for `writeSourceIpReport`.
 *
 * The paths and app of `explainIngressGateways`, and the file name.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export interface SourceIpReportOptions extends ExplainIngressGatewaysOptions {
  /**
   * The report's file name, written in the app's output directory.
   *
   * @default 'source-ip-report.md'
   */
  readonly fileName?: string;

  /**
   * The subfolder of the app's output directory the report goes to: never the output directory
   * itself, which `kubectl apply -f` reads and where only manifests belong.
   *
   * @default 'report'
   */
  readonly directory?: string;

  /**
   * How the report's "try it" commands reach the gateway and the in-mesh client.
   *
   * @default - commands against `$GATEWAY`, no in-mesh request
   */
  readonly tryIt?: TryItOptions;
}

/**
 * Every ingress gateway at or below `root`, sorted by construct path.
 *
 * A construct counts as an ingress gateway when it implements `IIngressGateway` (a `topology`
 * that is a `GatewayTopology`, a `serviceType` and `selectorLabels`), so gateways deployed by
 * other constructs than `IngressGateway` are found too.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/gateway/
 */
export function ingressGatewaysIn(root: IConstruct): IIngressGateway[] {
  requireRoot('ingressGatewaysIn', root);
  return root.node.findAll()
    .filter(isIngressGateway)
    .sort((a, b) => compare(a.node.path, b.node.path));
}

/**
 * Explains the path of every ingress gateway at or below `root`: the described one from
 * `options.paths`, or else the one its settings are right for.
 *
 * Use the results' `findings` to turn problems into warnings.
 *
 * @throws SourceIpValidationError when `options.paths` names a construct path that is not an
 *   ingress gateway, or a path is invalid
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function explainIngressGateways(root: IConstruct, options: ExplainIngressGatewaysOptions = {}): SourceIpReportEntry[] {
  requireRoot('explainIngressGateways', root, options);
  failIfAny('explainIngressGateways', [options.paths === undefined || isPlainObject(options.paths) ? undefined
    : mustBe('paths', 'a map from gateway construct paths to edges', options.paths, 'pass { "app/gateway": { hops: [...] } }')]);
  const gateways = ingressGatewaysIn(root);
  const known = new Set(gateways.map((gateway) => gateway.node.path));
  const problems: Problem[] = Object.keys(options.paths ?? {}).sort().filter((key) => !known.has(key)).map((key) =>
    mustBe(`paths[${JSON.stringify(key)}]`, 'keyed by the construct path of an ingress gateway', key,
      known.size === 0 ? 'add an IngressGateway to the app, or remove the entry'
        : `use one of ${[...known].slice(0, 5).map((p) => JSON.stringify(p)).join(', ')}${known.size > 5 ? `, … (${known.size} gateways)` : ''}`));
  failIfAny('explainIngressGateways', problems);

  return gateways.map((gateway) => {
    // A path given here wins over the gateway's own edge description, which wins over the path
    // its settings are right for.
    const described = options.paths?.[gateway.node.path] ?? gateway.edge?.explainEdge();
    const explainPath = described === undefined
      ? assumedPathFor(gateway, options.app === undefined ? {} : { app: options.app })
      : explainPathFor(gateway, { ...described, app: described.app ?? options.app });
    const derived = gateway.edge?.gatewaySettings();
    // Access logs and rate limits on this gateway, when the app has any (analysis/client-ip-log.ts).
    const clientIp = clientIpReportPartsFor(root, gateway);
    const hasClientIp = clientIp.accessLogs.length + clientIp.rateLimits.length > 0;
    return { name: gateway.node.path, result: explain(explainPath), ...(derived === undefined ? {} : { derived }), ...(hasClientIp ? { clientIp } : {}) };
  });
}

/**
 * Writes the client source IP report of a cdk8s app into a subfolder of its output directory
 * (`report/` by default, where `kubectl apply -f` does not read) and returns the file's path.
 *
 * Call it after `app.synth()` (synth prepares the output directory): for every ingress gateway,
 * the report shows the path, the findings, what each layer sees for a normal and a spoofed
 * request, and a Mermaid sequence diagram. The bytes depend only on the app and the options.
 *
 * @throws SourceIpValidationError when `fileName` is not a plain file name, or as
 *   `explainIngressGateways` does
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function writeSourceIpReport(app: App, options: SourceIpReportOptions = {}): string {
  requireRoot('writeSourceIpReport', app, options);
  failIfAny('writeSourceIpReport', [typeof (app as { outdir?: unknown }).outdir === 'string' ? undefined
    : mustBe('app', 'a cdk8s App (with an output directory)', app, 'pass the App you synthesized')]);
  const fileName = options.fileName ?? 'source-ip-report.md';
  const directory = options.directory ?? 'report';
  const plain = (name: unknown) => typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[\\/\0]/.test(name)
    && Buffer.byteLength(name) <= 255;
  failIfAny('writeSourceIpReport', [
    plain(fileName) ? undefined : mustBe('fileName', 'a plain file name without directories, of at most 255 bytes', fileName, 'pass a name such as "source-ip-report.md"'),
    plain(directory) ? undefined : mustBe('directory', 'a plain folder name (a subfolder of the output directory)', directory, 'pass a name such as "report"'),
  ]);
  const entries = explainIngressGateways(app, options).map((entry) => (options.tryIt === undefined ? entry : { ...entry, tryIt: options.tryIt }));
  const report = renderSourceIpReport(entries);
  fs.mkdirSync(path.join(app.outdir, directory), { recursive: true });
  const file = path.join(app.outdir, directory, fileName);
  fs.writeFileSync(file, report);
  return file;
}

function isIngressGateway(construct: IConstruct): construct is IIngressGateway {
  const candidate = construct as Partial<IIngressGateway>;
  return candidate.topology instanceof GatewayTopology
    && typeof candidate.serviceType === 'string'
    && typeof candidate.selectorLabels === 'object' && candidate.selectorLabels !== null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
