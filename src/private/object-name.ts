import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * The `metadata.name` cdk8s generates for an object at `<scope>/<id>/Resource`.
 *
 * `IpAccessPolicy` and `ClientAffinity` used to be a construct wrapping their object in a child
 * with id `Resource`; they are now the object itself (one construct per object, not two: less
 * memory and less to visit at synth). Generated names are public API (a changed name is a new
 * object on the next apply, next to the old one), so an object without an explicit name keeps the
 * one it had: the chart generates it for a short-lived object at the old path, removed right
 * after. Asking the chart keeps `generateObjectName` overrides, `disableResourceNameHashes` and
 * `CDK8S_LEGACY_HASH` working as before.
 *
 * `scope` and `id` must already be checked (`checkedScope`).
 */
export function nameAtResourceChild(scope: Construct, id: string, apiVersion: string, kind: string): string {
  const probe = new Construct(scope, id);
  try {
    return new ApiObject(probe, 'Resource', { apiVersion, kind }).name;
  } finally {
    scope.node.tryRemoveChild(probe.node.id);
  }
}
