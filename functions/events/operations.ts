/** The tenant's own event history and audit trail, read-only. */
import * as z from 'zod';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';

/** `<resource>.<event>`, as defineEvent requires of every detail-type. */
export const DETAIL_TYPE_PATTERN = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
const resourceId = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:@#-]*$/);

export const domainEventView = z
  .object({
    id: z.string().describe('The eventId: the same on every delivery of this event.'),
    source: z.string().describe('`platform.<domain>`'),
    type: z.string().describe('The detail-type: `<resource>.<event>`.'),
    resourceType: z.string(),
    resourceId: z.string(),
    occurredAt: z.string(),
    actor: z.string().describe('`user:<id>` for API callers, `system:<component>` for sagas and jobs.'),
    data: z.unknown(),
  })
  .meta({ id: 'DomainEvent' });

export const auditEntryView = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string().describe('`user:<id>` for API callers, `system:<component>` for sagas and jobs.'),
    action: z.string().describe('What happened: the detail-type of the change\'s event.'),
    resourceType: z.string(),
    resourceId: z.string(),
    requestId: z.string().describe('The request (or saga execution) that made the change.'),
    eventId: z.string().optional().describe('The domain event of the change.'),
    changes: z.unknown(),
  })
  .meta({ id: 'AuditEntry' });

export const listEvents = defineOperation(() => ({
  operationId: 'listEvents',
  method: 'GET',
  path: '/v1/events',
  handler: 'events/list-events',
  domain: 'events',
  summary: "The tenant's domain events, newest first",
  description:
    'Events are kept 90 days. Filter by `type` (a detail-type such as `tenant.activated`), by `resourceId`, or both. ' +
    'The same events are published to the event bus; see the event catalog in docs/events.md.',
  access: 'viewer',
  query: pageQuery.extend({
    type: z.string().max(128).regex(DETAIL_TYPE_PATTERN, 'A detail-type: <resource>.<event>').optional().describe('Only events of this detail-type.'),
    resourceId: resourceId.optional().describe('Only events of this resource.'),
  }),
  status: 200,
  response: pageOf(domainEventView).meta({ id: 'DomainEventList' }),
  needs: ['cursorSecret'],
}));

export const listAuditLog = defineOperation(() => ({
  operationId: 'listAuditLog',
  method: 'GET',
  path: '/v1/audit-log',
  handler: 'events/list-audit-log',
  domain: 'events',
  summary: "The tenant's audit trail, newest first",
  description:
    'One immutable entry per change, written in the transaction of the change. Filter by `resourceId`, by `actor` ' +
    '(exactly as entries show it: `user:<id>` or `system:<component>`), or both.',
  access: 'viewer',
  query: pageQuery.extend({
    resourceId: resourceId.optional().describe('Only changes of this resource.'),
    actor: z
      .string()
      .max(256)
      .regex(/^(user|system):\S+$/, 'An actor: user:<id> or system:<component>')
      .optional()
      .describe('Only changes made by this actor.'),
  }),
  status: 200,
  response: pageOf(auditEntryView).meta({ id: 'AuditEntryList' }),
  needs: ['cursorSecret'],
}));

export const eventOperations = [listEvents, listAuditLog];
