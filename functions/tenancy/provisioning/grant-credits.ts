/** GrantCredits: the plan's starting credits, as a ledger entry. */
import { change } from '../../events/outbox';
import { sagaStep } from '../../sagas/step';
import { grantCredit } from '../credits';
import { creditGranted } from '../events';
import { PLANS } from '../plans';
import { provisionedTenant, STARTING_CREDITS_REASON, tenantProvisioning } from './saga';

export const handler = sagaStep({ saga: tenantProvisioning, step: 'GrantCredits' }, async ({ input, now }) => {
  const tenant = await provisionedTenant(input.tenantId);
  const { entry, write } = grantCredit(tenant.id, {
    amount: PLANS[tenant.plan].startingCredits,
    reason: STARTING_CREDITS_REASON,
    operationId: input.operationId,
    now,
  });
  return {
    writes: [write],
    events: [
      change(creditGranted, {
        tenantId: tenant.id,
        resourceId: entry.id,
        data: { amount: entry.amount, currency: 'USD', reason: entry.reason, operationId: input.operationId },
      }),
    ],
    output: { creditId: entry.id, amount: entry.amount },
  };
});
