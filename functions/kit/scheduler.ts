/**
 * Schedules, as functions see them: the event a recurring job receives, and the port for one-time
 * `at()` schedules (bookings start and end on time through it).
 *
 *   cloud  EventBridge Scheduler: CreateSchedule in the platform's schedule group, at(...) in UTC,
 *          ActionAfterCompletion DELETE, target = the Lambda of the target handler
 *   local  the running local scheduler (lib/local/scheduler.ts) registers itself with
 *          `useScheduler`; it fires a croner one-shot that invokes the same handler module
 *
 * A target is a handler module under functions/ and the input it is invoked with, verbatim, as
 * EventBridge Scheduler passes a target's Input.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { atExpression } from './schedule-expression';
import { settings } from './config';

/** What a recurring job's handler is invoked with (the stack writes it as the schedule's Input). */
export interface ScheduledJobEvent {
  source: 'platform.scheduler';
  /** The job's name in the manifest. */
  job: string;
  /** When the run was due (`<aws.scheduler.scheduled-time>`), ISO 8601 UTC. */
  scheduledTime: string;
  /** Unique per run (`<aws.scheduler.execution-id>`): a job may key its idempotency on it. */
  executionId: string;
  /** `"1"` on the first delivery, more on Scheduler's retries (`<aws.scheduler.attempt-number>`, a string). */
  attemptNumber: string;
}

export interface ScheduleTarget {
  /** Handler module under functions/, `<domain>/<module>`, exporting `handler`. */
  handler: string;
  input: Record<string, unknown>;
}

export interface SchedulerPort {
  /** Creates a one-time schedule; a name in use is an error (ScheduleAlreadyExists). */
  scheduleOnce(name: string, at: Date, target: ScheduleTarget): Promise<void>;
  /** Deletes a pending schedule; false when there is none of that name (already fired or never made). */
  cancelSchedule(name: string): Promise<boolean>;
}

export class ScheduleAlreadyExists extends Error {
  constructor(name: string) {
    super(`A schedule named ${name} already exists`);
    this.name = 'ScheduleAlreadyExists';
  }
}

/** EventBridge Scheduler's rule for names: 1-64 of letters, digits, `-`, `_` and `.`. */
export function assertScheduleName(name: string): void {
  if (!/^[0-9A-Za-z_.-]{1,64}$/.test(name)) throw new Error(`Schedule name ${JSON.stringify(name)} must be 1-64 of [0-9A-Za-z_.-]`);
}

/** Where the cloud implementation finds its group, role and target functions (set by lib/schedules.ts). */
export const SCHEDULER_ENV = {
  group: 'SCHEDULE_GROUP_NAME',
  role: 'SCHEDULER_ROLE_ARN',
  /** JSON: handler module → function ARN, for every handler a one-time schedule may target. */
  targets: 'SCHEDULE_TARGET_ARNS',
} as const;

type Send = Pick<SchedulerClient, 'send'>;

export function cloudScheduler(client: Send, env: NodeJS.ProcessEnv = process.env): SchedulerPort {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: this function may not create schedules`);
    return value;
  };
  return {
    async scheduleOnce(name, at, target) {
      assertScheduleName(name);
      const arns = JSON.parse(required(SCHEDULER_ENV.targets)) as Record<string, string>;
      const arn = arns[target.handler];
      if (!arn) throw new Error(`${target.handler} is not a schedule target of this stack`);
      try {
        await client.send(
          new CreateScheduleCommand({
            Name: name,
            GroupName: required(SCHEDULER_ENV.group),
            ScheduleExpression: atExpression(at),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: arn,
              RoleArn: required(SCHEDULER_ENV.role),
              Input: JSON.stringify(target.input),
              RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConflictException) throw new ScheduleAlreadyExists(name);
        throw error;
      }
    },
    async cancelSchedule(name) {
      assertScheduleName(name);
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: required(SCHEDULER_ENV.group) }));
        return true;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return false;
        throw error;
      }
    },
  };
}

let active: SchedulerPort | undefined;

/** The local runtime plugs its scheduler in here (and takes it out on stop with `undefined`). */
export function useScheduler(port: SchedulerPort | undefined): void {
  active = port;
}

function currentScheduler(): SchedulerPort {
  if (active) return active;
  if (process.env[SCHEDULER_ENV.group]) {
    active = cloudScheduler(new SchedulerClient({ region: settings.region() }));
    return active;
  }
  throw new Error('No scheduler: start the local scheduler, or deploy with lib/schedules.ts granting this function scheduling');
}

export async function scheduleOnce(name: string, at: Date, target: ScheduleTarget): Promise<void> {
  return currentScheduler().scheduleOnce(name, at, target);
}

export async function cancelSchedule(name: string): Promise<boolean> {
  return currentScheduler().cancelSchedule(name);
}
