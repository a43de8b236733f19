import { httpHandler } from '../wiring/http';
import { publicInstance } from './instance';
import { listInstancePage } from './instance-repository';
import { listInstances } from './operations';

export const handler = httpHandler(listInstances, async ({ caller, query, now }) => {
  const page = await listInstancePage(caller.tenantId as string, query);
  return { body: { ...page, items: page.items.map((instance) => publicInstance(instance, now)) } };
});
