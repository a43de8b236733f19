/** DELETE /v1/projects/{id}?cascade=true: the ProjectDeletion saga terminates the project's resources, then deletes it, or reopens it. */
import { newId } from '../../functions/kit/ids';
import { clearFaults, injectFault } from '../../functions/kit/faults';
import { commitWrites } from '../../functions/kit/transaction';
import { registerTerminator, unregisterTerminator, type TerminationRequest } from '../../functions/projects/deletion/terminators';
import { getProjectStats, projectUsageWrites } from '../../functions/projects/repository';
import type { Platform } from '../../lib/local/runtime';
import { putActiveTenant } from '../../lib/local/seed';
import { client, ownerOfProvisionedTenant, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;
const published: { 'detail-type': string; detail: { resourceId: string; actor: string; data: any } }[] = [];
const asked: TerminationRequest[] = [];

beforeAll(async () => {
  platform = await startTestPlatform('cascade', { relay: { pollMs: 50 }, scheduler: false, stepFunctions: { retryDelayMs: 10 } });
  call = client(platform.url);
  admin = await platform.token({ roles: ['platform-admin'] });
  platform.bus.subscribe((event) => published.push(event as never));
  // A test resource type: terminating a gadget takes it out of its project at once.
  registerTerminator('gadget', async (request) => {
    asked.push(request);
    await commitWrites(projectUsageWrites({ ...request, from: 'active', to: 'terminated', live: -1, vcpus: -1 }));
  });
});
afterEach(() => clearFaults());
afterAll(async () => {
  for (const type of ['gadget', 'slowgadget', 'stuckgadget']) unregisterTerminator(type);
  await platform.stop();
});

async function newTenant() {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Cascade test' });
  await call('PUT', `/v1/admin/tenants/${tenant.id}/quotas`, { token: admin, body: { projects: 5 } });
  return { tenantId: tenant.id, owner: await platform.token({ roles: ['owner'], tenantId: tenant.id }) };
}

async function projectWith(t: { tenantId: string; owner: string }, resources: [type: string, id: string][] = []) {
  const project = (await call('POST', '/v1/projects', { token: t.owner, body: { name: `p-${Date.now()}-${Math.random()}`.slice(0, 60) } })).body;
  for (const [resourceType, resourceId] of resources) {
    await commitWrites(projectUsageWrites({ tenantId: t.tenantId, projectId: project.id, resourceType, resourceId, to: 'active', live: 1, vcpus: 1 }));
  }
  return project;
}

/** The deletion's execution once it has polled for live resources and gone on to wait (deadline far above its normal time). */
async function polledOnce(operationId: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = platform.stepFunctions.executions.find((e) => JSON.stringify(e.input).includes(operationId));
    if (execution?.states.includes('WaitForTermination')) return execution;
    if (Date.now() > deadline) throw new Error(`operation ${operationId} never waited for termination: ${execution?.states.join(' → ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function outcome(operationId: string, token: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call('GET', `/v1/operations/${operationId}`, { token });
    if (response.body.status === 'succeeded' || response.body.status === 'compensated') return response.body;
    if (Date.now() > deadline) throw new Error(`operation still ${response.body.status}: ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const stepsOf = (operation: { steps: { name: string; status: string }[] }) => operation.steps.map((s) => `${s.name}:${s.status}`);
const typesFor = (resourceId: string) => published.filter((e) => e.detail.resourceId === resourceId).map((e) => e['detail-type']);

describe('cascade deletion', () => {
  it('answers 202 deleting with an operation; the saga deletes the empty project and gives the quota back', async () => {
    // Prepare
    const t = await newTenant();
    const project = await projectWith(t);
    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    const operation = await outcome(accepted.body.operationId, t.owner);
    await platform.eventsSettled();
    // Assess
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ id: project.id, status: 'deleting', operationId: expect.stringMatching(/^op-/), version: 2 });
    expect(accepted.headers.get('etag')).toBe('"2"');
    expect(operation).toMatchObject({ type: 'ProjectDeletion', status: 'succeeded', resourceType: 'project', resourceId: project.id });
    expect(stepsOf(operation)).toEqual(['TerminateResources:succeeded', 'DeleteProject:succeeded']);
    expect((await call('GET', `/v1/projects/${project.id}`, { token: t.owner })).status).toBe(404);
    const quotas = await call('GET', '/v1/quotas', { token: t.owner });
    expect(quotas.body.items).toEqual([{ name: 'projects', limit: 5, used: 0 }]);
    expect(typesFor(project.id)).toEqual(['project.created', 'project.deletion_started', 'project.deleted']);
    expect(published.find((e) => e['detail-type'] === 'project.deleted' && e.detail.resourceId === project.id)?.detail).toMatchObject({
      actor: 'system:ProjectDeletion',
      data: { operationId: accepted.body.operationId },
    });
  });

  it('terminates every live resource through its type\'s terminator, then deletes the project', async () => {
    // Prepare
    const t = await newTenant();
    const project = await projectWith(t, [['gadget', 'g-1'], ['gadget', 'g-2']]);
    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    const operation = await outcome(accepted.body.operationId, t.owner);
    // Assess
    expect(operation.status).toBe('succeeded');
    expect(asked.filter((r) => r.projectId === project.id).map((r) => r.resourceId).sort()).toEqual(['g-1', 'g-2']);
    expect(asked.find((r) => r.projectId === project.id)).toMatchObject({ operationId: accepted.body.operationId, actor: 'system:ProjectDeletion' });
    expect((await call('GET', `/v1/projects/${project.id}`, { token: t.owner })).status).toBe(404);
  });

  it('waits for resources that take time to terminate, polling until none is live', async () => {
    // Prepare: a resource that leaves its project only once the saga has polled and found it still live
    // (driven by the execution's states, not by a timer the first poll could come after on a slow machine).
    let slow: TerminationRequest | undefined;
    registerTerminator('slowgadget', async (request) => {
      slow = request;
    });
    const t = await newTenant();
    const project = await projectWith(t, [['slowgadget', 's-1']]);
    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    const stillThere = await call('GET', `/v1/projects/${project.id}`, { token: t.owner });
    const execution = await polledOnce(accepted.body.operationId);
    await commitWrites(projectUsageWrites({ ...slow!, from: 'active', to: 'terminated', live: -1 }));
    const operation = await outcome(accepted.body.operationId, t.owner);
    // Assess
    expect(stillThere.body.status).toBe('deleting');
    expect(operation.status).toBe('succeeded');
    expect(execution.states.filter((s) => s === 'AwaitTermination').length).toBeGreaterThanOrEqual(2);
    expect(execution?.states).toContain('WaitForTermination');
  });

  it('while it runs: asking again follows the same operation; a plain delete or a change is 409 IncorrectProjectState', async () => {
    // Prepare: a resource whose termination waits for the test
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    registerTerminator('stuckgadget', async (request) => {
      await released;
      await commitWrites(projectUsageWrites({ ...request, from: 'active', to: 'terminated', live: -1 }));
    });
    const t = await newTenant();
    const project = await projectWith(t, [['stuckgadget', 'x-1']]);
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    // Act
    const again = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    const plain = await call('DELETE', `/v1/projects/${project.id}`, { token: t.owner });
    const patch = await call('PATCH', `/v1/projects/${project.id}`, { token: t.owner, body: { name: 'renamed' } });
    release();
    const operation = await outcome(accepted.body.operationId, t.owner);
    // Assess
    expect(again.status).toBe(202);
    expect(again.body.operationId).toBe(accepted.body.operationId);
    expect([plain.status, plain.body.code]).toEqual([409, 'IncorrectProjectState']);
    expect([patch.status, patch.body.code]).toEqual([409, 'IncorrectProjectState']);
    expect(operation.status).toBe('succeeded');
  });

  it('reopens the project when a resource cannot be terminated: compensated, project active again, project.deletion_failed', async () => {
    // Prepare: a resource of a type nothing can terminate
    const t = await newTenant();
    const project = await projectWith(t, [['mystery', 'm-1']]);
    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    const operation = await outcome(accepted.body.operationId, t.owner);
    await platform.eventsSettled();
    const read = await call('GET', `/v1/projects/${project.id}`, { token: t.owner });
    // Assess
    expect(operation).toMatchObject({ status: 'compensated', error: { code: 'UnsupportedResourceType', step: 'TerminateResources' } });
    expect(stepsOf(operation)).toEqual(['TerminateResources:failed', 'DeleteProject:pending']);
    expect(read.body).toMatchObject({ status: 'active', version: 3 });
    expect(read.body).not.toHaveProperty('operationId');
    expect(typesFor(project.id)).toEqual(['project.created', 'project.deletion_started', 'project.deletion_failed']);
    // it takes resources again
    await commitWrites(projectUsageWrites({ tenantId: t.tenantId, projectId: project.id, resourceType: 'gadget', resourceId: 'g-late', to: 'active', live: 1 }));
    expect((await getProjectStats(t.tenantId, project.id)).resources.live).toBe(2);
  });

  it('reopens the project when the last step fails; the resources it terminated stay terminated', async () => {
    // Prepare
    injectFault('ProjectDeletion.DeleteProject');
    const t = await newTenant();
    const project = await projectWith(t, [['gadget', 'g-9']]);
    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token: t.owner });
    const operation = await outcome(accepted.body.operationId, t.owner);
    const read = await call('GET', `/v1/projects/${project.id}`, { token: t.owner });
    const stats = await call('GET', `/v1/projects/${project.id}/stats`, { token: t.owner });
    // Assess
    expect(operation).toMatchObject({ status: 'compensated', error: { code: 'FaultInjected', step: 'DeleteProject' } });
    expect(stepsOf(operation)).toEqual(['TerminateResources:compensated', 'DeleteProject:failed']);
    expect(read.body.status).toBe('active');
    expect(stats.body.resources).toEqual({ live: 0, byType: { gadget: { terminated: 1 } } });
    // and a plain delete works now
    expect((await call('DELETE', `/v1/projects/${project.id}`, { token: t.owner })).status).toBe(204);
  });
});

