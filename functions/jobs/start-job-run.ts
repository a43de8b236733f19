import { ServiceUnavailable } from '../kit/errors';
import { logger } from '../kit/logger';
import { claimRunWrites, finishRun, newRunId, registeredJobInvoker, type JobEvent } from '../kit/job';
import { httpHandler } from '../wiring/http';
import { knownJob } from './known-job';
import { lambdaJobInvoker } from './lambda-invoker';
import { startJobRun } from './operations';

export const handler = httpHandler(startJobRun, async ({ params, now }) => {
  const job = knownJob(params.name);
  const runId = newRunId();
  const event: JobEvent = { source: 'platform.jobs', job: job.name, scheduledTime: now.toISOString(), executionId: runId, attemptNumber: '1', runId };
  return {
    body: { id: runId, job: job.name, status: 'running' as const, trigger: 'api' as const, startedAt: now.toISOString(), summary: {} },
    location: `/v1/admin/jobs/${job.name}/runs/${runId}`,
    writes: claimRunWrites(job.name, runId, now),
    // The run and the lock exist before the function starts, so it finds its record.
    afterCommit: async () => {
      try {
        await (registeredJobInvoker() ?? lambdaJobInvoker())(job.name, event);
      } catch (error) {
        logger.error('job function could not be started', { job: job.name, runId, error: error as Error });
        await finishRun(job.name, runId, 'failed', { error: 'The job function could not be started.' });
        throw new ServiceUnavailable(`The ${job.name} job could not be started; try again.`);
      }
    },
  };
});
