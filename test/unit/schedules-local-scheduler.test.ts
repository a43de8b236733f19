/** The local scheduler: manifest jobs on AWS expressions, a speed-up factor, one-time schedules. */
import { cancelSchedule, scheduleOnce, ScheduleAlreadyExists, type ScheduledJobEvent } from '../../functions/kit/scheduler';
import type { JobSpec } from '../../functions/manifest';
import { startLocalScheduler, type LocalScheduler, type ScheduleRun } from '../../lib/local/scheduler';

const START = new Date('2025-01-01T10:00:00Z');

interface Recorder {
  calls: { handler: string; event: any }[];
  runs: ScheduleRun[];
}

function start(jobs: JobSpec[], options: { speed?: number; fail?: boolean; slowMs?: number } = {}): [LocalScheduler, Recorder] {
  const recorder: Recorder = { calls: [], runs: [] };
  const scheduler = startLocalScheduler({
    jobs,
    ...(options.speed ? { speed: options.speed } : {}),
    invoke: async (handler, event) => {
      recorder.calls.push({ handler, event });
      if (options.slowMs) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
      if (options.fail) throw new Error('boom');
    },
    onRun: (run) => recorder.runs.push(run),
  });
  return [scheduler, recorder];
}

const job = (name: string, schedule: string): JobSpec => ({ name, schedule, handler: `jobs/${name}`, description: name });

let scheduler: LocalScheduler | undefined;

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(async () => {
  // stop() waits for runs in progress, which wait on the fake clock.
  const stopping = scheduler?.stop();
  await jest.advanceTimersByTimeAsync(5 * 60_000);
  await stopping;
  scheduler = undefined;
  jest.useRealTimers();
});

describe('recurring jobs', () => {
  it('runs a rate() job every period with the job event, not before', async () => {
    // Prepare
    const [started, seen] = start([job('sample', 'rate(5 minutes)')]);
    scheduler = started;
    // Act
    await jest.advanceTimersByTimeAsync(5 * 60_000 - 1);
    const before = seen.calls.length;
    await jest.advanceTimersByTimeAsync(1 + 10 * 60_000);
    // Assess
    expect(before).toBe(0);
    expect(seen.calls.map((c) => c.handler)).toEqual(['jobs/sample', 'jobs/sample', 'jobs/sample']);
    const events = seen.calls.map((c) => c.event as ScheduledJobEvent);
    expect(events.map((e) => e.scheduledTime)).toEqual(['2025-01-01T10:05:00.000Z', '2025-01-01T10:10:00.000Z', '2025-01-01T10:15:00.000Z']);
    expect(events[0]).toEqual({ source: 'platform.scheduler', job: 'sample', scheduledTime: '2025-01-01T10:05:00.000Z', executionId: expect.any(String), attemptNumber: '1' });
    expect(new Set(events.map((e) => e.executionId)).size).toBe(3);
  });

  it('with speed N a five-minute job runs every 5/N minutes, its times read on the fast clock', async () => {
    // Prepare
    const [started, seen] = start([job('sample', 'rate(5 minutes)')], { speed: 60 });
    scheduler = started;
    // Act: 5 s of wall clock is 5 minutes of the jobs' clock
    await jest.advanceTimersByTimeAsync(4_999);
    const before = seen.calls.length;
    await jest.advanceTimersByTimeAsync(1 + 5_000);
    // Assess
    expect(before).toBe(0);
    expect(seen.calls.map((c) => (c.event as ScheduledJobEvent).scheduledTime)).toEqual(['2025-01-01T10:05:00.000Z', '2025-01-01T10:10:00.000Z']);
    expect(started.now().toISOString()).toBe('2025-01-01T10:10:00.000Z');
  });

  it('runs a cron() job at the instants of its expression (UTC, AWS weekdays)', async () => {
    // Prepare: every hour at :30 on weekdays; 2025-01-01 is a Wednesday
    const [started, seen] = start([job('report', 'cron(30 * ? * MON-FRI *)')], { speed: 3600 });
    scheduler = started;
    // Act: 3 s of wall clock = 3 hours
    await jest.advanceTimersByTimeAsync(3_000);
    // Assess
    expect(seen.calls.map((c) => (c.event as ScheduledJobEvent).scheduledTime)).toEqual([
      '2025-01-01T10:30:00.000Z',
      '2025-01-01T11:30:00.000Z',
      '2025-01-01T12:30:00.000Z',
    ]);
    expect(started.nextRunOf('report')?.toISOString()).toBe('2025-01-01T13:30:00.000Z');
  });

  it('goes on after a failed run and reports it', async () => {
    // Prepare
    const [started, seen] = start([job('flaky', 'rate(1 minute)')], { fail: true });
    scheduler = started;
    // Act
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    // Assess
    expect(seen.runs.map((r) => r.error)).toEqual(['boom', 'boom']);
  });

  it('skips a run while the previous one of the same job is still busy', async () => {
    // Prepare: each run takes 90 s, the job is due every minute
    const [started, seen] = start([job('slow', 'rate(1 minute)')], { slowMs: 90_000 });
    scheduler = started;
    // Act
    await jest.advanceTimersByTimeAsync(4 * 60_000);
    // Assess: due at 1, 2, 3, 4 min; the ones at 2 and 4 find the previous still running
    expect(seen.calls.map((c) => (c.event as ScheduledJobEvent).scheduledTime)).toEqual(['2025-01-01T10:01:00.000Z', '2025-01-01T10:03:00.000Z']);
  });

  it('runs a job on demand without moving its schedule', async () => {
    const [started, seen] = start([job('cleanup', 'rate(1 hour)')]);
    scheduler = started;
    const run = await started.runJob('cleanup');
    expect(run).toMatchObject({ kind: 'job', name: 'cleanup', handler: 'jobs/cleanup' });
    expect(seen.calls).toHaveLength(1);
    expect(started.nextRunOf('cleanup')?.toISOString()).toBe('2025-01-01T11:00:00.000Z');
  });

  it('runs nothing after stop', async () => {
    const [started, seen] = start([job('sample', 'rate(1 minute)')]);
    await started.stop();
    await jest.advanceTimersByTimeAsync(5 * 60_000);
    expect(seen.calls).toEqual([]);
  });

  it('refuses an at() job and an invalid expression', () => {
    expect(() => startLocalScheduler({ jobs: [job('once', 'at(2030-01-01T00:00:00)')], register: false })).toThrow(/rate\(\) or cron\(\)/);
    expect(() => startLocalScheduler({ jobs: [job('bad', 'rate(5 minute)')], register: false })).toThrow(/not a valid schedule/);
  });
});

