/** Security group rules: the grammar, the normal form, duplicates and the limit per direction. */
import { errorOf } from '../support/error-of';
import {
  assertReferenceLimit,
  MAX_REFERENCED_GROUPS,
  MAX_RULES_PER_DIRECTION,
  normaliseProtocol,
  normaliseRule,
  referencedGroups,
  ruleKey,
  withRule,
  type Rule,
} from '../../../functions/networking/rules';


describe('normaliseProtocol', () => {
  it.each([
    ['tcp', 'tcp'],
    ['TCP', 'tcp'],
    [6, 'tcp'],
    ['6', 'tcp'],
    [17, 'udp'],
    [1, 'icmp'],
    [58, 'icmpv6'],
    [-1, 'all'],
    ['-1', 'all'],
    ['all', 'all'],
    [50, '50'],
    [0, '0'],
    [255, '255'],
  ])('%p → %p', (given, expected) => {
    expect(normaliseProtocol(given)).toBe(expected);
  });

  it.each([256, -2, 'gre', '1.5', '', 'tcp6'])('%p → 400 InvalidParameterValue', (given) => {
    expect(errorOf(() => normaliseProtocol(given))).toEqual({ status: 400, code: 'InvalidParameterValue' });
  });
});

describe('normaliseRule', () => {
  it.each([
    [{ protocol: 6, fromPort: 22, toPort: 22, cidr: '203.0.113.7/32' }, { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.7/32' }],
    [{ protocol: 'udp', fromPort: 0, toPort: 65535, cidr: '10.1.2.3/8' }, { protocol: 'udp', fromPort: 0, toPort: 65535, cidr: '10.0.0.0/8' }],
    [{ protocol: 'icmp', cidr: '0.0.0.0/0' }, { protocol: 'icmp', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }],
    [{ protocol: 1, fromPort: 8, toPort: 0, cidr: '0.0.0.0/0' }, { protocol: 'icmp', fromPort: 8, toPort: 0, cidr: '0.0.0.0/0' }],
    [{ protocol: 58, fromPort: 128, toPort: -1, cidr: '2001:db8::1/32' }, { protocol: 'icmpv6', fromPort: 128, toPort: -1, cidr: '2001:db8::/32' }],
    [{ protocol: -1, cidr: '::/0' }, { protocol: 'all', cidr: '::/0' }],
    [{ protocol: '50', sourceSecurityGroupId: 'sg-x' }, { protocol: '50', sourceSecurityGroupId: 'sg-x' }],
    [{ protocol: 'all', sourceSecurityGroupId: 'sg-x', description: 'peers' }, { protocol: 'all', sourceSecurityGroupId: 'sg-x', description: 'peers' }],
  ])('%j → %j', (given, expected) => {
    expect(normaliseRule(given, 'sgr-1')).toEqual({ ruleId: 'sgr-1', ...expected });
  });

  it.each([
    ['tcp without ports', { protocol: 'tcp', cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['tcp with only fromPort', { protocol: 'tcp', fromPort: 22, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['tcp from > to', { protocol: 'tcp', fromPort: 23, toPort: 22, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['tcp port above 65535', { protocol: 'tcp', fromPort: 0, toPort: 65536, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['udp negative port', { protocol: 'udp', fromPort: -1, toPort: 53, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['icmp type above 255', { protocol: 'icmp', fromPort: 256, toPort: 0, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['icmp all types with one code', { protocol: 'icmp', fromPort: -1, toPort: 3, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['all with ports', { protocol: 'all', fromPort: 0, toPort: 10, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['protocol 50 with ports', { protocol: 50, fromPort: 1, toPort: 1, cidr: '0.0.0.0/0' }, 'InvalidParameterValue'],
    ['neither cidr nor group', { protocol: 'all' }, 'InvalidParameterCombination'],
    ['both cidr and group', { protocol: 'all', cidr: '0.0.0.0/0', sourceSecurityGroupId: 'sg-x' }, 'InvalidParameterCombination'],
    ['cidr without prefix', { protocol: 'all', cidr: '10.0.0.1' }, 'InvalidParameterValue'],
    ['cidr with prefix 33', { protocol: 'all', cidr: '10.0.0.0/33' }, 'InvalidParameterValue'],
    ['cidr garbage', { protocol: 'all', cidr: 'ten/8' }, 'InvalidParameterValue'],
    ['icmpv6 with IPv4', { protocol: 'icmpv6', cidr: '0.0.0.0/0' }, 'InvalidParameterCombination'],
    ['icmp with IPv6', { protocol: 'icmp', cidr: '::/0' }, 'InvalidParameterCombination'],
  ])('%s → 400 %s', (_name, given, code) => {
    expect(errorOf(() => normaliseRule(given, 'sgr-1'))).toEqual({ status: 400, code });
  });
});

describe('withRule', () => {
  const rule = (n: number, extra: Partial<Rule> = {}): Rule => ({ ruleId: `sgr-${n}`, protocol: 'tcp', fromPort: n, toPort: n, cidr: '0.0.0.0/0', ...extra });

  it('adds a new rule', () => {
    expect(withRule([rule(1)], rule(2), 'ingress')).toEqual([rule(1), rule(2)]);
  });

  it.each([
    ['the same rule with another id', rule(1, { ruleId: 'sgr-9' })],
    ['the same rule with another description', rule(1, { ruleId: 'sgr-9', description: 'other' })],
    ['the same rule written with a protocol number', normaliseRule({ protocol: 6, fromPort: 1, toPort: 1, cidr: '0.0.0.0/0' }, 'sgr-9')],
  ])('refuses %s: 409 InvalidPermission.Duplicate', (_name, duplicate) => {
    expect(errorOf(() => withRule([rule(1)], duplicate, 'ingress'))).toEqual({ status: 409, code: 'InvalidPermission.Duplicate' });
  });

  it(`takes the ${MAX_RULES_PER_DIRECTION}th rule and refuses the ${MAX_RULES_PER_DIRECTION + 1}st: 400 RulesPerSecurityGroupLimitExceeded`, () => {
    const rules = Array.from({ length: MAX_RULES_PER_DIRECTION - 1 }, (_, i) => rule(i));
    const full = withRule(rules, rule(1000), 'egress');
    expect(full).toHaveLength(MAX_RULES_PER_DIRECTION);
    expect(errorOf(() => withRule(full, rule(1001), 'egress'))).toEqual({ status: 400, code: 'RulesPerSecurityGroupLimitExceeded' });
  });

  it('tells rules apart by ports, target and protocol', () => {
    const keys = [rule(1), rule(1, { toPort: 2 }), rule(1, { cidr: '10.0.0.0/8' }), rule(1, { protocol: 'udp' }), { ...rule(1), cidr: undefined, sourceSecurityGroupId: 'sg-a' }].map(ruleKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('referencedGroups', () => {
  it('counts the other groups the rules name, not the group itself', () => {
    const rules: Rule[] = [
      { ruleId: 'a', protocol: 'all', sourceSecurityGroupId: 'sg-self' },
      { ruleId: 'b', protocol: 'all', sourceSecurityGroupId: 'sg-other' },
      { ruleId: 'c', protocol: 'tcp', fromPort: 22, toPort: 22, sourceSecurityGroupId: 'sg-other' },
      { ruleId: 'd', protocol: 'all', cidr: '0.0.0.0/0' },
    ];
    expect(referencedGroups(rules, 'sg-self')).toEqual(new Map([['sg-other', 2]]));
  });
});

describe('assertReferenceLimit', () => {
  const naming = (count: number): Rule[] => Array.from({ length: count }, (_, i) => ({ ruleId: `r${i}`, protocol: 'all', sourceSecurityGroupId: `sg-${i}` }));

  it(`takes rules naming ${MAX_REFERENCED_GROUPS} other groups (and the group itself)`, () => {
    expect(() => assertReferenceLimit([...naming(MAX_REFERENCED_GROUPS), { ruleId: 's', protocol: 'all', sourceSecurityGroupId: 'sg-self' }], 'sg-self')).not.toThrow();
  });

  it(`refuses rules naming ${MAX_REFERENCED_GROUPS + 1}: 400 RulesPerSecurityGroupLimitExceeded`, () => {
    expect(errorOf(() => assertReferenceLimit(naming(MAX_REFERENCED_GROUPS + 1), 'sg-self'))).toEqual({ status: 400, code: 'RulesPerSecurityGroupLimitExceeded' });
  });
});
