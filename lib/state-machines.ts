/**
 * The sagas in the cloud, in a nested stack of their own:
 *
 *   platform bus ──rule (manifest.eventRules)──▶ Step Functions state machine ──▶ one Lambda per Task
 *                    │ undeliverable                (statemachines/*.asl.json,      (the same handler
 *                    ▼                               ${...Fn} → function ARNs)        modules as locally)
 *                  SQS dead-letter queue
 *
 * Each state machine is built from the same ASL file the local runner runs, with
 * `definitionSubstitutions` putting the functions' ARNs in place of its `${Placeholder}`
 * resources; it logs ALL events (with execution data) to its own log group and is traced with
 * X-Ray. A rule starts an execution with the matched EventBridge event as input, and the
 * definition's first state reads `$.detail`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Arn, ArnFormat, Duration, NestedStack, Stack, Validations, type NestedStackProps, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { EventRuleSpec, Manifest, StateMachineSpec } from '../functions/manifest';
import { LAMBDA_HANDLER, type HandlerCode } from './bundle';
import { functionDefaults, LATEST_RUNTIME_ACK } from './function-defaults';
import { iam5ResourceFinding } from './nag';

const ROOT = join(__dirname, '..');

/** Every Task handler module of the manifest's state machines, for the one esbuild call. */
export function stateMachineHandlers(manifest: Pick<Manifest, 'stateMachines'>): string[] {
  return [...new Set(manifest.stateMachines.flatMap((machine) => Object.values(machine.tasks)))];
}

/** The rules whose target is a state machine (handler targets are wired with the events). */
export function stateMachineRules(rules: readonly EventRuleSpec[]): (EventRuleSpec & { target: { stateMachine: string } })[] {
  return rules.filter((rule): rule is EventRuleSpec & { target: { stateMachine: string } } => 'stateMachine' in rule.target);
}

/** Log groups of the saga functions are `<prefix>/sagas/<Machine>/<Placeholder>`. */
export const sagaLogGroupPrefix = (logGroupPrefix: string) => `${logGroupPrefix}/sagas`;

/**
 * The role of the saga step functions: read-write on the tables (steps write the resources, the
 * outbox and audit entries, and their idempotency records), logs in their own groups. Made in the
 * stack that holds the tables, as the other function roles are.
 */
export function sagaFunctionRole(scope: Construct, id: string, props: { tables: dynamodb.ITable[]; logGroupPrefix: string }): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Saga step functions: read-write tables',
  });
  for (const table of props.tables) table.grantReadWriteData(role);
  const logGroupArn = Arn.format(
    { service: 'logs', resource: 'log-group', resourceName: `${sagaLogGroupPrefix(props.logGroupPrefix)}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
    stack,
  );
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroupArn}:*`] }));
  Validations.of(role).acknowledge(
    ...props.tables.map((table) => ({
      id: iam5ResourceFinding(stack, `${table.tableArn}/index/*`),
      reason: 'Queries on the global secondary indexes of the tables a step uses (operations by id, outbox, ledger); index names are part of the table declaration.',
    })),
    {
      id: iam5ResourceFinding(stack, `${logGroupArn}:*`),
      reason: 'Log streams of the saga functions: each has its own log group under this prefix; Lambda names the streams at run time.',
    },
  );
  return role;
}

export interface SagasStackProps extends NestedStackProps {
  stage: string;
  machines: readonly StateMachineSpec[];
  /** The manifest's event rules; those targeting a state machine are made here. */
  rules: readonly EventRuleSpec[];
  bus: events.IEventBus;
  code: HandlerCode;
  /** `sagaFunctionRole` in the parent stack. */
  functionRole: iam.IRole;
  environment: Record<string, string>;
  logGroupPrefix: string;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Where `definition` paths are relative to; default the repository root. */
  rootDir?: string;
}

/** A Task's function stops before the state's own timeout (60 s in the definitions), so its error is the function's. */
const TASK_FUNCTION_TIMEOUT = Duration.seconds(50);

