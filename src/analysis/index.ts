export * from './envoy-xff';
