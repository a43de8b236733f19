/** Instances over HTTP: launch validation, the state graph, protection, addresses, quotas, templates, events. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { purgeExpired } from '../../functions/jobs/cleanup';
import { documentClient } from '../../functions/kit/db';
import { tableName } from '../../functions/kit/tables';
import { allocateAddress } from '../../functions/networking/addresses';
import { cidrHasAddress } from '../../functions/networking/cidr';
import type { Platform } from '../../lib/local/runtime';
import { computeTenant, launch, quotaUsed, waitForOperation, waitForStatus, type ComputeTenant } from '../support/compute';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('instances');
  call = client(platform.url);
});
afterAll(() => platform.stop());

async function running(t: ComputeTenant, body: Record<string, unknown> = {}) {
  const created = await launch(call, t, body);
  expect(created.status).toBe(202);
  return waitForStatus(call, t.token, created.body.id, 'running');
}

async function act(t: ComputeTenant, id: string, action: string, body?: unknown) {
  return call(action === 'terminate' ? 'DELETE' : 'POST', action === 'terminate' ? `/v1/instances/${id}` : `/v1/instances/${id}/${action}`, {
    token: t.token,
    ...(body !== undefined ? { body } : {}),
  });
}

describe('launching an instance', () => {
  it('answers 202 pending with an operation, then the saga brings it to running with a private address of the subnet', async () => {
    // Prepare
    const t = await computeTenant(platform, call);

    // Act
    const created = await launch(call, t, { tags: { team: 'web' } });

    // Assess
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/instances/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'pending', flavorId: 't3.micro', vcpus: 2, memoryMib: 1024, vpcId: t.vpcId, subnetId: t.subnetId, securityGroupIds: [t.defaultGroupId], rootVolumeGb: 8, runningSeconds: 0, tags: { team: 'web' } });
    expect(created.body.id).toMatch(/^i-[0-9a-z]{26}$/);
    const ip = created.body.privateIpAddress as string;
    expect(cidrHasAddress('10.0.1.0/24', ip)).toBe(true);
    // AWS reserves the first four addresses and the last one of every subnet.
    expect(['10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.255']).not.toContain(ip);
    expect(created.body.publicIpAddress).toBeUndefined();
    const operation = await waitForOperation(call, t.token, created.body.operationId);
    expect(operation).toMatchObject({ type: 'InstanceLaunch', status: 'succeeded', resourceId: created.body.id });
    const instance = await waitForStatus(call, t.token, created.body.id, 'running');
    expect(instance.launchedAt).toEqual(expect.any(String));
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 1, vcpus: 2 });
    const subnet = await call('GET', `/v1/subnets/${t.subnetId}`, { token: t.token });
    expect(subnet.body.availableIpAddressCount).toBe(250);
    const listed = await call('GET', '/v1/instances', { token: t.token });
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([created.body.id]);
  });

  it('never hands out an address in use', async () => {
    // Prepare
    const t = await computeTenant(platform, call, {}, '10.0.2.0/28');
    const taken = new Set<string>();
    for (let i = 0; i < 9; i++) taken.add(await allocateAddress(t.tenantId, t.subnetId));

    // Act
    const launched = await Promise.all([launch(call, t), launch(call, t)]);
    const third = await launch(call, t);

    // Assess
    const ips = launched.map((response) => response.body.privateIpAddress as string);
    expect(launched.map((response) => response.status)).toEqual([202, 202]);
    expect(new Set(ips).size).toBe(2);
    for (const ip of ips) expect(taken.has(ip)).toBe(false);
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('InsufficientFreeAddressesInSubnet');
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 2 });
  });

  it('gives a public address when asked, or when the subnet maps one, and takes it back at termination', async () => {
    // Prepare
    const t = await computeTenant(platform, call);

    // Act
    const asked = await running(t, { assignPublicIp: true });
    await call('PATCH', `/v1/subnets/${t.subnetId}`, { token: t.token, body: { mapPublicIpOnLaunch: true } });
    const mapped = await launch(call, t);
    const declined = await launch(call, t, { assignPublicIp: false });

    // Assess
    expect(cidrHasAddress('198.18.0.0/15', asked.publicIpAddress)).toBe(true);
    expect(mapped.body.publicIpAddress).toEqual(expect.any(String));
    expect(declined.body.publicIpAddress).toBeUndefined();
    const held = async (ip: string) =>
      (await documentClient().send(new GetCommand({ TableName: tableName('resources'), Key: { pk: `PUBLICIP#${ip}`, sk: 'PUBLICIP' }, ConsistentRead: true }))).Item;
    expect(await held(asked.publicIpAddress)).toMatchObject({ instanceId: asked.id });
    await act(t, asked.id, 'terminate');
    const ended = await waitForStatus(call, t.token, asked.id, 'terminated');
    expect(ended.publicIpAddress).toBeUndefined();
    expect(ended.privateIpAddress).toBeUndefined();
    expect(await held(asked.publicIpAddress)).toBeUndefined();
  });

  it.each([
    [{ flavorId: 'x9.huge' }, 400, 'InvalidFlavorID.NotFound'],
    [{ imageId: 'img-nothing' }, 400, 'InvalidAMIID.NotFound'],
    [{ subnetId: 'subnet-01jd5f3w3t9k8m2x0c4s6v7b8n' }, 400, 'InvalidSubnetID.NotFound'],
    [{ securityGroupIds: ['sg-01jd5f3w3t9k8m2x0c4s6v7b8n'] }, 400, 'InvalidGroup.NotFound'],
    [{ rootVolumeGb: 4 }, 400, 'InvalidParameterValue'],
    [{ projectId: 'prj-01jd5f3w3t9k8m2x0c4s6v7b8n' }, 404, 'ProjectNotFound'],
    [{ templateId: 'lt-01jd5f3w3t9k8m2x0c4s6v7b8n' }, 400, 'InvalidLaunchTemplateId.NotFound'],
    [{ flavorId: undefined }, 400, 'MissingParameter'],
  ])('refuses %j with %i %s and changes nothing', async (override, status, code) => {
    // Prepare
    const t = await computeTenant(platform, call);

    // Act
    const refused = await launch(call, t, override);

    // Assess
    expect(refused.status).toBe(status);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.code).toBe(code);
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 0, vcpus: 0 });
    expect((await call('GET', '/v1/instances', { token: t.token })).body.items).toEqual([]);
    expect((await call('GET', `/v1/subnets/${t.subnetId}`, { token: t.token })).body.availableIpAddressCount).toBe(251);
  });

  it("refuses a group of another VPC with 400 InvalidParameterCombination", async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const other = await call('POST', '/v1/vpcs', { token: t.token, body: { cidrBlock: '10.1.0.0/16' } });

    // Act
    const refused = await launch(call, t, { securityGroupIds: [t.defaultGroupId, other.body.defaultSecurityGroupId] });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('InvalidParameterCombination');
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 0 });
  });

  it.each([
    [{ instances: 1, vcpus: 100 }, 'instances'],
    [{ instances: 10, vcpus: 3 }, 'vcpus'],
  ])('answers 429 QuotaExceeded when the %j quota is used up (%s)', async (limits) => {
    // Prepare
    const t = await computeTenant(platform, call, limits);
    expect((await launch(call, t)).status).toBe(202);

    // Act
    const refused = await launch(call, t);

    // Assess
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('QuotaExceeded');
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 1, vcpus: 2 });
  });
});

describe('the state graph', () => {
  it('stops, resizes, starts, reboots and terminates, with 200 no-ops and 409 for actions the state does not allow', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const instance = await running(t);
    const id = instance.id as string;

    // Act and assess, step by step
    expect((await act(t, id, 'start')).status).toBe(200);
    expect((await act(t, id, 'resize', { flavorId: 'm5.large' })).body.code).toBe('IncorrectInstanceState');
    const stopping = await act(t, id, 'stop');
    expect(stopping.status).toBe(202);
    expect(stopping.body).toMatchObject({ status: 'stopping', operationId: expect.any(String) });
    expect((await act(t, id, 'stop')).status).toBe(200);
    await waitForStatus(call, t.token, id, 'stopped');
    expect((await act(t, id, 'stop')).status).toBe(200);
    expect((await act(t, id, 'reboot')).body.code).toBe('IncorrectInstanceState');

    const resized = await act(t, id, 'resize', { flavorId: 'm5.xlarge' });
    expect(resized.status).toBe(200);
    expect(resized.body).toMatchObject({ status: 'stopped', flavorId: 'm5.xlarge', vcpus: 4, memoryMib: 16384 });
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 1, vcpus: 4 });
    expect((await act(t, id, 'resize', { flavorId: 'm5.xlarge' })).status).toBe(200);
    expect((await act(t, id, 'resize', { flavorId: 'nope.small' })).body.code).toBe('InvalidFlavorID.NotFound');

    const starting = await act(t, id, 'start');
    expect(starting.status).toBe(202);
    expect(starting.body.status).toBe('pending');
    await waitForStatus(call, t.token, id, 'running');

    const rebooting = await act(t, id, 'reboot');
    expect(rebooting.status).toBe(202);
    expect(rebooting.body.status).toBe('running');
    expect((await waitForOperation(call, t.token, rebooting.body.operationId)).status).toBe('succeeded');

    const terminating = await act(t, id, 'terminate');
    expect(terminating.status).toBe(202);
    expect(terminating.body.status).toBe('shutting-down');
    await waitForStatus(call, t.token, id, 'terminated');
    expect((await act(t, id, 'terminate')).status).toBe(200);
    expect((await act(t, id, 'start')).body.code).toBe('IncorrectInstanceState');
    expect((await act(t, id, 'stop')).body.code).toBe('IncorrectInstanceState');
    expect((await act(t, id, 'reboot')).status).toBe(409);
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 0, vcpus: 0 });
    expect((await call('GET', `/v1/subnets/${t.subnetId}`, { token: t.token })).body.availableIpAddressCount).toBe(251);

    const events = await call('GET', `/v1/events?resourceId=${id}&limit=100`, { token: t.token });
    expect(events.body.items.map((event: { type: string }) => event.type).reverse()).toEqual([
      'instance.pending',
      'instance.running',
      'instance.stopping',
      'instance.stopped',
      'instance.resized',
      'instance.pending',
      'instance.running',
      'instance.rebooting',
      'instance.rebooted',
      'instance.shutting_down',
      'instance.terminated',
    ]);
    const audit = await call('GET', `/v1/audit-log?resourceId=${id}&limit=100`, { token: t.token });
    expect(audit.body.items).toHaveLength(11);
  });

  it('refuses to stop a pending instance and to terminate a stopping one', async () => {
    // Prepare: a slow data plane keeps the instance pending for a while.
    process.env.SIMULATED_BOOT_SECONDS = '2';
    const t = await computeTenant(platform, call);
    const created = await launch(call, t);
    try {
      // Act
      const stop = await act(t, created.body.id, 'stop');
      const terminate = await act(t, created.body.id, 'terminate');

      // Assess
      expect(stop.status).toBe(409);
      expect(stop.body.code).toBe('IncorrectInstanceState');
      expect(terminate.status).toBe(409);
    } finally {
      process.env.SIMULATED_BOOT_SECONDS = '0';
    }
    await waitForStatus(call, t.token, created.body.id, 'running');
  });

  it('honours termination and stop protection until it is cleared', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const instance = await running(t, { disableApiTermination: true, disableApiStop: true });

    // Act
    const terminate = await act(t, instance.id, 'terminate');
    const stop = await act(t, instance.id, 'stop');
    const cleared = await call('PATCH', `/v1/instances/${instance.id}`, { token: t.token, body: { disableApiTermination: false, disableApiStop: false } });
    const stopAgain = await act(t, instance.id, 'stop');

    // Assess
    expect(terminate.status).toBe(400);
    expect(terminate.body.code).toBe('OperationNotPermitted');
    expect(stop.status).toBe(400);
    expect(stop.body.code).toBe('OperationNotPermitted');
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ disableApiTermination: false, disableApiStop: false });
    expect(stopAgain.status).toBe(202);
  });

  it('counts running time exactly: the stop ends the interval, a stopped instance does not count', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const instance = await running(t);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // Act
    const stopping = await act(t, instance.id, 'stop');
    await waitForStatus(call, t.token, instance.id, 'stopped');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stopped = await call('GET', `/v1/instances/${instance.id}`, { token: t.token });

    // Assess
    const expected = Math.floor((Date.parse(stopping.body.updatedAt) - Date.parse(instance.launchedAt)) / 1000);
    expect(expected).toBeGreaterThanOrEqual(1);
    expect(stopping.body.runningSeconds).toBe(expected);
    expect(stopped.body.runningSeconds).toBe(expected);
  });

  it('meters through its events: instance.time by flavor while running (the intervals add up to runningSeconds), publicIpv4.time while it holds an address', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const instance = await running(t, { assignPublicIp: true });
    // Act
    await act(t, instance.id, 'stop');
    await waitForStatus(call, t.token, instance.id, 'stopped');
    await act(t, instance.id, 'start');
    await waitForStatus(call, t.token, instance.id, 'running');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await act(t, instance.id, 'terminate');
    const ended = await waitForStatus(call, t.token, instance.id, 'terminated');
    const events = (await call('GET', `/v1/events?resourceId=${instance.id}&limit=100`, { token: t.token })).body.items.reverse();

    // Assess
    const metered = events
      .filter((event: { data: { usage?: unknown[] } }) => event.data.usage)
      .map((event: { type: string; data: { usage: unknown[] } }) => [event.type, event.data.usage]);
    const time = (action: string) => ({ meter: 'instance.time', dimension: 't3.micro', quantity: action === 'start' ? '1' : '0', action });
    const address = (action: string) => ({ meter: 'publicIpv4.time', quantity: action === 'start' ? '1' : '0', action });
    expect(metered).toEqual([
      ['instance.pending', [address('start')]],
      ['instance.running', [time('start')]],
      ['instance.stopping', [time('stop')]],
      ['instance.running', [time('start')]],
      ['instance.shutting_down', [time('stop')]],
      ['instance.terminated', [address('stop')]],
    ]);
    const at = (type: string) => events.filter((event: { type: string }) => event.type === type).map((event: { occurredAt: string }) => Date.parse(event.occurredAt));
    const [firstStart, secondStart] = at('instance.running');
    const intervals = at('instance.stopping')[0]! - firstStart! + (at('instance.shutting_down')[0]! - secondStart!);
    expect(Math.floor(intervals / 1000)).toBe(ended.runningSeconds);
    expect(ended.runningSeconds).toBeGreaterThanOrEqual(1);
  });

  it('keeps a terminated instance readable for an hour, then the cleanup job removes it', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const instance = await running(t);
    await act(t, instance.id, 'terminate');
    const ended = await waitForStatus(call, t.token, instance.id, 'terminated');

    // Act
    await purgeExpired({ now: new Date(Date.parse(ended.terminatedAt) + 59 * 60_000) });
    const withinTheHour = await call('GET', `/v1/instances/${instance.id}`, { token: t.token });
    await purgeExpired({ now: new Date(Date.parse(ended.terminatedAt) + 61 * 60_000) });
    const after = await call('GET', `/v1/instances/${instance.id}`, { token: t.token });

    // Assess
    expect(Date.parse(ended.expiresAt) - Date.parse(ended.terminatedAt)).toBeGreaterThanOrEqual(3599_000);
    expect(withinTheHour.status).toBe(200);
    expect(after.status).toBe(404);
    expect(after.body.code).toBe('InvalidInstanceID.NotFound');
  });

  it("answers 404 for another tenant's instance and refuses a viewer's actions", async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const other = await computeTenant(platform, call);
    const instance = await running(t);
    const viewer = await platform.token({ roles: ['viewer'], tenantId: t.tenantId });

    // Act
    const foreign = await call('GET', `/v1/instances/${instance.id}`, { token: other.token });
    const foreignStop = await act(other, instance.id, 'stop');
    const read = await call('GET', `/v1/instances/${instance.id}`, { token: viewer });
    const viewerStop = await call('POST', `/v1/instances/${instance.id}/stop`, { token: viewer });

    // Assess
    expect(foreign.status).toBe(404);
    expect(foreignStop.status).toBe(404);
    expect(read.status).toBe(200);
    expect(viewerStop.status).toBe(403);
  });
});

describe('templates', () => {
  it('launches with the template settings, the body overriding them and tags merged', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const template = await call('POST', '/v1/templates', {
      token: t.token,
      body: { name: 'web-template', flavorId: 'm5.large', imageId: 'img-debian-12', subnetId: t.subnetId, rootVolumeGb: 20, tags: { team: 'web', tier: 'front' } },
    });
    expect(template.status).toBe(201);

    // Act
    const created = await call('POST', '/v1/instances', { token: t.token, body: { name: 'from-template', templateId: template.body.id, rootVolumeGb: 40, tags: { tier: 'back' } } });

    // Assess
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ flavorId: 'm5.large', imageId: 'img-debian-12', rootVolumeGb: 40, templateId: template.body.id, tags: { team: 'web', tier: 'back' } });
  });

  it('refuses a launch whose tags, merged with the template\'s, are more than 50', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const tagsOf = (prefix: string) => Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`${prefix}${i}`, 'x']));
    const template = await call('POST', '/v1/templates', { token: t.token, body: { name: 'tagged', tags: tagsOf('t') } });

    // Act
    const refused = await launch(call, t, { templateId: template.body.id, tags: tagsOf('b') });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('TagLimitExceeded');
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 0 });
  });
});

describe('networking with instances', () => {
  it('refuses to delete a subnet or a security group in use, and takes an instance as a route target of its VPC only', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const group = await call('POST', '/v1/security-groups', { token: t.token, body: { vpcId: t.vpcId, name: 'app', description: 'app' } });
    const instance = await running(t, { securityGroupIds: [group.body.id] });
    const table = await call('POST', '/v1/route-tables', { token: t.token, body: { vpcId: t.vpcId } });
    const otherVpc = await call('POST', '/v1/vpcs', { token: t.token, body: { cidrBlock: '10.9.0.0/16' } });
    const otherTable = await call('POST', '/v1/route-tables', { token: t.token, body: { vpcId: otherVpc.body.id } });

    // Act
    const subnetDelete = await call('DELETE', `/v1/subnets/${t.subnetId}`, { token: t.token });
    const groupDelete = await call('DELETE', `/v1/security-groups/${group.body.id}`, { token: t.token });
    const route = await call('POST', `/v1/route-tables/${table.body.id}/routes`, { token: t.token, body: { destinationCidrBlock: '0.0.0.0/0', instanceId: instance.id } });
    const foreignRoute = await call('POST', `/v1/route-tables/${otherTable.body.id}/routes`, { token: t.token, body: { destinationCidrBlock: '0.0.0.0/0', instanceId: instance.id } });
    const vpc = await call('GET', `/v1/vpcs/${t.vpcId}`, { token: t.token });

    // Assess
    expect(subnetDelete.status).toBe(409);
    expect(subnetDelete.body.code).toBe('DependencyViolation');
    expect(groupDelete.status).toBe(409);
    expect(groupDelete.body.code).toBe('DependencyViolation');
    expect(route.status).toBe(201);
    expect(foreignRoute.status).toBe(400);
    expect(vpc.body.counts.instances).toBe(1);
  });
});

describe('instances in projects', () => {
  it("count in the project's stats by status, and a cascade deletion terminates them before the project goes", async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const project = await call('POST', '/v1/projects', { token: t.token, body: { name: 'fleet' } });
    const web = await running(t, { projectId: project.body.id });
    const batch = await running(t, { projectId: project.body.id, flavorId: 'm5.large', rootVolumeGb: 20 });
    await act(t, batch.id, 'stop');
    await waitForStatus(call, t.token, batch.id, 'stopped');

    // Act
    const stats = await call('GET', `/v1/projects/${project.body.id}/stats`, { token: t.token });
    const plainDelete = await call('DELETE', `/v1/projects/${project.body.id}`, { token: t.token });
    const cascade = await call('DELETE', `/v1/projects/${project.body.id}?cascade=true`, { token: t.token });
    const operation = await waitForOperation(call, t.token, cascade.body.operationId, 90_000);

    // Assess
    expect(stats.body).toMatchObject({
      resources: { live: 2, byType: { instance: { running: 1, stopped: 1 } } },
      vcpus: 4,
      memoryMib: 1024 + 8192,
      storageGb: 8 + 20,
    });
    expect(plainDelete.status).toBe(409);
    expect(plainDelete.body.code).toBe('ProjectNotEmpty');
    expect(cascade.status).toBe(202);
    expect(operation.status).toBe('succeeded');
    expect((await call('GET', `/v1/projects/${project.body.id}`, { token: t.token })).status).toBe(404);
    for (const id of [web.id, batch.id]) expect((await call('GET', `/v1/instances/${id}`, { token: t.token })).body.status).toBe('terminated');
    expect(await quotaUsed(call, t.token)).toMatchObject({ instances: 0, vcpus: 0 });
  });

  it('a cascade deletion stops at a protected instance and opens the project again', async () => {
    // Prepare
    const t = await computeTenant(platform, call);
    const project = await call('POST', '/v1/projects', { token: t.token, body: { name: 'protected' } });
    const instance = await running(t, { projectId: project.body.id, disableApiTermination: true });

    // Act
    const cascade = await call('DELETE', `/v1/projects/${project.body.id}?cascade=true`, { token: t.token });
    const operation = await waitForOperation(call, t.token, cascade.body.operationId, 90_000);

    // Assess
    expect(operation.status).toBe('compensated');
    expect(operation.error).toMatchObject({ code: 'OperationNotPermitted' });
    expect((await call('GET', `/v1/projects/${project.body.id}`, { token: t.token })).body.status).toBe('active');
    expect((await call('GET', `/v1/instances/${instance.id}`, { token: t.token })).body.status).toBe('running');
  });
});
