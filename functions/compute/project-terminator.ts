/**
 * How a project's cascade deletion terminates one of its instances: as DELETE /v1/instances/{id}
 * would (its own transaction, its events, the InstanceTermination saga), attributed to the
 * deletion. An instance on its way somewhere (pending, stopping) cannot be terminated yet: this
 * waits for it, within the step's time. Termination protection is respected: the cascade fails
 * and the project opens again.
 *
 * Registered in the projects domain's terminator registry (projects/deletion/terminators.ts) when
 * this module loads; the deletion step loads it through functions/wiring/project-terminators.ts.
 */
import { changesWrites } from '../events/outbox';
import { commitWrites, RetryRequest } from '../kit/transaction';
import { registerTerminator, type TerminationRequest } from '../projects/deletion/terminators';
import { StepError, TransientError } from '../sagas/errors';
import { decide } from './instance';
import { findInstance } from './instance-repository';
import { transitionOutcome } from './transition';

const WAIT_MS = 1000;
const MAX_ATTEMPTS = 120;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function terminateProjectInstance(request: TerminationRequest): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const instance = await findInstance(request.tenantId, request.resourceId);
    // Gone, failed or already terminating: nothing left to ask.
    if (!instance || instance.status === 'failed') return;
    const decision = decide('terminate', instance);
    if (decision.kind === 'noop') return;
    if (decision.kind === 'refuse') {
      if (decision.code === 'OperationNotPermitted') throw new StepError(decision.code, decision.message);
      await pause(WAIT_MS);
      continue;
    }
    const outcome = transitionOutcome('terminate', instance, request.now);
    try {
      await commitWrites([
        ...(outcome.writes ?? []),
        ...changesWrites(outcome.events, { actor: request.actor, requestId: request.operationId, now: request.now }),
      ]);
      return;
    } catch (error) {
      // Moved meanwhile: look again.
      if (!(error instanceof RetryRequest)) throw error;
    }
  }
  throw new TransientError(`Instance ${request.resourceId} did not become terminable.`);
}

registerTerminator('instance', terminateProjectInstance);
