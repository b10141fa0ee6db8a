import * as fs from 'node:fs';
import * as path from 'node:path';
import { IpBlock, ProviderRanges } from '../src';
import { renderProviderRangesTable } from '../src/edge/provider-ranges';
import { CLOUDFLARE, FASTLY, GOOGLE_FRONT_END } from '../src/edge/data/provider-ranges';
import { validationErrorOf } from './util';

describe('ProviderRanges', () => {
  test.each([
    ['cloudflare', ProviderRanges.cloudflare(), CLOUDFLARE, 15, 7],
    ['googleFrontEnd', ProviderRanges.googleFrontEnd(), GOOGLE_FRONT_END, 2, 0],
    ['fastly', ProviderRanges.fastly(), FASTLY, 16, 2],
  ])('%s ships its dated snapshot: every range parses without host bits, in canonical form', (_, ranges, snapshot, v4, v6) => {
    expect(ranges.blocks.map(String)).toEqual(snapshot.cidrs);
    expect(ranges.blocks.filter((b) => b.family === 4)).toHaveLength(v4);
    expect(ranges.blocks.filter((b) => b.family === 6)).toHaveLength(v6);
    expect(ranges.blocks.some((b) => b.hostBitsCleared)).toBe(false);
    expect(ranges.source).toMatch(/^https:\/\//);
    expect(ranges.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}, /);
  });

  test('no two ranges of a snapshot overlap (a duplicate would hide a typo)', () => {
    for (const ranges of [ProviderRanges.cloudflare(), ProviderRanges.googleFrontEnd(), ProviderRanges.fastly()]) {
      for (const a of ranges.blocks) {
        expect(ranges.blocks.filter((b) => a.contains(b) || b.contains(a))).toEqual([a]);
      }
    }
  });

  test('covers tells whether a block lies inside one of the ranges', () => {
    const cloudflare = ProviderRanges.cloudflare();
    expect(cloudflare.covers(IpBlock.of('173.245.48.1'))).toBe(true);
    expect(cloudflare.covers(IpBlock.of('2606:4700::1'))).toBe(true);
    expect(cloudflare.covers(IpBlock.of('173.245.0.0/16'))).toBe(false);
    expect(cloudflare.covers(IpBlock.of('203.0.113.7'))).toBe(false);
    expect(String(cloudflare)).toBe('Cloudflare (22 ranges)');
  });

  test('custom takes ranges you give, for lists that are not shipped', () => {
    const cloudFront = ProviderRanges.custom('Amazon CloudFront', IpBlock.ofAll(['192.0.2.0/24']), 'CLOUDFRONT_ORIGIN_FACING, read 2026-12-01');
    expect(cloudFront.blocks.map(String)).toEqual(['192.0.2.0/24']);
    expect(cloudFront.retrieved).toBe('given by the user');
    expect(String(ProviderRanges.custom('lb', [IpBlock.of('10.0.0.7')]))).toBe('lb (1 range)');
  });

  test('notShipped names the lists that are published but not shipped, with where to get them', () => {
    expect(ProviderRanges.notShipped().map((entry) => entry.provider)).toEqual(['Amazon CloudFront', 'Azure Front Door']);
    expect(ProviderRanges.notShipped().every((entry) => /https:\/\//.test(entry.source))).toBe(true);
  });

  test('fails if custom gets no name, no ranges, or something that is not an IpBlock', () => {
    const error = validationErrorOf(() => ProviderRanges.custom('', [] as IpBlock[]));
    expect(error.message).toMatch(/'provider' must be a non-empty name, got ""/);
    expect(error.message).toMatch(/'blocks' must be at least one range/);
    expect(validationErrorOf(() => ProviderRanges.custom('x', ['10.0.0.0/8'] as unknown as IpBlock[])).message)
      .toMatch(/'blocks\[0\]' must be an IpBlock, got "10.0.0.0\/8". Fix: write IpBlock.of\("10.0.0.0\/8"\)/);
    expect(validationErrorOf(() => ProviderRanges.custom('x', 'nope' as unknown as IpBlock[])).message).toMatch(/'blocks'/);
  });

  test('the README table of published ranges is the one the snapshots render', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(/<!-- provider-ranges-table:start -->\n([\s\S]*?)<!-- provider-ranges-table:end -->/.exec(readme)?.[1]).toBe(renderProviderRangesTable());
  });
});
