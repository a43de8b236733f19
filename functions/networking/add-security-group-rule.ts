import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { assertReferenceLimit, normaliseRule, withRule } from './rules';
import { securityGroupRuleAdded } from './security-events';
import { changeRulesWrites, findSecurityGroup, getSecurityGroup } from './security-group-repository';
import { addSecurityGroupRule } from './security-operations';

export const handler = httpHandler(addSecurityGroupRule, async ({ caller, params, body, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const group = await getSecurityGroup(tenantId, params.id);
  assertIfMatch(ifMatch, group.version);
  const { direction, ...input } = body;
  const rule = normaliseRule(input, newId('sgr'));
  const source = rule.sourceSecurityGroupId;
  if (source !== undefined && source !== group.id) {
    // The write that counts the reference is conditioned on the source group's VPC, so this holds at commit.
    const other = await findSecurityGroup(tenantId, source);
    if (!other) throw new BadRequest('InvalidGroup.NotFound', `No security group ${source} in this tenant.`);
    if (other.vpcId !== group.vpcId) {
      throw new BadRequest('InvalidParameterCombination', `Security group ${source} is in ${other.vpcId}, not in ${group.vpcId}.`);
    }
  }
  const rules = withRule(group[direction], rule, direction);
  const other = direction === 'ingress' ? group.egress : group.ingress;
  assertReferenceLimit([...rules, ...other], group.id);
  return {
    body: { ...rule, direction, securityGroupId: group.id },
    etag: group.version + 1,
    location: `/v1/security-groups/${group.id}/rules/${rule.ruleId}`,
    writes: changeRulesWrites(group, direction, rules, { added: rule, now, ...(ifMatch ? { ifMatch } : {}) }),
    events: [change(securityGroupRuleAdded, { tenantId, resourceId: group.id, data: { direction, ...rule } })],
  };
});
