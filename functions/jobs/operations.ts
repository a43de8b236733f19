/** Jobs on demand (API.md, Common rules): operators run any manifest job now, with its real handler. */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';

const domain = 'jobs';
const jobName = z.lazy(() => z.string().check(z.minLength(1), z.maxLength(64), z.describe("A job's name in the manifest: `cleanup`, `instance-metrics`.")));
const noSuchJob = { status: 404, code: 'NoSuchJob', description: 'The manifest declares no job of this name.' };

export const jobRunSchema = z.lazy(() => z
  .object({
    id: z.string().check(z.describe('run-...')),
    job: z.string(),
    status: z.enum(['running', 'succeeded', 'failed']).check(z.describe('A run still `running` past its deadline (15 minutes) is reported `failed`.')),
    trigger: z.enum(['schedule', 'api']).check(z.describe('Whether the schedule fired it or an operator asked for it.')),
    startedAt: z.string(),
    endedAt: z.optional(z.string()),
    summary: z.record(z.string(), z.unknown()).check(z.describe("What the job's handler reported (counts), or the error of a failed run.")),
  })
  .check(z.meta({ id: 'JobRun' })));

const jobSchema = z.lazy(() => z
  .object({
    name: z.string(),
    schedule: z.string().check(z.describe('AWS syntax: `rate(1 hour)`, `cron(0 3 * * ? *)`.')),
    description: z.string(),
    lastRun: z.optional(jobRunSchema).check(z.describe('The newest run, scheduled or on demand.')),
  })
  .check(z.meta({ id: 'Job' })));

export const listJobs = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listJobs',
  method: 'GET',
  path: '/v1/admin/jobs',
  handler: 'jobs/list-jobs',
  domain,
  summary: "List the manifest's jobs with their schedules and last runs",
  access: 'platform-admin',
  status: 200,
  response: z.object({ items: z.array(jobSchema) }).check(z.meta({ id: 'JobList' })),
  needs: ['jobs'],
}));

export const startJobRun = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'startJobRun',
  method: 'POST',
  path: '/v1/admin/jobs/{name}/runs',
  handler: 'jobs/start-job-run',
  domain,
  summary: 'Run a job now',
  description:
    "Starts the job's own function now (in the cloud an asynchronous Lambda invoke; locally in-process), with the event its schedule sends and the run's id. " +
    'Answers 202 with the run `running`; follow it with `GET /v1/admin/jobs/{name}/runs/{id}`. One run of a job at a time, whoever started it. Takes no body.',
  access: 'platform-admin',
  params: z.strictObject({ name: jobName }),
  status: 202,
  response: jobRunSchema,
  needs: ['jobs', 'jobInvoke'],
  errors: [
    noSuchJob,
    { status: 409, code: 'JobAlreadyRunning', description: 'A run of this job (scheduled or on demand) is in progress.' },
    { status: 503, code: 'ServiceUnavailable', description: "The job's function could not be started; the run is recorded as failed." },
  ],
}));

export const getJobRun = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getJobRun',
  method: 'GET',
  path: '/v1/admin/jobs/{name}/runs/{id}',
  handler: 'jobs/get-job-run',
  domain,
  summary: 'Get a job run',
  access: 'platform-admin',
  params: z.strictObject({ name: jobName, id: z.string().check(z.minLength(1), z.maxLength(64)) }),
  status: 200,
  response: jobRunSchema,
  needs: ['jobs'],
  errors: [noSuchJob, { status: 404, code: 'NoSuchJobRun', description: 'The job has no run of this id (runs are kept 90 days).' }],
}));

export const jobOperations = [listJobs, startJobRun, getJobRun];
