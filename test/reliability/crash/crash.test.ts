/**
 * Reliability, the crash: the local runtime (`npm start` on a data folder) is killed with SIGKILL
 * while clients create VPCs and cascade-delete projects; it is started again on the same data.
 * Its database is stopped the way a database service stops (SIGTERM), not killed: the crash under
 * test is the control plane's, as a Lambda's in the cloud, where DynamoDB keeps what it
 * acknowledged. DynamoDB Local does not: killed with SIGKILL right after acknowledging a
 * transaction, it loses that transaction in about half the tries (measured while writing this test),
 * which would make the test measure DynamoDB Local instead of the platform. Then: every acknowledged write is there as acknowledged; a client that
 * retries its requests with their Idempotency-Keys (answered or cut off) gets exactly one effect
 * each, and replays of answered ones say so; quota `used` equals the resources that exist; no VPC
 * lost or left part of itself (one default group and one main route table each); every VPC has its
 * vpc.created event; and every committed project.deletion_started event is delivered after the
 * restart: each accepted cascade delete finishes and no project stays `deleting`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../lib/local/dynamodb-local';
import { client } from '../../support/platform';

const ROOT = join(__dirname, '..', '..', '..');
const START_TIMEOUT_MS = 90_000;
const VPC_WRITERS = 4;
const PROJECT_WRITERS = 2;
const MIN_VPCS = 20;
const MIN_DELETIONS = 4;

interface Runtime {
  child: ChildProcess;
  url: string;
  owner: string;
  admin: string;
  tenantId: string;
  output: () => string;
}

/** The processes whose command line names the data folder: the runtime's DynamoDB Local, and nothing of anyone else. */
function processesUsing(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dataDir)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

async function startRuntime(dataDir: string): Promise<Runtime> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' };
  // The jest run's database and tables are not this runtime's.
  for (const name of ['DYNAMODB_ENDPOINT', 'TABLE_PREFIX', 'CURSOR_SECRET', 'AWS_LAMBDA_MAX_CONCURRENCY']) delete env[name];
  // Its own process group, so one kill takes the runtime and its DynamoDB Local, as a crash of the machine would.
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', '--port', String(port), '--data-dir', dataDir, '--quiet'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!output.includes('Ctrl-C stops it.')) {
    if (child.exitCode !== null) throw new Error(`the runtime exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the runtime did not start within ${START_TIMEOUT_MS} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const find = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`${pattern} not in the runtime's output:\n${output}`);
    return match[1]!;
  };
  return {
    child,
    url: find(/running at (http:\/\/\S+)/),
    owner: find(/export TOKEN=(\S+)/),
    admin: find(/export ADMIN_TOKEN=(\S+)/),
    tenantId: find(/Demo tenant (tnt-\S+)/),
    output: () => output,
  };
}

