import { httpHandler } from '../wiring/http';
import { getProject as getProjectOperation } from './operations';
import { getProject } from './repository';

export const handler = httpHandler(getProjectOperation, async ({ caller, params }) => {
  const project = await getProject(caller.tenantId as string, params.id);
  return { body: project, etag: project.version };
});
