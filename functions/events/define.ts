/**
 * Domain events: every detail-type is declared once with the zod schema of its `data`. The event
 * catalog (docs/events.md, JSON Schemas, the EventBridge schema registry) is generated from these.
 */
import * as z from 'zod/mini';

export interface EventSpec<Data extends z.core.$ZodType = z.core.$ZodType> {
  /** `platform.<domain>`, EventBridge's `source`. */
  source: `platform.${string}`;
  /** `<resource>.<event>`, EventBridge's `detail-type`. */
  detailType: string;
  resourceType: string;
  description: string;
  data: Data;
}

export type AnyEventSpec = EventSpec<z.core.$ZodType>;

export function defineEvent<Data extends z.core.$ZodType>(spec: EventSpec<Data>): EventSpec<Data> {
  if (!/^platform\.[a-z][a-z-]*$/.test(spec.source)) throw new Error(`${spec.detailType}: source ${spec.source} is not platform.<domain>`);
  if (!/^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/.test(spec.detailType)) throw new Error(`${spec.detailType} is not <resource>.<event>`);
  return spec;
}

/** Who did it: `user:<sub>` for API callers, `system:<component>` for sagas and jobs. */
export type Actor = `user:${string}` | `system:${string}`;

/** The `detail` of every event, as DESIGN.md fixes it. */
export const eventDetail = <Data extends z.core.$ZodType>(data: Data) =>
  z.object({
    eventId: z.string(),
    tenantId: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    occurredAt: z.string(),
    actor: z.string(),
    data,
  });

export interface EventDetail<Data = unknown> {
  eventId: string;
  tenantId: string;
  resourceType: string;
  resourceId: string;
  occurredAt: string;
  actor: Actor;
  data: Data;
}

/** An event as EventBridge carries it (PutEvents entry shape, parsed). */
export interface DomainEvent<Data = unknown> {
  source: string;
  detailType: string;
  detail: EventDetail<Data>;
}
