/** GET /v1/instances/{id}/metrics (its rules, storage and job beside it, in compute/metrics/). */
import { httpHandler } from '../../wiring/http';
import { getInstance } from '../instance-repository';
import { aggregate, bucketSeconds, downsample, metricsWindow } from './metrics';
import { getInstanceMetrics } from './operations';
import { querySamples } from './repository';

export const handler = httpHandler(getInstanceMetrics, async ({ caller, params, query, now }) => {
  const window = metricsWindow(query, now);
  const instance = await getInstance(caller.tenantId as string, params.id);
  const samples = await querySamples({ tenantId: instance.tenantId, instanceId: instance.id }, window.from, window.to);
  const periodSeconds = bucketSeconds(window, window.points);
  return {
    body: {
      instanceId: instance.id,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      periodSeconds,
      ...aggregate(samples),
      series: downsample(samples, window.from, periodSeconds),
    },
  };
});
