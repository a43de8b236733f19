/**
 * The HTTP handler every operation module uses: the kit's handler (functions/kit/http.ts), given
 * what the domains add to every mutating request's transaction. The kit imports no domain, so it
 * is composed here: the outbox and audit writes of the change's events (events domain) and the
 * active-tenant guard (tenancy domain). Handlers import `httpHandler` from this module, so each
 * separately bundled Lambda reaches both through its own import graph (and nothing more: the two
 * modules are small and carry no schemas).
 */
import { changesWrites, type ChangeDraft } from '../events/outbox';
import { httpHandlerWith, type Outcome as KitOutcome } from '../kit/http';
import { activeTenantGuard } from '../tenancy/repository';

export const httpHandler = httpHandlerWith<ChangeDraft>({ eventWrites: changesWrites, tenantGuard: activeTenantGuard });

/** What a handler's `run` answers: its body, writes, and the events of the change. */
export type Outcome<Body> = KitOutcome<Body, ChangeDraft>;