describe('cascade deletion of a project holding a VPC', () => {
  it('terminates the instance, then takes the VPC apart: routes, associations, gateway, subnet, groups, tables, the VPC', async () => {
    // Prepare: a project with a VPC; in it a subnet, an internet gateway with a default route, a
    // second route table (associated, routing to the instance), a group whose rule names the
    // default group, and an instance of the project using that group
    const { token } = await ownerOfProvisionedTenant(platform, { projects: 5 });
    const ok = async (method: string, path: string, body?: unknown) => {
      const response = await call(method, path, { token, ...(body === undefined ? {} : { body }) });
      if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body;
    };
    const project = await ok('POST', '/v1/projects', { name: 'network' });
    const vpc = await ok('POST', '/v1/vpcs', { cidrBlock: '10.8.0.0/16', projectId: project.id });
    const subnet = await ok('POST', '/v1/subnets', { vpcId: vpc.id, cidrBlock: '10.8.1.0/24' });
    const gateway = await ok('POST', '/v1/internet-gateways', {});
    await ok('POST', `/v1/internet-gateways/${gateway.id}/attach`, { vpcId: vpc.id });
    await ok('POST', `/v1/route-tables/${vpc.mainRouteTableId}/routes`, { destinationCidrBlock: '0.0.0.0/0', gatewayId: gateway.id });
    const group = await ok('POST', '/v1/security-groups', { vpcId: vpc.id, name: 'app' });
    await ok('POST', `/v1/security-groups/${group.id}/rules`, { direction: 'ingress', protocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: vpc.defaultSecurityGroupId });
    const table = await ok('POST', '/v1/route-tables', { vpcId: vpc.id });
    await ok('POST', `/v1/route-tables/${table.id}/associations`, { subnetId: subnet.id });
    const instance = await ok('POST', '/v1/instances', {
      name: 'nat',
      flavorId: 't3.micro',
      imageId: 'img-ubuntu-24.04',
      subnetId: subnet.id,
      securityGroupIds: [group.id],
      projectId: project.id,
    });
    await waitForInstance(token, instance.id, 'running');
    await ok('POST', `/v1/route-tables/${table.id}/routes`, { destinationCidrBlock: '192.168.0.0/16', instanceId: instance.id });
    const before = await call('GET', `/v1/projects/${project.id}/stats`, { token });

    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token });
    const operation = await outcome(accepted.body.operationId, token, 90_000);
    await platform.eventsSettled();

    // Assess
    expect(before.body.resources).toMatchObject({ live: 2, byType: { vpc: { available: 1 }, instance: { running: 1 } } });
    expect(operation).toMatchObject({ status: 'succeeded' });
    expect(stepsOf(operation)).toEqual(['TerminateResources:succeeded', 'DeleteProject:succeeded']);
    expect((await call('GET', `/v1/projects/${project.id}`, { token })).status).toBe(404);
    expect((await call('GET', `/v1/instances/${instance.id}`, { token })).body.status).toBe('terminated');
    for (const path of [`/v1/vpcs/${vpc.id}`, `/v1/subnets/${subnet.id}`, `/v1/internet-gateways/${gateway.id}`, `/v1/security-groups/${group.id}`,
      `/v1/security-groups/${vpc.defaultSecurityGroupId}`, `/v1/route-tables/${table.id}`, `/v1/route-tables/${vpc.mainRouteTableId}`]) {
      expect([path, (await call('GET', path, { token })).status]).toEqual([path, 404]);
    }
    const quotas = Object.fromEntries((await call('GET', '/v1/quotas', { token })).body.items.map((q: { name: string; used: number }) => [q.name, q.used]));
    expect(quotas).toMatchObject({ projects: 0, vpcs: 0, instances: 0, vcpus: 0 });
    // Dependency order: the instance has gone before the subnet, the gateway before the VPC, the VPC last.
    const order = published.filter((e) => e.detail.actor === 'system:ProjectDeletion' || e.detail.resourceId === instance.id).map((e) => `${e['detail-type']} ${e.detail.resourceId}`);
    const at = (entry: string) => order.indexOf(entry);
    expect(order).toEqual(
      expect.arrayContaining([
        `instance.terminated ${instance.id}`,
        `route_table.disassociated ${table.id}`,
        `route_table.deleted ${table.id}`,
        `route_table.route_removed ${vpc.mainRouteTableId}`,
        `internet_gateway.detached ${gateway.id}`,
        `internet_gateway.deleted ${gateway.id}`,
        `subnet.deleted ${subnet.id}`,
        `security_group.rule_removed ${group.id}`,
        `security_group.deleted ${group.id}`,
        `vpc.deleted ${vpc.id}`,
        `project.deleted ${project.id}`,
      ]),
    );
    expect(at(`instance.terminated ${instance.id}`)).toBeLessThan(at(`subnet.deleted ${subnet.id}`));
    expect(at(`route_table.deleted ${table.id}`)).toBeLessThan(at(`internet_gateway.detached ${gateway.id}`));
    expect(at(`internet_gateway.detached ${gateway.id}`)).toBeLessThan(at(`internet_gateway.deleted ${gateway.id}`));
    for (const entry of [`subnet.deleted ${subnet.id}`, `security_group.deleted ${group.id}`, `internet_gateway.deleted ${gateway.id}`]) {
      expect(at(entry)).toBeLessThan(at(`vpc.deleted ${vpc.id}`));
    }
    expect(at(`project.deleted ${project.id}`)).toBeGreaterThan(at(`vpc.deleted ${vpc.id}`));
  });

  it('stops at an instance in the VPC that is not the project\'s: DependencyViolation, the project opens again with its VPC', async () => {
    // Prepare
    const { token } = await ownerOfProvisionedTenant(platform, { projects: 5 });
    const project = (await call('POST', '/v1/projects', { token, body: { name: 'shared' } })).body;
    const vpc = (await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.9.0.0/16', projectId: project.id } })).body;
    const subnet = (await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.9.1.0/24' } })).body;
    const outsider = (await call('POST', '/v1/instances', { token, body: { name: 'other', flavorId: 't3.micro', imageId: 'img-ubuntu-24.04', subnetId: subnet.id } })).body;
    await waitForInstance(token, outsider.id, 'running');

    // Act
    const accepted = await call('DELETE', `/v1/projects/${project.id}?cascade=true`, { token });
    const operation = await outcome(accepted.body.operationId, token, 90_000);

    // Assess
    expect(operation).toMatchObject({ status: 'compensated', error: { code: 'DependencyViolation', step: 'TerminateResources' } });
    expect((await call('GET', `/v1/projects/${project.id}`, { token })).body.status).toBe('active');
    expect((await call('GET', `/v1/vpcs/${vpc.id}`, { token })).status).toBe(200);
    expect((await call('GET', `/v1/subnets/${subnet.id}`, { token })).status).toBe(200);
    expect((await call('GET', `/v1/instances/${outsider.id}`, { token })).body.status).toBe('running');
  });
});

async function waitForInstance(token: string, id: string, status: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call('GET', `/v1/instances/${id}`, { token });
    if (response.body.status === status) return;
    if (Date.now() > deadline) throw new Error(`instance ${id} is ${response.body.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
