/** DeleteProject: the project, its name and its counters go, its quota comes back; `project.deleted`. */
import { change } from '../../events/outbox';
import { sagaStep } from '../../sagas/step';
import { projectDeleted } from '../events';
import { deleteProjectWrites } from '../repository';
import { deletingProject, projectDeletion } from './saga';

export const handler = sagaStep({ saga: projectDeletion, step: 'DeleteProject' }, async ({ input }) => {
  const project = await deletingProject(input.tenantId, input.resourceId, input.operationId);
  return {
    writes: deleteProjectWrites(project),
    events: [change(projectDeleted, { tenantId: project.tenantId, resourceId: project.id, data: { name: project.name, operationId: input.operationId } })],
  };
});