describe('one-time schedules through the port', () => {
  const target = { handler: 'bookings/start', input: { bookingId: 'bkg-1' } };

  it('invokes the target handler with its input, once, at the instant', async () => {
    // Prepare
    const [started, seen] = start([]);
    scheduler = started;
    // Act
    await scheduleOnce('booking-start-1', new Date(START.getTime() + 2_000), target);
    await jest.advanceTimersByTimeAsync(1_999);
    const before = seen.calls.length;
    await jest.advanceTimersByTimeAsync(60_000);
    // Assess
    expect(before).toBe(0);
    expect(seen.calls).toEqual([{ handler: 'bookings/start', event: { bookingId: 'bkg-1' } }]);
    expect(seen.runs[0]).toMatchObject({ kind: 'once', name: 'booking-start-1', scheduledTime: '2025-01-01T10:00:02.000Z' });
    expect(started.pending()).toEqual([]);
  });

  it('keeps wall-clock time whatever the speed', async () => {
    const [started, seen] = start([], { speed: 60 });
    scheduler = started;
    await scheduleOnce('later', new Date(START.getTime() + 60_000), target);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(seen.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(seen.calls).toHaveLength(1);
  });

  it('fires at once when the instant has passed', async () => {
    const [started, seen] = start([]);
    scheduler = started;
    await scheduleOnce('late', new Date(START.getTime() - 60_000), target);
    await jest.advanceTimersByTimeAsync(10);
    expect(seen.calls).toHaveLength(1);
  });

  it('is cancelled by name, and cancelling twice says there was none', async () => {
    // Prepare
    const [started, seen] = start([]);
    scheduler = started;
    await scheduleOnce('to-cancel', new Date(START.getTime() + 5_000), target);
    // Act
    const first = await cancelSchedule('to-cancel');
    const second = await cancelSchedule('to-cancel');
    await jest.advanceTimersByTimeAsync(10_000);
    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(seen.calls).toEqual([]);
  });

  it('refuses a name in use and a name Scheduler would refuse', async () => {
    const [started] = start([]);
    scheduler = started;
    await scheduleOnce('taken', new Date(START.getTime() + 5_000), target);
    await expect(scheduleOnce('taken', new Date(START.getTime() + 6_000), target)).rejects.toBeInstanceOf(ScheduleAlreadyExists);
    await expect(scheduleOnce('no spaces', new Date(START.getTime() + 6_000), target)).rejects.toThrow(/1-64/);
  });

  it('has no scheduler once the local one stopped', async () => {
    const [started] = start([]);
    await started.stop();
    await expect(scheduleOnce('after-stop', new Date(START.getTime() + 5_000), target)).rejects.toThrow(/No scheduler/);
  });
});
