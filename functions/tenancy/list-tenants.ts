import { httpHandler } from '../wiring/http';
import { queryPage } from '../kit/repository';
import { tableName } from '../kit/tables';
import { listTenants } from './admin-operations';
import { TENANT_LIST_KEY, toTenant } from './repository';

export const handler = httpHandler(listTenants, async ({ query }) => {
  const page = await queryPage({
    query: {
      TableName: tableName('resources'),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': TENANT_LIST_KEY },
    },
    keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    page: query,
    scope: 'listTenants',
  });
  return { body: { items: page.items.map(toTenant), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
});
