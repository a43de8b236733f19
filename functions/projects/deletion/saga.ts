/**
 * The ProjectDeletion saga (`DELETE /v1/projects/{id}?cascade=true`): TerminateResources asks every
 * live resource of the project to terminate; AwaitTermination (not a step of the record: a poll)
 * waits until none is live; DeleteProject deletes the project, its name, its counters, and gives
 * the quota back. If any of it fails, UndoTerminateResources opens the project again (terminated
 * resources stay terminated: that cannot be undone) and MarkFailed ends the operation compensated.
 * It starts from the `project.deletion_started` event (statemachines/project-deletion.asl.json).
 */
import { defineSaga } from '../../sagas/define';
import { StepError } from '../../sagas/errors';
import type { Project } from '../project';
import { findProject } from '../repository';

export const projectDeletion = defineSaga({
  name: 'ProjectDeletion',
  resourceType: 'project',
  steps: ['TerminateResources', 'DeleteProject'],
});

/** The project being deleted: it must exist and be `deleting` under this operation. */
export async function deletingProject(tenantId: string, projectId: string, operationId: string): Promise<Project> {
  const project = await findProject(tenantId, projectId);
  if (!project) throw new StepError('ProjectNotFound', `Project ${projectId} does not exist.`);
  if (project.status !== 'deleting' || project.operationId !== operationId) {
    throw new StepError('IncorrectProjectState', `Project ${projectId} is ${project.status}, not being deleted by ${operationId}.`);
  }
  return project;
}
