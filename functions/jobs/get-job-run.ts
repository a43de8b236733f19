import { NotFound } from '../kit/errors';
import { getRun } from '../kit/job';
import { httpHandler } from '../wiring/http';
import { knownJob } from './known-job';
import { getJobRun } from './operations';

export const handler = httpHandler(getJobRun, async ({ params, now }) => {
  const job = knownJob(params.name);
  const run = await getRun(job.name, params.id, now);
  if (!run) throw new NotFound('NoSuchJobRun', `Job ${job.name} has no run ${params.id}.`);
  return { body: run };
});
