/** TerminateResources: asks every live resource of the project to terminate, each the way its own domain does. */
import { sagaStep } from '../../sagas/step';
import { StepError } from '../../sagas/errors';
import { listProjectMembers } from '../repository';
import { deletingProject, projectDeletion } from './saga';
import { resourceTerminators } from './terminators';

export const handler = sagaStep({ saga: projectDeletion, step: 'TerminateResources' }, async ({ input, now, actor }) => {
  await deletingProject(input.tenantId, input.resourceId, input.operationId);
  const members = await listProjectMembers(input.tenantId, input.resourceId);
  const unsupported = [...new Set(members.map((m) => m.resourceType).filter((type) => !resourceTerminators[type]))];
  if (unsupported.length > 0) {
    throw new StepError('UnsupportedResourceType', `The project holds resources this platform cannot terminate: ${unsupported.join(', ')}.`);
  }
  // Each termination is its own change (and idempotent), so a retried step asks again harmlessly.
  for (const member of members) {
    await resourceTerminators[member.resourceType]!({ tenantId: input.tenantId, ...member, operationId: input.operationId, actor, now });
  }
  return { output: { requested: members.length } };
});
