/**
 * Jobs on demand, locally: `POST /v1/admin/jobs/{name}/runs` starts the job's handler module
 * in-process, as one Lambda invocation, without waiting for it (the cloud's asynchronous invoke).
 */
import { logger } from '../../functions/kit/logger';
import type { JobInvoker } from '../../functions/kit/job';
import type { JobSpec } from '../../functions/kit/declarations';
import { moduleInvoke } from './scheduler';

export interface LocalJobRuns {
  invoker: JobInvoker;
  /** Resolves once every run started so far has ended. */
  idle(): Promise<void>;
}

export function localJobRuns(jobs: readonly JobSpec[]): LocalJobRuns {
  const running = new Set<Promise<unknown>>();
  return {
    invoker: async (name, event) => {
      const job = jobs.find((candidate) => candidate.name === name);
      if (!job) throw new Error(`The manifest declares no job ${name}`);
      // The run records its own failure; the rejection only needs to be kept from going unhandled.
      const run: Promise<unknown> = moduleInvoke(name)(job.handler, event)
        .catch((error: unknown) => logger.warn('job run failed', { job: name, error: error as Error }))
        .finally(() => running.delete(run));
      running.add(run);
    },
    async idle() {
      await Promise.all([...running]);
    },
  };
}
