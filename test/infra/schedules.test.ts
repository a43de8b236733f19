/** The schedules nested stack: EventBridge Scheduler schedules for the manifest's jobs, their functions, one-time scheduling grants. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { manifest, type Manifest } from '../../functions/manifest';
import { bundleHandlers, placeholderCodeDir } from '../../lib/bundle';
import { synthesizedTemplates, type CfnTemplate } from '../../lib/routes';
import { SCHEDULE_DELIVERY, scheduledFunctionRole, SchedulesStack } from '../../lib/schedules';
import { platformStack, testApp } from './synth';

type Resource = NonNullable<CfnTemplate['Resources']>[string];
const ofType = (template: CfnTemplate, type: string): [string, Resource][] =>
  Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);

const withReportJob: Manifest = {
  ...manifest,
  jobs: [...manifest.jobs, { name: 'report', schedule: 'cron(0 6 ? * MON-FRI *)', handler: 'jobs/cleanup', description: 'A second job on the same handler' }],
};

let root: CfnTemplate;
let nested: CfnTemplate;

beforeAll(() => {
  const templates = synthesizedTemplates(platformStack({ manifest: withReportJob }));
  root = templates[0]!.template;
  nested = templates.find((t) => t.stackPath.endsWith('/Schedules'))!.template;
});

describe('the schedules stack', () => {
  it('puts every job on an EventBridge Scheduler schedule in the platform group, in UTC, exactly on time', () => {
    // Act
    const schedules = ofType(nested, 'AWS::Scheduler::Schedule').map(([, r]) => r.Properties!);
    const [[, group]] = ofType(nested, 'AWS::Scheduler::ScheduleGroup') as [[string, Resource]];
    // Assess
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual(withReportJob.jobs.map((job) => job.schedule).sort());
    expect(schedules.map((s) => s.ScheduleExpression)).toEqual(expect.arrayContaining(['cron(0 6 ? * MON-FRI *)', 'rate(1 hour)']));
    expect(group.Properties!.Name).toBe('control-plane-dev');
    for (const schedule of schedules) {
      expect(schedule).toMatchObject({ ScheduleExpressionTimezone: 'Etc/UTC', FlexibleTimeWindow: { Mode: 'OFF' }, State: 'ENABLED' });
      expect(schedule.GroupName).toBe('control-plane-dev');
    }
  });

  it('invokes the job function with the ScheduledJobEvent, retries, then sends to an encrypted dead-letter queue', () => {
    // Act
    const cleanup = ofType(nested, 'AWS::Scheduler::Schedule').map(([, r]) => r.Properties!).find((s) => s.ScheduleExpression === 'rate(1 hour)')!;
    const target = cleanup.Target as Record<string, any>;
    const [[queueId, queue]] = ofType(nested, 'AWS::SQS::Queue') as [[string, Resource]];
    // Assess
    expect(JSON.parse(target.Input)).toEqual({
      source: 'platform.scheduler',
      job: 'cleanup',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
      attemptNumber: '<aws.scheduler.attempt-number>',
    });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: SCHEDULE_DELIVERY.retryAttempts, MaximumEventAgeInSeconds: 3600 });
    expect(JSON.stringify(target.DeadLetterConfig)).toContain(queueId);
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    const policies = ofType(nested, 'AWS::SQS::QueuePolicy').map(([, r]) => JSON.stringify(r.Properties));
    expect(policies.some((p) => p.includes('aws:SecureTransport'))).toBe(true);
  });

  it('gives each job handler one function (Node 22, arm64, 5 minutes), whatever the number of jobs on it', () => {
    const functions = ofType(nested, 'AWS::Lambda::Function').map(([, r]) => r.Properties!);
    // `report` shares the cleanup job's handler, so it adds a schedule but no function
    expect(functions).toHaveLength(new Set(manifest.jobs.map((job) => job.handler)).size);
    for (const fn of functions) expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 300, Handler: 'index.handler' });
  });

  it('lets only the scheduler, in this account, assume the invoking role', () => {
    const roles = ofType(nested, 'AWS::IAM::Role').map(([, r]) => r.Properties!.AssumeRolePolicyDocument as { Statement: any[] });
    const schedulerRole = roles.find((doc) => JSON.stringify(doc).includes('scheduler.amazonaws.com'))!;
    expect(schedulerRole.Statement[0]).toMatchObject({
      Action: 'sts:AssumeRole',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': expect.anything() } },
    });
  });

  it('alarms on undeliverable runs and failed job runs, to the alarm topic', () => {
    const alarms = ofType(nested, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);
    // one dead-letter alarm, one error alarm per job function
    const jobFunctions = new Set(manifest.jobs.map((job) => job.handler)).size;
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['ApproximateNumberOfMessagesVisible', ...Array<string>(jobFunctions).fill('Errors')]);
    expect(alarms.every((a) => (a.AlarmActions as unknown[]).length === 1)).toBe(true);
    expect(ofType(root, 'AWS::CloudFormation::Stack').length).toBeGreaterThan(1);
  });

  it('refuses an at() expression as a job', () => {
    const oneTime: Manifest = { ...manifest, jobs: [{ name: 'once', schedule: 'at(2030-01-01T00:00:00)', handler: 'jobs/cleanup', description: 'x' }] };
    expect(() => platformStack({ manifest: oneTime })).toThrow(/recurring job needs rate\(\) or cron\(\)/);
  });
});

describe('grantScheduling', () => {
  function standalone() {
    const app: App = testApp();
    const stack = new Stack(app, 'SchedulingTest');
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    const schedules = new SchedulesStack(stack, 'Schedules', {
      stage: 'test',
      jobs: [],
      onceTargets: ['bookings/start-booking'],
      code: { bundled: false, codeFor: () => lambda.Code.fromAsset(placeholderCodeDir()) },
      functionRole: scheduledFunctionRole(stack, 'ScheduledFunctionRole', { tables: [table], logGroupPrefix: '/control-plane/test' }),
      environment: {},
      logGroupPrefix: '/control-plane/test',
      logRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const booker = new lambda.Function(schedules, 'Booker', {
      role: new iam.Role(schedules, 'BookerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(placeholderCodeDir()),
    });
    schedules.grantScheduling(booker);
    return { app, schedules, booker };
  }

  it('lets a function create and delete schedules in the group, pass the scheduler role, and tells it the targets', () => {
    // Prepare
    const { schedules } = standalone();
    // Act
    const template = Template.fromStack(schedules);
    // Assess
    const booker = Object.values(template.findResources('AWS::Lambda::Function')).find((r) => JSON.stringify(r).includes('SCHEDULE_GROUP_NAME'))!;
    const variables = booker.Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(['SCHEDULER_ROLE_ARN', 'SCHEDULE_GROUP_NAME', 'SCHEDULE_TARGET_ARNS']);
    expect(JSON.stringify(variables.SCHEDULE_TARGET_ARNS)).toContain('bookings/start-booking');
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('scheduler:CreateSchedule');
    expect(policies).toContain('scheduler:DeleteSchedule');
    expect(policies).toContain('iam:PassRole');
    expect(policies).toContain('lambda:InvokeFunction');
    expect(template.findResources('AWS::Scheduler::Schedule')).toEqual({});
  });

  it('leaves no unacknowledged cdk-nag finding', () => {
    const { app } = standalone();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const violations = new AwsSolutionsChecks().validateScope(app).violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`);
    expect(violations).toEqual([]);
  });
});

describe('the job handlers bundle', () => {
  it('bundles each job handler into a CommonJS module that exports its handler', () => {
    // Prepare
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccp-jobs-bundle-'));
    try {
      // Act
      const folders = bundleHandlers(manifest.jobs.map((job) => job.handler), { outdir });
      // Assess
      for (const job of manifest.jobs) {
        const mod = require(path.join(folders.get(job.handler)!, 'index.js')) as { handler?: unknown };
        expect(typeof mod.handler).toBe('function');
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