/** Stops what still uses the data folder (the runtime's DynamoDB Local) with `signal`, and waits until it is gone. */
async function stopDataFolderUsers(dataDir: string, signal: NodeJS.Signals): Promise<void> {
  for (const pid of processesUsing(dataDir)) {
    try {
      process.kill(pid, signal);
    } catch {
      // Ended meanwhile.
    }
  }
  for (let tries = 0; processesUsing(dataDir).length > 0; tries++) {
    if (tries > 100) {
      if (signal === 'SIGKILL') throw new Error(`processes still use ${dataDir}: ${processesUsing(dataDir).join(', ')}`);
      return stopDataFolderUsers(dataDir, 'SIGKILL');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `SIGKILL`: the runtime process alone dies at once (a crash), then its DynamoDB Local is stopped
 * as a service would be. `SIGTERM`: the runtime's own clean shutdown, its whole process group.
 */
async function kill(runtime: Runtime, dataDir: string, signal: NodeJS.Signals): Promise<void> {
  const exited = runtime.child.exitCode !== null || runtime.child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => runtime.child.once('exit', () => resolve()));
  try {
    if (signal === 'SIGKILL') process.kill(runtime.child.pid!, 'SIGKILL');
    else process.kill(-runtime.child.pid!, signal);
  } catch {
    // Already gone.
  }
  if (signal !== 'SIGKILL') {
    const timer = setTimeout(() => kill(runtime, dataDir, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await exited;
  // Anything still holding the data folder is ours (its command line names our temporary folder).
  await stopDataFolderUsers(dataDir, 'SIGTERM');
}

/** Every item of a list, following cursors. */
async function listAll(call: ReturnType<typeof client>, path: string, token: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await call('GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    if (page.status !== 200) throw new Error(`GET ${path} → ${page.status} ${JSON.stringify(page.body)}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

let dataDir: string;
let runtime: Runtime | undefined;
let call: ReturnType<typeof client>;
let owner: string;
/** What the clients sent and what they were told before the kill. */
const ackedVpcs = new Map<string, { body: unknown; response: any }>();
const sentVpcs = new Map<string, unknown>();
const ackedDeletions: { projectId: string; operationId: string }[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ccp-crash-'));
  // Prepare: a runtime on a fresh data folder, with room in the demo tenant's quotas
  let t0 = Date.now();
  runtime = await startRuntime(dataDir);
  timings.firstStartMs = Date.now() - t0;
  call = client(runtime.url);
  owner = runtime.owner;
  const raised = await call('PUT', `/v1/admin/tenants/${runtime.tenantId}/quotas`, { token: runtime.admin, body: { vpcs: 10_000, projects: 10_000 } });
  if (raised.status !== 200) throw new Error(`raising the quotas: ${raised.status} ${JSON.stringify(raised.body)}`);

  // Act: writers until the kill
  let killed = false;
  const vpcWriter = async (worker: number) => {
    for (let i = 0; !killed; i++) {
      const key = `crash-${worker}-${i}`;
      const body = { cidrBlock: `10.${i % 256}.0.0/16`, name: key };
      sentVpcs.set(key, body);
      try {
        const response = await call('POST', '/v1/vpcs', { token: owner, body, headers: { 'idempotency-key': key } });
        if (response.status !== 201) throw new Error(`POST /v1/vpcs → ${response.status} ${JSON.stringify(response.body)}`);
        ackedVpcs.set(key, { body, response: response.body });
      } catch (error) {
        if (killed) return;
        throw error;
      }
    }
  };
  const projectWriter = async (worker: number) => {
    for (let i = 0; !killed; i++) {
      try {
        const project = await call('POST', '/v1/projects', { token: owner, body: { name: `crash-${worker}-${i}` } });
        if (project.status !== 201) throw new Error(`POST /v1/projects → ${project.status} ${JSON.stringify(project.body)}`);
        const deletion = await call('DELETE', `/v1/projects/${project.body.id}?cascade=true`, { token: owner });
        if (deletion.status !== 202) throw new Error(`DELETE cascade → ${deletion.status} ${JSON.stringify(deletion.body)}`);
        ackedDeletions.push({ projectId: project.body.id, operationId: deletion.body.operationId });
      } catch (error) {
        if (killed) return;
        throw error;
      }
    }
  };
  const writers = Promise.all([
    ...Array.from({ length: VPC_WRITERS }, (_, w) => vpcWriter(w)),
    ...Array.from({ length: PROJECT_WRITERS }, (_, w) => projectWriter(w)),
  ]);
  t0 = Date.now();
  // Load until enough is acknowledged; the deadline is far above the few seconds that takes.
  const deadline = Date.now() + 120_000;
  while ((ackedVpcs.size < MIN_VPCS || ackedDeletions.length < MIN_DELETIONS) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  timings.loadMs = Date.now() - t0;
  killed = true;
  await kill(runtime, dataDir, 'SIGKILL');
  await writers;

  t0 = Date.now();
  runtime = await startRuntime(dataDir);
  timings.restartMs = Date.now() - t0;
  call = client(runtime.url);
}, 420_000);

afterAll(async () => {
  if (runtime) await kill(runtime, dataDir, 'SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

it('was killed under write load, after enough acknowledged writes', () => {
  expect({ vpcs: ackedVpcs.size >= MIN_VPCS, deletions: ackedDeletions.length >= MIN_DELETIONS, timings }).toEqual({ vpcs: true, deletions: true, timings });
});

it('keeps every acknowledged VPC as it was acknowledged', async () => {
  for (const { response } of ackedVpcs.values()) {
    const read = await call('GET', `/v1/vpcs/${response.id}`, { token: owner });
    expect({ status: read.status, body: read.body }).toEqual({ status: 200, body: response });
  }
});

it('gives every create retried with its key exactly one effect, and replays the answered ones', async () => {
  // Act
  for (const [key, body] of sentVpcs) {
    const retried = await call('POST', '/v1/vpcs', { token: owner, body, headers: { 'idempotency-key': key } });
    // Assess
    expect({ key, status: retried.status }).toEqual({ key, status: 201 });
    const acked = ackedVpcs.get(key);
    if (acked) {
      expect({ key, replayed: retried.headers.get('idempotent-replayed'), body: retried.body }).toEqual({ key, replayed: 'true', body: acked.response });
    }
  }
  const vpcs = await listAll(call, '/v1/vpcs', owner);
  expect(vpcs.filter((v) => !v.isDefault).map((v) => v.name).sort()).toEqual([...sentVpcs.keys()].sort());
});

it('has counters equal to what exists, no VPC in part, and the creation event of every VPC', async () => {
  const vpcs = await listAll(call, '/v1/vpcs', owner);
  const projects = await listAll(call, '/v1/projects', owner);
  const groups = await listAll(call, '/v1/security-groups', owner);
  const tables = await listAll(call, '/v1/route-tables', owner);
  const quotas = Object.fromEntries((await call('GET', '/v1/quotas', { token: owner })).body.items.map((q: any) => [q.name, q.used]));
  expect({
    vpcQuota: quotas.vpcs,
    projectQuota: quotas.projects,
    groups: groups.map((g) => g.vpcId).sort(),
    tables: tables.map((t) => t.vpcId).sort(),
  }).toEqual({
    vpcQuota: vpcs.length,
    projectQuota: projects.length,
    groups: vpcs.map((v) => v.id).sort(),
    tables: vpcs.map((v) => v.id).sort(),
  });
  for (const vpc of vpcs.filter((v) => !v.isDefault)) {
    const events = await call('GET', `/v1/events?resourceId=${vpc.id}`, { token: owner });
    expect({ vpc: vpc.id, created: JSON.stringify(events.body).includes('vpc.created') }).toEqual({ vpc: vpc.id, created: true });
  }
});

it('finishes every accepted cascade delete: its event and its saga survive the crash', async () => {
  let deleting: any[] = [];
  const deadline = Date.now() + 120_000;
  do {
    deleting = (await listAll(call, '/v1/projects', owner)).filter((p) => p.status === 'deleting');
    if (deleting.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  } while (deleting.length > 0 && Date.now() < deadline);
  const stuck = await Promise.all(
    deleting.map(async (p) => {
      const operation = (await call('GET', `/v1/operations/${p.operationId}`, { token: owner })).body;
      return { project: p.id, operation: operation.status, steps: operation.steps?.map((s: any) => `${s.name}:${s.status}`) };
    }),
  );
  expect(stuck).toEqual([]);
  for (const { projectId, operationId } of ackedDeletions) {
    const operation = await call('GET', `/v1/operations/${operationId}`, { token: owner });
    const project = await call('GET', `/v1/projects/${projectId}`, { token: owner });
    expect({ projectId, operation: operation.body.status, project: project.status }).toEqual({ projectId, operation: 'succeeded', project: 404 });
  }
}, 180_000);
