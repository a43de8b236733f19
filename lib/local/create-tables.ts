/** Creates the manifest's tables on DynamoDB Local from the same declarations the CDK stack uses. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { tables, type KeyAttribute, type TableSpec } from '../../functions/kit/tables';

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute) {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

function attributeDefinitions(spec: TableSpec): AttributeDefinition[] {
  const all = [spec.partitionKey, spec.sortKey, ...spec.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const unique = new Map<string, KeyAttribute>();
  for (const attribute of all) if (attribute) unique.set(attribute.name, attribute);
  return [...unique.values()].map((a) => ({ AttributeName: a.name, AttributeType: a.type }));
}

async function createTable(client: DynamoDBClient, name: string, spec: TableSpec): Promise<boolean> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema(spec.partitionKey, spec.sortKey),
        AttributeDefinitions: attributeDefinitions(spec),
        ...(spec.globalIndexes.length
          ? {
              GlobalSecondaryIndexes: spec.globalIndexes.map((index) => ({
                IndexName: index.name,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: { ProjectionType: 'ALL' },
              })),
            }
          : {}),
        ...(spec.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } } : {}),
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return false;
    throw error;
  }
  if (spec.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: spec.timeToLiveAttribute },
      }),
    );
  }
  return true;
}

/** Creates every table that does not exist yet under `prefix`; returns the names it created. */
export async function ensureTables(endpoint: string, prefix: string): Promise<string[]> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const created: string[] = [];
    for (const spec of Object.values(tables) as TableSpec[]) {
      const name = `${prefix}${spec.logicalName}`;
      if (await createTable(client, name, spec)) created.push(name);
      await client.send(new DescribeTableCommand({ TableName: name }));
    }
    return created;
  } finally {
    client.destroy();
  }
}
