/** UndoTerminateResources: the project is active again and takes resources; terminated ones stay terminated. */
import { compensationStep } from '../../sagas/step';
import { findProject, reopenWrites } from '../repository';
import { projectDeletion } from './saga';

export const handler = compensationStep({ saga: projectDeletion, step: 'TerminateResources' }, async ({ input, now }) => {
  const project = await findProject(input.tenantId, input.resourceId);
  // Gone already (DeleteProject committed) or reopened: nothing to undo.
  if (project?.status !== 'deleting' || project.operationId !== input.operationId) return {};
  return { writes: reopenWrites(project, now) };
});
