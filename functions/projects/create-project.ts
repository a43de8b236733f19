import { change } from '../events/outbox';
import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { projectCreated } from './events';
import { createProject } from './operations';
import type { Project } from './project';
import { createProjectWrites } from './repository';

export const handler = httpHandler(createProject, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const project: Project = {
    id: newId('prj'),
    tenantId,
    name: body.name,
    ...(body.description !== undefined ? { description: body.description } : {}),
    status: 'active',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
    tags: body.tags ?? {},
  };
  return {
    body: project,
    etag: project.version,
    location: `/v1/projects/${project.id}`,
    writes: createProjectWrites(project),
    events: [
      change(projectCreated, {
        tenantId,
        resourceId: project.id,
        data: { name: project.name, ...(project.description !== undefined ? { description: project.description } : {}), tags: project.tags },
      }),
    ],
  };
});
