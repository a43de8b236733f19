/**
 * The local stand-in for EventBridge Scheduler. Recurring jobs from the manifest run on their AWS
 * `rate()`/`cron()` expressions (parsed by functions/kit/schedule-expression.ts, instants computed
 * by croner) and invoke the job's handler module in-process with the event the stack's schedules
 * send (`ScheduledJobEvent`). One-time schedules (`scheduleOnce`) are croner one-shots.
 *
 * `speed` runs the recurring jobs on a clock N times faster than the wall clock, started at the
 * wall clock: with speed 60 a `rate(5 minutes)` job runs every 5 s, a `cron(0 * * * ? *)` job at
 * every "hour" of the fast clock, and `scheduledTime` is read on that clock. One-time schedules
 * keep wall-clock time whatever the speed: `at()` names an instant that other things (bookings)
 * are also measured against.
 *
 * Like Scheduler, a run that fails is logged and the schedule goes on. Unlike it, a run that is
 * still busy when the next one is due makes that one skip (a laptop does not need two cleanups
 * at once); nothing catches up on missed runs either.
 */
import { randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import { Cron } from 'croner';
import { logger } from '../../functions/kit/logger';
import { nextRun, parseScheduleExpression, type ScheduleExpression } from '../../functions/kit/schedule-expression';
import {
  assertScheduleName,
  ScheduleAlreadyExists,
  useScheduler,
  type ScheduledJobEvent,
  type SchedulerPort,
  type ScheduleTarget,
} from '../../functions/kit/scheduler';
import type { JobSpec } from '../../functions/manifest';
import { invokeLocally, requireModuleHandler } from './invoke';

/** Timers are re-armed at least this often, so a long wait never overflows setTimeout. */
const MAX_TIMER_MS = 60_000;
/** What a scheduled Lambda may run for locally before its context says time is up. */
const JOB_TIMEOUT_MS = 15 * 60_000;

export type Invoke = (handler: string, event: unknown) => Promise<unknown>;

export interface ScheduleRun {
  kind: 'job' | 'once';
  /** The job's or the one-time schedule's name. */
  name: string;
  handler: string;
  /** When it was due: on the fast clock for jobs, the wall clock for one-time schedules. */
  scheduledTime: string;
  ms: number;
  error?: string;
}

export interface LocalSchedulerOptions {
  jobs: readonly JobSpec[];
  /** How much faster than the wall clock recurring jobs run (default 1). */
  speed?: number;
  /** Default: `functions/<handler>`'s `handler(event, context)`, in-process (moduleInvoke). */
  invoke?: Invoke;
  /** Called after every run, failed or not. */
  onRun?: (run: ScheduleRun) => void;
  /** Register as the process's scheduler for `scheduleOnce`/`cancelSchedule` (default true). */
  register?: boolean;
}

export interface LocalScheduler extends SchedulerPort {
  readonly speed: number;
  /** Now on the jobs' clock. */
  now(): Date;
  /** When a job runs next, on the jobs' clock. */
  nextRunOf(job: string): Date | undefined;
  /** Runs a job at once (the next scheduled run stays as it was). */
  runJob(job: string): Promise<ScheduleRun>;
  /** Names of one-time schedules still pending. */
  pending(): string[];
  /** Stops every timer and waits for runs in progress. */
  stop(): Promise<void>;
}

/** Invokes `functions/<handler>` as one Lambda invocation, the way Scheduler's target would. */
export function moduleInvoke(name: string): Invoke {
  return (handler, event) => invokeLocally(`local-schedule-${name}`, requireModuleHandler(handler), event, JOB_TIMEOUT_MS);
}

/**
 * Runs `fn` in an invocation context of its own: in the local runtime's concurrent mode Powertools
 * drops log lines written outside one, and the scheduler's own lines must not be lost.
 */
async function inOwnContext<T>(fn: () => Promise<T>): Promise<T> {
  const store = await InvokeStore.getInstanceAsync(Boolean(process.env.AWS_LAMBDA_MAX_CONCURRENCY));
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: `scheduler-${randomUUID()}` }, fn);
}

interface JobState {
  spec: JobSpec;
  schedule: ScheduleExpression;
  next: Date | undefined;
  timer?: NodeJS.Timeout;
  busy: boolean;
}

