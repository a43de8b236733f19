/**
 * Reliability, the state race: rounds of concurrent start, stop, reboot, resize and terminate
 * requests on one instance, fifty rounds over five instances in `npm run test:soak`, sixteen over two
 * in `npm test` (each instance's last rounds may
 * terminate it). Whatever wins, the audit trail shows only transitions of the state graph, every
 * answer is 200, 202 or 409, the instance ends in a state the graph reaches, and the vcpus quota
 * matches what is left.
 */
import { isLegalTransition, type InstanceState } from '../../functions/compute/instance';
import type { Platform } from '../../lib/local/runtime';
import { computeTenant, launch, quotaUsed, waitForStatus, type ComputeTenant } from '../support/compute';
import { client, startTestPlatform } from '../support/platform';
import { bySize } from './support/size';

const INSTANCES = bySize({ soak: 5, quick: 2 });
const ROUNDS_PER_INSTANCE = bySize({ soak: 10, quick: 8 });
const REQUESTS_PER_ROUND = 6;
const ACTIONS = ['start', 'stop', 'reboot', 'resize', 'terminate'] as const;
type Action = (typeof ACTIONS)[number];

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('rel-state', { relay: { pollMs: 50 }, scheduler: false, stepFunctions: { retryDelayMs: 10 } });
  call = client(platform.url);
});
afterAll(() => platform.stop());

/** A small deterministic generator, so a failing mix can be run again. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function fire(t: ComputeTenant, id: string, action: Action, pick: () => number) {
  if (action === 'terminate') return call('DELETE', `/v1/instances/${id}`, { token: t.token });
  if (action === 'resize') return call('POST', `/v1/instances/${id}/resize`, { token: t.token, body: { flavorId: pick() < 0.5 ? 't3.small' : 't3.xlarge' } });
  return call('POST', `/v1/instances/${id}/${action}`, { token: t.token });
}

async function settled(t: ComputeTenant, id: string): Promise<{ status: InstanceState; vcpus: number }> {
  // Far above the normal time: the simulated data plane answers at once in tests.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const instance = (await call('GET', `/v1/instances/${id}`, { token: t.token })).body;
    if (!['pending', 'stopping', 'shutting-down'].includes(instance.status) || Date.now() > deadline) return instance;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it(`${INSTANCES * ROUNDS_PER_INSTANCE} rounds of ${REQUESTS_PER_ROUND} concurrent actions: only legal transitions`, async () => {
  const pick = random(20261122);
  const illegal: string[] = [];
  const answers = new Map<number, number>();
  let moves = 0;
  for (let n = 0; n < INSTANCES; n++) {
    // Prepare
    const t = await computeTenant(platform, call, { vcpus: 64 });
    const created = await launch(call, t);
    await waitForStatus(call, t.token, created.body.id, 'running');

    // Act
    for (let round = 0; round < ROUNDS_PER_INSTANCE; round++) {
      const pool = round < ROUNDS_PER_INSTANCE - 2 ? ACTIONS.filter((a) => a !== 'terminate') : ACTIONS;
      const mix = Array.from({ length: REQUESTS_PER_ROUND }, () => pool[Math.floor(pick() * pool.length)] as Action);
      for (const answer of await Promise.all(mix.map((action) => fire(t, created.body.id, action, pick)))) {
        answers.set(answer.status, (answers.get(answer.status) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 20 + pick() * 120));
    }
    const final = await settled(t, created.body.id);

    // Assess (collected, so a failure shows every instance)
    const audit = await call('GET', `/v1/audit-log?resourceId=${created.body.id}&limit=100`, { token: t.token });
    for (const { changes } of audit.body.items as { changes: { from?: InstanceState; to?: InstanceState } }[]) {
      if (!changes?.from || !changes.to || changes.from === changes.to) continue;
      moves += 1;
      if (!isLegalTransition(changes.from, changes.to)) illegal.push(`${created.body.id}: ${changes.from} → ${changes.to}`);
    }
    if (!['running', 'stopped', 'terminated'].includes(final.status)) illegal.push(`${created.body.id} ended ${final.status}`);
    const vcpus = (await quotaUsed(call, t.token)).vcpus;
    if (vcpus !== (final.status === 'terminated' ? 0 : final.vcpus)) illegal.push(`${created.body.id}: vcpus quota ${vcpus} for a ${final.status} ${final.vcpus}-vCPU instance`);
  }
  expect(illegal).toEqual([]);
  expect(moves).toBeGreaterThan(INSTANCES * 4);
  expect([...answers.keys()].sort()).toEqual(expect.arrayContaining([200, 202, 409]));
  expect([...answers.keys()].every((status) => [200, 202, 409].includes(status))).toBe(true);
}, INSTANCES * 120_000);
