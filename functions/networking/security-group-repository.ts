/**
 * Writes and reads of security groups (keys in keys.ts):
 *
 *   SG#<id>                      the group, its rules on the item (ingress, egress), `referencedBy`
 *                                (rules of other groups naming it) and `instanceCount`
 *   SGNAME#<vpcId>#<lower name>  its name, unique in the VPC
 *
 * A new group moves its VPC's `counts.securityGroups` conditioned on the VPC's version, which makes
 * the per-VPC quota hold under concurrent creates. Rules are written conditioned on the group's
 * version, so two concurrent adds cannot both pass the duplicate or the 60-rule check.
 */
import { BadRequest, Conflict, NotFound, PreconditionFailed } from '../kit/errors';
import type { IfMatch } from '../kit/etag';
import { createItem, getItem, updateVersioned, type Item, type PageQuery } from '../kit/repository';
import type { Write } from '../kit/transaction';
import { networkTable, securityGroupKey, securityGroupNameKey, stripKeys } from './keys';
import { referencedGroups, type Rule, type RuleDirection } from './rules';
import type { SecurityGroup } from './security-group';
import type { Vpc } from './vpc';
import { listByType, listByVpc, securityGroupItem, vpcChildWrite } from './vpc-repository';

/** The item that keeps the group's name unique in its VPC. */
export function securityGroupNameItem(group: Pick<SecurityGroup, 'tenantId' | 'vpcId' | 'name' | 'id'>): Item {
  return { ...securityGroupNameKey(group.tenantId, group.vpcId, group.name), vpcId: group.vpcId, groupId: group.id };
}

export function toSecurityGroup(item: Item): SecurityGroup {
  return stripKeys<SecurityGroup>(item);
}

export function securityGroupNotFound(id: string): NotFound {
  return new NotFound('InvalidGroup.NotFound', `No security group ${id} in this tenant.`);
}

export async function findSecurityGroup(tenantId: string, id: string): Promise<SecurityGroup | undefined> {
  const item = await getItem(networkTable(), securityGroupKey(tenantId, id), true);
  return item ? toSecurityGroup(item) : undefined;
}

export async function getSecurityGroup(tenantId: string, id: string): Promise<SecurityGroup> {
  const group = await findSecurityGroup(tenantId, id);
  if (!group) throw securityGroupNotFound(id);
  return group;
}

function duplicateName(group: SecurityGroup): Conflict {
  return new Conflict('InvalidGroup.Duplicate', `A security group named ${group.name} already exists in VPC ${group.vpcId}.`);
}

/** Puts a group and its name item (the VPC's default group too: the VPC's create uses these). */
export function putSecurityGroupWrites(group: SecurityGroup): Write[] {
  return [
    createItem(networkTable(), securityGroupItem(group), 'pk', new Conflict('ResourceAlreadyExists', `Security group ${group.id} exists.`)),
    createItem(networkTable(), securityGroupNameItem(group), 'pk', duplicateName(group)),
  ];
}

/** A new non-default group of `vpc`: the group, its name, and the VPC's counter (checked against `limit` by the caller). */
export function createSecurityGroupWrites(group: SecurityGroup, vpc: Vpc, now: Date): Write[] {
  return [...putSecurityGroupWrites(group), vpcChildWrite(vpc, { delta: { securityGroups: 1 }, now })];
}

function inUse(group: SecurityGroup, current: Item | undefined, ifMatch: IfMatch | undefined): Conflict | PreconditionFailed | 'retry' {
  if (current && Number(current.referencedBy ?? 0) > 0) {
    return new Conflict('DependencyViolation', `Security group ${group.id} is referenced by ${String(current.referencedBy)} rule(s) of other groups.`);
  }
  if (current && Number(current.instanceCount ?? 0) > 0) {
    return new Conflict('DependencyViolation', `Security group ${group.id} is used by ${String(current.instanceCount)} instance(s).`);
  }
  return ifMatch ? new PreconditionFailed() : 'retry';
}

/** Writes that move the `referencedBy` counters of the groups `rules` name (other than `selfId`) by `sign`. */
function referenceWrites(tenantId: string, selfId: string, vpcId: string, rules: readonly Rule[], sign: 1 | -1): Write[] {
  return [...referencedGroups(rules, selfId)].map(([id, count]) => ({
    item: {
      Update: {
        TableName: networkTable(),
        Key: securityGroupKey(tenantId, id),
        UpdateExpression: 'ADD #referencedBy :delta, #version :one',
        ConditionExpression: sign > 0 ? 'attribute_exists(pk) AND #vpcId = :vpcId' : 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#referencedBy': 'referencedBy', '#version': 'version', ...(sign > 0 ? { '#vpcId': 'vpcId' } : {}) },
        ExpressionAttributeValues: { ':delta': sign * count, ':one': 1, ...(sign > 0 ? { ':vpcId': vpcId } : {}) },
      },
    },
    onConditionFailed: sign > 0 ? new BadRequest('InvalidGroup.NotFound', `No security group ${id} in VPC ${vpcId}.`) : 'retry',
  }));
}

