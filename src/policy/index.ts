export * from './access-log';
export * from './client-rate-limit';
export * from './mesh-config';
