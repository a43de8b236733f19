/**
 * The simulated provider's items (Resources table): `SIMVM#<tenant>` / `<instanceId>`, one
 * partition per tenant, so listing a tenant's machines is a Query. Compute's keys.ts lists it with
 * the rest of the table; it lives here so the provider imports nothing from compute.
 */
export const simulatedMachineKey = (tenantId: string, instanceId: string) => ({ pk: `SIMVM#${tenantId}`, sk: instanceId });

/** The stored machine without its keys (and the attributes the cleanup job adds). */
export function stripMachineKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, expiryBucket: _bucket, ...machine } = item;
  return machine as T;
}
