// Mesh membership: meshed namespaces, sidecar injection, interception modes.
export * from './interception-mode';
export * from './interception';
export * from './sidecar-injection';
export * from './mesh-namespace';
