/** The platform's recurring jobs, listed in the manifest: EventBridge Scheduler in the cloud, croner locally. */
import type { JobSpec } from '../kit/declarations';

export const cleanupJob: JobSpec = {
  name: 'cleanup',
  schedule: 'rate(1 hour)',
  handler: 'jobs/cleanup',
  description:
    'Deletes expired items (idempotency records, outbox events, resources past their expiresAt) by querying the expiry index hour by hour.',
};

export const platformJobs: JobSpec[] = [cleanupJob];
