/**
 * CreateDefaultVpc: for now it only records that it ran (a marker item); the networking issue makes
 * it create the tenant's default VPC, and its compensation delete it.
 */
import { tableName } from '../../kit/tables';
import { sagaStep } from '../../sagas/step';
import { defaultVpcMarkerKey, tenantProvisioning } from './saga';

export const handler = sagaStep({ saga: tenantProvisioning, step: 'CreateDefaultVpc' }, async ({ input, now }) => ({
  writes: [
    {
      item: {
        Put: {
          TableName: tableName('resources'),
          Item: { ...defaultVpcMarkerKey(input.tenantId), tenantId: input.tenantId, operationId: input.operationId, status: 'placeholder', createdAt: now.toISOString() },
        },
      },
    },
  ],
  output: { vpcId: null },
}));
