/**
 * The instance sagas (the InstanceLifecycle state machine) under faults: a data-plane or step failure at every point of a
 * launch leaks nothing (addresses, quota, machines, counters), and a failed stop or termination
 * keeps its state and can be asked again. (The race of concurrent actions is in
 * test/reliability/state-race.test.ts.)
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { clearFaults, injectFault } from '../../functions/kit/faults';
import { tableName } from '../../functions/kit/tables';
import { listSimulatedMachines } from '../../functions/providers/simulated';
import type { Platform } from '../../lib/local/runtime';
import { computeTenant, launch, quotaUsed, waitForOperation, waitForStatus, type ComputeTenant } from '../support/compute';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('instance-sagas', { relay: { pollMs: 50 }, scheduler: false, stepFunctions: { retryDelayMs: 10 } });
  call = client(platform.url);
});
afterEach(() => clearFaults());
afterAll(() => platform.stop());

async function item(pk: string, sk: string) {
  return (await documentClient().send(new GetCommand({ TableName: tableName('resources'), Key: { pk, sk }, ConsistentRead: true }))).Item;
}

async function addressItems(t: ComputeTenant): Promise<number> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName('resources'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `T#${t.tenantId}`, ':prefix': `ADDR#${t.subnetId}#` },
      ConsistentRead: true,
    }),
  );
  return out.Count ?? 0;
}

/** Everything a launch takes, as it stands: all zero once a launch has been compensated. */
async function holdings(t: ComputeTenant, projectId: string, publicIp?: string) {
  const quotas = await quotaUsed(call, t.token);
  const subnet = await item(`T#${t.tenantId}`, `SUBNET#${t.subnetId}`);
  const vpc = await item(`T#${t.tenantId}`, `VPC#${t.vpcId}`);
  const group = await item(`T#${t.tenantId}`, `SG#${t.defaultGroupId}`);
  const stats = await call('GET', `/v1/projects/${projectId}/stats`, { token: t.token });
  return {
    instances: quotas.instances,
    vcpus: quotas.vcpus,
    addressesInUse: subnet?.addressesInUse,
    addressItems: await addressItems(t),
    publicIp: publicIp ? (await item(`PUBLICIP#${publicIp}`, 'PUBLICIP')) !== undefined : false,
    machines: (await listSimulatedMachines(t.tenantId)).length,
    vpcInstances: (vpc?.counts as { instances: number } | undefined)?.instances,
    groupInstances: group?.instanceCount ?? 0,
    projectLive: stats.body.resources.live,
    projectVcpus: stats.body.vcpus,
  };
}

const NOTHING_HELD = {
  instances: 0,
  vcpus: 0,
  addressesInUse: 0,
  addressItems: 0,
  publicIp: false,
  machines: 0,
  vpcInstances: 0,
  groupInstances: 0,
  projectLive: 0,
  projectVcpus: 0,
};

describe('a launch that fails', () => {
  it.each([
    ['InstanceLaunch.CallProvider', {}],
    ['Provider.launch', {}],
    ['InstanceLaunch.AwaitProvider', {}],
    ['Provider.describe', {}],
    ['InstanceLaunch.Complete', {}],
    // A compensation that fails once is retried and still gives everything back.
    ['InstanceLaunch.Complete', { 'InstanceLaunch.UndoCallProvider': 1 }],
    ['InstanceLaunch.Complete', { 'Provider.terminate': 1 }],
    ['InstanceLaunch.Complete', { 'InstanceLaunch.MarkFailed': 1 }],
  ])('at %s (and %j) is compensated: the instance is failed and nothing is left held', async (point, alsoOnce) => {
    // Prepare
    const t = await computeTenant(platform, call);
    const project = await call('POST', '/v1/projects', { token: t.token, body: { name: 'doomed-launch' } });
    injectFault(point);
    for (const [other, times] of Object.entries(alsoOnce)) injectFault(other, { times });

    // Act
    const created = await launch(call, t, { assignPublicIp: true, projectId: project.body.id });
    const operation = await waitForOperation(call, t.token, created.body.operationId);

    // Assess
    expect(created.status).toBe(202);
    expect(operation.status).toBe('compensated');
    expect(operation.error).toMatchObject({ code: 'FaultInjected' });
    const instance = await waitForStatus(call, t.token, created.body.id, 'failed');
    expect(instance.stateReason).toMatchObject({ code: 'FaultInjected' });
    expect(instance.privateIpAddress).toBeUndefined();
    clearFaults();
    expect(await holdings(t, project.body.id, created.body.publicIpAddress)).toEqual(NOTHING_HELD);
    const events = await call('GET', `/v1/events?resourceId=${created.body.id}`, { token: t.token });
    expect(events.body.items.map((event: { type: string }) => event.type)).toEqual(['instance.failed', 'instance.pending']);
  });
});

describe('a stop, termination or reboot that fails', () => {
  it.each([
    ['stop', 'Provider.stop', 'stopping', 'stopped'],
    ['terminate', 'Provider.terminate', 'shutting-down', 'terminated'],
    ['reboot', 'Provider.reboot', 'running', 'running'],
  ])('%s failing at %s keeps the instance %s with a stateReason; asking again finishes it', async (action, point, transitional, end) => {
    // Prepare
    const t = await computeTenant(platform, call);
    const created = await launch(call, t);
    await waitForStatus(call, t.token, created.body.id, 'running');
    const path = action === 'terminate' ? `/v1/instances/${created.body.id}` : `/v1/instances/${created.body.id}/${action}`;
    const method = action === 'terminate' ? 'DELETE' : 'POST';
    injectFault(point);

    // Act
    const first = await call(method, path, { token: t.token });
    const failed = await waitForOperation(call, t.token, first.body.operationId);
    const stuck = await call('GET', `/v1/instances/${created.body.id}`, { token: t.token });
    clearFaults();
    const again = await call(method, path, { token: t.token });
    const finished = await waitForOperation(call, t.token, again.body.operationId);

    // Assess
    expect(first.status).toBe(202);
    expect(failed.status).toBe('compensated');
    expect(stuck.body).toMatchObject({ status: transitional, stateReason: { code: 'FaultInjected' } });
    expect(again.status).toBe(202);
    expect(again.body.operationId).not.toBe(first.body.operationId);
    expect(finished.status).toBe('succeeded');
    const ended = await waitForStatus(call, t.token, created.body.id, end);
    expect(ended.stateReason).toBeUndefined();
  });
});
