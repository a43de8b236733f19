import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { settings } from './config';

let shared: DynamoDBDocumentClient | undefined;

/**
 * The one DocumentClient of this process. With DYNAMODB_ENDPOINT set (the local runtime, tests)
 * it talks to DynamoDB Local with dummy credentials; in Lambda it uses the function's role.
 */
export function documentClient(): DynamoDBDocumentClient {
  if (!shared) {
    const endpoint = settings.dynamodbEndpoint();
    const client = new DynamoDBClient({
      region: settings.region(),
      ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      maxAttempts: 3,
    });
    shared = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    });
  }
  return shared;
}

/** Forget the client so the next call builds one from the current environment (tests, local restarts). */
export function resetDocumentClient(): void {
  shared?.destroy();
  shared = undefined;
}
