/**
 * How a project's cascade deletion terminates one of its VPCs. Among networking resources only
 * VPCs take a `projectId`; everything inside one goes with it, in dependency order, each part in its
 * own transaction with its own events (as its own DELETE would commit it, attributed to the
 * deletion):
 *
 *   1. instances: the project's own have gone before this is asked (registered `after:
 *      ['instance']`); an instance still in the VPC belongs elsewhere: DependencyViolation;
 *   2. route tables: their subnet associations, then the non-main tables, then the main table's
 *      routes other than `local` (so that no route holds the internet gateway);
 *   3. the internet gateway: detached, then deleted;
 *   4. the subnets;
 *   5. the security groups: first the rules that name another group, then every non-default group;
 *   6. the VPC, with its default group and main route table (it leaves the project).
 *
 * Registered in the projects domain's terminator registry (projects/deletion/terminators.ts) when
 * this module loads; the deletion step loads it through functions/wiring/project-terminators.ts
 * (which also loads the route targets: removing routes gives back what their targets took).
 * Idempotent: a retried step finds what is gone gone and goes on with the rest.
 */
import { change, changesWrites, type ChangeDraft } from '../events/outbox';
import { ApiError } from '../kit/errors';
import { commitWrites, RetryRequest, type Write } from '../kit/transaction';
import { registerTerminator, type TerminationRequest } from '../projects/deletion/terminators';
import { StepError, TransientError } from '../sagas/errors';
import { internetGatewayDeleted, internetGatewayDetached, subnetDeleted, vpcDeleted } from './events';
import { attachedVpcId } from './internet-gateway';
import { deleteInternetGatewayWrite, detachWrites, findInternetGateway } from './internet-gateway-repository';
import type { RouteTable } from './route-table';
import {
  changeRoutesWrite,
  deleteRouteTableWrites,
  disassociateWrites,
  findRouteTable,
  listAssociations,
  releaseRouteTargetWrites,
} from './route-table-repository';
import { RULE_DIRECTIONS } from './rules';
import { routeTableDeleted, routeTableDisassociated, routeTableRouteRemoved, securityGroupDeleted, securityGroupRuleRemoved } from './security-events';
import type { SecurityGroup } from './security-group';
import { changeRulesWrites, deleteSecurityGroupWrites, findSecurityGroup } from './security-group-repository';
import type { Subnet } from './subnet';
import { deleteSubnetWrites, findAssociation, findSubnet } from './subnet-repository';
import { vpcDependency, type Vpc } from './vpc';
import { allOfVpc, deleteVpcWrites, findVpc } from './vpc-repository';

const MAX_ATTEMPTS = 10;

interface Part {
  writes: Write[];
  events: ChangeDraft[];
}

/**
 * Commits one part, computed afresh on each attempt (a lost race reads again); `undefined` from
 * `build` means nothing is left to do. A dependency the cascade cannot remove fails the step.
 */
async function commitPart(request: TerminationRequest, what: string, build: () => Promise<Part | undefined>): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const part = await build();
    if (!part) return;
    try {
      await commitWrites([...part.writes, ...changesWrites(part.events, { actor: request.actor, requestId: request.operationId, now: request.now })]);
      return;
    } catch (error) {
      if (error instanceof RetryRequest) continue;
      if (error instanceof ApiError && error.status < 500) throw new StepError(error.code, `${what}: ${error.message}`);
      throw error;
    }
  }
  throw new TransientError(`${what} kept changing meanwhile.`);
}

const isLocal = (route: RouteTable['routes'][number]) => route.gatewayId === 'local';

async function removeRouteTables(request: TerminationRequest, vpcId: string): Promise<void> {
  const { tenantId, now } = request;
  for (const listed of await allOfVpc<RouteTable>(tenantId, vpcId, 'RTB')) {
    for (const association of await listAssociations(tenantId, listed.id)) {
      await commitPart(request, `Route table ${listed.id}`, async () => {
        const table = await findRouteTable(tenantId, listed.id);
        if (!table || (await findAssociation(tenantId, association.subnetId))?.associationId !== association.associationId) return undefined;
        return {
          writes: disassociateWrites(table, await findSubnet(tenantId, association.subnetId), association, now),
          events: [change(routeTableDisassociated, { tenantId, resourceId: table.id, data: { subnetId: association.subnetId, associationId: association.associationId } })],
        };
      });
    }
    await commitPart(request, `Route table ${listed.id}`, async () => {
      const table = await findRouteTable(tenantId, listed.id);
      if (!table) return undefined;
      if (!table.isMain) {
        return {
          writes: deleteRouteTableWrites(table, await findVpc(tenantId, vpcId), now),
          events: [change(routeTableDeleted, { tenantId, resourceId: table.id, data: { vpcId } })],
        };
      }
      const removed = table.routes.filter((route) => !isLocal(route));
      if (removed.length === 0) return undefined;
      return {
        writes: [changeRoutesWrite(table, table.routes.filter(isLocal), now), ...releaseRouteTargetWrites(tenantId, removed)],
        events: removed.map((route) =>
          change(routeTableRouteRemoved, {
            tenantId,
            resourceId: table.id,
            data: {
              destinationCidrBlock: route.destinationCidrBlock,
              ...(route.gatewayId ? { gatewayId: route.gatewayId } : {}),
              ...(route.natGatewayId ? { natGatewayId: route.natGatewayId } : {}),
              ...(route.instanceId ? { instanceId: route.instanceId } : {}),
            },
          }),
        ),
      };
    });
  }
}

