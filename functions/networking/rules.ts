/**
 * Security group rules, pure: the grammar a client sends, its normal form (protocol names, ports,
 * CIDR with host bits cleared), the key that makes two rules the same, and the limits. Nothing here
 * reads or writes the table.
 */
import * as z from 'zod/mini';
import { BadRequest, Conflict } from '../kit/errors';
import { parseCidrBlock } from './cidr';

export const RULE_DIRECTIONS = ['ingress', 'egress'] as const;
export type RuleDirection = (typeof RULE_DIRECTIONS)[number];

/** AWS's default limit of rules per direction in one group. */
export const MAX_RULES_PER_DIRECTION = 60;

/** Protocol numbers that have names; every other number 0–255 stays a number (as a string, like AWS). */
const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', '-1': 'all' };
const NAMED_PROTOCOLS = new Set(Object.values(PROTOCOL_NAMES));

export interface Rule {
  ruleId: string;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `all`, or another protocol number `0`–`255` as a string. */
  protocol: string;
  /** tcp/udp: the first port; icmp/icmpv6: the type (−1 = all). Absent for other protocols. */
  fromPort?: number;
  /** tcp/udp: the last port; icmp/icmpv6: the code (−1 = all). */
  toPort?: number;
  /** Exactly one of cidr and sourceSecurityGroupId. */
  cidr?: string;
  sourceSecurityGroupId?: string;
  description?: string;
}

/** What a client sends to add a rule. */
export const ruleInput = z.lazy(() => z.strictObject({
  direction: z.enum(RULE_DIRECTIONS),
  protocol: z
    .union([z.string().check(z.minLength(1), z.maxLength(8)), z.int()])
    .check(z.describe('tcp, udp, icmp, icmpv6, all, or a protocol number 0–255 (-1 = all); 6, 17, 1, 58 and -1 are stored as their names.')),
  fromPort: z.optional(z.int()).check(z.describe('tcp/udp: first port 0–65535; icmp/icmpv6: the type, -1 for all.')),
  toPort: z.optional(z.int()).check(z.describe('tcp/udp: last port, ≥ fromPort; icmp/icmpv6: the code, -1 for all.')),
  cidr: z.optional(z.string().check(z.maxLength(64))).check(z.describe('An IPv4 or IPv6 block with its prefix; host bits are cleared.')),
  sourceSecurityGroupId: z.optional(z.string().check(z.maxLength(64))).check(z.describe('A group of the same VPC (for egress rules: the destination group).')),
  description: z.optional(z.string().check(z.maxLength(255))),
}));
export type RuleInput = z.output<typeof ruleInput>;

/** A rule's fields as responses and events show them, built on call (ruleSchema, the rule events). */
export const ruleFields = () => ({
  ruleId: z.string(),
  protocol: z.string(),
  fromPort: z.optional(z.int()),
  toPort: z.optional(z.int()),
  cidr: z.optional(z.string()),
  sourceSecurityGroupId: z.optional(z.string()),
  description: z.optional(z.string()),
});

export const ruleSchema = z.lazy(() => z.object(ruleFields()).check(z.meta({ id: 'SecurityGroupRule' })));

function invalid(detail: string): BadRequest {
  return new BadRequest('InvalidParameterValue', detail);
}

function combination(detail: string): BadRequest {
  return new BadRequest('InvalidParameterCombination', detail);
}

/** The protocol's normal name: `6` and `"6"` are `tcp`, `-1` is `all`, `50` stays `50`. */
export function normaliseProtocol(protocol: string | number): string {
  const text = String(protocol).trim().toLowerCase();
  if (NAMED_PROTOCOLS.has(text)) return text;
  if (!/^-?\d{1,3}$/.test(text)) throw invalid(`Protocol ${String(protocol)} is not tcp, udp, icmp, icmpv6, all or a number 0-255.`);
  const number = Number(text);
  if (number === -1) return 'all';
  if (number < 0 || number > 255) throw invalid(`Protocol number ${number} is not between 0 and 255 (or -1 for all).`);
  return PROTOCOL_NAMES[String(number)] ?? String(number);
}

