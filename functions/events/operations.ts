/** The tenant's own event history and audit trail, read-only. */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';

/** `<resource>.<event>`, as defineEvent requires of every detail-type. */
export const DETAIL_TYPE_PATTERN = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
const resourceId = z.lazy(() => z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9][A-Za-z0-9._:@#-]*$/)));

export const domainEventView = z.lazy(() => z
  .object({
    id: z.string().check(z.describe('The eventId: the same on every delivery of this event.')),
    source: z.string().check(z.describe('`platform.<domain>`')),
    type: z.string().check(z.describe('The detail-type: `<resource>.<event>`.')),
    resourceType: z.string(),
    resourceId: z.string(),
    occurredAt: z.string(),
    actor: z.string().check(z.describe('`user:<id>` for API callers, `system:<component>` for sagas and jobs.')),
    data: z.unknown(),
  })
  .check(z.meta({ id: 'DomainEvent' })));

export const auditEntryView = z.lazy(() => z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string().check(z.describe('`user:<id>` for API callers, `system:<component>` for sagas and jobs.')),
    action: z.string().check(z.describe('What happened: the detail-type of the change\'s event.')),
    resourceType: z.string(),
    resourceId: z.string(),
    requestId: z.string().check(z.describe('The request (or saga execution) that made the change.')),
    eventId: z.optional(z.string()).check(z.describe('The domain event of the change.')),
    changes: z.unknown(),
  })
  .check(z.meta({ id: 'AuditEntry' })));

export const listEvents = /* @__PURE__ */ defineOperation(() => ({
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
  query: z.extend(pageQuery(), {
    type: z
      .optional(z.string().check(z.maxLength(128), z.regex(DETAIL_TYPE_PATTERN, 'A detail-type: <resource>.<event>')))
      .check(z.describe('Only events of this detail-type.')),
    resourceId: z.optional(resourceId).check(z.describe('Only events of this resource.')),
  }),
  status: 200,
  response: pageOf(domainEventView).check(z.meta({ id: 'DomainEventList' })),
  needs: ['cursorSecret'],
}));

export const listAuditLog = /* @__PURE__ */ defineOperation(() => ({
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
  query: z.extend(pageQuery(), {
    resourceId: z.optional(resourceId).check(z.describe('Only changes of this resource.')),
    actor: z
      .optional(z.string().check(z.maxLength(256), z.regex(/^(user|system):\S+$/, 'An actor: user:<id> or system:<component>')))
      .check(z.describe('Only changes made by this actor.')),
  }),
  status: 200,
  response: pageOf(auditEntryView).check(z.meta({ id: 'AuditEntryList' })),
  needs: ['cursorSecret'],
}));

export const eventOperations = [listEvents, listAuditLog];
