import { httpHandler } from '../wiring/http';
import { publicTemplate } from './template';
import { listTemplates as listTemplatesOperation } from './template-operations';
import { listTemplates } from './template-repository';

export const handler = httpHandler(listTemplatesOperation, async ({ caller, query }) => {
  const page = await listTemplates(caller.tenantId as string, query);
  return { body: { ...page, items: page.items.map(publicTemplate) } };
});
