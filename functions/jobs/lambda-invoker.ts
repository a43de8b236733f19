/**
 * The cloud's way of starting a job at an operator's request: an asynchronous invoke of the job's own
 * function (the one its schedule targets), whose ARN the stack hands over in `JOB_FUNCTION_ARNS`.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { JOB_FUNCTIONS_ENV, type JobInvoker } from '../kit/job';

let client: LambdaClient | undefined;

function defaultClient(): LambdaClient {
  client ??= new LambdaClient({});
  return client;
}

export function lambdaJobInvoker(env: NodeJS.ProcessEnv = process.env, lambda: Pick<LambdaClient, 'send'> = defaultClient()): JobInvoker {
  const arns = JSON.parse(env[JOB_FUNCTIONS_ENV] ?? '{}') as Record<string, string>;
  return async (job, event) => {
    const functionName = arns[job];
    if (!functionName) throw new Error(`No function ARN for job ${job} in ${JOB_FUNCTIONS_ENV}`);
    await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  };
}
