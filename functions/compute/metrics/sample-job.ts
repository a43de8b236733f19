/** The `instance-metrics` job's handler (see ./sample.ts). */
import { logger } from '../../kit/logger';
import { jobHandler } from '../../kit/job';
import { instanceMetricsJob } from './job';
import { computeProvider } from '../../providers';
import { sampleRunningInstances, type SampleRunResult } from './sample';

export const handler = jobHandler(instanceMetricsJob.name, async (event): Promise<SampleRunResult> => {
  const clock = new Date();
  const scheduled = event.scheduledTime ? new Date(event.scheduledTime) : undefined;
  // The schedule's time, not the clock: a run that starts late still samples the period it was due
  // for. Never a time ahead of the clock (the local scheduler's --speed runs ahead): no sample is
  // stored for a period that has not happened.
  const now = scheduled && !Number.isNaN(scheduled.getTime()) && scheduled <= clock ? scheduled : clock;
  const result = await sampleRunningInstances({ provider: computeProvider(), now, ...(event.executionId ? { runId: event.executionId } : {}) });
  const log = result.failed > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
  log('instance metrics sampled', { job: event.job, scheduledTime: event.scheduledTime, ...result });
  return result;
});
