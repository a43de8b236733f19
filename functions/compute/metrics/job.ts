/** The `instance-metrics` job's declaration, apart from the operations so its function loads no schemas. */
import type { JobSpec } from '../../kit/declarations';

export const instanceMetricsJob: JobSpec = {
  name: 'instance-metrics',
  schedule: 'rate(5 minutes)',
  handler: 'compute/metrics/sample-job',
  description:
    'Samples every running instance through the compute provider for the last complete five-minute period (once per period however often it runs), and emits instance.alert.high_cpu.',
};
