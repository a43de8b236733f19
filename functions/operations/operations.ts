/** Operations: the record of a saga run (steps, status, times), readable while it runs and after. */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { operationSchema } from '../sagas/operation';

export const getOperation = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getOperation',
  method: 'GET',
  path: '/v1/operations/{id}',
  handler: 'operations/get-operation',
  domain: 'operations',
  summary: 'Follow an operation (a saga run): its steps with status and times',
  description:
    'A 202 answer names its `operationId`. Tenant callers (any role) see their tenant\'s operations; a platform admin sees every operation. `status` is `running` until the saga ends `succeeded`, or `failed` and then `compensated` once the completed steps are undone; each step is `pending`, `running`, `succeeded`, `failed` or `compensated`.',
  access: 'authenticated',
  params: z.strictObject({ id: z.string().check(z.regex(/^op-[0-9a-z]{26}$/, 'Not an operation id')) }),
  status: 200,
  response: operationSchema,
  errors: [{ status: 404, code: 'OperationNotFound', description: "No operation of the caller's tenant has this id." }],
}));

export const operationOperations = [getOperation];
