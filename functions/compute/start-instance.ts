import { httpHandler } from '../wiring/http';
import { startInstance } from './operations';
import { requestTransition } from './transition';

export const handler = httpHandler(startInstance, async ({ caller, params, ifMatch, now }) =>
  requestTransition('start', caller.tenantId as string, params.id, now, ifMatch),
);
