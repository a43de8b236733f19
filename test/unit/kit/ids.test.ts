import { isId, newId } from '../../../functions/kit/ids';

const CROCKFORD_LOWER = /^[0-9a-hjkmnp-tv-z]{26}$/;

describe('newId', () => {
  it.each(['i', 'vpc', 'subnet', 'sg'])('makes a %s- id with 26 lowercase Crockford characters', (prefix) => {
    // Prepare: the prefix

    // Act
    const id = newId(prefix);

    // Assess
    expect(id.startsWith(`${prefix}-`)).toBe(true);
    expect(id.slice(prefix.length + 1)).toMatch(CROCKFORD_LOWER);
    expect(id).toHaveLength(prefix.length + 27);
    expect(isId(id, prefix)).toBe(true);
  });

  it('never repeats itself over 1000 ids', () => {
    // Prepare
    const count = 1000;

    // Act
    const ids = Array.from({ length: count }, () => newId('i'));

    // Assess
    expect(new Set(ids).size).toBe(count);
  });

  it('sorts ids made later after ids made earlier', () => {
    // Prepare
    const start = Date.parse('2026-03-01T00:00:00Z');
    const clock = jest.spyOn(Date, 'now');
    const ids: string[] = [];

    // Act
    try {
      for (let step = 0; step < 50; step++) {
        clock.mockReturnValue(start + step * 1);
        ids.push(newId('vpc'));
      }
      clock.mockReturnValue(start + 86_400_000 * 365);
      ids.push(newId('vpc'));
    } finally {
      clock.mockRestore();
    }

    // Assess
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('encodes the creation time in the first ten characters', () => {
    // Prepare
    const clock = jest.spyOn(Date, 'now').mockReturnValue(0);

    // Act
    let id: string;
    try {
      id = newId('i');
    } finally {
      clock.mockRestore();
    }

    // Assess
    expect(id.slice(2, 12)).toBe('0000000000');
  });
});

describe('isId', () => {
  const good = `vpc-${'01jd5f3w3t9k8m2x0c4s6v7b8n'}`;

  it.each<[string, string, string | undefined, boolean]>([
    ['a good id', good, undefined, true],
    ['a good id with its prefix', good, 'vpc', true],
    ['a good id with another prefix', good, 'subnet', false],
    ['an id whose prefix only starts with the wanted one', `vpcx-${'0'.repeat(26)}`, 'vpc', false],
    ['upper case', good.toUpperCase(), undefined, false],
    ['the letter i (not Crockford)', `vpc-${'i'.repeat(26)}`, undefined, false],
    ['the letter l', `vpc-${'l'.repeat(26)}`, undefined, false],
    ['the letter o', `vpc-${'o'.repeat(26)}`, undefined, false],
    ['the letter u', `vpc-${'u'.repeat(26)}`, undefined, false],
    ['25 characters', `vpc-${'0'.repeat(25)}`, undefined, false],
    ['27 characters', `vpc-${'0'.repeat(27)}`, undefined, false],
    ['no prefix', '0'.repeat(26), undefined, false],
    ['a prefix of 13 letters', `abcdefghijklm-${'0'.repeat(26)}`, undefined, false],
    ['a digit in the prefix', `v1-${'0'.repeat(26)}`, undefined, false],
    ['a trailing newline', `${good}\n`, undefined, false],
    ['an empty string', '', undefined, false],
  ])('%s → %p', (_label, value, prefix, expected) => {
    // Prepare: the value and the expected prefix

    // Act
    const result = isId(value, prefix);

    // Assess
    expect(result).toBe(expected);
  });
});
