/** UndoApplyQuotas: removes the tenant's quota counters (nothing uses them before activation). */
import { compensationStep } from '../../sagas/step';
import { QUOTA_NAMES } from '../plans';
import { deleteQuota } from '../quotas';
import { tenantProvisioning } from './saga';

export const handler = compensationStep({ saga: tenantProvisioning, step: 'ApplyQuotas' }, async ({ input }) => ({
  writes: QUOTA_NAMES.map((name) => deleteQuota(input.tenantId, name)),
}));
