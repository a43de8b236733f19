/**
 * Powertools idempotency for saga steps and event consumers, on the Idempotency table.
 *
 * - `makeIdempotent`, not the middy middleware (2.35.0 runs the handler twice with it).
 * - One persistence layer per call: Powertools keeps the key prefix on the layer, so a layer
 *   shared by two steps running at once in one process (the local runtime) could mix prefixes;
 *   the prefix is passed explicitly (`saga.<Saga>.<Step>`), since AWS_LAMBDA_FUNCTION_NAME is
 *   empty locally. The DynamoDB client is shared.
 * - Attribute names are Powertools' defaults and match the table: key `id`, TTL `expiration`.
 *   A middleware adds `expiryBucket` next to `expiration`, so the cleanup job finds the records
 *   through the `expiry` index as it finds the request records.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { settings } from '../kit/config';
import { expiryAttributes, tableName } from '../kit/tables';

/** How long a step's result is remembered: as long as a request's. */
export const STEP_IDEMPOTENCY_SECONDS = 24 * 60 * 60;

type AttributeValues = Record<string, { N?: string; S?: string } | undefined>;

/** Adds `expiryBucket` to Powertools' writes of `expiration` (put of a record, update on completion). */
function withExpiryBucket(input: Record<string, unknown>): void {
  const item = input.Item as AttributeValues | undefined;
  if (item?.expiration?.N) {
    item.expiryBucket = { S: String(expiryAttributes('expiration', Number(item.expiration.N)).expiryBucket) };
    return;
  }
  const values = input.ExpressionAttributeValues as AttributeValues | undefined;
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  const expiry = values?.[':expiry']?.N;
  if (expiry && names?.['#expiry'] === 'expiration' && typeof input.UpdateExpression === 'string' && values) {
    names['#expiryBucket'] = 'expiryBucket';
    values[':expiryBucket'] = { S: String(expiryAttributes('expiration', Number(expiry)).expiryBucket) };
    input.UpdateExpression = input.UpdateExpression.replace(/^SET /, 'SET #expiryBucket = :expiryBucket, ');
  }
}

let shared: { client: DynamoDBClient; endpoint: string | undefined; region: string } | undefined;

function idempotencyClient(): DynamoDBClient {
  const endpoint = settings.dynamodbEndpoint();
  const region = settings.region();
  if (shared && shared.endpoint === endpoint && shared.region === region) return shared.client;
  shared?.client.destroy();
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      withExpiryBucket(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'idempotencyExpiryBucket' },
  );
  shared = { client, endpoint, region };
  return client;
}

/**
 * Runs `fn(payload)` at most once per `keyPrefix` and `payload[keyField]` (within
 * STEP_IDEMPOTENCY_SECONDS): a second call with the same key returns the first call's stored
 * result without running `fn`; a call while the first is still running throws
 * IdempotencyAlreadyInProgressError; a failed call leaves no record, so it may run again.
 */
export async function runOnce<P extends Record<string, unknown>, R>(
  keyPrefix: string,
  keyField: keyof P & string,
  payload: P,
  context: Context | undefined,
  fn: (payload: P) => Promise<R>,
): Promise<R> {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: tableName('idempotency'), awsSdkV3Client: idempotencyClient() });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: keyField,
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: STEP_IDEMPOTENCY_SECONDS,
    // Powertools sizes the in-progress lock by the invocation's remaining time; a direct call has a minute.
    lambdaContext: context ?? ({ getRemainingTimeInMillis: () => 60_000, awsRequestId: 'direct' } as unknown as Context),
  });
  const once = makeIdempotent(fn, { persistenceStore, keyPrefix, config });
  return once(payload);
}

/**
 * The Powertools record id of a saga state's run for an operation (`runOnce` with `operationId` as
 * the key): the prefix and the MD5 of the key's JSON, base64, as Powertools' persistence layer
 * makes it.
 */
export function stepRecordId(keyPrefix: string, operationId: string): string {
  return `${keyPrefix}#${createHash('md5').update(JSON.stringify(operationId)).digest('base64')}`;
}

/**
 * Deletes the in-progress records a dead process left for these saga states (a completed record
 * stays: its step is done). Locally only: a Lambda that dies has its lock expire with its timeout.
 */
export async function releaseInProgressSteps(keyPrefixes: readonly string[], operationId: string): Promise<void> {
  for (const prefix of keyPrefixes) {
    try {
      await idempotencyClient().send(
        new DeleteItemCommand({
          TableName: tableName('idempotency'),
          Key: { id: { S: stepRecordId(prefix, operationId) } },
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': { S: 'INPROGRESS' } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