async function removeInternetGateway(request: TerminationRequest, vpcId: string, gatewayId: string): Promise<void> {
  const { tenantId, now } = request;
  const what = `Internet gateway ${gatewayId}`;
  await commitPart(request, what, async () => {
    const [gateway, vpc] = await Promise.all([findInternetGateway(tenantId, gatewayId), findVpc(tenantId, vpcId)]);
    if (!gateway || !vpc || attachedVpcId(gateway) !== vpcId) return undefined;
    return { writes: detachWrites(gateway, vpc, now), events: [change(internetGatewayDetached, { tenantId, resourceId: gateway.id, data: { vpcId } })] };
  });
  await commitPart(request, what, async () => {
    const gateway = await findInternetGateway(tenantId, gatewayId);
    // Attached to another VPC meanwhile: no longer this VPC's to delete.
    if (!gateway || attachedVpcId(gateway)) return undefined;
    return { writes: [deleteInternetGatewayWrite(gateway)], events: [change(internetGatewayDeleted, { tenantId, resourceId: gateway.id, data: {} })] };
  });
}

async function removeSubnets(request: TerminationRequest, vpcId: string): Promise<void> {
  const { tenantId, now } = request;
  for (const listed of await allOfVpc<Subnet>(tenantId, vpcId, 'SUBNET')) {
    await commitPart(request, `Subnet ${listed.id}`, async () => {
      const [subnet, vpc] = await Promise.all([findSubnet(tenantId, listed.id), findVpc(tenantId, vpcId)]);
      if (!subnet || !vpc) return undefined;
      const association = await findAssociation(tenantId, subnet.id);
      return {
        writes: deleteSubnetWrites(vpc, subnet, { now, ...(association ? { association } : {}) }),
        events: [change(subnetDeleted, { tenantId, resourceId: subnet.id, data: { vpcId, cidrBlock: subnet.cidrBlock } })],
      };
    });
  }
}

async function removeSecurityGroups(request: TerminationRequest, vpcId: string): Promise<void> {
  const { tenantId, now } = request;
  const groups = await allOfVpc<SecurityGroup>(tenantId, vpcId, 'SG');
  // Rules naming another group hold that group (its referencedBy): they go first, the default group's too.
  for (const listed of groups) {
    for (const direction of RULE_DIRECTIONS) {
      for (const rule of listed[direction].filter((r) => r.sourceSecurityGroupId && r.sourceSecurityGroupId !== listed.id)) {
        await commitPart(request, `Security group ${listed.id}`, async () => {
          const group = await findSecurityGroup(tenantId, listed.id);
          const current = group?.[direction].find((r) => r.ruleId === rule.ruleId);
          if (!group || !current) return undefined;
          return {
            writes: changeRulesWrites(group, direction, group[direction].filter((r) => r !== current), { removed: current, now }),
            events: [change(securityGroupRuleRemoved, { tenantId, resourceId: group.id, data: { direction, ...current } })],
          };
        });
      }
    }
  }
  for (const listed of groups.filter((g) => !g.isDefault)) {
    await commitPart(request, `Security group ${listed.id}`, async () => {
      const group = await findSecurityGroup(tenantId, listed.id);
      if (!group) return undefined;
      return {
        writes: deleteSecurityGroupWrites(group, await findVpc(tenantId, vpcId), now),
        events: [change(securityGroupDeleted, { tenantId, resourceId: group.id, data: { vpcId, name: group.name } })],
      };
    });
  }
}

export async function terminateProjectVpc(request: TerminationRequest): Promise<void> {
  const { tenantId, resourceId: vpcId } = request;
  const found = await findVpc(tenantId, vpcId);
  if (!found) return;
  if (found.counts.instances > 0) {
    throw new StepError('DependencyViolation', `VPC ${vpcId} holds ${found.counts.instances} instance(s) that are not in project ${request.projectId}.`);
  }
  await removeRouteTables(request, vpcId);
  if (found.internetGatewayId) await removeInternetGateway(request, vpcId, found.internetGatewayId);
  await removeSubnets(request, vpcId);
  await removeSecurityGroups(request, vpcId);
  await commitPart(request, `VPC ${vpcId}`, async () => {
    const vpc: Vpc | undefined = await findVpc(tenantId, vpcId);
    if (!vpc) return undefined;
    const dependency = vpcDependency(vpc);
    if (dependency) throw new StepError('DependencyViolation', `VPC ${vpcId} still has ${dependency}.`);
    return {
      writes: deleteVpcWrites(vpc),
      events: [change(vpcDeleted, { tenantId, resourceId: vpc.id, data: { cidrBlock: vpc.cidrBlock, isDefault: vpc.isDefault } })],
    };
  });
}

registerTerminator('vpc', terminateProjectVpc, { after: ['instance'] });
