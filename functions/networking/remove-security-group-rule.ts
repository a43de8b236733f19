import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { NotFound } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { RULE_DIRECTIONS } from './rules';
import { securityGroupRuleRemoved } from './security-events';
import { changeRulesWrites, getSecurityGroup } from './security-group-repository';
import { removeSecurityGroupRule } from './security-operations';

export const handler = httpHandler(removeSecurityGroupRule, async ({ caller, params, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const group = await getSecurityGroup(tenantId, params.id);
  assertIfMatch(ifMatch, group.version);
  for (const direction of RULE_DIRECTIONS) {
    const rule = group[direction].find((candidate) => candidate.ruleId === params.ruleId);
    if (!rule) continue;
    const rules = group[direction].filter((candidate) => candidate !== rule);
    return {
      writes: changeRulesWrites(group, direction, rules, { removed: rule, now, ...(ifMatch ? { ifMatch } : {}) }),
      events: [change(securityGroupRuleRemoved, { tenantId, resourceId: group.id, data: { direction, ...rule } })],
    };
  }
  throw new NotFound('InvalidPermission.NotFound', `Security group ${group.id} has no rule ${params.ruleId}.`);
});
