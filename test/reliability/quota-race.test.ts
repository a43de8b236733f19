/**
 * Reliability, the quota race: 50 concurrent VPC creates against a limit of 10, twenty rounds, each
 * in a fresh tenant (`npm run test:soak`; `npm test` runs 3 rounds of 30). Exactly 10 succeed and 40 answer 429 QuotaExceeded every round, and what is
 * stored agrees: the counter says 10, and there are 10 VPCs, each with exactly one default group,
 * group name and main route table, and one vpc.created event each (nothing left by a loser).
 * (test/e2e/quotas.test.ts runs the same race three times on projects; a VPC create writes four
 * resources in its transaction, so a loser that leaked one would show here.)
 */
import type { Platform } from '../../lib/local/runtime';
import { client, ownerOfProvisionedTenant, startTestPlatform } from '../support/platform';
import { tenantItems } from './support/items';
import { bySize } from './support/size';

const ROUNDS = bySize({ soak: 20, quick: 3 });
const CREATES = bySize({ soak: 50, quick: 30 });
const LIMIT = 10;

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('rel-quota', { relay: false, scheduler: false });
  call = client(platform.url);
});
afterAll(() => platform.stop());

it(`${CREATES} concurrent creates at a limit of ${LIMIT}: exactly ${LIMIT} VPCs, exact counters, no leftovers, ${ROUNDS} rounds`, async () => {
  const race = async (round: number) => {
    // Prepare
    const { token, tenantId } = await ownerOfProvisionedTenant(platform, { vpcs: LIMIT });
    // Act
    const answers = await Promise.all(
      Array.from({ length: CREATES }, (_, i) => call('POST', '/v1/vpcs', { token, body: { cidrBlock: `10.${i}.0.0/16` } })),
    );
    // Assess (collected, so a failure shows every round)
    const stored = await tenantItems(tenantId);
    const listed = await call('GET', '/v1/vpcs?limit=100', { token });
    return {
      round,
      created: answers.filter((a) => a.status === 201).length,
      rejected: answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body?.code}`),
      counter: stored.quotas.vpcs,
      listed: listed.body.items.length,
      items: { VPC: stored.kinds.VPC, SG: stored.kinds.SG, SGNAME: stored.kinds.SGNAME, RTB: stored.kinds.RTB },
      events: stored.events['vpc.created'],
    };
  };
  const outcomes = [];
  for (let round = 1; round <= ROUNDS; round++) outcomes.push(await race(round));
  expect(outcomes).toEqual(
    outcomes.map((_, i) => ({
      round: i + 1,
      created: LIMIT,
      rejected: Array(CREATES - LIMIT).fill('429 QuotaExceeded'),
      counter: { used: LIMIT, limit: LIMIT },
      listed: LIMIT,
      items: { VPC: LIMIT, SG: LIMIT, SGNAME: LIMIT, RTB: LIMIT },
      events: LIMIT,
    })),
  );
}, ROUNDS * 60_000);
