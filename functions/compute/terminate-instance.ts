import { httpHandler } from '../wiring/http';
import { terminateInstance } from './operations';
import { requestTransition } from './transition';

export const handler = httpHandler(terminateInstance, async ({ caller, params, ifMatch, now }) =>
  requestTransition('terminate', caller.tenantId as string, params.id, now, ifMatch),
);
