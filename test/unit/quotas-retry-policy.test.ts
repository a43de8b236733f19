/**
 * The kit's policy for requests that lose a race: enough attempts, with capped full-jitter
 * backoff, that fifty concurrent creates on one quota counter all end in 201 or 429, not 409.
 */
import './support/env';
import * as z from 'zod';
import { MAX_ATTEMPTS, retryDelayMs } from '../../functions/kit/http';
import { httpHandler } from '../../functions/wiring/http';
import { defineOperation } from '../../functions/kit/operation';
import { RetryRequest } from '../../functions/kit/transaction';
import { httpEvent, lambdaContext, problemOf } from './support/lambda';

const spec = defineOperation({
  operationId: 'unitRace',
  method: 'GET',
  path: '/v1/unit/race',
  handler: 'unit/race',
  domain: 'unit',
  summary: 'Loses a race a given number of times',
  access: 'viewer',
  status: 200,
  response: z.object({ runs: z.number() }),
});

function racer(losses: number) {
  let runs = 0;
  return httpHandler(spec, async () => {
    runs += 1;
    if (runs <= losses) throw new RetryRequest('transaction conflict');
    return { body: { runs } };
  });
}

afterEach(() => jest.restoreAllMocks());

describe('retries of a request that lost a race', () => {
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0));

  it('runs again up to MAX_ATTEMPTS times and then answers', async () => {
    // Act: lose all but the last attempt
    const result = await racer(MAX_ATTEMPTS - 1)(httpEvent({ path: '/v1/unit/race' }), lambdaContext());
    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body as string)).toEqual({ runs: MAX_ATTEMPTS });
  });

  it('gives a request at least 8 attempts before it gives up (it was 5)', () => {
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(8);
  });

  it('answers 409 ConcurrentModification when every attempt lost', async () => {
    const result = await racer(MAX_ATTEMPTS)(httpEvent({ path: '/v1/unit/race' }), lambdaContext());
    expect(result.statusCode).toBe(409);
    expect(problemOf(result).code).toBe('ConcurrentModification');
  });
});

describe('retryDelayMs', () => {
  it.each([
    [1, 20],
    [2, 40],
    [3, 80],
    [4, 160],
    [5, 200],
    [9, 200],
  ])('after attempt %d waits less than %d ms, capped at 200', (attempt, ceiling) => {
    expect(retryDelayMs(attempt, () => 0.999999)).toBeLessThan(ceiling);
    expect(retryDelayMs(attempt, () => 0.999999)).toBeGreaterThan(ceiling * 0.99);
    expect(retryDelayMs(attempt, () => 0)).toBe(0);
  });

  it('is jittered: two requests that lost together do not come back together', () => {
    const random = jest.fn().mockReturnValueOnce(0.1).mockReturnValueOnce(0.7);
    expect(retryDelayMs(3, random)).not.toBe(retryDelayMs(3, random));
  });
});