/**
 * Deletes a group with its name item, on condition that it is at its version and neither
 * referenced by another group's rule nor used by an instance; gives back the references its own
 * rules held and, for a non-default group, the VPC's counter.
 */
export function deleteSecurityGroupWrites(group: SecurityGroup, vpc: Vpc | undefined, now: Date, ifMatch?: IfMatch): Write[] {
  const { tenantId, id } = group;
  const writes: Write[] = [
    {
      item: {
        Delete: {
          TableName: networkTable(),
          Key: securityGroupKey(tenantId, id),
          ConditionExpression: '#version = :version AND (attribute_not_exists(#referencedBy) OR #referencedBy = :zero) AND (attribute_not_exists(#instanceCount) OR #instanceCount = :zero)',
          ExpressionAttributeNames: { '#version': 'version', '#referencedBy': 'referencedBy', '#instanceCount': 'instanceCount' },
          ExpressionAttributeValues: { ':version': group.version, ':zero': 0 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => inUse(group, current, ifMatch),
    },
    {
      item: {
        Delete: {
          TableName: networkTable(),
          Key: securityGroupNameKey(tenantId, group.vpcId, group.name),
          ConditionExpression: 'groupId = :id',
          ExpressionAttributeValues: { ':id': id },
        },
      },
    },
    ...referenceWrites(tenantId, id, group.vpcId, [...group.ingress, ...group.egress], -1),
  ];
  if (vpc && !group.isDefault) writes.push(vpcChildWrite(vpc, { delta: { securityGroups: -1 }, now }));
  return writes;
}

/** The group with `rules` as its rules of `direction`, conditioned on its version; references of added/removed rules moved. */
export function changeRulesWrites(
  group: SecurityGroup,
  direction: RuleDirection,
  rules: Rule[],
  change: { added?: Rule; removed?: Rule; now: Date; ifMatch?: IfMatch },
): Write[] {
  const writes = [
    updateVersioned(networkTable(), securityGroupKey(group.tenantId, group.id), group.version, {
      set: { [direction]: rules },
      now: change.now,
      ...(change.ifMatch ? { ifMatch: change.ifMatch } : {}),
    }),
  ];
  if (change.added) writes.push(...referenceWrites(group.tenantId, group.id, group.vpcId, [change.added], 1));
  if (change.removed) writes.push(...referenceWrites(group.tenantId, group.id, group.vpcId, [change.removed], -1));
  return writes;
}

export async function listSecurityGroupPage(tenantId: string, page: PageQuery, vpcId?: string) {
  return vpcId
    ? listByVpc<SecurityGroup>(tenantId, vpcId, 'SG', page, 'listSecurityGroups')
    : listByType<SecurityGroup>(tenantId, 'SG', page, 'listSecurityGroups');
}


/**
 * For the compute domain: an instance starts (`1`) or stops (`-1`) using a group, in the instance's
 * own transaction. Joining needs the group to exist in the instance's VPC (400 InvalidGroup.NotFound
 * otherwise); the group's delete is conditioned on `instanceCount = 0`, so the two cannot both commit.
 */
export function securityGroupUseWrite(tenantId: string, groupId: string, vpcId: string, delta: 1 | -1): Write {
  const joining = delta > 0;
  return {
    item: {
      Update: {
        TableName: networkTable(),
        Key: securityGroupKey(tenantId, groupId),
        UpdateExpression: 'ADD #instanceCount :delta, #version :one',
        ConditionExpression: joining ? 'attribute_exists(pk) AND #vpcId = :vpcId' : 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#instanceCount': 'instanceCount', '#version': 'version', ...(joining ? { '#vpcId': 'vpcId' } : {}) },
        ExpressionAttributeValues: { ':delta': delta, ':one': 1, ...(joining ? { ':vpcId': vpcId } : {}) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) =>
      current
        ? new BadRequest('InvalidParameterCombination', `Security group ${groupId} is in ${String(current.vpcId)}, not in ${vpcId}.`)
        : new BadRequest('InvalidGroup.NotFound', `No security group ${groupId} in this tenant.`),
  };
}