export function startLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const speed = options.speed ?? 1;
  if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`speed must be a positive number, not ${speed}`);
  const startedReal = Date.now();
  // The jobs' clock: equal to the wall clock at start, then `speed` times as fast.
  const fastNow = () => startedReal + (Date.now() - startedReal) * speed;
  const realAt = (fast: number) => startedReal + (fast - startedReal) / speed;
  const anchor = new Date(startedReal);
  const inFlight = new Set<Promise<unknown>>();
  const onceJobs = new Map<string, Cron>();
  let stopped = false;
  function execute(kind: ScheduleRun['kind'], name: string, handler: string, scheduledTime: string, event: unknown): Promise<ScheduleRun> {
    return inOwnContext(() => executeInContext(kind, name, handler, scheduledTime, event));
  }

  async function executeInContext(kind: ScheduleRun['kind'], name: string, handler: string, scheduledTime: string, event: unknown): Promise<ScheduleRun> {
    const started = Date.now();
    let error: string | undefined;
    try {
      await (options.invoke ?? moduleInvoke(name))(handler, event);
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      logger.error('scheduled run failed', { schedule: name, handler, scheduledTime, error: failure as Error });
    }
    const run: ScheduleRun = { kind, name, handler, scheduledTime, ms: Date.now() - started, ...(error ? { error } : {}) };
    if (!error) logger.info('scheduled run finished', { schedule: name, handler, scheduledTime, ms: run.ms });
    options.onRun?.(run);
    return run;
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  function jobEvent(spec: JobSpec, scheduledTime: Date): ScheduledJobEvent {
    return { source: 'platform.scheduler', job: spec.name, scheduledTime: scheduledTime.toISOString(), executionId: randomUUID(), attemptNumber: '1' };
  }

  async function runJobNow(state: JobState, due: Date): Promise<ScheduleRun> {
    state.busy = true;
    try {
      return await execute('job', state.spec.name, state.spec.handler, due.toISOString(), jobEvent(state.spec, due));
    } finally {
      state.busy = false;
    }
  }

  function arm(state: JobState): void {
    if (stopped || !state.next) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, realAt(state.next.getTime()) - Date.now()));
    state.timer = setTimeout(() => fire(state), wait);
    state.timer.unref();
  }

  function fire(state: JobState): void {
    if (stopped || !state.next) return;
    const due = state.next;
    if (fastNow() < due.getTime()) {
      arm(state);
      return;
    }
    // The next run counts from this one, or from now if the process slept past several.
    state.next = nextRun(state.schedule, new Date(Math.max(due.getTime(), fastNow())), anchor) ?? undefined;
    arm(state);
    if (state.busy) {
      void inOwnContext(async () =>
        logger.warn('scheduled run skipped: the previous one is still running', { schedule: state.spec.name, scheduledTime: due.toISOString() }),
      );
      return;
    }
    void track(runJobNow(state, due));
  }

  const jobs = new Map<string, JobState>();
  for (const spec of options.jobs) {
    const schedule = parseScheduleExpression(spec.schedule);
    if (schedule.kind === 'at') throw new Error(`Job ${spec.name}: a recurring job needs rate() or cron(), not at()`);
    if (jobs.has(spec.name)) throw new Error(`Job ${spec.name} is declared twice`);
    const state: JobState = { spec, schedule, next: nextRun(schedule, anchor, anchor) ?? undefined, busy: false };
    jobs.set(spec.name, state);
    arm(state);
  }

  const scheduler: LocalScheduler = {
    speed,
    now: () => new Date(fastNow()),
    nextRunOf: (job) => jobs.get(job)?.next,
    pending: () => [...onceJobs.keys()],

    async runJob(job) {
      const state = jobs.get(job);
      if (!state) throw new Error(`No job ${job}`);
      return track(runJobNow(state, new Date(fastNow())));
    },

    async scheduleOnce(name: string, at: Date, target: ScheduleTarget) {
      assertScheduleName(name);
      if (stopped) throw new Error('The scheduler is stopped');
      if (onceJobs.has(name)) throw new ScheduleAlreadyExists(name);
      const run = () => {
        onceJobs.get(name)?.stop();
        onceJobs.delete(name);
        if (stopped) return;
        void track(execute('once', name, target.handler, at.toISOString(), target.input));
      };
      // An instant already past fires at once (croner would never fire it).
      const due = at.getTime() <= Date.now() ? new Date(Date.now() + 1) : at;
      const job = new Cron(due, { maxRuns: 1, unref: true }, run);
      onceJobs.set(name, job);
    },

    async cancelSchedule(name: string) {
      assertScheduleName(name);
      const job = onceJobs.get(name);
      if (!job) return false;
      job.stop();
      onceJobs.delete(name);
      return true;
    },

    async stop() {
      stopped = true;
      for (const state of jobs.values()) clearTimeout(state.timer);
      for (const job of onceJobs.values()) job.stop();
      onceJobs.clear();
      await Promise.allSettled([...inFlight]);
      if (options.register !== false) useScheduler(undefined);
    },
  };
  if (options.register !== false) useScheduler(scheduler);
  return scheduler;
}
