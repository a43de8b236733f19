/**
 * A change, recorded: its domain event in the outbox and its audit entry, as writes that join the
 * transaction of the change itself. Nothing uncommitted is ever published (the relay reads only
 * committed outbox items), and nothing committed is lost.
 */
import type * as z from 'zod/mini';
import { newId } from '../kit/ids';
import { expiryAttributes, tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';
import type { Actor, DomainEvent, EventSpec } from './define';

export const EVENT_RETENTION_DAYS = 90;

export interface ChangeDraft<Data extends z.core.$ZodType = z.core.$ZodType> {
  event: EventSpec<Data>;
  tenantId: string;
  resourceId: string;
  data: z.input<Data>;
  /** What changed, for the audit trail; defaults to the event's data. */
  changes?: unknown;
}

export interface ChangeContext {
  actor: Actor;
  requestId: string;
  now: Date;
}

/** Typed construction of a draft: `change(tenantActivated, { tenantId, resourceId, data })`. */
export function change<Data extends z.core.$ZodType>(event: EventSpec<Data>, draft: Omit<ChangeDraft<Data>, 'event'>): ChangeDraft {
  return { event, ...draft } as ChangeDraft;
}

export function domainEvent(draft: ChangeDraft, context: ChangeContext, eventId = newId('evt')): DomainEvent {
  return {
    source: draft.event.source,
    detailType: draft.event.detailType,
    detail: {
      eventId,
      tenantId: draft.tenantId,
      resourceType: draft.event.resourceType,
      resourceId: draft.resourceId,
      occurredAt: context.now.toISOString(),
      actor: context.actor,
      data: draft.data,
    },
  };
}

const tenantKey = (tenantId: string) => `T#${tenantId}`;

/** The outbox item and the audit item of one change. */
export function changeWrites(draft: ChangeDraft, context: ChangeContext): Write[] {
  const event = domainEvent(draft, context);
  const { eventId, tenantId, resourceId, resourceType } = event.detail;
  const expiresAt = Math.floor(context.now.getTime() / 1000) + EVENT_RETENTION_DAYS * 86400;
  const outboxItem = {
    pk: tenantKey(tenantId),
    sk: `EVT#${eventId}`,
    typeKey: `${tenantKey(tenantId)}#TYPE#${event.detailType}`,
    resourceKey: `${tenantKey(tenantId)}#RES#${resourceId}`,
    eventId,
    source: event.source,
    detailType: event.detailType,
    detail: event.detail,
    ...expiryAttributes('expiresAt', expiresAt),
  };
  const auditId = newId('aud');
  const auditItem = {
    pk: tenantKey(tenantId),
    sk: `AUD#${auditId}`,
    resourceKey: `${tenantKey(tenantId)}#RES#${resourceId}`,
    actorKey: `${tenantKey(tenantId)}#ACT#${context.actor}`,
    id: auditId,
    at: event.detail.occurredAt,
    actor: context.actor,
    action: event.detailType,
    resourceType,
    resourceId,
    requestId: context.requestId,
    eventId,
    changes: draft.changes ?? draft.data,
  };
  return [
    { item: { Put: { TableName: tableName('outbox'), Item: outboxItem, ConditionExpression: 'attribute_not_exists(pk)' } } },
    { item: { Put: { TableName: tableName('audit'), Item: auditItem, ConditionExpression: 'attribute_not_exists(pk)' } } },
  ];
}

export function changesWrites(drafts: ChangeDraft[] | undefined, context: ChangeContext): Write[] {
  return (drafts ?? []).flatMap((draft) => changeWrites(draft, context));
}
