export * from './edge-hop';
export * from './edge-chain';
