// Public API: re-exports only.
export * from './errors';
export * from './warnings';
export * from './ip-block';
export * from './gateway-topology';
export * from './gateway-service';
export * from './gateway/gateway';
export * from './gateway/settings';
export * from './gateway/ingress-gateway';
export * from './routing/gateway-route';
export * from './demo/source-ip-echo';
export * from './edge';
export * from './mesh';
export * from './authorization-policy';
export * from './destination-rule';
export * from './analysis';
export * from './warning-catalog';
export * from './validation/analyze';
