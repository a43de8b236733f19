/** UndoCreateDefaultVpc: removes what CreateDefaultVpc made (today its marker). */
import { tableName } from '../../kit/tables';
import { compensationStep } from '../../sagas/step';
import { defaultVpcMarkerKey, tenantProvisioning } from './saga';

export const handler = compensationStep({ saga: tenantProvisioning, step: 'CreateDefaultVpc' }, async ({ input }) => ({
  writes: [{ item: { Delete: { TableName: tableName('resources'), Key: defaultVpcMarkerKey(input.tenantId) } } }],
}));