function ports(protocol: string, fromPort: number | undefined, toPort: number | undefined): Pick<Rule, 'fromPort' | 'toPort'> {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (fromPort === undefined || toPort === undefined) throw invalid(`A ${protocol} rule needs fromPort and toPort.`);
    if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
      throw invalid(`A ${protocol} port range needs 0 <= fromPort <= toPort <= 65535; got ${fromPort}-${toPort}.`);
    }
    return { fromPort, toPort };
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    const type = fromPort ?? -1;
    const code = toPort ?? -1;
    if (type < -1 || type > 255 || code < -1 || code > 255) throw invalid(`An ${protocol} type and code are -1 (all) or 0-255; got ${type}/${code}.`);
    if (type === -1 && code !== -1) throw invalid(`An ${protocol} rule for all types (-1) takes all codes (-1).`);
    return { fromPort: type, toPort: code };
  }
  if (fromPort !== undefined || toPort !== undefined) {
    throw invalid(protocol === 'all' ? 'A rule for all protocols has no ports.' : `Protocol ${protocol} has no ports.`);
  }
  return {};
}

/**
 * A rule in its normal form, or 400: protocol names, ports checked, exactly one of cidr and
 * sourceSecurityGroupId, the CIDR with host bits cleared. Whether the source group exists and is
 * in the same VPC is for the caller to check.
 */
export function normaliseRule(input: Omit<RuleInput, 'direction'>, ruleId: string): Rule {
  const protocol = normaliseProtocol(input.protocol);
  const hasCidr = input.cidr !== undefined;
  const hasGroup = input.sourceSecurityGroupId !== undefined;
  if (hasCidr === hasGroup) throw combination('A rule takes exactly one of cidr and sourceSecurityGroupId.');
  const rule: Rule = { ruleId, protocol, ...ports(protocol, input.fromPort, input.toPort) };
  if (hasCidr) {
    const block = parseCidrBlock(input.cidr as string);
    if (!block) throw invalid(`${String(input.cidr)} is not an IPv4 or IPv6 CIDR block (address/prefix).`);
    if (protocol === 'icmpv6' && block.version === 4) throw combination('An icmpv6 rule takes an IPv6 block, not an IPv4 one.');
    if (protocol === 'icmp' && block.version === 6) throw combination('An icmp rule takes an IPv4 block; use icmpv6 for IPv6.');
    rule.cidr = block.cidr;
  } else {
    rule.sourceSecurityGroupId = input.sourceSecurityGroupId as string;
  }
  if (input.description !== undefined) rule.description = input.description;
  return rule;
}

/** What makes two rules of one direction the same rule: everything but the id and the description. */
export function ruleKey(rule: Omit<Rule, 'ruleId'>): string {
  const target = rule.cidr !== undefined ? `cidr:${rule.cidr}` : `sg:${String(rule.sourceSecurityGroupId)}`;
  return [rule.protocol, rule.fromPort ?? '', rule.toPort ?? '', target].join('|');
}

/** The rules after adding `rule`, or 409 InvalidPermission.Duplicate / 400 RulesPerSecurityGroupLimitExceeded. */
export function withRule(rules: readonly Rule[], rule: Rule, direction: RuleDirection): Rule[] {
  const key = ruleKey(rule);
  const same = rules.find((existing) => ruleKey(existing) === key);
  if (same) throw new Conflict('InvalidPermission.Duplicate', `The group already has this ${direction} rule (${same.ruleId}).`);
  if (rules.length >= MAX_RULES_PER_DIRECTION) {
    throw new BadRequest(
      'RulesPerSecurityGroupLimitExceeded',
      `A group has at most ${MAX_RULES_PER_DIRECTION} ${direction} rules; this one has ${rules.length}.`,
    );
  }
  return [...rules, rule];
}

/**
 * At most this many other groups named by one group's rules: deleting the group gives each of them
 * its reference back in the delete's one transaction (100 items at most).
 */
export const MAX_REFERENCED_GROUPS = 50;

/** 400 RulesPerSecurityGroupLimitExceeded when the rules name more than MAX_REFERENCED_GROUPS other groups. */
export function assertReferenceLimit(rules: readonly Rule[], selfId: string): void {
  const count = referencedGroups(rules, selfId).size;
  if (count > MAX_REFERENCED_GROUPS) {
    throw new BadRequest('RulesPerSecurityGroupLimitExceeded', `A group's rules name at most ${MAX_REFERENCED_GROUPS} other groups; these would name ${count}.`);
  }
}

/** The group ids other than `selfId` that these rules name, with how many rules name each. */
export function referencedGroups(rules: readonly Rule[], selfId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const rule of rules) {
    const id = rule.sourceSecurityGroupId;
    if (id && id !== selfId) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
