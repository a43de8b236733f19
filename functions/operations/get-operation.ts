import { authorize, PLATFORM_ADMIN } from '../kit/auth';
import { NotFound } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { findOperation, findOperationAnyTenant, operationView, type Operation } from '../sagas/operation';
import { getOperation } from './operations';

export const handler = httpHandler(getOperation, async ({ caller, params }) => {
  let operation: Operation | undefined;
  if (caller.roles.includes(PLATFORM_ADMIN)) {
    operation = await findOperationAnyTenant(params.id);
  } else {
    // Any tenant role reads; another tenant's operation is a 404 like any of its resources.
    authorize(caller, 'viewer');
    operation = await findOperation(caller.tenantId as string, params.id);
  }
  if (!operation) throw new NotFound('OperationNotFound', `Operation ${params.id} does not exist.`);
  return { body: operationView(operation) };
});
