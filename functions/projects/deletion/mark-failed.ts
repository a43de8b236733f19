/** MarkFailed: after the compensation, the operation is compensated and `project.deletion_failed` says why. */
import { change } from '../../events/outbox';
import { sagaFailed } from '../../sagas/step';
import { projectDeletionFailed } from '../events';
import { projectDeletion } from './saga';

export const handler = sagaFailed({ saga: projectDeletion }, async ({ input, operation }) => {
  const error = operation.error ?? { code: input.error?.Error ?? 'Error', message: input.error?.Cause ?? 'The cascade deletion failed.' };
  return {
    events: [change(projectDeletionFailed, { tenantId: input.tenantId, resourceId: input.resourceId, data: { operationId: input.operationId, error } })],
  };
});
