/** The metrics API, job and events. */
import * as z from 'zod';
import type { AnyEventSpec } from '../../events/define';
import { defineOperation, type AnyOperation } from '../../kit/operation';
import type { JobSpec } from '../../kit/declarations';
import { instanceHighCpu } from './events';
import { instanceMetricsJob } from './job';
import { DEFAULT_POINTS, MAX_POINTS, PERIOD_SECONDS, RETENTION_DAYS } from './metrics';

const percent = z.number().describe('Percent, two decimals.');
const bytes = z.number().int().nonnegative();
const rate = z.number().nonnegative().describe('Per second, two decimals.');

export const seriesPointSchema = z
  .object({
    at: z.string().describe("The bucket's start (ISO 8601)."),
    cpuAvgPercent: percent,
    cpuMaxPercent: percent,
    memoryAvgPercent: percent,
    diskReadBytes: bytes,
    diskWriteBytes: bytes,
    networkBytesIn: bytes,
    networkBytesOut: bytes,
  })
  .meta({ id: 'InstanceMetricsPoint' });

export const instanceMetricsSchema = z
  .object({
    instanceId: z.string(),
    from: z.string().describe('The window asked for: samples whose period starts in [from, to).'),
    to: z.string(),
    periodSeconds: z.number().int().positive().describe(`The width of each \`series\` bucket: a multiple of the ${PERIOD_SECONDS}-second sample period.`),
    cpu: z.object({ avgPercent: percent, maxPercent: percent, minPercent: percent }),
    memory: z.object({ avgPercent: percent, maxBytes: bytes }),
    diskIo: z.object({ totalReadBytes: bytes, totalWriteBytes: bytes, avgReadIops: rate, avgWriteIops: rate }),
    network: z.object({ totalBytesIn: bytes, totalBytesOut: bytes, avgPacketsPerSec: rate }),
    sampleCount: z.number().int().nonnegative().describe('Samples in the window; 0 (and zeros everywhere) when there are none.'),
    series: z
      .array(seriesPointSchema)
      .optional()
      .describe('Oldest first, at most `points` buckets; buckets without samples are left out.'),
  })
  .meta({ id: 'InstanceMetrics' });

const isoTime = z.string().min(1).max(64);

export const getInstanceMetrics = defineOperation(() => ({
  operationId: 'getInstanceMetrics',
  method: 'GET',
  path: '/v1/instances/{id}/metrics',
  handler: 'compute/metrics/get-instance-metrics',
  domain: 'compute',
  summary: "An instance's metrics over a window",
  description:
    `Summarises the instance's five-minute samples whose period starts in [from, to) (default the last 24 hours): CPU min/max/average, memory, disk I/O and network totals and rates. ` +
    `\`series\` holds the same downsampled to at most \`points\` buckets of equal width for a chart. Samples are kept ${RETENTION_DAYS} days; a window may span at most that.`,
  access: 'viewer',
  params: z.strictObject({ id: z.string().min(1).max(64).describe('An instance id: i-...') }),
  query: z.strictObject({
    from: isoTime.optional().describe('ISO 8601; default `to` minus 24 hours.'),
    to: isoTime.optional().describe('ISO 8601; default now.'),
    points: z.coerce.number().int().min(1).max(MAX_POINTS).optional().describe(`Most buckets in \`series\`, 1 to ${MAX_POINTS} (default ${DEFAULT_POINTS}).`),
  }),
  status: 200,
  response: instanceMetricsSchema,
  errors: [
    { status: 404, code: 'InvalidInstanceID.NotFound', description: 'No instance has this id in the tenant.' },
    {
      status: 400,
      code: 'InvalidParameterValue',
      description: `from or to is not an ISO 8601 time, from is not before to, the window spans more than ${RETENTION_DAYS} days, or to lies in the future.`,
    },
  ],
}));


export { instanceMetricsJob };

export const metricsOperations: AnyOperation[] = [getInstanceMetrics] as AnyOperation[];
export const metricsJobs: JobSpec[] = [instanceMetricsJob];
export const metricsEvents: AnyEventSpec[] = [instanceHighCpu] as AnyEventSpec[];
