/** The events nested stack: bus, outbox relay with its stream mapping and dead-letter queue, schema registry, alarms. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registrySchema, registrySchemaName } from '../../functions/events/catalog';
import { manifest, type Manifest } from '../../functions/manifest';
import { bundleHandlers } from '../../lib/bundle';
import { RELAY_HANDLER, RELAY_MAPPING } from '../../lib/events';
import { synthesizedTemplates, type CfnTemplate } from '../../lib/routes';
import { widgetCreated, widgetUpdated } from '../fixtures/widgets/operations';
import { platformStack } from './synth';

type Resource = NonNullable<CfnTemplate['Resources']>[string];

const withWidgetEvents: Manifest = { ...manifest, events: [...manifest.events, widgetCreated, widgetUpdated] };

let root: CfnTemplate;
let nested: CfnTemplate;

const ofType = (template: CfnTemplate, type: string): [string, Resource][] =>
  Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);

function only(template: CfnTemplate, type: string): [string, Resource] {
  const found = ofType(template, type);
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0]!;
}

beforeAll(() => {
  // Prepare: the platform with the widgets' events added to the catalog, synthesized once.
  const templates = synthesizedTemplates(platformStack({ manifest: withWidgetEvents }));
  root = templates[0]!.template;
  nested = templates.find((t) => t.stackPath.endsWith('/Events'))!.template;
});

describe('the events stack', () => {
  it('makes the platform bus, named after the stage, and outputs its name', () => {
    // Act
    const [busId, bus] = only(nested, 'AWS::Events::EventBus');
    // Assess
    expect(bus.Properties!.Name).toBe('control-plane-dev');
    expect(busId).toMatch(/Bus/);
    expect(Object.keys(root.Outputs ?? {})).toEqual(expect.arrayContaining(['EventBusName', 'SchemaRegistryName']));
  });

  it('runs the relay on Node 22 arm64 with the bus name in its environment', () => {
    // Act
    const relay = ofType(nested, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties!.Description).startsWith('Outbox relay'));
    // Assess
    expect(relay).toBeDefined();
    const props = relay![1].Properties!;
    expect(props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 60 });
    const [busId] = only(nested, 'AWS::Events::EventBus');
    expect((props.Environment as { Variables: Record<string, unknown> }).Variables.EVENT_BUS_NAME).toEqual({ Ref: busId });
  });

  it('maps the outbox stream to the relay: INSERTs only, in order, bisect on error, retries, batch item failures, dead-letter queue', () => {
    // Act
    const [, mapping] = only(nested, 'AWS::Lambda::EventSourceMapping');
    const [queueId] = only(nested, 'AWS::SQS::Queue');
    // Assess
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: RELAY_MAPPING.batchSize,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: RELAY_MAPPING.retryAttempts,
      MaximumRecordAgeInSeconds: RELAY_MAPPING.maxRecordAge.toSeconds(),
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
    });
    // The stream is the root stack's Outbox table's, handed down as a parameter.
    const parameter = (mapping.Properties!.EventSourceArn as { Ref: string }).Ref;
    const nestedStack = ofType(root, 'AWS::CloudFormation::Stack').find(([id]) => id.startsWith('EventsNestedStack'))![1];
    expect((nestedStack.Properties!.Parameters as Record<string, unknown>)[parameter]).toEqual({ 'Fn::GetAtt': ['Outbox', 'StreamArn'] });
  });

  it('keeps failed batches 14 days in an encrypted queue that refuses plain HTTP', () => {
    // Act
    const [queueId, queue] = only(nested, 'AWS::SQS::Queue');
    const [, policy] = only(nested, 'AWS::SQS::QueuePolicy');
    // Assess
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(policy.Properties!.Queues).toEqual([{ Ref: queueId }]);
    expect((policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('lets the relay read the stream, put events on the bus and write to its dead-letter queue, and nothing else', () => {
    // Act
    const statements = ofType(nested, 'AWS::IAM::Policy').flatMap(
      ([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    // Assess
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream', 'events:PutEvents', 'sqs:SendMessage']),
    );
    expect(actions.filter((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|Query|GetItem)$/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.endsWith(':*'))).toEqual([]);
  });

  it('publishes one JSON Schema draft 4 per detail-type to the schema registry', () => {
    // Act
    const [registryId, registry] = only(nested, 'AWS::EventSchemas::Registry');
    const schemas = ofType(nested, 'AWS::EventSchemas::Schema').map(([, r]) => r.Properties!);
    // Assess
    expect(registry.Properties!.RegistryName).toBe('control-plane-dev');
    expect(schemas.map((s) => s.SchemaName).sort()).toEqual(withWidgetEvents.events.map(registrySchemaName).sort());
    for (const schema of schemas) {
      expect(schema.Type).toBe('JSONSchemaDraft4');
      expect(schema.RegistryName).toEqual({ 'Fn::GetAtt': [registryId, 'RegistryName'] });
    }
    const created = schemas.find((s) => s.SchemaName === 'platform.widgets@widget.created')!;
    expect(JSON.parse(created.Content as string)).toEqual(registrySchema(widgetCreated));
  });

  it('alarms on anything in the dead-letter queue and on events waiting on the stream', () => {
    // Act
    const alarms = ofType(nested, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);
    // Assess
    expect(alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort()).toEqual(['AWS/Lambda/IteratorAge', 'AWS/SQS/ApproximateNumberOfMessagesVisible']);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(JSON.stringify(alarm.AlarmActions)).toMatch(/AlarmTopic/);
    }
  });
});

describe('the relay bundle', () => {
  it('is built by the same esbuild call as the operations and runs', async () => {
    // Prepare
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccp-relay-bundle-'));
    try {
      const folders = bundleHandlers([RELAY_HANDLER], { outdir });
      const mod = require(path.join(folders.get(RELAY_HANDLER)!, 'index.js')) as { handler: (event: unknown) => Promise<unknown> };
      process.env.EVENT_BUS_NAME = 'bus';
      // Act: a removal (the cleanup job deleting an old event) is not published
      const result = await mod.handler({ Records: [{ eventName: 'REMOVE', dynamodb: { SequenceNumber: '1', Keys: {} } }] });
      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
    } finally {
      delete process.env.EVENT_BUS_NAME;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
