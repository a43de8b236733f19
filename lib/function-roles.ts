/**
 * The execution roles of the operation functions, shared where the grants are equal: one role per
 * domain and kind of access, made on first use.
 *
 *   read-only   GET operations: read the tables (a GET never writes)
 *   read-write  POST/PUT/PATCH/DELETE operations: read and write the tables
 *   + cursor    operations that declare `needs: ['cursorSecret']` may also read the cursor key
 *   + catalog   read-only operations that declare `needs: ['catalogSeed']` may also put items in
 *               the `CATALOG` partition (they seed the built-in catalog on a fresh deploy's first read)
 *
 * Each role may write logs only to its domain's log groups. Sharing keeps the stack small: a role
 * per function would add two resources per operation.
 */
import { Arn, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { isMutating, type AnyOperation } from '../functions/kit/operation';
import { iam5ResourceFinding } from './nag';

export interface FunctionRolesProps {
  tables: dynamodb.Table[];
  cursorSecret: secretsmanager.ISecret;
  /** Log groups of domain `d` are named `${logGroupPrefix}/${d}/<operationId>`. */
  logGroupPrefix: string;
}

export function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/** The log group name of an operation's function. */
export function operationLogGroupName(prefix: string, op: Pick<AnyOperation, 'domain' | 'operationId'>): string {
  return `${prefix}/${op.domain}/${op.operationId}`;
}

export class FunctionRoles extends Construct {
  private readonly roles = new Map<string, iam.Role>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: FunctionRolesProps,
  ) {
    super(scope, id);
  }

  /** The role of an operation's function. */
  roleFor(op: AnyOperation): iam.IRole {
    const writes = isMutating(op);
    const cursor = op.needs?.includes('cursorSecret') ?? false;
    const catalog = !writes && (op.needs?.includes('catalogSeed') ?? false);
    const key = `${pascal(op.domain)}${writes ? 'ReadWrite' : 'ReadOnly'}${cursor ? 'Cursor' : ''}${catalog ? 'CatalogSeed' : ''}`;
    let role = this.roles.get(key);
    if (!role) {
      role = this.makeRole(key, op.domain, writes, cursor);
      if (catalog) this.grantCatalogSeed(role);
      this.roles.set(key, role);
    }
    return role;
  }

  private grantCatalogSeed(role: iam.Role): void {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: this.props.tables.map((table) => table.tableArn),
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['CATALOG'] } },
      }),
    );
  }

  private makeRole(key: string, domain: string, writes: boolean, cursor: boolean): iam.Role {
    const role = new iam.Role(this, key, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Functions of the ${domain} domain: ${writes ? 'read-write' : 'read-only'} tables${cursor ? ', cursor key' : ''}`,
    });
    for (const table of this.props.tables) {
      if (writes) table.grantReadWriteData(role);
      else table.grantReadData(role);
    }
    if (cursor) this.props.cursorSecret.grantRead(role);
    const logGroups = Arn.format(
      {
        service: 'logs',
        resource: 'log-group',
        resourceName: `${this.props.logGroupPrefix}/${domain}/*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroups}:*`],
      }),
    );

    // cdk-nag IAM5 findings, acknowledged one by one (each finding names the exact wildcard).
    const stack = Stack.of(this);
    const acknowledgments = this.props.tables.map((table) => ({
      id: iam5ResourceFinding(stack, `${table.tableArn}/index/*`),
      reason: 'Queries on the global secondary indexes of a table the function uses; index names are part of the table declaration.',
    }));
    acknowledgments.push({
      id: iam5ResourceFinding(stack, `${logGroups}:*`),
      reason:
        'Log streams of the functions of this domain: each function has its own explicit log group under this prefix, and stream names are chosen by Lambda at run time.',
    });
    Validations.of(role).acknowledge(...acknowledgments);
    return role;
  }
}
