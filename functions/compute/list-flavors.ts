import { httpHandler } from '../wiring/http';
import { listFlavors as listFlavorsOperation } from './catalog-operations';
import { listFlavors } from './catalog-repository';

export const handler = httpHandler(listFlavorsOperation, async ({ query }) => {
  const { family, id, ...page } = query;
  return { body: await listFlavors(page, { ...(family ? { family } : {}), ...(id ? { id } : {}) }) };
});
