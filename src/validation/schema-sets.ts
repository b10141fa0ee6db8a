/**
 * The CRD schema sets the validator knows, and where their data lives.
 *
 * Each set is the `openAPIV3Schema` of every version of every CRD in one pinned upstream file,
 * extracted by `npm run schemas` into `src/validation/schemas/<set>.json` (descriptions stripped,
 * keys sorted). The library build precompiles each set's schemas to plain JavaScript
 * (`precompiled/<set>/`, see `precompile.ts`), which the validator uses when present.
 *
 * To add a set (another Istio release): add a member here, to `SCHEMA_SET_SOURCES` and (for the
 * targets it validates) to `ISTIO_SETS_BY_TARGET`, and an entry to `CRD_SETS` in
 * `scripts/crd-file.ts` (then `npm run schemas` extracts its JSON, and the build precompiles it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceIpValidationError } from '../errors';
import { IstioVersion } from '../istio-version';
import { mustBe } from '../private/problems';

/** A set of CRD schemas to validate against. */
export enum CrdSchemaSet {
  /**
   * Every CRD of Istio 1.20.8 (`crd-all.gen-1.20.8.yaml`): `networking.istio.io` `v1alpha3`/`v1beta1`
   * (no `v1`), `security.istio.io` `v1`/`v1beta1`, `telemetry.istio.io` `v1alpha1`, `extensions.istio.io` `v1alpha1`.
   */
  ISTIO_1_20_8 = 'istio-1.20.8',
  /** Every CRD of Istio 1.30.3 (`crd-all.gen-1.30.3.yaml`): networking, security, telemetry and extensions. */
  ISTIO_1_30_3 = 'istio-1.30.3',
  /** The Gateway API v1.5.1 standard channel (`standard-crds-v1.5.1.yaml`): Gateway, HTTPRoute, GRPCRoute, GatewayClass, ReferenceGrant. */
  GATEWAY_API_V1_5_1 = 'gateway-api-v1.5.1',
}

/** Where a set comes from, and whether it holds every kind of its API groups. */
export interface SchemaSetSource {
  /** The upstream file name. */
  readonly file: string;
  /** Where to download it. */
  readonly url: string;
  /**
   * Whether the file holds every CRD its API groups can have on a cluster of that release, so that
   * an object of one of those groups in a version or kind the file lacks has nowhere to go (the
   * validator reports it). True for Istio's `crd-all.gen.yaml`; false for the Gateway API's standard
   * channel, to which the experimental channel adds kinds (TCPRoute, TLSRoute, …) a cluster may have.
   */
  readonly wholeGroups: boolean;
}

/** The upstream file each set is extracted from, where to get it, and what it covers. */
export const SCHEMA_SET_SOURCES: Readonly<Record<CrdSchemaSet, SchemaSetSource>> = {
  [CrdSchemaSet.ISTIO_1_20_8]: {
    file: 'crd-all.gen-1.20.8.yaml',
    // Before the chart moved its CRDs to files/, they sat in crds/ (also in the release archive at that path).
    url: 'https://raw.githubusercontent.com/istio/istio/1.20.8/manifests/charts/base/crds/crd-all.gen.yaml',
    wholeGroups: true,
  },
  [CrdSchemaSet.ISTIO_1_30_3]: {
    file: 'crd-all.gen-1.30.3.yaml',
    url: 'https://raw.githubusercontent.com/istio/istio/1.30.3/manifests/charts/base/files/crd-all.gen.yaml',
    wholeGroups: true,
  },
  [CrdSchemaSet.GATEWAY_API_V1_5_1]: {
    file: 'standard-crds-v1.5.1.yaml',
    url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml',
    wholeGroups: false,
  },
};

/**
 * The Istio set of each range of target versions, from the first minor it validates (ascending),
 * and why it is the honest choice there. Only two Istio releases are pinned, so each target gets
 * the pinned set that serves the same API versions as its own CRDs.
 */
