/**
 * The manifests of the benchmark scenario as plain JSON objects, written out by hand from the
 * recipe: what someone who does not use our constructs (nor cdk8s-plus) would write to get the
 * same files. Used by the `l1`, `kplus` and `floor` variants; never runs our constructs.
 *
 * Keys are in the order cdk8s writes them (`apiVersion`, `kind`, `metadata`, then the rest sorted,
 * nested keys sorted) and no object instance is shared between two places, so `yaml.stringify`
 * of these objects gives the bytes `app.synth()` gives (no YAML anchors). `npm run bench -- --verify`
 * checks that.
 */
import { createHash } from 'node:crypto';
import {
  CONTAINER_PORT, CHART_ID, GATEWAY, imageOf, ipBlocksOf, namespaceOf, SERVICE_PORT, workloadName,
} from './recipe';

/** One Kubernetes object. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly [key: string]: unknown;
}

/** The objects of one workload, in the order they are synthesized. */
export interface WorkloadManifests {
  readonly deployment: Manifest;
  readonly service: Manifest;
  readonly policy: Manifest;
  readonly rule: Manifest;
}

/**
 * The `cdk8s.io/metadata.addr` label cdk8s-plus puts on the pods of `<chart>/<id>`:
 * `Names.toLabelValue(deployment)`, i.e. the path joined by `-` plus the first 8 characters of the
 * construct address ('c8' + SHA-1 over the path ids, each followed by a newline; the App's id is '').
 * A hand-written manifest would use any label; this one keeps the bytes identical.
 */
export function addressLabel(id: string): string {
  const addr = createHash('sha1').update(`\n${CHART_ID}\n${id}\n`).digest('hex');
  return `${CHART_ID}-${id}-c8${addr.slice(0, 6)}`;
}

/** ServiceAccount, Role, RoleBinding, Deployment, Service and PodDisruptionBudget of the ingress gateway. */
export function gatewayManifests(): Manifest[] {
  const { name, namespace } = GATEWAY;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name, istio: 'ingressgateway' } },
        template: {
          metadata: {
            annotations: {
              'inject.istio.io/templates': 'gateway',
              'proxy.istio.io/config': `{"gatewayTopology":{"numTrustedProxies":${GATEWAY.numTrustedProxies}}}`,
            },
            labels: { 'app': name, 'istio': 'ingressgateway', 'sidecar.istio.io/inject': 'true' },
          },
          spec: {
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  podAffinityTerm: {
                    labelSelector: { matchLabels: { app: name, istio: 'ingressgateway' } },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                  weight: 100,
                }],
              },
            },
            containers: [{
              image: 'auto',
              name: 'istio-proxy',
              resources: { limits: { cpu: '2000m', memory: '1024Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsGroup: 1337,
                runAsNonRoot: true,
                runAsUser: 1337,
              },
            }],
            securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
            serviceAccountName: name,
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: {
        externalTrafficPolicy: 'Local',
        ports: [
          { appProtocol: 'tcp', name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
          { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
        ],
        selector: { app: name, istio: 'ingressgateway' },
        type: 'LoadBalancer',
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, namespace },
      spec: { minAvailable: 1, selector: { matchLabels: { app: name, istio: 'ingressgateway' } } },
    },
  ];
}

/** The AuthorizationPolicy and DestinationRule of workload `i`, selecting pods labelled `addr`. */
export function istioManifests(i: number, addr: string): Pick<WorkloadManifests, 'policy' | 'rule'> {
  const name = workloadName(i);
  const namespace = namespaceOf(i);
  return {
    policy: {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name, namespace },
      spec: {
        action: 'ALLOW',
        rules: [{ from: [{ source: { ipBlocks: ipBlocksOf(i) } }] }],
        selector: { matchLabels: { 'cdk8s.io/metadata.addr': addr } },
      },
    },
    rule: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name, namespace },
      spec: {
        host: name,
        trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true }, localityLbSetting: { enabled: false } } },
      },
    },
  };
}

/** The Deployment (with cdk8s-plus-27's defaults spelled out), Service, AuthorizationPolicy and DestinationRule of workload `i`. */
export function workloadManifests(i: number): WorkloadManifests {
  const name = workloadName(i);
  const namespace = namespaceOf(i);
  const addr = addressLabel(name);
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: {
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        replicas: 2,
        selector: { matchLabels: { 'cdk8s.io/metadata.addr': addr } },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
        template: {
          metadata: {
            annotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' },
            labels: { 'cdk8s.io/metadata.addr': addr },
          },
          spec: {
            automountServiceAccountToken: false,
            containers: [{
              image: imageOf(i),
              imagePullPolicy: 'Always',
              name: 'app',
              ports: [{ containerPort: CONTAINER_PORT }],
              resources: { limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true },
              startupProbe: { failureThreshold: 3, tcpSocket: { port: CONTAINER_PORT } },
            }],
            dnsPolicy: 'ClusterFirst',
            hostNetwork: false,
            restartPolicy: 'Always',
            securityContext: { fsGroupChangePolicy: 'Always', runAsNonRoot: true },
            setHostnameAsFQDN: false,
            terminationGracePeriodSeconds: 30,
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: {
        externalIPs: [],
        ports: [{ port: SERVICE_PORT, targetPort: CONTAINER_PORT }],
        selector: { 'cdk8s.io/metadata.addr': addr },
        type: 'ClusterIP',
      },
    },
    ...istioManifests(i, addr),
  };
}
