/**
 * Events in the cloud, in a nested stack of their own:
 *
 *   outbox table stream ──▶ relay Lambda ──▶ EventBridge custom bus ──▶ rules (sagas, subscribers)
 *                             │ on failure
 *                             ▼
 *                           SQS dead-letter queue (encrypted, TLS only)
 *
 * The event source mapping hands the relay only INSERTs, in order (one batch per shard at a
 * time), splits a failing batch in two (bisect) to isolate a poison record, retries, honours the
 * relay's batch item failures (the stream is read again from the first event not published), and
 * after the last retry sends the batch's description to the dead-letter queue. The schema
 * registry holds a JSON Schema (draft 4) per detail-type, generated from the same zod
 * declarations as the README's catalog.
 */
import { Duration, NestedStack, RemovalPolicy, Validations, type NestedStackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { catalogProblems, registrySchema, registrySchemaName } from '../functions/events/catalog';
import type { AnyEventSpec } from '../functions/events/define';
import { LAMBDA_HANDLER, type HandlerCode } from './bundle';
import { functionDefaults, LATEST_RUNTIME_ACK } from './function-defaults';
import { pascal } from './function-roles';

/** The relay's handler module, bundled with the operations' handlers. */
export const RELAY_HANDLER = 'events/relay';

/** How the relay reads the outbox stream. */
export const RELAY_MAPPING = {
  batchSize: 100,
  /** Attempts after the first, before the batch goes to the dead-letter queue. */
  retryAttempts: 10,
  /** A batch older than this goes to the dead-letter queue whatever its attempts (the stream keeps 24 h). */
  maxRecordAge: Duration.hours(6),
} as const;

export interface EventsStackProps extends NestedStackProps {
  stage: string;
  /** The outbox table, with its stream. */
  outbox: dynamodb.ITable;
  code: HandlerCode;
  /** The detail-types to publish to the schema registry (manifest.events). */
  events: readonly AnyEventSpec[];
  /** Environment shared by every function. */
  environment: Record<string, string>;
  logGroupPrefix: string;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class EventsStack extends NestedStack {
  readonly bus: events.EventBus;
  readonly relay: lambda.Function;
  readonly deadLetterQueue: sqs.Queue;
  readonly registry: eventschemas.CfnRegistry;
  /** The registry's schemas by detail-type. */
  readonly schemas = new Map<string, eventschemas.CfnSchema>();

  constructor(scope: Construct, id: string, props: EventsStackProps) {
    super(scope, id, { description: `Events of the control plane (${props.stage}): bus, outbox relay, schema registry`, ...props });
    const problems = catalogProblems(props.events);
    if (problems.length > 0) throw new Error(`The event catalog has problems:\n${problems.join('\n')}`);
    Validations.of(this).acknowledge(LATEST_RUNTIME_ACK);

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `control-plane-${props.stage}`,
      description: 'Domain events of the control plane; subscribers write rules on it.',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'RelayDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue (on-failure destination) of the outbox relay; nothing consumes it automatically.',
    });

    const logGroup = new logs.LogGroup(this, 'RelayLogs', {
      logGroupName: `${props.logGroupPrefix}/events/relay`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(this, 'RelayRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The outbox relay: reads the outbox stream, puts events on the platform bus',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    props.outbox.grantStreamRead(role);
    this.bus.grantPutEventsTo(role);

    this.relay = new lambda.Function(this, 'Relay', {
      ...functionDefaults(),
      description: 'Outbox relay: outbox table stream → EventBridge bus',
      timeout: Duration.seconds(60),
      code: props.code.codeFor(RELAY_HANDLER),
      handler: LAMBDA_HANDLER,
      role,
      logGroup,
      environment: { ...props.environment, EVENT_BUS_NAME: this.bus.eventBusName },
    });
    this.relay.addEventSource(
      new DynamoEventSource(props.outbox, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: RELAY_MAPPING.batchSize,
        bisectBatchOnError: true,
        retryAttempts: RELAY_MAPPING.retryAttempts,
        maxRecordAge: RELAY_MAPPING.maxRecordAge,
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
      }),
    );

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams cannot be scoped to a resource; every other stream action is on the outbox stream only.',
    });

    this.registry = new eventschemas.CfnRegistry(this, 'SchemaRegistry', {
      registryName: `control-plane-${props.stage}`,
      description: 'A JSON Schema (draft 4) of every detail-type the control plane publishes, generated from its declarations.',
    });
    for (const spec of props.events) {
      const schema = new eventschemas.CfnSchema(this, `Schema${pascal(spec.detailType)}`, {
        registryName: this.registry.attrRegistryName,
        schemaName: registrySchemaName(spec),
        type: 'JSONSchemaDraft4',
        description: spec.description,
        content: JSON.stringify(registrySchema(spec)),
      });
      this.schemas.set(spec.detailType, schema);
    }
  }

  /** Alarms on the relay to `topic`: anything in its dead-letter queue, and events waiting too long on the stream. */
  alarmTo(topic: sns.ITopic): cloudwatch.Alarm[] {
    const notify = new actions.SnsAction(topic);
    const alarms = [
      new cloudwatch.Alarm(this, 'RelayDeadLettersAlarm', {
        alarmDescription: 'The outbox relay gave up on a batch of events: see its dead-letter queue and the relay logs, then replay.',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'RelayIteratorAgeAlarm', {
        alarmDescription: 'Events wait more than 5 minutes on the outbox stream: the relay is failing or falling behind.',
        metric: this.relay.metric('IteratorAge', { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: Duration.minutes(5).toMilliseconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    return alarms;
  }
}
