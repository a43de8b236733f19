import { Logger } from '@aws-lambda-powertools/logger';

/** The process's logger: JSON lines with requestId, tenantId and correlationId appended per request. */
export const logger = new Logger({ serviceName: 'control-plane' });
