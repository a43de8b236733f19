/**
 * Schedules in the cloud, in a nested stack of their own: EventBridge Scheduler runs every
 * manifest job on its `rate()`/`cron()` expression (UTC) in the platform's schedule group, and
 * invokes the job's Lambda with the same event the local scheduler sends (`ScheduledJobEvent`,
 * filled from Scheduler's context attributes). A run that fails is retried by Scheduler, then goes
 * to an encrypted dead-letter queue, which alarms.
 *
 * One-time `at()` schedules (bookings) are created at run time through functions/kit/scheduler.ts:
 * `grantScheduling(fn)` lets a function create and delete schedules in the group, pass the
 * scheduler's role, and tells it which handler is which function (`SCHEDULE_TARGET_ARNS`); the
 * handlers one-time schedules may target get their function here too.
 */
import { Duration, NestedStack, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { parseScheduleExpression } from '../functions/kit/schedule-expression';
import { JOB_FUNCTIONS_ENV } from '../functions/kit/job';
import { SCHEDULER_ENV } from '../functions/kit/scheduler';
import type { JobSpec } from '../functions/manifest';
import { LATEST_RUNTIME_ACK } from './function-defaults';
import { pascal } from './function-roles';
import { iam5ResourceFinding } from './nag';
import { alarm, deadLetterAlarm, deadLetterQueue, functionLogGroup, handlerFunction, notifyTopic, tableFunctionRole, type FunctionStackProps, type TableFunctionRoleProps } from './shared-constructs';

/** How Scheduler delivers a run: retries within an hour, then the dead-letter queue. */
export const SCHEDULE_DELIVERY = { retryAttempts: 5, maxEventAge: Duration.hours(1) } as const;
/** A job may run this long (the cleanup of a platform stopped for weeks walks many hours). */
export const JOB_TIMEOUT = Duration.minutes(5);

export interface SchedulesStackProps extends FunctionStackProps {
  stage: string;
  jobs: readonly JobSpec[];
  /** Handler modules one-time schedules may target (each gets a function here). */
  onceTargets?: readonly string[];
  /** The role of the scheduled functions: `scheduledFunctionRole` in the parent stack, beside the tables. */
  functionRole: iam.IRole;
}

/** The event Scheduler sends a job: ScheduledJobEvent, with Scheduler's context attributes. */
export function jobInput(job: JobSpec): scheduler.ScheduleTargetInput {
  return scheduler.ScheduleTargetInput.fromObject({
    source: 'platform.scheduler',
    job: job.name,
    scheduledTime: scheduler.ContextAttribute.scheduledTime,
    executionId: scheduler.ContextAttribute.executionId,
    attemptNumber: scheduler.ContextAttribute.attemptNumber,
  });
}

/** Log groups of the scheduled functions are `<prefix>/schedules/<domain>-<module>`. */
export const scheduledLogGroupPrefix = (logGroupPrefix: string) => `${logGroupPrefix}/schedules`;

/** The role of the jobs and one-time schedule targets: read-write on the tables, logs in their own groups. */
export function scheduledFunctionRole(scope: Construct, id: string, props: TableFunctionRoleProps): iam.Role {
  return tableFunctionRole(scope, id, props, {
    logGroups: scheduledLogGroupPrefix(props.logGroupPrefix),
    description: 'Scheduled jobs and one-time schedule targets: read-write tables',
    indexesReason: 'Queries on the global secondary indexes of the tables (the cleanup job reads the expiry index of each).',
    logStreamsReason: 'Log streams of the scheduled functions: each has its own log group under this prefix; Lambda names the streams at run time.',
  });
}

export class SchedulesStack extends NestedStack {
  readonly group: scheduler.ScheduleGroup;
  /** The role Scheduler assumes to invoke targets and write to the dead-letter queue. */
  readonly schedulerRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  /** Job and one-time target functions, by handler module. */
  readonly functions = new Map<string, lambda.Function>();
  /** The recurring schedules, by job name. */
  readonly schedules = new Map<string, scheduler.Schedule>();
  private readonly jobs: readonly JobSpec[];

  constructor(scope: Construct, id: string, props: SchedulesStackProps) {
    super(scope, id, { description: `Schedules of the control plane (${props.stage}): jobs and one-time schedule targets`, ...props });
    Validations.of(this).acknowledge(LATEST_RUNTIME_ACK);
    this.jobs = props.jobs;
    for (const job of props.jobs) {
      const kind = parseScheduleExpression(job.schedule).kind;
      if (kind === 'at') throw new Error(`Job ${job.name}: a recurring job needs rate() or cron(), not at()`);
    }

    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: `control-plane-${props.stage}`,
      removalPolicy: props.removalPolicy,
    });

    this.deadLetterQueue = deadLetterQueue(
      this,
      'ScheduleDeadLetters',
      props.removalPolicy,
      'This queue is itself the dead-letter queue of the schedules: runs Scheduler could not deliver land here; nothing consumes it automatically.',
    );

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge Scheduler: invokes the job and one-time target functions, writes undeliverable runs to the dead-letter queue',
    });

    const logGroups = scheduledLogGroupPrefix(props.logGroupPrefix);

    const makeFunction = (handler: string, description: string) => {
      const name = pascal(handler);
      const fn = handlerFunction(this, name, {
        module: handler,
        code: props.code,
        description,
        timeout: JOB_TIMEOUT,
        role: props.functionRole,
        logGroup: functionLogGroup(this, name, `${logGroups}/${handler.replace(/\//g, '-')}`, props),
        environment: props.environment,
      });
      this.functions.set(handler, fn);
      return fn;
    };

    for (const job of props.jobs) {
      const fn = this.functions.get(job.handler) ?? makeFunction(job.handler, `Job ${job.name}: ${job.description}`.slice(0, 256));
      const schedule = new scheduler.Schedule(this, `${pascal(job.name)}Schedule`, {
        description: `${job.name}: ${job.description}`.slice(0, 512),
        schedule: scheduler.ScheduleExpression.expression(job.schedule, TimeZone.ETC_UTC),
        scheduleGroup: this.group,
        target: new targets.LambdaInvoke(fn, {
          role: this.schedulerRole,
          input: jobInput(job),
          retryAttempts: SCHEDULE_DELIVERY.retryAttempts,
          maxEventAge: SCHEDULE_DELIVERY.maxEventAge,
          deadLetterQueue: this.deadLetterQueue,
        }),
      });
      this.schedules.set(job.name, schedule);
    }
    for (const handler of props.onceTargets ?? []) {
      const fn = this.functions.get(handler) ?? makeFunction(handler, `One-time schedule target ${handler}`);
      fn.grantInvoke(this.schedulerRole);
    }
    this.deadLetterQueue.grantSendMessages(this.schedulerRole);
    Validations.of(this.schedulerRole).acknowledge(
      ...[...this.functions.values()].map((fn) => ({
        id: iam5ResourceFinding(Stack.of(this), `${fn.functionArn}:*`),
        reason: 'Invoking any version or alias of a scheduled function (the grant CDK makes for Lambda targets).',
      })),
    );
  }

  /**
   * Lets `fn` create and delete one-time schedules in the group (functions/kit/scheduler.ts):
   * the group, the role Scheduler assumes, and the target functions by handler, in its environment.
   */
  grantScheduling(fn: lambda.Function): void {
    const stack = Stack.of(this);
    const schedules = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.group.scheduleGroupName}/*` });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resources: [schedules] }));
    this.schedulerRole.grantPassRole(fn.grantPrincipal);
    fn.addEnvironment(SCHEDULER_ENV.group, this.group.scheduleGroupName);
    fn.addEnvironment(SCHEDULER_ENV.role, this.schedulerRole.roleArn);
    const targetArns: Record<string, string> = {};
    for (const [handler, target] of this.functions) targetArns[handler] = target.functionArn;
    fn.addEnvironment(SCHEDULER_ENV.targets, stack.toJsonString(targetArns));
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: iam5ResourceFinding(Stack.of(fn), schedules),
        reason: 'One-time schedules are named at run time (per booking); the grant is limited to the platform\'s schedule group.',
      });
    }
  }

  /**
   * Lets `fn` start any job's function now (`POST /v1/admin/jobs/{name}/runs`): invoke on each, and
   * the ARNs by job name in its environment.
   */
  grantJobRuns(fn: lambda.Function): void {
    const arns: Record<string, string> = {};
    for (const job of this.jobs) arns[job.name] = this.functions.get(job.handler)!.functionArn;
    // The unqualified ARNs only (no `:*` for versions and aliases): the operation invokes $LATEST.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...new Set(Object.values(arns))] }));
    fn.addEnvironment(JOB_FUNCTIONS_ENV, Stack.of(this).toJsonString(arns));
  }

  /** Alarms to `topic`: runs Scheduler could not deliver, and job runs that failed. */
  alarmTo(topic: sns.ITopic): cloudwatch.Alarm[] {
    return notifyTopic(topic, [
      deadLetterAlarm(this, 'ScheduleDeadLettersAlarm', this.deadLetterQueue, 'EventBridge Scheduler could not deliver a scheduled run: see the schedules dead-letter queue.'),
      ...[...this.functions.entries()].map(([handler, fn]) =>
        alarm(this, `${pascal(handler)}ErrorsAlarm`, {
          alarmDescription: `The scheduled function ${handler} failed.`,
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        }),
      ),
    ]);
  }
}
