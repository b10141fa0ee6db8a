export * from './edge-hop';
export * from './edge-chain';
export { type ProviderPreset, providerPresets } from './provider-table';
export * from './provider-ranges';
export * from './client-ip-plan';
