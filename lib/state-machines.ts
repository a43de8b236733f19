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
import { Duration, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { EventRuleSpec, Manifest, StateMachineSpec } from '../functions/manifest';
import { LATEST_RUNTIME_ACK } from './function-defaults';
import { iam5ResourceFinding } from './nag';
import { alarm, deadLetterAlarm, deadLetterQueue, functionLogGroup, handlerFunction, notifyTopic, tableFunctionRole, type FunctionStackProps, type TableFunctionRoleProps } from './shared-constructs';

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
export function sagaFunctionRole(scope: Construct, id: string, props: TableFunctionRoleProps): iam.Role {
  return tableFunctionRole(scope, id, props, {
    logGroups: sagaLogGroupPrefix(props.logGroupPrefix),
    description: 'Saga step functions: read-write tables',
    indexesReason:
      'Queries on the global secondary indexes of the tables a step uses (operations by id, outbox, ledger); index names are part of the table declaration.',
    logStreamsReason: 'Log streams of the saga functions: each has its own log group under this prefix; Lambda names the streams at run time.',
  });
}

export interface SagasStackProps extends FunctionStackProps {
  stage: string;
  machines: readonly StateMachineSpec[];
  /** The manifest's event rules; those targeting a state machine are made here. */
  rules: readonly EventRuleSpec[];
  bus: events.IEventBus;
  /** `sagaFunctionRole` in the parent stack. */
  functionRole: iam.IRole;
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

    this.deadLetterQueue = deadLetterQueue(
      this,
      'RuleDeadLetters',
      props.removalPolicy,
      'This queue is itself the dead-letter queue of the saga rules: events EventBridge could not deliver to a state machine land here; nothing consumes it automatically.',
    );

    for (const spec of props.machines) {
      const text = readFileSync(join(rootDir, spec.definition), 'utf8');
      const used = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string));
      const unmapped = [...used].filter((placeholder) => !(placeholder in spec.tasks));
      if (unmapped.length > 0) throw new Error(`${spec.definition}: no handler for ${unmapped.map((p) => `\${${p}}`).join(', ')}`);

      const substitutions: Record<string, string> = {};
      const functions: lambda.Function[] = [];
      for (const [placeholder, module] of Object.entries(spec.tasks)) {
        const id = `${spec.name}${placeholder}`;
        const fn = handlerFunction(this, id, {
          module,
          code: props.code,
          description: `${spec.name} saga: ${placeholder.replace(/Fn$/, '')} (${module})`,
          timeout: TASK_FUNCTION_TIMEOUT,
          role: props.functionRole,
          logGroup: functionLogGroup(this, id, `${sagaLogGroupPrefix(props.logGroupPrefix)}/${spec.name}/${placeholder}`, props),
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
    return notifyTopic(topic, [
      ...[...this.stateMachines].map(([name, machine]) =>
        alarm(this, `${name}FailedAlarm`, {
          alarmDescription: `${name} executions failed or timed out: see the operation (GET /v1/operations/{id}) and the execution log.`,
          metric: new cloudwatch.MathExpression({
            expression: 'failed + timedOut',
            usingMetrics: {
              failed: machine.metricFailed({ statistic: cloudwatch.Stats.SUM }),
              timedOut: machine.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
            },
            period: Duration.minutes(5),
          }),
        }),
      ),
      deadLetterAlarm(this, 'RuleDeadLettersAlarm', this.deadLetterQueue, 'An event could not start its saga: see the saga rules dead-letter queue, then replay it.'),
    ]);
  }
}
