/** Log lines of concurrent requests in the one local process keep their own keys. */
import '../support/log-level-info';
import type { Platform } from '../../lib/local/runtime';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('logging');
  call = client(platform.url);
});
afterAll(() => platform.stop());

describe('logging', () => {
  it('keeps each request’s tenantId in its own log lines when requests run concurrently', async () => {
    // Prepare: capture the JSON log lines of rejected requests from two tenants at once
    const lines: Record<string, unknown>[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line));
      return true;
    });
    const tokens = await Promise.all(['tnt-log-a', 'tnt-log-b'].map((tenantId) => platform.token({ roles: ['viewer'], tenantId })));
    try {
      // Act: a 404 found after a DynamoDB read, so the requests' handlers interleave
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => call('GET', '/v1/widgets/wgt-01jd5f3w3t9k8m2x0c4s6v7b8n', { token: tokens[i % 2] as string })),
      );
      // Assess
      const tenantOfRequest = new Map(responses.map((r, i) => [r.body.requestId, i % 2 === 0 ? 'tnt-log-a' : 'tnt-log-b']));
      const rejected = lines.filter((line) => line.message === 'request rejected');
      expect(rejected).toHaveLength(20);
      expect(new Set(rejected.map((line) => line.requestId))).toEqual(new Set(tenantOfRequest.keys()));
      for (const line of rejected) expect(line.tenantId).toBe(tenantOfRequest.get(line.requestId as string));
    } finally {
      write.mockRestore();
    }
  });
});
