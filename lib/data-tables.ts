/**
 * The DynamoDB tables, made from the one declaration in functions/kit/tables.ts: on-demand,
 * point-in-time recovery, encrypted at rest, TTL and streams as declared.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tables, type TableKey, type TableSpec } from '../functions/kit/tables';

export interface DataTablesProps {
  /** RETAIN for production data, DESTROY for throwaway stages. */
  removalPolicy: RemovalPolicy;
}

const attribute = (key: { name: string; type: 'S' | 'N' }): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

const streamView: Record<NonNullable<TableSpec['stream']>, dynamodb.StreamViewType> = {
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
};

export class DataTables extends Construct {
  readonly tables: Record<TableKey, dynamodb.Table>;

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    const retained = props.removalPolicy === RemovalPolicy.RETAIN;
    const made = {} as Record<TableKey, dynamodb.Table>;
    for (const [key, declared] of Object.entries(tables) as [TableKey, TableSpec][]) {
      const table = new dynamodb.Table(this, declared.logicalName, {
        partitionKey: attribute(declared.partitionKey),
        ...(declared.sortKey ? { sortKey: attribute(declared.sortKey) } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // AWS-managed KMS key (aws/dynamodb): encrypted at rest, auditable in CloudTrail, and no
        // key policy to keep in step with every function role.
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        ...(declared.timeToLiveAttribute ? { timeToLiveAttribute: declared.timeToLiveAttribute } : {}),
        ...(declared.stream ? { stream: streamView[declared.stream] } : {}),
        removalPolicy: props.removalPolicy,
        deletionProtection: retained,
      });
      for (const index of declared.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      // The declared logical id, so moving this construct never replaces (and empties) a table.
      (table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId(declared.logicalName);
      made[key] = table;
    }
    this.tables = made;
  }

  /** Each table's env var and name, for every function's environment. */
  environment(): Record<string, string> {
    return Object.fromEntries(
      (Object.entries(tables) as [TableKey, TableSpec][]).map(([key, declared]) => [declared.envVar, this.tables[key].tableName]),
    );
  }

  all(): dynamodb.Table[] {
    return Object.values(this.tables);
  }
}
