/** The metrics API, job and events. */
import * as z from 'zod/mini';
import type { AnyEventSpec } from '../../events/define';
import { defineOperation, type AnyOperation } from '../../kit/operation';
import type { JobSpec } from '../../kit/declarations';
import { instanceHighCpu } from './events';
import { instanceMetricsJob } from './job';
import { DEFAULT_POINTS, MAX_POINTS, PERIOD_SECONDS, RETENTION_DAYS } from './metrics';

const percent = z.number().check(z.describe('Percent, two decimals.'));
const bytes = z.int().check(z.nonnegative());
const rate = z.number().check(z.nonnegative(), z.describe('Per second, two decimals.'));

export const seriesPointSchema = z
  .object({
    at: z.string().check(z.describe("The bucket's start (ISO 8601).")),
    cpuAvgPercent: percent,
    cpuMaxPercent: percent,
    memoryAvgPercent: percent,
    diskReadBytes: bytes,
    diskWriteBytes: bytes,
    networkBytesIn: bytes,
    networkBytesOut: bytes,
  })
  .check(z.meta({ id: 'InstanceMetricsPoint' }));

export const instanceMetricsSchema = z.lazy(() => z
  .object({
    instanceId: z.string(),
    from: z.string().check(z.describe('The window asked for: samples whose period starts in [from, to).')),
    to: z.string(),
    periodSeconds: z.int().check(z.positive(), z.describe(`The width of each \`series\` bucket: a multiple of the ${PERIOD_SECONDS}-second sample period.`)),
    cpu: z.object({ avgPercent: percent, maxPercent: percent, minPercent: percent }),
    memory: z.object({ avgPercent: percent, maxBytes: bytes }),
    diskIo: z.object({ totalReadBytes: bytes, totalWriteBytes: bytes, avgReadIops: rate, avgWriteIops: rate }),
    network: z.object({ totalBytesIn: bytes, totalBytesOut: bytes, avgPacketsPerSec: rate }),
    sampleCount: z.int().check(z.nonnegative(), z.describe('Samples in the window; 0 (and zeros everywhere) when there are none.')),
    series: z
      .optional(z.array(seriesPointSchema))
      .check(z.describe('Oldest first, at most `points` buckets; buckets without samples are left out.')),
  })
  .check(z.meta({ id: 'InstanceMetrics' })));

const isoTime = z.string().check(z.minLength(1), z.maxLength(64));

export const getInstanceMetrics = /* @__PURE__ */ defineOperation(() => ({
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
  params: z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64), z.describe('An instance id: i-...')) }),
  query: z.strictObject({
    from: z.optional(isoTime).check(z.describe('ISO 8601; default `to` minus 24 hours.')),
    to: z.optional(isoTime).check(z.describe('ISO 8601; default now.')),
    points: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_POINTS))).check(z.describe(`Most buckets in \`series\`, 1 to ${MAX_POINTS} (default ${DEFAULT_POINTS}).`)),
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
