export * from './edge-hop';
export * from './edge-chain';
export { type ProviderPreset, providerPresets } from './provider-table';
export { ProviderRanges } from './provider-ranges';
export type { UnpublishedRanges } from './data/provider-ranges';
export { recommendClientIpDetection } from './client-ip-plan';
export type { ClientIpPlanOptions, ClientIpRecommendation } from './client-ip-plan';
