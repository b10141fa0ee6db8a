// Public API: re-exports only. Internal helpers (the warning metadata type, the host-bits message,
// the README table renderers) stay importable from their modules, not from here.
export * from './errors';
export { type WarningEntry, Warnings } from './warnings';
export { IpBlock } from './ip-block';
export * from './istio-version';
export * from './gateway-topology';
export * from './gateway-service';
export * from './gateway/gateway';
export * from './gateway/settings';
export * from './gateway/settings-gateway';
export * from './gateway/ingress-gateway';
export * from './gateway/gateway-listener';
export * from './gateway/kubernetes-gateway';
export * from './gateway/installed-gateway';
// The construct wins the name at the package root over the analyzer's plain `InstalledGateway`
// description (still exported from src/validation/analyze).
export { InstalledGateway } from './gateway/installed-gateway';
export type { GatewayPatches, JsonObject } from './gateway/installer-renderings';
export * from './gateway/installer-files';
export * from './routing/gateway-route';
export * from './routing/http-route';
export * from './demo/source-ip-echo';
export * from './edge';
export * from './mesh';
export * from './authorization-policy';
export * from './destination-rule';
export * from './policy';
export * from './analysis';
export { WARNING_CATALOG, type WarningInfo } from './warning-catalog';
export * from './validation';
export * from './validation/analyze';
