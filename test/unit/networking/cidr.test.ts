import {
  candidateAddresses,
  cidrContains,
  cidrHasAddress,
  cidrsOverlap,
  isPrivateIpv4,
  parseAddress,
  parseCidrBlock,
  sortableCidr,
  usableAddressCount,
} from '../../../functions/networking/cidr';

describe('parseCidrBlock', () => {
  it.each([
    ['10.0.0.0/16', '10.0.0.0/16', 4],
    ['10.0.5.7/16', '10.0.0.0/16', 4],
    ['192.168.1.130/25', '192.168.1.128/25', 4],
    ['0.0.0.0/0', '0.0.0.0/0', 4],
    ['1.2.3.4/32', '1.2.3.4/32', 4],
    ['2001:db8::1/32', '2001:db8::/32', 6],
    ['::/0', '::/0', 6],
  ])('%s → %s', (text, cidr, version) => {
    // Act
    const parsed = parseCidrBlock(text);
    // Assess
    expect(parsed).toMatchObject({ cidr, version });
  });

  it.each(['10.0.0.0', '10.0.0/16', '10.0.0.256/16', '10.0.0.0/33', '010.0.0.0/16', '10.0.0.0/016', ' 10.0.0.0/16', 'abc', '10.0.0.0/-1', '::/129', '0x0a.0.0.0/8', ''])(
    'refuses %j',
    (text) => {
      expect(parseCidrBlock(text)).toBeUndefined();
    },
  );

  it('keeps to the asked version', () => {
    expect(parseCidrBlock('2001:db8::/32', 4)).toBeUndefined();
    expect(parseCidrBlock('10.0.0.0/8', 6)).toBeUndefined();
  });
});

describe('parseAddress', () => {
  it.each([
    ['10.0.0.1', 4],
    ['2001:db8::1', 6],
  ])('%s is version %i', (text, version) => {
    expect(parseAddress(text)?.version).toBe(version);
  });
  it.each(['10.1', '10.0.0.01', '10.0.0.0/8', '1.2.3.4.5', ''])('refuses %j', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });
});

describe('containment and overlap', () => {
  it.each([
    ['10.0.0.0/16', '10.0.1.0/24', true],
    ['10.0.0.0/16', '10.0.0.0/16', true],
    ['10.0.0.0/16', '10.1.0.0/24', false],
    ['10.0.0.0/24', '10.0.0.0/16', false],
  ])('%s contains %s: %s', (outer, inner, expected) => {
    expect(cidrContains(outer, inner)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/24', '10.0.0.128/25', true],
    ['10.0.0.0/25', '10.0.0.128/25', false],
    ['10.0.0.0/16', '10.0.255.240/28', true],
    ['10.0.0.0/24', '2001:db8::/32', false],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(cidrsOverlap(a, b)).toBe(expected);
    expect(cidrsOverlap(b, a)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/16', true],
    ['172.16.0.0/12', true],
    ['172.31.0.0/16', true],
    ['172.32.0.0/16', false],
    ['192.168.0.0/16', true],
    ['192.169.0.0/16', false],
    ['11.0.0.0/16', false],
    ['10.0.0.0/7', false],
  ])('%s is private: %s', (cidr, expected) => {
    expect(isPrivateIpv4(cidr)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/24', '10.0.0.9', true],
    ['10.0.0.0/24', '10.0.1.9', false],
    ['10.0.0.0/24', '2001:db8::1', false],
    ['0.0.0.0/0', 'nonsense', false],
  ])('%s has %s: %s', (cidr, address, expected) => {
    expect(cidrHasAddress(cidr, address)).toBe(expected);
  });
});

describe('sizes and sort keys', () => {
  it.each([
    [16, 65531],
    [24, 251],
    [28, 11],
  ])('a /%i subnet has %i usable addresses', (prefix, count) => {
    expect(usableAddressCount(prefix)).toBe(count);
  });

  it('sorts blocks by address then prefix', () => {
    const blocks = ['10.0.16.0/20', '10.0.2.0/24', '9.255.0.0/16', '10.0.2.0/23', '10.0.0.0/24'];
    expect([...blocks].sort((a, b) => (sortableCidr(a) < sortableCidr(b) ? -1 : 1))).toEqual([
      '9.255.0.0/16',
      '10.0.0.0/24',
      '10.0.2.0/23',
      '10.0.2.0/24',
      '10.0.16.0/20',
    ]);
  });
});

describe('candidateAddresses', () => {
  it('never yields the network address, the first three hosts or the broadcast', () => {
    // Act
    const all = [...candidateAddresses('10.0.0.0/28')];
    // Assess
    expect(all).toHaveLength(11);
    expect(all[0]).toBe('10.0.0.4');
    expect(all.at(-1)).toBe('10.0.0.14');
    for (const reserved of ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.15']) expect(all).not.toContain(reserved);
  });

  it('skips taken addresses', () => {
    const all = [...candidateAddresses('192.168.1.16/28', new Set(['192.168.1.20', '192.168.1.22']))];
    expect(all).toHaveLength(9);
    expect(all.slice(0, 3)).toEqual(['192.168.1.21', '192.168.1.23', '192.168.1.24']);
  });

  it('is lazy on a large block', () => {
    const first = candidateAddresses('10.0.0.0/16').next().value;
    expect(first).toBe('10.0.0.4');
  });
});
