import { httpHandler } from '../wiring/http';
import { listProjects } from './operations';
import { listProjectPage } from './repository';

export const handler = httpHandler(listProjects, async ({ caller, query }) => ({
  body: await listProjectPage(caller.tenantId as string, query),
}));
