/** Counting a tenant's stored items by kind, for invariants that must hold however requests raced. */
import { tenantSnapshot } from '../../support/snapshot';

export interface TenantItems {
  /** Resources-table items by the kind in their sort key (`VPC`, `SG`, `SGNAME`, `RTB`, `QUOTA`...). */
  kinds: Record<string, number>;
  /** Outbox events by detail-type. */
  events: Record<string, number>;
  quotas: Record<string, { used: number; limit: number }>;
}

export async function tenantItems(tenantId: string): Promise<TenantItems> {
  const snapshot = await tenantSnapshot(tenantId);
  const kinds: Record<string, number> = {};
  const quotas: TenantItems['quotas'] = {};
  for (const item of snapshot.resources ?? []) {
    const kind = String(item.sk).split('#')[0]!;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kind === 'QUOTA') quotas[String(item.sk).slice('QUOTA#'.length)] = { used: Number(item.used), limit: Number(item.limit) };
  }
  const events: Record<string, number> = {};
  for (const item of snapshot.outbox ?? []) events[String(item.detailType)] = (events[String(item.detailType)] ?? 0) + 1;
  return { kinds, events, quotas };
}
