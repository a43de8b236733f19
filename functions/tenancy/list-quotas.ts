import { httpHandler } from '../wiring/http';
import { listQuotasOperation } from './quota-operations';
import { listQuotas } from './quotas';

export const handler = httpHandler(listQuotasOperation, async ({ caller }) => ({
  body: { items: await listQuotas(caller.tenantId as string) },
}));
