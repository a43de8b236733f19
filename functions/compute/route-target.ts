/**
 * Instances as route targets (`instanceId` in a route, e.g. a NAT instance): the instance must be
 * in the route table's VPC and not have ended. The route holds it with a condition check at commit,
 * so an instance that is terminated meanwhile fails the request rather than leave a dead route.
 * Removing a route gives nothing back: a route does not keep an instance from terminating (AWS
 * shows such a route as a blackhole).
 *
 * Registered in networking's route-target registry (networking/route-targets.ts) when this module
 * loads; handlers load it through functions/wiring/route-targets.ts.
 */
import { BadRequest } from '../kit/errors';
import { registerRouteTarget, type RouteTargetResolver } from '../networking/route-targets';
import { holdsResources } from './instance';
import { findInstance } from './instance-repository';
import { computeTable, instanceKey } from './keys';
import type { Write } from '../kit/transaction';

export const instanceRouteTarget: RouteTargetResolver = {
  async onAdd(tenantId: string, vpcId: string, id: string): Promise<Write[]> {
    const instance = await findInstance(tenantId, id);
    if (!instance || !holdsResources(instance.status)) throw new BadRequest('InvalidInstanceID.NotFound', `No live instance ${id} in this tenant.`);
    if (instance.vpcId !== vpcId) throw new BadRequest('InvalidParameterValue', `Instance ${id} is in ${instance.vpcId}, not in ${vpcId}, the VPC of the route table.`);
    return [
      {
        item: {
          ConditionCheck: {
            TableName: computeTable(),
            Key: instanceKey(tenantId, id),
            ConditionExpression: '#status IN (:pending, :running, :stopping, :stopped)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'pending', ':running': 'running', ':stopping': 'stopping', ':stopped': 'stopped' },
          },
        },
        onConditionFailed: 'retry',
      },
    ];
  },
  onRemove: (): Write[] => [],
};

registerRouteTarget('instanceId', instanceRouteTarget);
