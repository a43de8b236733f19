/** The local runtime's scheduler: manifest jobs run (faster with speed), one-time schedules fire, `npm start --speed`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CHECKPOINT_KEY } from '../../functions/jobs/cleanup';
import { getItem } from '../../functions/kit/repository';
import { scheduleOnce } from '../../functions/kit/scheduler';
import { tableName } from '../../functions/kit/tables';
import type { Platform } from '../../lib/local/runtime';
import type { ScheduleRun } from '../../lib/local/scheduler';
import { startTestPlatform } from '../support/platform';

let platform: Platform;
const runs: (ScheduleRun & { endedAt: number })[] = [];

beforeAll(async () => {
  // rate(1 hour) at 3600x: the cleanup job runs every second of wall clock.
  platform = await startTestPlatform('schedules', { scheduler: { speed: 3600, onRun: (run) => runs.push({ ...run, endedAt: Date.now() }) } });
});
afterAll(() => platform.stop());

const checkpoint = () => getItem(tableName('resources'), CHECKPOINT_KEY, true);

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the local scheduler in the running platform', () => {
  it('runs the manifest\'s cleanup job by itself, on the fast clock', async () => {
    // Act: wait for the first run to leave its checkpoint
    const written = await until(checkpoint);
    // Assess
    expect(platform.scheduler?.speed).toBe(3600);
    expect(written.purgedBefore).toEqual(expect.any(String));
    expect(platform.scheduler!.nextRunOf('cleanup')!.getTime()).toBeGreaterThan(Date.now());
  });

  it('runs a job on demand with the real handler module', async () => {
    const run = await platform.scheduler!.runJob('cleanup');
    expect(run).toMatchObject({ kind: 'job', name: 'cleanup', handler: 'jobs/cleanup' });
    expect(run.error).toBeUndefined();
  });

  it('fires a one-time schedule made through the kit\'s port at its instant, once', async () => {
    // Prepare
    const at = new Date(Date.now() + 300);
    // Act
    await scheduleOnce('e2e-once', at, { handler: 'jobs/cleanup', input: { source: 'platform.scheduler', job: 'cleanup' } });
    const pending = platform.scheduler!.pending();
    const run = await until(async () => runs.find((r) => r.kind === 'once' && r.name === 'e2e-once'));
    // Assess
    expect(pending).toContain('e2e-once');
    expect(platform.scheduler!.pending()).not.toContain('e2e-once');
    expect(run).toMatchObject({ handler: 'jobs/cleanup', scheduledTime: at.toISOString() });
    expect(run.error).toBeUndefined();
    expect(run.endedAt).toBeGreaterThanOrEqual(at.getTime());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs.filter((r) => r.name === 'e2e-once')).toHaveLength(1);
  });
});

describe('npm start --speed', () => {
  it.each([['0'], ['-2'], ['fast']])('refuses --speed %s with a message and exit code 1', async (speed) => {
    // Act
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/local.ts', '--memory', '--port', '0', `--speed=${speed}`], {
      cwd: `${__dirname}/../..`,
    });
    // Assess
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--speed must be a positive number') });
  });
});
