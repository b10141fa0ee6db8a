import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { InterceptionMode, setInterceptionMode } from '../mesh';
import { booleanProblem, failIfAny, requireObject, resourceName, wholeNumber } from '../private/problems';
import { guardObjectSizes } from '../private/object-size';
import { checkedScope } from '../private/scope';

/** Props of a `SourceIpEcho`. */
export interface SourceIpEchoProps {
  /**
   * Namespace of the echo server (and the curl client). Run it in a meshed namespace, so its pods get a sidecar.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Number of echo-server pods.
   *
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The sidecar interception mode of the echo-server pods: `TPROXY` shows the caller's own address
   * as the TCP peer, `REDIRECT` (Istio's default) shows `127.0.0.6`.
   *
   * @default - Istio's default (REDIRECT), no annotation written
   */
  readonly interceptionMode?: InterceptionMode;
  /**
   * Whether to add a `sleep` Deployment with curl, to call the echo server from inside the mesh (east-west).
   *
   * @default true
   */
  readonly curlClient?: boolean;
}

/** The echo image of the Kubernetes "Using Source IP" tutorial: it prints `client_address=` and every request header. */
export const ECHO_IMAGE = 'registry.k8s.io/echoserver:1.10';
/** A curl image for the in-mesh client. */
export const CURL_IMAGE = 'curlimages/curl:8.11.1';

/**
 * A workload to try a client-address path with: `echo-server` (a Deployment and a Service whose
 * port is named `http`, so Istio routes it as HTTP), which answers every request with the address
 * it sees (`client_address=`) and the headers it received, and a `sleep` pod with curl for calls
 * from inside the mesh.
 *
 * @see https://kubernetes.io/docs/tutorials/services/source-ip/
 */
export class SourceIpEcho extends Construct {
  /** The echo-server Deployment (construct id `Resource`). */
  public readonly deployment: ApiObject;
  /** The echo-server Service: port 80, named `http`, to container port 8080. */
  public readonly service: ApiObject;
  /** The curl client, when added. */
  public readonly curlClient?: ApiObject;
  /** The namespace of the objects. */
  public readonly namespace?: string;
  /** The echo server's interception mode, when set. */
  public readonly interceptionMode?: InterceptionMode;

  constructor(scope: Construct, id: string, props: SourceIpEchoProps = {}) {
    super(checkedScope('SourceIpEcho', scope, id), id);
    requireObject('SourceIpEcho', 'props', props, 'pass an object of SourceIpEchoProps, or nothing', this);
    guardObjectSizes(this);
    failIfAny('SourceIpEcho', [
      resourceName('namespace', props.namespace, 'namespace'),
      wholeNumber('replicas', props.replicas, 0, 2147483647, 'pass the number of echo-server pods'),
      booleanProblem('curlClient', props.curlClient),
    ], this);
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.interceptionMode = props.interceptionMode;
    const labels = { app: 'echo-server' };
    this.deployment = new ApiObject(this, 'Resource', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'echo-server', namespace: props.namespace },
      spec: {
        replicas: props.replicas ?? 2,
        selector: { matchLabels: { ...labels } },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            containers: [{
              name: 'echo-server',
              image: ECHO_IMAGE,
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: {
                requests: { cpu: '10m', memory: '32Mi' },
                limits: { cpu: '200m', memory: '128Mi' },
              },
            }],
          },
        },
      },
    });
    this.service = new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'echo-server', namespace: props.namespace },
      spec: {
        selector: { ...labels },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    });
    if (props.interceptionMode !== undefined) {
      setInterceptionMode(this.deployment, props.interceptionMode);
    }
    if (props.curlClient !== false) {
      this.curlClient = new ApiObject(this, 'CurlClient', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
        metadata: { name: 'sleep', namespace: props.namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'sleep' } },
          template: {
            metadata: { labels: { app: 'sleep' } },
            spec: {
              containers: [{
                name: 'sleep',
                image: CURL_IMAGE,
                command: ['/bin/sleep', 'infinity'],
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
              }],
            },
          },
        },
      });
    }
  }

  /** The echo server's fully qualified host, e.g. `echo-server.demo.svc.cluster.local`. */
  public get host(): string {
    return `echo-server.${this.namespace ?? 'default'}.svc.cluster.local`;
  }
}