const ISTIO_SETS_BY_TARGET: readonly { readonly from: IstioVersion; readonly set: CrdSchemaSet; readonly why: string }[] = [
  {
    from: IstioVersion.V1_20,
    set: CrdSchemaSet.ISTIO_1_20_8,
    why: 'exact for 1.20 (its last patch). Neither 1.20 nor 1.21 serves `networking.istio.io/v1` or `telemetry.istio.io/v1` (they came with 1.22), '
      + 'so `v1` output is refused, as their API servers refuse it. A field new in 1.21 would be refused too (stricter than a 1.21 cluster); '
      + 'the library writes the same for 1.21 as for 1.20',
  },
  {
    from: IstioVersion.V1_22,
    set: CrdSchemaSet.ISTIO_1_30_3,
    why: 'exact for 1.30. For 1.22 to 1.29 it serves the same networking, security and telemetry API versions, but accepts kinds and fields '
      + 'newer than the target (such as `TrafficExtension`): the version gates above keep those out of what the library writes',
  },
];

/**
 * The schema sets that validate output for the target Istio `version`: its Istio set (Istio
 * 1.20.8's for 1.20 and 1.21, Istio 1.30.3's from 1.22: see the README's table for why), and the
 * Gateway API set (always).
 *
 * @throws SourceIpValidationError when `version` is not an `IstioVersion`
 */
export function schemaSetsFor(version: IstioVersion): CrdSchemaSet[] {
  if (!(version instanceof IstioVersion)) {
    throw new SourceIpValidationError('schemaSetsFor', [mustBe('version', 'an IstioVersion', version, 'pass e.g. IstioVersion.of("1.20")')]);
  }
  const istio = ISTIO_SETS_BY_TARGET.filter((entry) => version.isAtLeast(entry.from)).pop() ?? ISTIO_SETS_BY_TARGET[0];
  return [istio.set, CrdSchemaSet.GATEWAY_API_V1_5_1];
}

/** The README table of which Istio schema set validates which target versions, rendered from `ISTIO_SETS_BY_TARGET`. */
export function renderSchemaSetTable(): string {
  const rows = ISTIO_SETS_BY_TARGET.map((entry, i) => {
    const next = ISTIO_SETS_BY_TARGET[i + 1]?.from;
    const last = next === undefined ? IstioVersion.V1_30 : IstioVersion.of(`1.${next.minor - 1}`);
    const range = last.minor === entry.from.minor ? entry.from.toString() : `${entry.from.toString()} to ${last.toString()}`;
    return `| ${range} | \`${entry.set}\` (${SCHEMA_SET_SOURCES[entry.set].file}) | ${entry.why} |`;
  });
  return '| Target Istio | Istio schema set | Why |\n|---|---|---|\n' + rows.join('\n') + '\n';
}

/** A structural schema node (only the keywords the validator reads are typed). */
export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly 'x-kubernetes-validations'?: readonly { readonly rule: string; readonly message?: string }[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly default?: unknown;
  readonly [keyword: string]: unknown;
}

/** The JSON of one schema set, as `npm run schemas` writes it. */
export interface SchemaSetData {
  /** The upstream file name, e.g. `crd-all.gen-1.30.3.yaml`. */
  readonly source: string;
  /** `group/version/Kind` → the version's `openAPIV3Schema`. */
  readonly schemas: Record<string, SchemaNode>;
}

/** The folder of the schema JSON files (next to this module, in `src/` and in `lib/src/`). */
export const SCHEMAS_DIR = path.join(__dirname, 'schemas');

/** The folder of the precompiled validators of the library build (absent in `src/`). */
export const PRECOMPILED_DIR = path.join(__dirname, 'precompiled');

const loaded = new Map<string, SchemaSetData>();

/** Every known set, in declaration order. */
export function allSchemaSets(): CrdSchemaSet[] {
  return Object.values(CrdSchemaSet);
}

/** Whether `value` names a known set. */
export function isSchemaSet(value: unknown): value is CrdSchemaSet {
  return typeof value === 'string' && (Object.values(CrdSchemaSet) as string[]).includes(value);
}

/** The schema of `obj[key]`: a declared property, or the map's value schema. */
export function childSchema(schema: SchemaNode, key: string): SchemaNode | undefined {
  if (schema.properties !== undefined && Object.prototype.hasOwnProperty.call(schema.properties, key)) {
    return schema.properties[key];
  }
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** The JSON of `set`, read once per process. */
export function loadSchemaSet(set: CrdSchemaSet, dir: string = SCHEMAS_DIR): SchemaSetData {
  const file = path.join(dir, `${set}.json`);
  let data = loaded.get(file);
  if (data === undefined) {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaSetData;
    loaded.set(file, data);
  }
  return data;
}
