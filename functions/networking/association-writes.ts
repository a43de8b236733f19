/** A route table's side of an association, shared by associate, disassociate and a subnet's delete. */
import type { Write } from '../kit/transaction';
import { networkTable, routeTableKey } from './keys';
import type { Association } from './route-table';

/** The table's counter and its set of associations move together (ADD makes the set, DELETE of the last member removes it). */
export function associationSetWrite(tenantId: string, routeTableId: string, association: Pick<Association, 'subnetId' | 'associationId'>, delta: 1 | -1): Write {
  return {
    item: {
      Update: {
        TableName: networkTable(),
        Key: routeTableKey(tenantId, routeTableId),
        UpdateExpression: delta > 0 ? 'ADD #count :delta, #version :one, #set :member' : 'ADD #count :delta, #version :one DELETE #set :member',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#count': 'associationCount', '#version': 'version', '#set': 'associationSet' },
        ExpressionAttributeValues: { ':delta': delta, ':one': 1, ':member': new Set([`${association.subnetId}/${association.associationId}`]) },
      },
    },
    onConditionFailed: 'retry',
  };
}
