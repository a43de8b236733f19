import { declaredJobs, lastRun } from '../kit/job';
import { httpHandler } from '../wiring/http';
import { listJobs } from './operations';

export const handler = httpHandler(listJobs, async ({ now }) => {
  const jobs = declaredJobs();
  const runs = await Promise.all(jobs.map((job) => lastRun(job.name, now)));
  return { body: { items: jobs.map((job, i) => ({ ...job, ...(runs[i] ? { lastRun: runs[i] } : {}) })) } };
});
