/**
 * The reliability project's own setup: when the run-wide setup started no DynamoDB Local (it starts
 * one only for the projects it knows), this one does, the same way, and the run-wide teardown stops
 * it. In a full `npm test` run the database is already there and this does nothing.
 */
import globalSetup from '../../support/global-setup';
import { startDynamoDbLocal } from '../../../lib/local/dynamodb-local';

export default async function reliabilitySetup(): Promise<void> {
  await globalSetup();
  if (process.env.DYNAMODB_ENDPOINT) return;
  globalThis.__dynamoDbLocal = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = globalThis.__dynamoDbLocal.endpoint;
}
