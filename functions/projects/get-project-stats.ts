import { httpHandler } from '../wiring/http';
import { getProjectStats as getProjectStatsOperation } from './operations';
import { getProject, getProjectStats } from './repository';

export const handler = httpHandler(getProjectStatsOperation, async ({ caller, params }) => {
  const tenantId = caller.tenantId as string;
  await getProject(tenantId, params.id);
  return { body: await getProjectStats(tenantId, params.id) };
});
