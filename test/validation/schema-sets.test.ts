import * as fs from 'node:fs';
import * as path from 'node:path';
import { IstioVersion } from '../../src/istio-version';
import { allSchemaSets, CrdSchemaSet, loadSchemaSet, renderSchemaSetTable, SCHEMA_SET_SOURCES, schemaSetsFor } from '../../src/validation/schema-sets';

describe('schema sets', () => {
  test('each shipped set was extracted from the file its source names', () => {
    expect(allSchemaSets().map((set) => [set, loadSchemaSet(set).source])).toEqual(allSchemaSets().map((set) => [set, SCHEMA_SET_SOURCES[set].file]));
  });

  test('Istio 1.20.8 serves no networking.istio.io/v1 or telemetry.istio.io/v1 kind, and Istio 1.30.3 serves both', () => {
    const v1 = (set: CrdSchemaSet) => Object.keys(loadSchemaSet(set).schemas).filter((k) => /^(networking|telemetry)\.istio\.io\/v1\//.test(k));
    expect(v1(CrdSchemaSet.ISTIO_1_20_8)).toEqual([]);
    expect(v1(CrdSchemaSet.ISTIO_1_30_3)).toEqual(expect.arrayContaining(['networking.istio.io/v1/Gateway', 'telemetry.istio.io/v1/Telemetry']));
  });

  test('schemaSetsFor gives 1.20 and 1.21 the 1.20.8 set, later targets the 1.30.3 set, and the Gateway API set always', () => {
    const istioSetOf = (minor: number) => schemaSetsFor(IstioVersion.of(`1.${minor}`));
    expect(istioSetOf(20)).toEqual([CrdSchemaSet.ISTIO_1_20_8, CrdSchemaSet.GATEWAY_API_V1_5_1]);
    expect(istioSetOf(21)).toEqual([CrdSchemaSet.ISTIO_1_20_8, CrdSchemaSet.GATEWAY_API_V1_5_1]);
    expect(istioSetOf(22)).toEqual([CrdSchemaSet.ISTIO_1_30_3, CrdSchemaSet.GATEWAY_API_V1_5_1]);
    expect(istioSetOf(30)).toEqual([CrdSchemaSet.ISTIO_1_30_3, CrdSchemaSet.GATEWAY_API_V1_5_1]);
  });

  test('fails if schemaSetsFor is given something that is not an IstioVersion (plain JavaScript)', () => {
    expect(() => schemaSetsFor('1.20' as never)).toThrow(/schemaSetsFor: 'version' must be an IstioVersion, got "1\.20"/);
  });

  test('the README table names each range of targets with its set', () => {
    expect(renderSchemaSetTable()).toMatch(/^\| Target Istio \| Istio schema set \| Why \|\n\|---\|---\|---\|\n\| 1\.20 to 1\.21 \| `istio-1\.20\.8` \(crd-all\.gen-1\.20\.8\.yaml\) \| .*\n\| 1\.22 to 1\.30 \| `istio-1\.30\.3` \(crd-all\.gen-1\.30\.3\.yaml\) \| .*\n$/);
  });

  test('is the table in the README', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(/<!-- schema-set-table:start -->\n([\s\S]*?)<!-- schema-set-table:end -->/.exec(readme)?.[1]).toBe(renderSchemaSetTable());
  });
});
