import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { httpHandler } from '../wiring/http';
import { createOperationWrite, newOperation } from '../sagas/operation';
import { projectDeleted, projectDeletionStarted } from './events';
import { projectDeletion } from './deletion/saga';
import { deleteProject } from './operations';
import type { Project } from './project';
import { deleteProjectWrites, getProject, projectBeingDeleted, startDeletionWrites } from './repository';

export const handler = httpHandler(deleteProject, async ({ caller, params, query, ifMatch, now }) => {
  const tenantId = caller.tenantId as string;
  const project = await getProject(tenantId, params.id);
  assertIfMatch(ifMatch, project.version);

  if (project.status === 'deleting') {
    // The cascade is under way: asking for it again follows the same operation.
    if (query.cascade) return { status: 202, body: project as never, etag: project.version };
    throw projectBeingDeleted(project.id);
  }

  if (!query.cascade) {
    return {
      writes: deleteProjectWrites(project, ifMatch),
      events: [change(projectDeleted, { tenantId, resourceId: project.id, data: { name: project.name } })],
    };
  }

  const operation = newOperation(projectDeletion, { tenantId, resourceId: project.id, now });
  const deleting: Project = { ...project, status: 'deleting', operationId: operation.id, version: project.version + 1, updatedAt: now.toISOString() };
  return {
    status: 202,
    body: deleting as never,
    etag: deleting.version,
    writes: [...startDeletionWrites(project, operation.id, now, ifMatch), createOperationWrite(operation)],
    events: [change(projectDeletionStarted, { tenantId, resourceId: project.id, data: { name: project.name, operationId: operation.id } })],
  };
});
