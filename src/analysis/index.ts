export * from './envoy-xff';
export * from './explain';
export * from './assumed-path';
export * from './report';
export * from './source-ip-report';
export * from './try-it';
export * from './client-ip-log';
export type { EnvoyCustomHeaderDetectionOptions } from './custom-header';
export { ClientIpDetectionMode, compareClientIpDetection, ISTIO_GATEWAY_SUPPORT } from './client-ip-detection';
export type {
  ClientIpDetection, ClientIpHeaders, CompareClientIpDetectionOptions, CustomHeaderDetection, DetectionComparison, DetectionOutcome, HopCountDetection,
  IstioGatewaySupport, TrustedCidrsDetection,
} from './client-ip-detection';
export { writeClientIpDetectionReport } from './client-ip-detection-report';
export type { ClientIpDetectionReportOptions } from './client-ip-detection-report';
