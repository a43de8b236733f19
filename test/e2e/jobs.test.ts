/**
 * Jobs on demand (API.md, Common rules): an operator runs any manifest job now with its real handler,
 * follows the run, and sees the last run of every job; one run of a job at a time.
 */
import { clearFaults, injectFault } from '../../functions/kit/faults';
import { claimRunWrites, finishRun, JOB_RUN_DEADLINE_MS, jobHandler, newRunId } from '../../functions/kit/job';
import { commitWrites } from '../../functions/kit/transaction';
import type { Platform } from '../../lib/local/runtime';
import { client, startTestPlatform, tokenFor, type ApiResponse } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform('jobs', { relay: false, scheduler: false });
  call = client(platform.url);
  admin = await tokenFor(platform, ['platform-admin']);
});
afterEach(() => clearFaults());
afterAll(() => platform.stop());

/** Follows a run to its end; the deadline is far above a run's normal time (well under a second). */
async function ended(path: string): Promise<ApiResponse> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const run = await call('GET', path, { token: admin });
    if (run.body?.status !== 'running' || Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('POST /v1/admin/jobs/{name}/runs', () => {
  it('runs the cleanup job now with its real handler, and the run reports what it did', async () => {
    // Act
    const started = await call('POST', '/v1/admin/jobs/cleanup/runs', { token: admin, body: {} });
    const run = await ended(started.headers.get('location')!);

    // Assess
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ id: expect.stringMatching(/^run-/), job: 'cleanup', status: 'running', trigger: 'api' });
    expect(started.headers.get('location')).toBe(`/v1/admin/jobs/cleanup/runs/${started.body.id}`);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ id: started.body.id, status: 'succeeded', endedAt: expect.any(String), summary: { checkpoint: expect.any(String) } });
  });

  it('records a failed run with its error, and frees the job for the next run', async () => {
    // Prepare
    injectFault('Job.instance-metrics', { times: 1 });
    // Act
    const failed = await call('POST', '/v1/admin/jobs/instance-metrics/runs', { token: admin });
    const run = await ended(`/v1/admin/jobs/instance-metrics/runs/${failed.body.id}`);
    const next = await call('POST', '/v1/admin/jobs/instance-metrics/runs', { token: admin });
    // Assess
    expect(run.body).toMatchObject({ status: 'failed', summary: { error: expect.stringContaining('Job.instance-metrics') } });
    expect(next.status).toBe(202);
    expect((await ended(`/v1/admin/jobs/instance-metrics/runs/${next.body.id}`)).body.status).toBe('succeeded');
  });

  it('answers 409 JobAlreadyRunning while a run of the job holds it, and runs once it has ended', async () => {
    // Prepare: a run in progress
    const inProgress = newRunId();
    await commitWrites(claimRunWrites('cleanup', inProgress, new Date()));
    // Act
    const refused = await call('POST', '/v1/admin/jobs/cleanup/runs', { token: admin });
    await finishRun('cleanup', inProgress, 'succeeded', {});
    const accepted = await call('POST', '/v1/admin/jobs/cleanup/runs', { token: admin });
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('JobAlreadyRunning');
    expect(accepted.status).toBe(202);
    await ended(`/v1/admin/jobs/cleanup/runs/${accepted.body.id}`);
  });

  it('takes over from a run whose function died, which then reads failed', async () => {
    // Prepare: a run that started past its deadline and never ended
    const died = newRunId();
    await commitWrites(claimRunWrites('cleanup', died, new Date(Date.now() - JOB_RUN_DEADLINE_MS - 1000)));
    // Act
    const accepted = await call('POST', '/v1/admin/jobs/cleanup/runs', { token: admin });
    const dead = await call('GET', `/v1/admin/jobs/cleanup/runs/${died}`, { token: admin });
    // Assess
    expect(accepted.status).toBe(202);
    expect(dead.body).toMatchObject({ status: 'failed', summary: { error: expect.stringContaining('deadline') } });
    await ended(`/v1/admin/jobs/cleanup/runs/${accepted.body.id}`);
  });

  it('skips a scheduled run while another run holds the job, and records one that runs', async () => {
    // Prepare
    const busy = newRunId();
    await commitWrites(claimRunWrites('cleanup', busy, new Date()));
    const scheduled = jobHandler('cleanup', async () => ({ ran: true }));
    // Act
    const skipped = await scheduled({ source: 'platform.scheduler', job: 'cleanup' });
    await finishRun('cleanup', busy, 'succeeded', {});
    const ran = await scheduled({ source: 'platform.scheduler', job: 'cleanup' });
    const jobs = await call('GET', '/v1/admin/jobs', { token: admin });
    // Assess
    expect(skipped).toEqual({ skipped: 'another run is in progress' });
    expect(ran).toEqual({ ran: true });
    expect(jobs.body.items.find((job: { name: string }) => job.name === 'cleanup').lastRun).toMatchObject({ trigger: 'schedule', status: 'succeeded', summary: { ran: true } });
  });

  it.each([
    ['an unknown job', 'POST', '/v1/admin/jobs/no-such-job/runs', 404, 'NoSuchJob'],
    ['a run of an unknown job', 'GET', '/v1/admin/jobs/no-such-job/runs/run-x', 404, 'NoSuchJob'],
    ['an unknown run', 'GET', '/v1/admin/jobs/cleanup/runs/run-nope', 404, 'NoSuchJobRun'],
  ])('answers %s with %s', async (_, method, path, status, code) => {
    // Act
    const answer = await call(method, path, { token: admin });
    // Assess
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
  });

  it('is for operators only', async () => {
    // Prepare
    const owner = await tokenFor(platform, ['owner']);
    // Act
    const answer = await call('POST', '/v1/admin/jobs/cleanup/runs', { token: owner });
    // Assess
    expect(answer.status).toBe(403);
  });
});

describe('GET /v1/admin/jobs', () => {
  it("lists every manifest job with its schedule expression and last run", async () => {
    // Prepare
    const started = await call('POST', '/v1/admin/jobs/cleanup/runs', { token: admin });
    await ended(`/v1/admin/jobs/cleanup/runs/${started.body.id}`);
    // Act
    const jobs = await call('GET', '/v1/admin/jobs', { token: admin });
    // Assess
    expect(jobs.status).toBe(200);
    const byName = Object.fromEntries(jobs.body.items.map((job: { name: string }) => [job.name, job]));
    expect(byName.cleanup).toMatchObject({ schedule: 'rate(1 hour)', lastRun: { id: started.body.id, status: 'succeeded' } });
    expect(byName['instance-metrics']).toMatchObject({ schedule: 'rate(5 minutes)' });
  });
});
