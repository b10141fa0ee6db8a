export * from './envoy-xff';
export * from './explain';
export * from './assumed-path';
export * from './report';
export * from './source-ip-report';
export * from './try-it';
export * from './client-ip-log';
