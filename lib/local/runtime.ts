/**
 * The whole platform on one machine: DynamoDB Local, the tables, the local issuer and the local
 * gateway serving the manifest's handlers. `npm start` and the end-to-end tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { JWK } from 'jose';
import * as z from 'zod/mini';
import { ROLES, TENANT_ROLES, type Role } from '../../functions/kit/auth';
import { resetCursorSecret } from '../../functions/kit/cursor';
import { documentClient, resetDocumentClient } from '../../functions/kit/db';
import { ValidationFailed } from '../../functions/kit/errors';
import { fieldErrors } from '../../functions/kit/http';
import { newId } from '../../functions/kit/ids';
import type { AnyOperation } from '../../functions/kit/operation';
import { manifest } from '../../functions/manifest';
import { createRelayHandler } from '../../functions/events/relay';
import { tableName } from '../../functions/kit/tables';
import { seedCatalog } from '../../functions/compute/catalog-repository';
import { createLocalEventBus, type LocalEventBus } from './event-bus';
import { invokeLocally } from './invoke';
import { startStreamRelay, type StreamRelay } from './stream-relay';
import { startLocalScheduler, type LocalScheduler, type ScheduleRun } from './scheduler';
import { createLocalStepFunctions, withinLocalContext, type LocalStepFunctions } from './step-functions';
import { resumeInterruptedSagas } from './resume-sagas';
import { provisionDemoTenant } from './demo-tenant';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { ensureTables } from './create-tables';
import { startGateway, type Gateway, type GatewayOptions, type LocalRoute } from './gateway';
import { createLocalIssuer, type LocalIssuer } from './issuer';
import { enterConcurrentMode } from './lambda-environment';
import { seedDemoTenant } from './seed';
import { localJobRuns } from './job-runs';
import { JOBS_ENV, jobsEnvironmentValue, useJobInvoker } from '../../functions/kit/job';

export interface PlatformOptions {
  port?: number;
  host?: string;
  /** Keep nothing on disk. */
  memory?: boolean;
  /** Where DynamoDB Local's file and the local state live (default `.data`). */
  dataDir?: string;
  /** Use a DynamoDB Local that is already running (tests start one per run) instead of starting one. */
  dynamodbEndpoint?: string;
  tablePrefix?: string;
  region?: string;
  operations?: AnyOperation[];
  loadHandler?: GatewayOptions['loadHandler'];
  onRequest?: GatewayOptions['onRequest'];
  /** The outbox relay's poll interval (default 200 ms); `false` runs no relay (events stay in the outbox). */
  relay?: false | { pollMs?: number };
  /** The local scheduler of the manifest's jobs: `speed` runs them N times faster (default 1); `false` runs none. */
  scheduler?: false | { speed?: number; onRun?: (run: ScheduleRun) => void };
  /** The state machines' retry wait, instead of each Retry's own backoff (tests shorten it). */
  stepFunctions?: { retryDelayMs?: number };
  /**
   * How a missing demo tenant is made: `direct` writes it active (tests, the default), `saga`
   * provisions it through the TenantProvisioning saga and waits for it (npm start).
   */
  demoTenant?: 'direct' | 'saga';
  /** The local issuer's private key when none is saved (tests share one per process: making one costs ~0.3 s). */
  issuerKey?: JWK;
}

