export * from './edge-hop';
export * from './edge-chain';
export { type ProviderPreset, providerPresets } from './provider-table';
