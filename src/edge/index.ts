export * from './edge-hop';
export * from './edge-chain';
export * from './provider-table';
