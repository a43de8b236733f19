import { httpHandler } from '../wiring/http';
import { publicInstance } from './instance';
import { getInstance as getInstanceOperation } from './operations';
import { getInstance } from './instance-repository';

export const handler = httpHandler(getInstanceOperation, async ({ caller, params, now }) => {
  const instance = await getInstance(caller.tenantId as string, params.id);
  return { body: publicInstance(instance, now), etag: instance.version };
});
