/** UndoGrantCredits: a reversing entry for each grant of this operation not yet reversed. */
import { change } from '../../events/outbox';
import { compensationStep } from '../../sagas/step';
import { listCredits, reverseCredit, unreversed } from '../credits';
import { creditReversed } from '../events';
import { tenantProvisioning } from './saga';

export const handler = compensationStep({ saga: tenantProvisioning, step: 'GrantCredits' }, async ({ input, now }) => {
  const grants = unreversed(await listCredits(input.tenantId)).filter((entry) => entry.operationId === input.operationId);
  const reversals = grants.map((grant) => ({ grant, ...reverseCredit(grant, { reason: 'provisioning compensated', now }) }));
  return {
    writes: reversals.map((reversal) => reversal.write),
    events: reversals.map(({ grant, entry }) =>
      change(creditReversed, {
        tenantId: input.tenantId,
        resourceId: entry.id,
        data: { amount: entry.amount, currency: 'USD', reason: entry.reason, reverses: grant.id },
      }),
    ),
    output: { reversed: grants.map((grant) => grant.id) },
  };
});
