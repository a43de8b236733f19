import { httpHandler } from '../wiring/http';
import { getMe } from './operations';

export const handler = httpHandler(getMe, async ({ caller }) => ({
  body: {
    userId: caller.userId,
    ...(caller.email ? { email: caller.email } : {}),
    roles: caller.roles,
    tenant: caller.tenantId ? { id: caller.tenantId } : null,
  },
}));