export class SagasStack extends NestedStack {
  readonly stateMachines = new Map<string, sfn.StateMachine>();
  /** Task functions by `<Machine>/<Placeholder>`. */
  readonly functions = new Map<string, lambda.Function>();
  readonly rules = new Map<string, events.Rule>();
  /** Events a rule could not deliver to its state machine. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SagasStackProps) {
    super(scope, id, { description: `Sagas of the control plane (${props.stage}): state machines, their functions and rules`, ...props });
    Validations.of(this).acknowledge(LATEST_RUNTIME_ACK);
    const rootDir = props.rootDir ?? ROOT;

    this.deadLetterQueue = new sqs.Queue(this, 'RuleDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the saga rules: events EventBridge could not deliver to a state machine land here; nothing consumes it automatically.',
    });

    for (const spec of props.machines) {
      const text = readFileSync(join(rootDir, spec.definition), 'utf8');
      const used = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string));
      const unmapped = [...used].filter((placeholder) => !(placeholder in spec.tasks));
      if (unmapped.length > 0) throw new Error(`${spec.definition}: no handler for ${unmapped.map((p) => `\${${p}}`).join(', ')}`);

      const substitutions: Record<string, string> = {};
      const functions: lambda.Function[] = [];
      for (const [placeholder, module] of Object.entries(spec.tasks)) {
        const logGroup = new logs.LogGroup(this, `${spec.name}${placeholder}Logs`, {
          logGroupName: `${sagaLogGroupPrefix(props.logGroupPrefix)}/${spec.name}/${placeholder}`,
          retention: props.logRetention,
          removalPolicy: props.removalPolicy,
        });
        const fn = new lambda.Function(this, `${spec.name}${placeholder}`, {
          ...functionDefaults(),
          description: `${spec.name} saga: ${placeholder.replace(/Fn$/, '')} (${module})`,
          timeout: TASK_FUNCTION_TIMEOUT,
          code: props.code.codeFor(module),
          handler: LAMBDA_HANDLER,
          role: props.functionRole,
          logGroup,
          environment: props.environment,
        });
        substitutions[placeholder] = fn.functionArn;
        functions.push(fn);
        this.functions.set(`${spec.name}/${placeholder}`, fn);
      }

      const logGroup = new logs.LogGroup(this, `${spec.name}ExecutionLogs`, {
        // The vendedlogs prefix keeps the log resource policy Step Functions needs small.
        logGroupName: `/aws/vendedlogs/states/control-plane-${props.stage}-${spec.name}`,
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      const machine = new sfn.StateMachine(this, spec.name, {
        stateMachineName: `control-plane-${props.stage}-${spec.name}`,
        comment: spec.description,
        definitionBody: sfn.DefinitionBody.fromString(text),
        definitionSubstitutions: substitutions,
        stateMachineType: sfn.StateMachineType.STANDARD,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
        timeout: Duration.hours(1),
      });
      // The definition comes from a file, so CDK cannot see its Tasks: grant each function by hand.
      for (const fn of functions) fn.grantInvoke(machine);
      Validations.of(machine).acknowledge(
        ...functions.map((fn) => ({
          id: iam5ResourceFinding(Stack.of(this), `${fn.functionArn}:*`),
          reason: 'Invoking any version or alias of the Task function; the state machine calls the function ARN the definition names.',
        })),
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'Step Functions log delivery (logs:CreateLogDelivery, ...) and X-Ray tracing (xray:PutTraceSegments, ...) do not support resource-level permissions.',
        },
      );
      this.stateMachines.set(spec.name, machine);
    }

    for (const spec of stateMachineRules(props.rules)) {
      const machine = this.stateMachines.get(spec.target.stateMachine);
      if (!machine) throw new Error(`Rule ${spec.name} targets ${spec.target.stateMachine}, which the manifest does not declare`);
      const rule = new events.Rule(this, spec.name, {
        eventBus: props.bus,
        description: spec.description,
        eventPattern: {
          ...(spec.pattern.source ? { source: spec.pattern.source } : {}),
          ...(spec.pattern['detail-type'] ? { detailType: spec.pattern['detail-type'] } : {}),
          ...(spec.pattern.detail ? { detail: spec.pattern.detail } : {}),
        },
        targets: [
          new targets.SfnStateMachine(machine, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
      this.rules.set(spec.name, rule);
    }
  }

  /** Alarms to `topic`: a saga that failed (compensated or not) or timed out, and undeliverable starts. */
  alarmTo(topic: sns.ITopic): cloudwatch.Alarm[] {
    const notify = new actions.SnsAction(topic);
    const alarms: cloudwatch.Alarm[] = [];
    for (const [name, machine] of this.stateMachines) {
      alarms.push(
        new cloudwatch.Alarm(this, `${name}FailedAlarm`, {
          alarmDescription: `${name} executions failed or timed out: see the operation (GET /v1/operations/{id}) and the execution log.`,
          metric: new cloudwatch.MathExpression({
            expression: 'failed + timedOut',
            usingMetrics: {
              failed: machine.metricFailed({ statistic: cloudwatch.Stats.SUM }),
              timedOut: machine.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
            },
            period: Duration.minutes(5),
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    alarms.push(
      new cloudwatch.Alarm(this, 'RuleDeadLettersAlarm', {
        alarmDescription: 'An event could not start its saga: see the saga rules dead-letter queue, then replay it.',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const alarm of alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    return alarms;
  }
}