export interface Platform {
  url: string;
  gateway: Gateway;
  issuer: LocalIssuer;
  dynamodbEndpoint: string;
  demoTenantId: string;
  /** The local event bus: what the relay publishes, the manifest's event rules, `subscribe()` for tests. */
  bus: LocalEventBus;
  /** The outbox stream poller feeding the relay handler (absent with `relay: false`). */
  relay?: StreamRelay;
  /** The manifest's recurring jobs and the one-time schedules (absent with `scheduler: false`). */
  scheduler?: LocalScheduler;
  /** The local Step Functions: the manifest's state machines, started by the bus's rules. */
  stepFunctions: LocalStepFunctions;
  /**
   * Resolves once every event committed before the call is published and the rule deliveries it
   * started have returned (a state machine started by one runs on in the background).
   */
  eventsSettled(): Promise<void>;
  /** The emails the platform has sent, newest last (GET /local/mail). */
  mailbox: unknown[];
  token(request: { roles: Role[]; tenantId?: string; userId?: string; email?: string; expiresInSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

/** What must survive a restart for tokens, cursors and the demo tenant to stay valid. */
interface LocalState {
  demoTenantId: string;
  issuerKey?: JWK;
  cursorSecret: string;
}

function loadState(file: string | undefined): LocalState {
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  return { demoTenantId: newId('tnt'), cursorSecret: randomBytes(32).toString('base64url') };
}

const tokenRequest = z.strictObject({
  tenantId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  userId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  email: z.optional(z.email()),
  roles: z.array(z.enum(ROLES as [Role, ...Role[]])).check(z.minLength(1)),
  expiresIn: z.optional(z.int().check(z.gte(1), z.lte(86400))),
});

function localRoutes(issuer: LocalIssuer, state: LocalState, mailbox: unknown[]): Record<string, LocalRoute> {
  return {
    'POST /local/tokens': async ({ body }) => {
      const parsed = tokenRequest.safeParse(body);
      if (!parsed.success) throw new ValidationFailed(fieldErrors(parsed.error, 'body'));
      const { roles, expiresIn, tenantId, ...rest } = parsed.data;
      const wantsTenant = roles.some((role) => (TENANT_ROLES as readonly string[]).includes(role));
      const issued = await issuer.issue({
        ...rest,
        roles,
        ...(expiresIn ? { expiresInSeconds: expiresIn } : {}),
        ...(tenantId || wantsTenant ? { tenantId: tenantId ?? state.demoTenantId } : {}),
      });
      return { status: 201, body: issued };
    },
    'GET /.well-known/jwks.json': async () => ({ status: 200, body: issuer.jwks }),
    'GET /local/mail': async () => ({ status: 200, body: { items: mailbox } }),
  };
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const leaveConcurrentMode = enterConcurrentMode();
  const dataDir = resolve(options.dataDir ?? '.data');
  const persistent = !options.memory;
  if (persistent) mkdirSync(dataDir, { recursive: true });
  const stateFile = persistent ? join(dataDir, 'local-state.json') : undefined;
  const state = loadState(stateFile);

  let dynamodb: DynamoDbLocal | undefined;
  let relay: StreamRelay | undefined;
  let scheduler: LocalScheduler | undefined;
  let endpoint = options.dynamodbEndpoint;
  if (endpoint === undefined) {
    dynamodb = await startDynamoDbLocal(persistent ? { path: join(dataDir, 'dynamodb') } : {});
    endpoint = dynamodb.endpoint;
  }

  try {
    const tablePrefix = options.tablePrefix ?? 'ccp-local-';
    const region = options.region ?? process.env.PLATFORM_REGION ?? 'us-east-1';
    Object.assign(process.env, {
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_PREFIX: tablePrefix,
      CURSOR_SECRET: state.cursorSecret,
      PLATFORM_REGION: region,
      AWS_REGION: region,
      STAGE: 'local',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      // What the stack hands the jobs operations: the manifest's jobs.
      [JOBS_ENV]: jobsEnvironmentValue(manifest.jobs),
    });
    resetDocumentClient();
    resetCursorSecret();
    await ensureTables(endpoint, tablePrefix);
    // A fresh platform ships its catalog; entries an operator changed are kept.
    await seedCatalog();

    // Events: the outbox stream → the relay handler (the cloud's own) → the local bus → rule targets.
    const bus = createLocalEventBus({ region });
    // What eventsSettled compares the outbox table with.
    const publishedEventIds = new Set<string>();
    bus.subscribe((event) => publishedEventIds.add(event.detail.eventId));
    // Sagas: the rules' state-machine targets run the same ASL files with the same handlers.
    const stepFunctions = createLocalStepFunctions({ region, ...(options.stepFunctions ?? {}) });
    bus.setTargets({ startStateMachine: (name, input) => stepFunctions.start(name, input) });
    if (options.relay !== false) {
      const relayHandler = createRelayHandler({ bus: () => bus, baseDelayMs: 50 });
      relay = await startStreamRelay({
        endpoint,
        region,
        tableName: tableName('outbox'),
        checkpointTable: tableName('resources'),
        handler: (event) => invokeLocally('local-event-relay', relayHandler, event),
        ...(options.relay?.pollMs ? { pollMs: options.relay.pollMs } : {}),
      });
    }
    // Sagas a killed process left half-way (Step Functions would have kept them) start again.
    if (persistent) await withinLocalContext('local-resume-sagas', () => resumeInterruptedSagas(bus));
    if (options.demoTenant === 'saga') {
      await provisionDemoTenant({ id: state.demoTenantId, stepFunctions, relayRunning: relay !== undefined, region });
    } else {
      await seedDemoTenant(state.demoTenantId);
    }

    const issuer = await createLocalIssuer(state.issuerKey ?? options.issuerKey);
    if (stateFile) writeFileSync(stateFile, JSON.stringify({ ...state, issuerKey: issuer.privateJwk }), { mode: 0o600 });

    const jobRuns = localJobRuns(manifest.jobs);
    useJobInvoker(jobRuns.invoker);
    const mailbox: unknown[] = [];
    if (options.scheduler !== false) {
      scheduler = startLocalScheduler({
        jobs: manifest.jobs,
        ...(options.scheduler?.speed ? { speed: options.scheduler.speed } : {}),
        ...(options.scheduler?.onRun ? { onRun: options.scheduler.onRun } : {}),
      });
    }
    const gateway = await startGateway({
      operations: options.operations ?? manifest.operations,
      issuer,
      localRoutes: localRoutes(issuer, state, mailbox),
      ...(options.loadHandler ? { loadHandler: options.loadHandler } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host ? { host: options.host } : {}),
    });

    return {
      url: gateway.url,
      gateway,
      issuer,
      dynamodbEndpoint: endpoint,
      demoTenantId: state.demoTenantId,
      bus,
      stepFunctions,
      ...(relay ? { relay } : {}),
      ...(scheduler ? { scheduler } : {}),
      async eventsSettled() {
        // Idle passes of the relay show only that the stream held nothing new: DynamoDB Local appends a
        // write's stream record behind the write, and on a starved machine that lag outlasts them.
        // Settled is what the outbox table says: every event in it has been published.
        while (relay && !relay.stopped) {
          await relay.idle();
          if ((await unpublishedOutboxEvents(publishedEventIds)) === 0) break;
        }
        await bus.drain();
      },
      mailbox,
      token: async ({ expiresInSeconds, ...request }) =>
        (await issuer.issue({ ...request, ...(expiresInSeconds ? { expiresInSeconds } : {}) })).token,
      async stop() {
        await gateway.close();
        await scheduler?.stop();
        await jobRuns.idle();
        useJobInvoker(undefined);
        await relay?.stop();
        await bus.drain(5000);
        await stepFunctions.idle(5000);
        await stepFunctions.stop();
        resetDocumentClient();
        await dynamodb?.stop();
        leaveConcurrentMode();
      },
    };
  } catch (error) {
    await scheduler?.stop();
    await relay?.stop();
    await dynamodb?.stop();
    leaveConcurrentMode();
    throw error;
  }
}

/** How many events of the outbox table (items the relay publishes: source, detail type and eventId) the bus has not published. */
async function unpublishedOutboxEvents(published: ReadonlySet<string>): Promise<number> {
  let unpublished = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName('outbox'),
        ProjectionExpression: '#source, #detailType, #detail.#eventId',
        ExpressionAttributeNames: { '#source': 'source', '#detailType': 'detailType', '#detail': 'detail', '#eventId': 'eventId' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const eventId = (item.detail as { eventId?: unknown } | undefined)?.eventId;
      if (typeof item.source === 'string' && typeof item.detailType === 'string' && typeof eventId === 'string' && !published.has(eventId)) unpublished += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return unpublished;
}
