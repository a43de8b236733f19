/**
 * Reliability, the idempotency race on a real create (POST /v1/vpcs, whose transaction also takes
 * quota and makes the default group and main route table): 20 parallel requests with one key give
 * one effect (one VPC, its children, one event, one unit of quota) and twenty identical responses,
 * nineteen of them replays; and when the twenty carry two different bodies under one key, one body
 * wins, its requests all get its response and the other body's get 422 IdempotencyKeyReused.
 * (test/e2e/request-contract.test.ts covers the sequential rules on the widgets fixture.)
 */
import type { Platform } from '../../lib/local/runtime';
import { client, ownerOfProvisionedTenant, startTestPlatform } from '../support/platform';
import { tenantItems } from './support/items';
import { bySize } from './support/size';

const PARALLEL = 20;
const ROUNDS = bySize({ soak: 5, quick: 2 });

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('rel-idem', { relay: false, scheduler: false });
  call = client(platform.url);
});
afterAll(() => platform.stop());

/** One VPC's worth of everything, or nothing. */
async function effects(tenantId: string) {
  const stored = await tenantItems(tenantId);
  return {
    vpcs: stored.kinds.VPC ?? 0,
    groups: stored.kinds.SG ?? 0,
    routeTables: stored.kinds.RTB ?? 0,
    events: stored.events['vpc.created'] ?? 0,
    quota: stored.quotas.vpcs?.used,
  };
}

it(`${PARALLEL} parallel creates with one key: one effect and ${PARALLEL} identical responses, ${ROUNDS} rounds`, async () => {
  for (let round = 1; round <= ROUNDS; round++) {
    // Prepare
    const { token, tenantId } = await ownerOfProvisionedTenant(platform, { vpcs: 5 });
    const request = { token, body: { cidrBlock: '10.0.0.0/16', name: `raced-${round}` }, headers: { 'idempotency-key': `race-${round}` } };
    // Act
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => call('POST', '/v1/vpcs', request)));
    // Assess
    expect({ round, statuses: answers.map((a) => a.status) }).toEqual({ round, statuses: Array(PARALLEL).fill(201) });
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(new Set(answers.map((a) => a.headers.get('location'))).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(PARALLEL - 1);
    expect(await effects(tenantId)).toMatchObject({ vpcs: 1, groups: 1, routeTables: 1, events: 1, quota: 1 });
  }
}, ROUNDS * 60_000);

it('the same key with two different bodies at once: one body wins, the other gets 422 and changes nothing', async () => {
  for (let round = 1; round <= ROUNDS; round++) {
    // Prepare
    const { token, tenantId } = await ownerOfProvisionedTenant(platform, { vpcs: 5 });
    const headers = { 'idempotency-key': `mixed-${round}` };
    const bodies = [{ cidrBlock: '10.1.0.0/16' }, { cidrBlock: '10.2.0.0/16' }];
    // Act
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => call('POST', '/v1/vpcs', { token, headers, body: bodies[i % 2] })),
    );
    // Assess
    const created = answers.filter((a) => a.status === 201);
    const winner = created[0]?.body.cidrBlock;
    const sentWinner = answers.filter((_, i) => bodies[i % 2]!.cidrBlock === winner);
    const sentOther = answers.filter((_, i) => bodies[i % 2]!.cidrBlock !== winner);
    expect({ round, winners: sentWinner.map((a) => a.status), others: sentOther.map((a) => `${a.status} ${a.body.code}`) }).toEqual({
      round,
      winners: Array(PARALLEL / 2).fill(201),
      others: Array(PARALLEL / 2).fill('422 IdempotencyKeyReused'),
    });
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(await effects(tenantId)).toMatchObject({ vpcs: 1, groups: 1, routeTables: 1, events: 1, quota: 1 });
  }
}, ROUNDS * 60_000);
