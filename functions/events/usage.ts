/**
 * Metering (API.md, Common rules, "Metering for billing"): an event that starts, changes or stops a
 * billed quantity carries `usage` blocks in its `data`, written in the change's transaction. Billing
 * rates them; no domain computes money or runs a metering clock of its own.
 */
import * as z from 'zod/mini';

export const USAGE_ACTIONS = ['start', 'change', 'stop'] as const;
export type UsageAction = (typeof USAGE_ACTIONS)[number];

export interface UsageBlock {
  /** `<resource>.<quantity>`: `instance.time`, `volume.storage`. */
  meter: string;
  /** What the price depends on besides the meter: a flavor, a volume type. */
  dimension?: string;
  /** The new level, a decimal string: `1` for running, GiB for a size; `0` on stop. */
  quantity: string;
  action: UsageAction;
}

export const usageSchema = z.lazy(() =>
  z.array(
    z.object({
      meter: z.string().check(z.regex(/^[a-z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/)),
      dimension: z.optional(z.string()),
      quantity: z.string().check(z.regex(/^\d+(\.\d+)?$/), z.describe('The new level, a decimal string.')),
      action: z.enum(USAGE_ACTIONS),
    }),
  )
  .check(z.describe('Billed quantities this change starts, changes or stops (metering for billing).')));

/** A level meter turned on (`quantity` 1 unless given). */
export const usageStart = (meter: string, dimension?: string, quantity = '1'): UsageBlock => ({ meter, ...(dimension ? { dimension } : {}), quantity, action: 'start' });

/** A level meter turned off. */
export const usageStop = (meter: string, dimension?: string): UsageBlock => ({ meter, ...(dimension ? { dimension } : {}), quantity: '0', action: 'stop' });
