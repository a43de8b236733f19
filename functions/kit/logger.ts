/**
 * The process's logger: Powertools Logger, JSON lines with requestId, tenantId and correlationId
 * appended per request.
 *
 * Loaded on first use, not at import: the Logger and its commons are ~20 KiB a handler bundle would
 * otherwise compile and run at every cold start before its first line. `require` (not `import`)
 * makes esbuild wrap the package in a function it runs on the first call. `injectLogContext` is
 * Powertools' `injectLambdaContext(logger, { resetKeys: true })` for this lazy logger (the Powertools
 * middleware imports the Logger class, which would load it again at import).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

type LogMessage = Parameters<Logger['info']>[0];
type LogExtra = Parameters<Logger['info']> extends [unknown, ...infer Rest] ? Rest : never;

let instance: Logger | undefined;

function powertools(): Logger {
  if (!instance) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Logger: PowertoolsLogger } = require('@aws-lambda-powertools/logger') as typeof import('@aws-lambda-powertools/logger');
    instance = new PowertoolsLogger({ serviceName: 'control-plane' });
  }
  return instance;
}

/** The part of Powertools' Logger the platform uses; each call goes to the one Logger of the process. */
export const logger = {
  debug: (message: LogMessage, ...extra: LogExtra): void => powertools().debug(message, ...extra),
  info: (message: LogMessage, ...extra: LogExtra): void => powertools().info(message, ...extra),
  warn: (message: LogMessage, ...extra: LogExtra): void => powertools().warn(message, ...extra),
  error: (message: LogMessage, ...extra: LogExtra): void => powertools().error(message, ...extra),
  appendKeys: (attributes: Parameters<Logger['appendKeys']>[0]): void => powertools().appendKeys(attributes),
  resetKeys: (): void => powertools().resetKeys(),
  addContext: (context: Context): void => powertools().addContext(context),
  /** The Powertools Logger itself, for what the methods above do not cover. */
  get powertools(): Logger {
    return powertools();
  },
};

/**
 * Middy middleware: adds the Lambda context to every log line of the invocation and removes the
 * keys it appended when it ends, as `injectLambdaContext(logger, { resetKeys: true })` does.
 */
export function injectLogContext<Event, Result>(): MiddlewareObj<Event, Result, Error, Context> {
  const end = (): void => {
    const target = powertools();
    target.clearBuffer();
    target.resetKeys();
  };
  return {
    before: (request) => {
      const target = powertools();
      target.refreshSampleRateCalculation();
      target.addContext(request.context);
      target.logEventIfEnabled(request.event);
    },
    after: end,
    onError: end,
  };
}
