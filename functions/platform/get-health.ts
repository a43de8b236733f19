import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import { httpHandler } from '../wiring/http';
import { tableName } from '../kit/tables';
import { getHealth } from './operations';

const PROBE_TIMEOUT_MS = 2000;

async function probeDynamoDb(): Promise<{ status: 'ok' | 'down'; latencyMs?: number }> {
  const started = Date.now();
  try {
    await documentClient().send(
      new GetCommand({ TableName: tableName('resources'), Key: { pk: 'health', sk: 'health' } }),
      { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) },
    );
    return { status: 'ok', latencyMs: Date.now() - started };
  } catch {
    // What failed stays in our logs' absence of detail: the public answer only says "down".
    return { status: 'down' };
  }
}

export const handler = httpHandler(getHealth, async () => {
  const dynamodb = await probeDynamoDb();
  const healthy = dynamodb.status === 'ok';
  if (healthy) return { body: { status: 'ok' as const, checks: { dynamodb } } };
  return { status: 503, body: { status: 'unavailable' as const, checks: { dynamodb } }, headers: { 'Retry-After': '5' } };
});
