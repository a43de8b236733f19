import * as z from 'zod/mini';
import type { AnyOperation } from '../../../functions/kit/operation';

/** A valid operation declaration to vary in tests. */
export function operation(overrides: Partial<AnyOperation> = {}): AnyOperation {
  return {
    operationId: 'getThing',
    method: 'GET',
    path: '/v1/things',
    handler: 'things/get-thing',
    domain: 'things',
    summary: 'A thing',
    access: 'viewer',
    status: 200,
    response: z.object({}),
    ...overrides,
  };
}
