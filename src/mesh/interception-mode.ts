/** The pod annotation that chooses how the sidecar captures inbound traffic. */
export const INTERCEPTION_MODE_ANNOTATION = 'sidecar.istio.io/interceptionMode';

/**
 * How the sidecar captures inbound traffic (`sidecar.istio.io/interceptionMode`).
 *
 * @see https://istio.io/latest/docs/reference/config/annotations/#SidecarInterceptionMode
 */
export enum InterceptionMode {
  /** iptables REDIRECT (Istio's default): the app sees connections from the sidecar, not the client. */
  REDIRECT = 'REDIRECT',
  /**
   * Transparent proxy: the app sees the original source address and port. istio-proxy then runs
   * as root with `NET_ADMIN`, which Pod Security baseline and restricted reject.
   */
  TPROXY = 'TPROXY',
  /** No iptables capture at all: only traffic sent to the sidecar explicitly goes through it. */
  NONE = 'NONE',
}
