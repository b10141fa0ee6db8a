/**
 * The `yaml` package, loaded on first use. It is 72 modules (about 15 ms to load), and most apps
 * never read or write YAML through this library: cdk8s writes the manifests with its own copy.
 * It is needed to read a `proxy.istio.io/config` annotation, to render installer files and
 * gateway config maps, and by the manifest analyzer.
 */
let loaded: typeof import('yaml') | undefined;

export function yaml(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('yaml') as typeof import('yaml');
  return loaded;
}
