/** The metrics events (source `platform.compute`). */
import * as z from 'zod/mini';
import { defineEvent } from '../../events/define';

export const instanceHighCpu = defineEvent({
  source: 'platform.compute',
  detailType: 'instance.alert.high_cpu',
  resourceType: 'instance',
  description:
    "An instance's CPU was above the threshold (80 %) for three five-minute samples in a row. Emitted once per episode: " +
    'the next one comes only after a sample at or below the threshold (or a missing period) and three high samples again.',
  data: z.lazy(() => z.object({
    periodStart: z.string().check(z.describe('The start of the period whose sample completed the run (ISO 8601).')),
    cpuPercent: z.number().check(z.describe("That sample's CPU utilisation.")),
    consecutiveSamples: z.int().check(z.describe('High samples in a row so far.')),
    thresholdPercent: z.number(),
  })),
});
