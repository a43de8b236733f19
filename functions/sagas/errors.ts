/**
 * How a saga step fails, as Step Functions sees it: the error's `name` is the Lambda `errorType`
 * that Retry and Catch match. Transient trouble (a lost race, throttling, a network hiccup, a
 * duplicate invocation still running) becomes `TransientError`, which the state machines retry
 * with backoff; everything else, FaultInjected included, keeps its name and goes to the Catch.
 */
import { RetryRequest } from '../kit/transaction';
import { FAULT_INJECTED } from '../kit/faults';

export const TRANSIENT_ERROR = 'TransientError';
/** Another execution owns the operation (the starting event was delivered twice): this one stops. */
export const DUPLICATE_EXECUTION = 'DuplicateExecution';

export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = TRANSIENT_ERROR;
  }
}

/** A step that cannot do its work (unknown operation, resource in the wrong state): not retried. */
export class StepError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

const TRANSIENT_NAMES = new Set([
  // DynamoDB and the SDK
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'TimeoutError',
  // Powertools idempotency: a duplicate still in flight, or its store was unreachable
  'IdempotencyAlreadyInProgressError',
  'IdempotencyPersistenceLayerError',
  'IdempotencyInconsistentStateError',
]);

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError || error instanceof RetryRequest) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === FAULT_INJECTED) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const sdk = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  if (sdk.$retryable) return true;
  if ((sdk.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return sdk.code !== undefined && TRANSIENT_CODES.has(sdk.code);
}

/** The error a step throws to Step Functions for `error`. */
export function stepFailure(error: unknown): Error {
  if (error instanceof TransientError) return error;
  if (isTransient(error)) return new TransientError((error as Error).message, { cause: error });
  if (error instanceof Error) return error;
  return new Error(String(error));
}
