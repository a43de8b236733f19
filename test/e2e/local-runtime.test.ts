/**
 * `npm start` as a user meets it: the demo tenant provisioned through its saga, the printed tokens work, data survives a restart,
 * health says 503 when DynamoDB is gone, and SIGTERM stops everything cleanly.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { client, startTestPlatform, tokenFor } from '../support/platform';

const ROOT = join(__dirname, '..', '..');

function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}:\n${output}`));
    });
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('npm start', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('provisions the demo tenant through the saga (each step in its log before the banner), prints a URL and tokens that work, then stops cleanly on SIGTERM', async () => {
    // Prepare: npm start as a user runs it, with its default log level
    child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', '--memory', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, DYNAMODB_ENDPOINT: '', POWERTOOLS_LOG_LEVEL: 'INFO' },
    });
    const output = await waitForOutput(child, /Ctrl-C stops it/, 120_000);
    const banner = output.slice(output.indexOf('Control plane running at'));
    const log = output.slice(0, output.indexOf('Control plane running at'));
    const url = /running at (http:\/\/\S+)/.exec(banner)?.[1] as string;
    const token = /export TOKEN=(\S+)/.exec(banner)?.[1] as string;
    const adminToken = /export ADMIN_TOKEN=(\S+)/.exec(banner)?.[1] as string;
    const tenant = /Demo tenant (\S+)/.exec(banner)?.[1] as string;
    // Act
    const me = await client(url)('GET', '/v1/me', { token });
    const demo = await client(url)('GET', `/v1/admin/tenants/${tenant}`, { token: adminToken });
    const provisioning = await client(url)('GET', `/v1/operations/${demo.body.operationId}`, { token: adminToken });
    child.kill('SIGTERM');
    const code = await exitOf(child);
    // Assess
    const steps = log
      .split('\n')
      .filter((line) => line.includes('"saga step succeeded"'))
      .map((line) => (JSON.parse(line) as { step: string }).step);
    expect(steps).toEqual(['ApplyQuotas', 'GrantCredits', 'CreateDefaultVpc', 'Activate']);
    expect(demo.body).toMatchObject({ id: tenant, status: 'active', plan: 'pro' });
    expect(provisioning.body).toMatchObject({ type: 'TenantProvisioning', status: 'succeeded', resourceId: tenant });
    expect(me.status).toBe(200);
    expect(me.body.tenant).toEqual({ id: tenant });
    expect(me.body.roles).toEqual(['owner']);
    expect(code).toBe(0);
    await expect(fetch(`${url}/v1/health`)).rejects.toThrow();
  });

  it('says what to do when Java is missing', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', '--memory', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, DYNAMODB_ENDPOINT: '', PATH: '/nonexistent' },
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await exitOf(child);
    expect(code).toBe(1);
    expect(output).toContain('needs Java 17 or newer');
    expect(output).toContain('apt-get install openjdk-17-jre-headless');
  });
});

describe('data on disk', () => {
  it('is still there after a restart, and tokens issued before it still work', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'ccp-restart-'));
    try {
      const first = await startTestPlatform('restart', { memory: false, dataDir, dynamodbEndpoint: undefined as never, tablePrefix: 'ccp-local-' });
      const token = await tokenFor(first, ['owner']);
      const created = await client(first.url)('POST', '/v1/widgets', { token, body: { name: 'survivor' } });
      await first.stop();
      // Act
      const second = await startTestPlatform('restart', { memory: false, dataDir, dynamodbEndpoint: undefined as never, tablePrefix: 'ccp-local-' });
      try {
        const read = await client(second.url)('GET', `/v1/widgets/${created.body.id}`, { token });
        // Assess
        expect(created.status).toBe(201);
        expect(second.demoTenantId).toBe(first.demoTenantId);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(created.body);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('GET /v1/health', () => {
  it('answers 503 when DynamoDB is down, without saying more than that', async () => {
    // Prepare: a DynamoDB Local of this test's own, stopped under the running platform
    const dynamodb = await startDynamoDbLocal();
    const platform = await startTestPlatform('health', { dynamodbEndpoint: dynamodb.endpoint });
    try {
      const call = client(platform.url);
      expect((await call('GET', '/v1/health')).status).toBe(200);
      await dynamodb.stop();
      // Act
      const response = await call('GET', '/v1/health');
      // Assess
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body).toEqual({ status: 'unavailable', checks: { dynamodb: { status: 'down' } } });
    } finally {
      await platform.stop();
      await dynamodb.stop();
    }
  }, 240_000);
});
