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
 * declarations as the catalog in docs/events.md.
 */
import { Duration, NestedStack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { catalogProblems, registrySchema, registrySchemaName } from '../functions/events/catalog';
import type { AnyEventSpec } from '../functions/events/define';
import { LATEST_RUNTIME_ACK } from './function-defaults';
import { pascal } from './function-roles';
import { alarm, deadLetterAlarm, deadLetterQueue, functionLogGroup, handlerFunction, notifyTopic, type FunctionStackProps } from './shared-constructs';

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

export interface EventsStackProps extends FunctionStackProps {
  stage: string;
  /** The outbox table, with its stream. */
  outbox: dynamodb.ITable;
  /** The detail-types to publish to the schema registry (manifest.events). */
  events: readonly AnyEventSpec[];
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

    this.deadLetterQueue = deadLetterQueue(
      this,
      'RelayDeadLetters',
      props.removalPolicy,
      'This queue is itself the dead-letter queue (on-failure destination) of the outbox relay; nothing consumes it automatically.',
    );

    const logGroup = functionLogGroup(this, 'Relay', `${props.logGroupPrefix}/events/relay`, props);
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

    this.relay = handlerFunction(this, 'Relay', {
      module: RELAY_HANDLER,
      code: props.code,
      description: 'Outbox relay: outbox table stream → EventBridge bus',
      timeout: Duration.seconds(60),
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
    return notifyTopic(topic, [
      deadLetterAlarm(
        this,
        'RelayDeadLettersAlarm',
        this.deadLetterQueue,
        'The outbox relay gave up on a batch of events: see its dead-letter queue and the relay logs, then replay.',
      ),
      alarm(this, 'RelayIteratorAgeAlarm', {
        alarmDescription: 'Events wait more than 5 minutes on the outbox stream: the relay is failing or falling behind.',
        metric: this.relay.metric('IteratorAge', { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: Duration.minutes(5).toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
    ]);
  }
}
