import { httpHandler } from '../wiring/http';
import { stopInstance } from './operations';
import { requestTransition } from './transition';

export const handler = httpHandler(stopInstance, async ({ caller, params, ifMatch, now }) =>
  requestTransition('stop', caller.tenantId as string, params.id, now, ifMatch),
);
