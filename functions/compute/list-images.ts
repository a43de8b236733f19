import { httpHandler } from '../wiring/http';
import { listImages as listImagesOperation } from './catalog-operations';
import { listImages } from './catalog-repository';

export const handler = httpHandler(listImagesOperation, async ({ query }) => {
  const { os, id, ...page } = query;
  return { body: await listImages(page, { ...(os ? { os } : {}), ...(id ? { id } : {}) }) };
});
