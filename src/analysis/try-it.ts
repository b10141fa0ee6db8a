/**
 * "Try it": the curl commands a user with a cluster runs to see a path work, and what the echo
 * server must print for each, taken from `explain` runs and the Envoy simulator.
 *
 * Pure: no cdk8s, no file system.
 */
import { InterceptionMode } from '../mesh/interception-mode';
import { simulateEnvoyXff } from './envoy-xff';
import { ExplainLayerRole, ExplainResult, ExplainRun } from './explain';
import { requireExplainResult, requireTryItInput, requireTryItSteps } from './report-input';

/** Where to send the in-mesh (east-west) request from. */
export interface TryItEastWest {
  /** Namespace of the curl client and the echo server. */
  readonly namespace: string;
  /**
   * The curl client's Deployment.
   *
   * @default 'sleep'
   */
  readonly client?: string;
  /**
   * The echo server's Service.
   *
   * @default 'echo-server'
   */
  readonly service?: string;
  /**
   * The echo server's interception mode.
   *
   * @default InterceptionMode.REDIRECT
   */
  readonly interceptionMode?: InterceptionMode;
}

/** Options for `tryItSteps`. */
export interface TryItOptions {
  /**
   * How the commands reach the gateway.
   *
   * @default '$GATEWAY' (the load balancer's address: `kubectl get svc -n <namespace> <gateway>`)
   */
  readonly gatewayAddress?: string;
  /**
   * The in-mesh request, when there is a curl client.
   *
   * @default - none
   */
  readonly eastWest?: TryItEastWest;
}

/** One command and what the echo server prints for it. */
export interface TryItStep {
  /** What the step shows. */
  readonly title: string;
  /** The shell command. */
  readonly command: string;
  /**
   * Lines the echo server's answer contains (`client_address=…`, `x-forwarded-for=…`,
   * `x-envoy-external-address=…`), with placeholders such as `<your address>` for addresses only
   * the user's cluster knows; a header that must be absent reads `(no x-forwarded-for)`.
   */
  readonly expect: readonly string[];
}

/**
 * The placeholder for each address only the user's cluster knows (`<your address>`, `<a gateway
 * pod IP>`, `<AWS NLB address>`), keyed by the documentation address `explain` used for it.
 */
export function placeholders(result: ExplainResult): Map<string, string> {
  requireExplainResult('placeholders', result);
  const map = new Map<string, string>();
  const path = result.path;
  if (path.client !== undefined) {
    map.set(path.client, '<your address>');
  }
  for (const hop of path.hops) {
    if (hop.address !== undefined) {
      map.set(hop.address, `<${hop.name} address>`);
    }
  }
  if (path.gateway.address !== undefined) {
    map.set(path.gateway.address, '<a gateway pod IP>');
  }
  if (path.gateway.nodeAddress !== undefined) {
    map.set(path.gateway.nodeAddress, '<a node IP>');
  }
  return map;
}

function named(map: Map<string, string>, value: string): string {
  return value.split(',').map((part) => {
    const address = part.trim();
    return map.get(address) ?? address;
  }).join(', ');
}

/** What the app prints for one run, or why it prints nothing. */
function appLines(run: ExplainRun, map: Map<string, string>): string[] {
  if (run.refusal !== null) {
    return [`(no answer: ${run.refusal})`];
  }
  const app = run.layers.find((layer) => layer.role === ExplainLayerRole.APP);
  if (app === undefined) {
    return ['(no answer)'];
  }
  return [
    `client_address=${named(map, app.tcpPeer ?? '')}`,
    app.xff === null ? '(no x-forwarded-for)' : `x-forwarded-for=${named(map, app.xff)}`,
    app.externalAddress === null ? '(no x-envoy-external-address)' : `x-envoy-external-address=${named(map, app.externalAddress)}`,
  ];
}

/**
 * The "try it" steps for one explained path: a normal request, one with forged
 * `X-Forwarded-For` and `x-envoy-external-address`, and (with `eastWest`) a request from a pod in
 * the mesh, each with what the echo server must print.
 *
 * @see https://kubernetes.io/docs/tutorials/services/source-ip/
 */
export function tryItSteps(result: ExplainResult, options: TryItOptions = {}): TryItStep[] {
  requireTryItInput(result, options);
  const gateway = options.gatewayAddress ?? '$GATEWAY';
  const map = placeholders(result);
  const forged = result.spoofed.layers[0];
  const steps: TryItStep[] = [
    {
      title: 'A normal request from outside the cluster',
      command: `curl -s http://${gateway}/`,
      expect: appLines(result.normal, map),
    },
    {
      title: 'The same request with forged headers',
      command: `curl -s -H 'X-Forwarded-For: ${forged.xff ?? ''}' -H 'x-envoy-external-address: ${forged.externalAddress ?? ''}' http://${gateway}/`,
      expect: appLines(result.spoofed, map),
    },
  ];
  if (options.eastWest !== undefined) {
    steps.push(eastWestStep(options.eastWest));
  }
  return steps;
}

/**
 * A request from a meshed pod to the echo server: the client's sidecar and the server's sidecar
 * both run with `use_remote_address: false` and no `X-Forwarded-For`, so neither appends one
 * (the simulator checks it); the server's TCP peer is the client pod with TPROXY and `127.0.0.6`
 * with REDIRECT.
 */
function eastWestStep(eastWest: TryItEastWest): TryItStep {
  const pod = '<the sleep pod IP>';
  // Documentation addresses stand in for the two pods; only the headers' presence is read.
  const outbound = simulateEnvoyXff({ remoteAddress: '127.0.0.1', localAddress: '192.0.2.10', xff: null, useRemoteAddress: false, xffNumTrustedHops: 0 });
  const inbound = simulateEnvoyXff({ remoteAddress: '192.0.2.10', xff: outbound.xffOut, useRemoteAddress: false, xffNumTrustedHops: 0 });
  const mode = eastWest.interceptionMode ?? InterceptionMode.REDIRECT;
  return {
    title: `A request from inside the mesh (${mode})`,
    command: `kubectl exec -n ${eastWest.namespace} deploy/${eastWest.client ?? 'sleep'} -- curl -s http://${eastWest.service ?? 'echo-server'}.${eastWest.namespace}/`,
    expect: [
      `client_address=${mode === InterceptionMode.TPROXY ? pod : '127.0.0.6'}`,
      inbound.xffOut === null ? '(no x-forwarded-for)' : `x-forwarded-for=${inbound.xffOut.replace('192.0.2.10', pod)}`,
      inbound.externalAddress === null ? '(no x-envoy-external-address)' : `x-envoy-external-address=${inbound.externalAddress}`,
    ],
  };
}

/** The steps as Markdown: a heading per step, the command, and the lines to look for. */
export function renderTryIt(steps: readonly TryItStep[]): string[] {
  requireTryItSteps(steps);
  const lines: string[] = [];
  for (const step of steps) {
    lines.push(`**${step.title}:**`, '', '```bash', step.command, '```', '', 'The echo server prints:', '', '```text', ...step.expect, '```', '');
  }
  return lines;
}
