/**
 * Pieces the nested stacks (events, schedules, sagas, operations) build alike: a function of the
 * bundle with its own log group, the role of functions that write the tables, a dead-letter queue,
 * and their alarms. Plain functions, not constructs: each makes its resources in the scope and
 * with the id it is given, so the logical IDs are those of the stack that calls it.
 */
import { Arn, ArnFormat, Duration, Stack, Validations, type NestedStackProps, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { LAMBDA_HANDLER, type HandlerCode } from './bundle';
import { functionDefaults } from './function-defaults';
import { iam5ResourceFinding } from './nag';

/** How long the stage keeps logs, and whether they go with the stack. */
export interface LogSettings {
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** The props every nested stack of functions has: what all its functions share (the bundle, their environment, where they log). */
export interface FunctionStackProps extends NestedStackProps {
  code: HandlerCode;
  /** Environment shared by every function (table names, region, stage...). */
  environment: Record<string, string>;
  /** Their log groups are named under this prefix. */
  logGroupPrefix: string;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** The log group of the function `functionId`: `<functionId>Logs` beside it. */
export function functionLogGroup(scope: Construct, functionId: string, logGroupName: string, settings: LogSettings): logs.LogGroup {
  return new logs.LogGroup(scope, `${functionId}Logs`, {
    logGroupName,
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
}

export interface HandlerFunctionProps {
  /** The handler module it runs (`events/relay`), from the one bundle. */
  module: string;
  code: HandlerCode;
  description: string;
  /** Default: functionDefaults()' 29 s, API Gateway's limit. */
  timeout?: Duration;
  role: iam.IRole;
  logGroup: logs.ILogGroup;
  environment: Record<string, string>;
}

/** A function of the platform: the shared defaults, running `module` from the bundle. */
export function handlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): lambda.Function {
  return new lambda.Function(scope, id, {
    ...functionDefaults(),
    description: props.description,
    ...(props.timeout ? { timeout: props.timeout } : {}),
    code: props.code.codeFor(props.module),
    handler: LAMBDA_HANDLER,
    role: props.role,
    logGroup: props.logGroup,
    environment: props.environment,
  });
}

/** What the parent stack gives a role of table-writing functions: its tables and its log group prefix. */
export interface TableFunctionRoleProps {
  tables: dynamodb.ITable[];
  logGroupPrefix: string;
}

/** Which functions a table-writing role serves. */
export interface TableFunctionRoleSpec {
  /** Their log groups are under `<logGroups>/`. */
  logGroups: string;
  description: string;
  /** Why they may query every index of the tables (cdk-nag IAM5). */
  indexesReason: string;
  /** Why they may write any log stream under `logGroups` (cdk-nag IAM5). */
  logStreamsReason: string;
}

/**
 * The role of functions made in a nested stack that read and write the tables: read-write on
 * `tables`, logs in their own groups. Made in the stack that holds the tables, so its grants (and
 * their cdk-nag acknowledgments) name the tables directly rather than through nested-stack parameters.
 */
export function tableFunctionRole(scope: Construct, id: string, props: TableFunctionRoleProps, spec: TableFunctionRoleSpec): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: spec.description,
  });
  for (const table of props.tables) table.grantReadWriteData(role);
  const logGroupArn = Arn.format(
    { service: 'logs', resource: 'log-group', resourceName: `${spec.logGroups}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
    stack,
  );
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroupArn}:*`] }));
  Validations.of(role).acknowledge(
    ...props.tables.map((table) => ({ id: iam5ResourceFinding(stack, `${table.tableArn}/index/*`), reason: spec.indexesReason })),
    { id: iam5ResourceFinding(stack, `${logGroupArn}:*`), reason: spec.logStreamsReason },
  );
  return role;
}

/**
 * A dead-letter queue: SQS-encrypted, TLS only, messages kept 14 days. `reason` acknowledges that
 * it has no dead-letter queue of its own (cdk-nag SQS3): what lands in it, and who reads it.
 */
export function deadLetterQueue(scope: Construct, id: string, removalPolicy: RemovalPolicy, reason: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy,
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return queue;
}

export type AlarmSettings = Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric'> & Partial<Pick<cloudwatch.AlarmProps, 'threshold' | 'comparisonOperator'>>;

/** An alarm on one evaluation period: at or above 1 unless told otherwise; missing data is not breaching. */
export function alarm(scope: Construct, id: string, settings: AlarmSettings): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: settings.alarmDescription,
    metric: settings.metric,
    threshold: settings.threshold ?? 1,
    evaluationPeriods: 1,
    comparisonOperator: settings.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** An alarm when anything is in `queue` (the most messages visible within 5 minutes). */
export function deadLetterAlarm(scope: Construct, id: string, queue: sqs.IQueue, alarmDescription: string): cloudwatch.Alarm {
  return alarm(scope, id, {
    alarmDescription,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
  });
}

/** Makes each alarm notify `topic` when it goes off and when it is OK again. */
export function notifyTopic(topic: sns.ITopic, alarms: cloudwatch.Alarm[]): cloudwatch.Alarm[] {
  const notify = new actions.SnsAction(topic);
  for (const made of alarms) {
    made.addAlarmAction(notify);
    made.addOkAction(notify);
  }
  return alarms;
}
