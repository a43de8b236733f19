/**
 * The local event bus: what the platform's EventBridge custom bus does, in-process.
 *
 * - `putEvents(entries)` answers like EventBridge's PutEvents (one result per entry, `EventId` or
 *   `ErrorCode`), so the relay handler publishes to it exactly as it publishes in the cloud.
 * - Each accepted entry becomes an EventBridge event with the same envelope (version, id,
 *   detail-type, source, account, time, region, resources, detail). Like EventBridge, the bus gives
 *   every publication a new envelope `id`; a redelivered domain event keeps its `detail.eventId`.
 * - The manifest's event rules are matched with EventBridge pattern semantics (event-pattern.ts)
 *   and their targets called after putEvents has answered, as EventBridge delivers asynchronously:
 *   `{ stateMachine }` → `targets.startStateMachine(name, event)`, `{ handler }` →
 *   `targets.invokeHandler(module, event)`. A failed delivery is retried (EventBridge retries
 *   with backoff); after the last attempt it is logged and kept in `deadLetters`.
 * - `subscribe(fn)` sees every event (for tests and the local log).
 */
import { randomUUID } from 'node:crypto';
import type { BusEntry, EventBusClient, PutEventsOutcome } from '../../functions/events/bus';
import { MAX_PUT_BYTES, MAX_ENTRIES_PER_PUT, entrySize } from '../../functions/events/bus';
import type { EventDetail } from '../../functions/events/define';
import { logger } from '../../functions/kit/logger';
import { manifest, type EventRuleSpec } from '../../functions/manifest';
import { compilePattern, type CompiledPattern } from './event-pattern';
import { invokeLocally, requireModuleHandler } from './invoke';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent<Detail = EventDetail> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

/** Where rule targets go. The runtime provides them (the step-functions runner for state machines). */
export interface BusTargets {
  startStateMachine(name: string, input: BusEvent): Promise<unknown>;
  invokeHandler(module: string, event: BusEvent): Promise<unknown>;
}

export interface DeadLetter {
  rule: string;
  event: BusEvent;
  error: string;
}

export interface LocalEventBusOptions {
  rules?: EventRuleSpec[];
  targets?: Partial<BusTargets>;
  region?: string;
  account?: string;
  /** Attempts per target delivery (EventBridge retries for up to 24 hours). Default 3. */
  deliveryAttempts?: number;
  /** First retry delay of a delivery, doubled per attempt. Default 100 ms. */
  retryDelayMs?: number;
}

export type Subscriber = (event: BusEvent) => void;

export interface LocalEventBus extends EventBusClient {
  subscribe(subscriber: Subscriber): () => void;
  /** Replaces some targets (the runtime wires the state-machine runner once it exists). */
  setTargets(targets: Partial<BusTargets>): void;
  /** Resolves once every delivery started so far (and any it caused) has finished, or after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
  readonly deadLetters: DeadLetter[];
  readonly rules: readonly EventRuleSpec[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls the handler module as Lambda's asynchronous invocation would. */
export const invokeHandlerModule: BusTargets['invokeHandler'] = async (module, event) =>
  invokeLocally(`local-${module.replace(/\//g, '-')}`, requireModuleHandler(module), event);

function refuse(code: string, message: string) {
  return { ErrorCode: code, ErrorMessage: message };
}

export function createLocalEventBus(options: LocalEventBusOptions = {}): LocalEventBus {
  const rules = options.rules ?? manifest.eventRules;
  const compiled: { rule: EventRuleSpec; matches: CompiledPattern }[] = rules.map((rule) => ({
    rule,
    matches: compilePattern(rule.pattern),
  }));
  const targets: Partial<BusTargets> = { invokeHandler: invokeHandlerModule, ...options.targets };
  const subscribers = new Set<Subscriber>();
  const inFlight = new Set<Promise<void>>();
  const deadLetters: DeadLetter[] = [];
  const attempts = options.deliveryAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const region = options.region ?? process.env.PLATFORM_REGION ?? 'us-east-1';
  const account = options.account ?? '000000000000';

  function deliverOnce(rule: EventRuleSpec, event: BusEvent): Promise<unknown> {
    if ('stateMachine' in rule.target) {
      const start = targets.startStateMachine;
      if (!start) throw new Error(`no state-machine runner: rule ${rule.name} cannot start ${rule.target.stateMachine}`);
      return start(rule.target.stateMachine, event);
    }
    const invoke = targets.invokeHandler;
    if (!invoke) throw new Error(`no handler invoker: rule ${rule.name} cannot call ${rule.target.handler}`);
    return invoke(rule.target.handler, event);
  }

  async function deliver(rule: EventRuleSpec, event: BusEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await deliverOnce(rule, event);
        return;
      } catch (error) {
        if (attempt >= attempts) {
          logger.error('event delivery failed', { rule: rule.name, detailType: event['detail-type'], eventId: event.detail.eventId, error: error as Error });
          deadLetters.push({ rule: rule.name, event, error: error instanceof Error ? error.message : String(error) });
          return;
        }
        await pause(retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  function dispatch(event: BusEvent): void {
    for (const subscriber of subscribers) {
      try {
        subscriber(event);
      } catch (error) {
        logger.error('event subscriber threw', { error: error as Error });
      }
    }
    for (const { rule, matches } of compiled) {
      // After the publisher has its answer, as EventBridge delivers asynchronously.
      if (matches(event)) track(pause(0).then(() => deliver(rule, event)));
    }
  }

  function toEvent(entry: BusEntry): BusEvent | { ErrorCode: string; ErrorMessage: string } {
    if (!entry.Source || !entry.DetailType || !entry.Detail) return refuse('InvalidArgument', 'Source, DetailType and Detail are required.');
    if (entrySize(entry) > MAX_PUT_BYTES) return refuse('InvalidArgument', 'The entry is larger than 256 KB.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return refuse('MalformedDetail', 'Detail is not valid JSON.');
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return refuse('MalformedDetail', 'Detail is not a JSON object.');
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account,
      // EventBridge's time has whole seconds.
      time: `${(entry.Time ?? new Date()).toISOString().slice(0, 19)}Z`,
      region,
      resources: entry.Resources ?? [],
      detail: detail as EventDetail,
    };
  }

  return {
    rules,
    deadLetters,
    async putEvents(entries: BusEntry[]): Promise<PutEventsOutcome> {
      if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_PUT) {
        throw new Error(`PutEvents takes 1 to ${MAX_ENTRIES_PER_PUT} entries, not ${entries.length}`);
      }
      const total = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
      if (total > MAX_PUT_BYTES) throw new Error(`PutEvents takes at most 256 KB per call, not ${total} bytes`);
      const results = entries.map(toEvent);
      for (const result of results) {
        if ('id' in result) {
          logger.info('event published', { detailType: result['detail-type'], eventId: result.detail.eventId, resourceId: result.detail.resourceId });
          dispatch(result);
        }
      }
      return {
        FailedEntryCount: results.filter((r) => !('id' in r)).length,
        Entries: results.map((r) => ('id' in r ? { EventId: r.id } : r)),
      };
    },
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    setTargets(next) {
      Object.assign(targets, next);
    },
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...inFlight]),
          new Promise((resolve) => {
            timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          }),
        ]);
        clearTimeout(timer);
      }
    },
  };
}
