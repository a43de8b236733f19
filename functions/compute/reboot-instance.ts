import { httpHandler } from '../wiring/http';
import { rebootInstance } from './operations';
import { requestTransition } from './transition';

export const handler = httpHandler(rebootInstance, async ({ caller, params, ifMatch, now }) =>
  requestTransition('reboot', caller.tenantId as string, params.id, now, ifMatch),
);
