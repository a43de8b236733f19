/**
 * Starts one in-memory DynamoDB Local for the whole jest run (integration, e2e and security share it; each
 * test file uses its own table prefix). Skipped when only unit or infra tests were selected.
 */
import { startDynamoDbLocal, type DynamoDbLocal } from '../../lib/local/dynamodb-local';

declare global {
  var __dynamoDbLocal: DynamoDbLocal | undefined;
}

/** The projects named after --selectProjects on the command line, if any. */
function selectedProjects(): string[] | undefined {
  const at = process.argv.indexOf('--selectProjects');
  if (at < 0) return undefined;
  const names: string[] = [];
  for (const arg of process.argv.slice(at + 1)) {
    if (arg.startsWith('-')) break;
    names.push(arg);
  }
  return names;
}

export default async function globalSetup(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.VALIDATE_RESPONSES ??= 'true';
  // The simulated data plane answers at once in tests; a test that wants to watch `pending` sets its own.
  process.env.SIMULATED_BOOT_SECONDS ??= '0';
  process.env.SIMULATED_STOP_SECONDS ??= '0';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const selected = selectedProjects();
  const needsDatabase = !selected || selected.some((name) => name === 'integration' || name === 'e2e' || name === 'security');
  if (!needsDatabase || process.env.DYNAMODB_ENDPOINT) return;
  globalThis.__dynamoDbLocal = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = globalThis.__dynamoDbLocal.endpoint;
}
