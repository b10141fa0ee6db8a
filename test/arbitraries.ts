import * as fc from 'fast-check';

/** A 16-bit IPv6 group, biased towards 0 (so runs of zeros appear) and 0xffff (IPv4-mapped). */
export const ipv6Word = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(0xffff) }, { weight: 4, arbitrary: fc.nat(0xffff) });

/** A valid dotted-quad IPv4 address. */
export const validIpv4Text = fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }).map((b) => b.join('.'));

/** A valid IPv6 text in any spelling: any run written as "::", any case, zero padding, dotted tail. */
export const validIpv6Text = fc.record({
  words: fc.array(ipv6Word, { minLength: 8, maxLength: 8 }),
  run: fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
  dotted: fc.boolean(),
  upper: fc.boolean(),
  pad: fc.boolean(),
}).map(({ words, run, dotted, upper, pad }) => {
  const hex = (w: number) => {
    const digits = pad ? w.toString(16).padStart(4, '0') : w.toString(16);
    return upper ? digits.toUpperCase() : digits;
  };
  const hexFields = (dotted ? words.slice(0, 6) : words).map(hex);
  const quad = dotted ? [`${words[6] >> 8}.${words[6] & 0xff}.${words[7] >> 8}.${words[7] & 0xff}`] : [];
  if (run === undefined) {
    return [...hexFields, ...quad].join(':');
  }
  const start = run[0] % hexFields.length;
  const length = 1 + (run[1] % (hexFields.length - start));
  return `${hexFields.slice(0, start).join(':')}::${[...hexFields.slice(start + length), ...quad].join(':')}`;
});

/** A valid address or CIDR, as `IpBlock.of` accepts it. */
export const validBlockText = fc.oneof(
  validIpv4Text,
  validIpv6Text,
  fc.tuple(validIpv4Text, fc.nat(32)).map(([a, bits]) => `${a}/${bits}`),
  fc.tuple(validIpv6Text, fc.nat(128)).map(([a, bits]) => `${a}/${bits}`),
);
