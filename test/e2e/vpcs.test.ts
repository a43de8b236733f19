/** VPCs, subnets and internet gateways over HTTP (AWS VPC semantics), with their races. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { tableName } from '../../functions/kit/tables';
import type { Platform } from '../../lib/local/runtime';
import { auditActions } from '../support/snapshot';
import { client, ownerOfNewTenant, ownerOfProvisionedTenant, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('vpcs');
  call = client(platform.url);
});
afterAll(() => platform.stop());

async function tenant(limits: Parameters<typeof ownerOfProvisionedTenant>[1] = {}) {
  return ownerOfProvisionedTenant(platform, limits);
}

async function newVpc(token: string, cidrBlock = '10.0.0.0/16', extra: Record<string, unknown> = {}) {
  const created = await call('POST', '/v1/vpcs', { token, body: { cidrBlock, ...extra } });
  expect(created.status).toBe(201);
  return created.body;
}

async function item(tenantId: string, sk: string) {
  const out = await documentClient().send(new GetCommand({ TableName: tableName('resources'), Key: { pk: `T#${tenantId}`, sk }, ConsistentRead: true }));
  return out.Item;
}


describe('VPCs', () => {
  it('creates a VPC with its default security group, main route table and cleared host bits', async () => {
    // Prepare
    const { token, tenantId } = await tenant();

    // Act
    const created = await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.5.7/16', name: 'main', tags: { env: 'test' } } });

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/vpcs/${created.body.id}`);
    expect(created.body).toMatchObject({
      cidrBlock: '10.0.0.0/16',
      name: 'main',
      enableDnsSupport: true,
      enableDnsHostnames: false,
      isDefault: false,
      state: 'available',
      counts: { subnets: 0, securityGroups: 0, routeTables: 0, instances: 0 },
      tags: { env: 'test' },
    });
    expect(created.body.id).toMatch(/^vpc-/);
    expect(created.body.subnetSlots).toBeUndefined();
    const group = await item(tenantId, `SG#${created.body.defaultSecurityGroupId}`);
    expect(group).toMatchObject({ name: 'default', isDefault: true, vpcId: created.body.id });
    expect(group?.ingress).toEqual([expect.objectContaining({ protocol: 'all', sourceSecurityGroupId: created.body.defaultSecurityGroupId })]);
    expect(group?.egress).toEqual([expect.objectContaining({ protocol: 'all', cidr: '0.0.0.0/0' })]);
    expect(await item(tenantId, `SGNAME#${created.body.id}#default`)).toMatchObject({ groupId: created.body.defaultSecurityGroupId });
    const table = await item(tenantId, `RTB#${created.body.mainRouteTableId}`);
    expect(table).toMatchObject({ isMain: true, vpcId: created.body.id });
    expect(table?.routes).toEqual([{ destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' }]);
    expect(await item(tenantId, 'QUOTA#vpcs')).toMatchObject({ used: 1 });
    expect(await auditActions(tenantId, created.body.id)).toEqual(['vpc.created']);
  });

  it.each([
    ['10.0.0.0', 400, 'InvalidParameterValue'],
    ['10.0.0.300/16', 400, 'InvalidParameterValue'],
    ['banana', 400, 'InvalidParameterValue'],
    ['2001:db8::/56', 400, 'InvalidParameterValue'],
    ['11.0.0.0/16', 400, 'InvalidVpc.Range'],
    ['172.32.0.0/16', 400, 'InvalidVpc.Range'],
    ['10.0.0.0/15', 400, 'InvalidVpc.Range'],
    ['10.0.0.0/29', 400, 'InvalidVpc.Range'],
  ])('refuses cidrBlock %s with %i %s', async (cidrBlock, status, code) => {
    const { token } = await tenant();
    const refused = await call('POST', '/v1/vpcs', { token, body: { cidrBlock } });
    expect(refused.status).toBe(status);
    expect(refused.body.code).toBe(code);
  });

  it.each(['10.0.0.0/16', '172.16.0.0/12'.replace('/12', '/16'), '192.168.0.0/28'])('accepts %s', async (cidrBlock) => {
    const { token } = await tenant();
    await newVpc(token, cidrBlock);
  });

  it('refuses DNS hostnames without DNS support, on create and on change', async () => {
    const { token } = await tenant();
    const refused = await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.0.0/16', enableDnsSupport: false, enableDnsHostnames: true } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('InvalidParameterCombination');
    const vpc = await newVpc(token);
    const patched = await call('PATCH', `/v1/vpcs/${vpc.id}`, { token, body: { enableDnsHostnames: true } });
    expect(patched.status).toBe(200);
    const off = await call('PATCH', `/v1/vpcs/${vpc.id}`, { token, body: { enableDnsSupport: false } });
    expect(off.status).toBe(400);
    expect(off.body.code).toBe('InvalidParameterCombination');
  });

  it('changes name and tags with If-Match, lists and gets', async () => {
    // Prepare
    const { token, tenantId } = await tenant();
    const vpc = await newVpc(token, '10.1.0.0/16', { name: 'a', tags: { keep: '1', drop: '2' } });

    // Act
    const stale = await call('PATCH', `/v1/vpcs/${vpc.id}`, { token, body: { name: 'b' }, headers: { 'if-match': '"99"' } });
    const patched = await call('PATCH', `/v1/vpcs/${vpc.id}`, { token, body: { name: 'b', tags: { drop: null, add: '3' } }, headers: { 'if-match': '"1"' } });
    const unnamed = await call('PATCH', `/v1/vpcs/${vpc.id}`, { token, body: { name: null } });
    const got = await call('GET', `/v1/vpcs/${vpc.id}`, { token });
    await newVpc(token, '10.2.0.0/16');
    const page1 = await call('GET', '/v1/vpcs?limit=1', { token });
    const page2 = await call('GET', `/v1/vpcs?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`, { token });

    // Assess
    expect(stale.status).toBe(412);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'b', tags: { keep: '1', add: '3' }, version: 2 });
    expect(unnamed.body.name).toBeUndefined();
    expect(got.headers.get('etag')).toBe('"3"');
    expect(page1.body.items.map((v: { id: string }) => v.id)).toEqual([vpc.id]);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeUndefined();
    expect(await auditActions(tenantId, vpc.id)).toEqual(['vpc.created', 'vpc.updated', 'vpc.updated']);
  });

  it("keeps its ETag when a child changes: a PATCH with the ETag just read succeeds after a subnet create, group create and gateway attach", async () => {
    // Prepare
    const { token } = await tenant();
    const vpc = await newVpc(token, '10.3.0.0/16');
    const read = await call('GET', `/v1/vpcs/${vpc.id}`, { token });
    const etag = read.headers.get('etag')!;

    // Act
    const subnet = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.3.1.0/24' } });
    const group = await call('POST', '/v1/security-groups', { token, body: { vpcId: vpc.id, name: 'web', description: 'web' } });
    const gateway = await call('POST', '/v1/internet-gateways', { token, body: {} });
    const attached = await call('POST', `/v1/internet-gateways/${gateway.body.id}/attach`, { token, body: { vpcId: vpc.id } });
    const after = await call('GET', `/v1/vpcs/${vpc.id}`, { token });
    const patched = await call('PATCH', `/v1/vpcs/${vpc.id}`, { token, body: { name: 'renamed' }, headers: { 'if-match': etag } });
    const stale = await call('PATCH', `/v1/vpcs/${vpc.id}`, { token, body: { name: 'again' }, headers: { 'if-match': etag } });

    // Assess
    expect([subnet.status, group.status, gateway.status, attached.status]).toEqual([201, 201, 201, 200]);
    expect(after.headers.get('etag')).toBe(etag);
    expect(after.body).toMatchObject({ version: read.body.version, counts: { subnets: 1, securityGroups: 1 }, internetGatewayId: gateway.body.id });
    expect(after.body).not.toHaveProperty('childVersion');
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).not.toBe(etag);
    expect(stale.status).toBe(412);
  });

  it("is a 404 in another tenant", async () => {
    const { token } = await tenant();
    const other = await tenant();
    const vpc = await newVpc(token);
    const got = await call('GET', `/v1/vpcs/${vpc.id}`, { token: other.token });
    expect(got.status).toBe(404);
    expect(got.body.code).toBe('InvalidVpcID.NotFound');
  });

  it('takes the vpcs quota, and gives it back on delete', async () => {
    // Prepare
    const { token, tenantId } = await tenant({ vpcs: 1 });
    const vpc = await newVpc(token);

    // Act
    const second = await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.1.0.0/16' } });
    const deleted = await call('DELETE', `/v1/vpcs/${vpc.id}`, { token });
    const third = await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.1.0.0/16' } });

    // Assess
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('QuotaExceeded');
    expect(deleted.status).toBe(204);
    expect(third.status).toBe(201);
    expect(await item(tenantId, `VPC#${vpc.id}`)).toBeUndefined();
    expect(await item(tenantId, `SG#${vpc.defaultSecurityGroupId}`)).toBeUndefined();
    expect(await item(tenantId, `SGNAME#${vpc.id}#default`)).toBeUndefined();
    expect(await item(tenantId, `RTB#${vpc.mainRouteTableId}`)).toBeUndefined();
    expect(await auditActions(tenantId, vpc.id)).toEqual(['vpc.created', 'vpc.deleted']);
  });

  it('refuses a tenant without a vpcs quota', async () => {
    const token = await ownerOfNewTenant(platform);
    const refused = await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.0.0/16' } });
    expect(refused.status).toBe(429);
  });

  it('refuses to delete a VPC with a subnet or an attached gateway (409 DependencyViolation)', async () => {
    // Prepare
    const { token } = await tenant();
    const vpc = await newVpc(token);
    const subnet = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.1.0/24' } });
    const gateway = await call('POST', '/v1/internet-gateways', { token, body: {} });
    await call('POST', `/v1/internet-gateways/${gateway.body.id}/attach`, { token, body: { vpcId: vpc.id } });

    // Act
    const withBoth = await call('DELETE', `/v1/vpcs/${vpc.id}`, { token });
    await call('DELETE', `/v1/subnets/${subnet.body.id}`, { token });
    const withGateway = await call('DELETE', `/v1/vpcs/${vpc.id}`, { token });
    await call('POST', `/v1/internet-gateways/${gateway.body.id}/detach`, { token, body: { vpcId: vpc.id } });
    const free = await call('DELETE', `/v1/vpcs/${vpc.id}`, { token });

    // Assess
    expect(withBoth.status).toBe(409);
    expect(withBoth.body.code).toBe('DependencyViolation');
    expect(withGateway.status).toBe(409);
    expect(withGateway.body.code).toBe('DependencyViolation');
    expect(free.status).toBe(204);
  });

  it('joins a project and counts in its stats', async () => {
    const { token } = await tenant();
    const project = await call('POST', '/v1/projects', { token, body: { name: 'net' } });
    expect(project.status).toBe(201);
    const vpc = await newVpc(token, '10.0.0.0/16', { projectId: project.body.id });
    const stats = await call('GET', `/v1/projects/${project.body.id}/stats`, { token });
    expect(stats.body.resources).toEqual({ live: 1, byType: { vpc: { available: 1 } } });
    const missing = await call('POST', '/v1/vpcs', { token, body: { cidrBlock: '10.0.0.0/16', projectId: 'prj-nope' } });
    expect(missing.status).toBe(404);
    expect((await call('DELETE', `/v1/vpcs/${vpc.id}`, { token })).status).toBe(204);
    const after = await call('GET', `/v1/projects/${project.body.id}/stats`, { token });
    expect(after.body.resources.live).toBe(0);
  });
});

describe('subnets', () => {
  it('creates a subnet with its address count and the zone chosen by the platform', async () => {
    // Prepare
    const { token, tenantId } = await tenant();
    const vpc = await newVpc(token);

    // Act
    const first = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.1.9/24', availabilityZone: 'us-east-1b' } });
    const second = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.2.0/28' } });
    const third = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.3.0/28' } });
    const fourth = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.4.0/28' } });
    const got = await call('GET', `/v1/vpcs/${vpc.id}`, { token });

    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ cidrBlock: '10.0.1.0/24', availabilityZone: 'us-east-1b', availableIpAddressCount: 251, mapPublicIpOnLaunch: false, vpcId: vpc.id });
    expect(first.body.id).toMatch(/^subnet-/);
    expect(first.body.addressesInUse).toBeUndefined();
    expect(second.body).toMatchObject({ availabilityZone: 'us-east-1a', availableIpAddressCount: 11 });
    expect(third.body.availabilityZone).toBe('us-east-1c');
    expect(fourth.body.availabilityZone).toBe('us-east-1a');
    expect(got.body.counts.subnets).toBe(4);
    expect(await auditActions(tenantId, first.body.id)).toEqual(['subnet.created']);
  });

  it.each([
    ['10.0.1.0', 400, 'InvalidParameterValue'],
    ['10.1.0.0/24', 400, 'InvalidSubnet.Range'],
    ['10.0.0.0/15', 400, 'InvalidSubnet.Range'],
    ['10.0.0.0/29', 400, 'InvalidSubnet.Range'],
    ['10.0.0.128/25', 409, 'InvalidSubnet.Conflict'],
    ['10.0.0.0/16', 409, 'InvalidSubnet.Conflict'],
  ])('refuses %s with %i %s next to 10.0.0.0/24', async (cidrBlock, status, code) => {
    const { token } = await tenant();
    const vpc = await newVpc(token);
    expect((await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.0.0/24' } })).status).toBe(201);
    const refused = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock } });
    expect(refused.status).toBe(status);
    expect(refused.body.code).toBe(code);
  });

  it('refuses an unknown zone and an unknown VPC', async () => {
    const { token } = await tenant();
    const vpc = await newVpc(token);
    const zone = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.0.0/24', availabilityZone: 'mars-1a' } });
    expect(zone.status).toBe(400);
    expect(zone.body.code).toBe('InvalidParameterValue');
    const missing = await call('POST', '/v1/subnets', { token, body: { vpcId: 'vpc-nope', cidrBlock: '10.0.0.0/24' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('InvalidVpcID.NotFound');
  });

  it('never lets two overlapping subnets in, however they race', async () => {
    // Prepare
    const { token } = await tenant();
    const vpc = await newVpc(token);

    for (let round = 0; round < 16; round += 1) {
      // Act
      const blocks = [`10.0.${round * 4}.0/22`, `10.0.${round * 4 + 1}.0/24`, `10.0.${round * 4 + 2}.0/24`];
      const results = await Promise.all(blocks.map((cidrBlock) => call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock } })));

      // Assess: the /22 overlaps both /24s; the /24s do not overlap each other.
      const created = results.filter((r) => r.status === 201).map((r) => r.body.cidrBlock as string);
      expect(results.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'InvalidSubnet.Conflict'))).toBe(true);
      if (created.includes(blocks[0] as string)) expect(created).toEqual([blocks[0]]);
      else expect(created.sort()).toEqual([blocks[1], blocks[2]].sort());
    }
  });

  it('keeps to subnetsPerVpc under concurrent creates', async () => {
    const { token } = await tenant({ subnetsPerVpc: 3 });
    const vpc = await newVpc(token);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: `10.0.${i}.0/24` } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429).every((r) => r.body.code === 'QuotaExceeded')).toBe(true);
    expect(results.filter((r) => r.status === 429)).toHaveLength(3);
  });

  it('lists all subnets, or a VPC\'s by block', async () => {
    // Prepare
    const { token } = await tenant();
    const a = await newVpc(token, '10.0.0.0/16');
    const b = await newVpc(token, '10.1.0.0/16');
    for (const cidrBlock of ['10.0.9.0/24', '10.0.2.0/24', '10.0.10.0/24']) await call('POST', '/v1/subnets', { token, body: { vpcId: a.id, cidrBlock } });
    await call('POST', '/v1/subnets', { token, body: { vpcId: b.id, cidrBlock: '10.1.0.0/24' } });

    // Act
    const all = await call('GET', '/v1/subnets', { token });
    const ofA = await call('GET', `/v1/subnets?vpcId=${a.id}&limit=2`, { token });
    const rest = await call('GET', `/v1/subnets?vpcId=${a.id}&limit=2&cursor=${encodeURIComponent(ofA.body.nextCursor)}`, { token });
    const crossed = await call('GET', `/v1/subnets?vpcId=${b.id}&cursor=${encodeURIComponent(ofA.body.nextCursor)}`, { token });

    // Assess
    expect(all.body.items).toHaveLength(4);
    expect([...ofA.body.items, ...rest.body.items].map((s: { cidrBlock: string }) => s.cidrBlock)).toEqual(['10.0.2.0/24', '10.0.9.0/24', '10.0.10.0/24']);
    expect(rest.body.nextCursor).toBeUndefined();
    expect(crossed.status).toBe(400);
  });

  it('changes mapPublicIpOnLaunch, name and tags', async () => {
    const { token, tenantId } = await tenant();
    const vpc = await newVpc(token);
    const subnet = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.0.0/24' } });
    const patched = await call('PATCH', `/v1/subnets/${subnet.body.id}`, { token, body: { mapPublicIpOnLaunch: true, name: 'public', tags: { tier: 'web' } } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ mapPublicIpOnLaunch: true, name: 'public', tags: { tier: 'web' }, version: 2, availableIpAddressCount: 251 });
    const same = await call('PATCH', `/v1/subnets/${subnet.body.id}`, { token, body: { mapPublicIpOnLaunch: true } });
    expect(same.body.version).toBe(2);
    const refused = await call('PATCH', `/v1/subnets/${subnet.body.id}`, { token, body: { cidrBlock: '10.0.1.0/24' } });
    expect(refused.status).toBe(400);
    expect(await auditActions(tenantId, subnet.body.id)).toEqual(['subnet.created', 'subnet.updated']);
  });

  it('deletes a subnet, freeing its block, and refuses while addresses are in use', async () => {
    // Prepare
    const { token, tenantId } = await tenant();
    const vpc = await newVpc(token);
    const subnet = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.0.0/24' } });
    const { allocateAddress, releaseAddress } = await import('../../functions/networking/addresses');
    const ip = await allocateAddress(tenantId, subnet.body.id, 'i-test');

    // Act
    const inUse = await call('DELETE', `/v1/subnets/${subnet.body.id}`, { token });
    const count = await call('GET', `/v1/subnets/${subnet.body.id}`, { token });
    await releaseAddress(tenantId, subnet.body.id, ip);
    const deleted = await call('DELETE', `/v1/subnets/${subnet.body.id}`, { token });
    const again = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.0.0/24' } });

    // Assess
    expect(ip).toMatch(/^10\.0\.0\.\d+$/);
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('DependencyViolation');
    expect(count.body.availableIpAddressCount).toBe(250);
    expect(deleted.status).toBe(204);
    expect(again.status).toBe(201);
    expect((await call('GET', `/v1/subnets/${subnet.body.id}`, { token })).status).toBe(404);
    expect(await auditActions(tenantId, subnet.body.id)).toEqual(['subnet.created', 'subnet.deleted']);
  });
});

describe('address allocation', () => {
  it('hands out each of the 11 usable addresses of a /28 once among 30 concurrent allocations', async () => {
    // Prepare
    const { token, tenantId } = await tenant();
    const vpc = await newVpc(token);
    const subnet = await call('POST', '/v1/subnets', { token, body: { vpcId: vpc.id, cidrBlock: '10.0.0.16/28' } });
    const { allocateAddress } = await import('../../functions/networking/addresses');

    // Act
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => allocateAddress(tenantId, subnet.body.id, `i-${i}`)));

    // Assess
    const won = results.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled').map((r) => r.value);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(11);
    expect(new Set(won).size).toBe(11);
    expect(won.sort()).toEqual(Array.from({ length: 11 }, (_, i) => `10.0.0.${20 + i}`).sort());
    expect(lost.every((r) => (r.reason as { code?: string }).code === 'InsufficientFreeAddressesInSubnet')).toBe(true);
    const got = await call('GET', `/v1/subnets/${subnet.body.id}`, { token });
    expect(got.body.availableIpAddressCount).toBe(0);
  }, 180_000);
});

describe('internet gateways', () => {
  it('creates, attaches (one per VPC), detaches and deletes', async () => {
    // Prepare
    const { token, tenantId } = await tenant();
    const vpc = await newVpc(token);
    const other = await newVpc(token, '10.1.0.0/16');
    const gateway = await call('POST', '/v1/internet-gateways', { token, body: { name: 'edge' } });
    const second = await call('POST', '/v1/internet-gateways', { token, body: {} });

    // Act
    const attached = await call('POST', `/v1/internet-gateways/${gateway.body.id}/attach`, { token, body: { vpcId: vpc.id } });
    const twice = await call('POST', `/v1/internet-gateways/${gateway.body.id}/attach`, { token, body: { vpcId: vpc.id } });
    const elsewhere = await call('POST', `/v1/internet-gateways/${gateway.body.id}/attach`, { token, body: { vpcId: other.id } });
    const secondToSame = await call('POST', `/v1/internet-gateways/${second.body.id}/attach`, { token, body: { vpcId: vpc.id } });
    const busy = await call('DELETE', `/v1/internet-gateways/${gateway.body.id}`, { token });
    const wrongVpc = await call('POST', `/v1/internet-gateways/${gateway.body.id}/detach`, { token, body: { vpcId: other.id } });
    const vpcWithGateway = await call('GET', `/v1/vpcs/${vpc.id}`, { token });
    const detached = await call('POST', `/v1/internet-gateways/${gateway.body.id}/detach`, { token, body: { vpcId: vpc.id } });
    const listed = await call('GET', '/v1/internet-gateways', { token });
    const deleted = await call('DELETE', `/v1/internet-gateways/${gateway.body.id}`, { token });

    // Assess
    expect(gateway.status).toBe(201);
    expect(gateway.body).toMatchObject({ name: 'edge', attachments: [], routeCount: 0 });
    expect(gateway.body.id).toMatch(/^igw-/);
    expect(attached.status).toBe(200);
    expect(attached.body.attachments).toEqual([{ vpcId: vpc.id, state: 'available' }]);
    for (const refused of [twice, elsewhere, secondToSame]) {
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('Resource.AlreadyAssociated');
    }
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('DependencyViolation');
    expect(wrongVpc.status).toBe(400);
    expect(wrongVpc.body.code).toBe('Gateway.NotAttached');
    expect(vpcWithGateway.body.internetGatewayId).toBe(gateway.body.id);
    expect(detached.status).toBe(200);
    expect(detached.body.attachments).toEqual([]);
    expect((await call('GET', `/v1/vpcs/${vpc.id}`, { token })).body.internetGatewayId).toBeUndefined();
    expect(listed.body.items.map((g: { id: string }) => g.id)).toEqual([gateway.body.id, second.body.id]);
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/v1/internet-gateways/${gateway.body.id}`, { token })).status).toBe(404);
    expect(await auditActions(tenantId, gateway.body.id)).toEqual([
      'internet_gateway.created',
      'internet_gateway.attached',
      'internet_gateway.detached',
      'internet_gateway.deleted',
    ]);
  });

  it('lets only one of two gateways racing for a VPC attach', async () => {
    const { token } = await tenant();
    const vpc = await newVpc(token);
    const gateways = await Promise.all([1, 2, 3].map(() => call('POST', '/v1/internet-gateways', { token, body: {} })));
    const results = await Promise.all(gateways.map((g) => call('POST', `/v1/internet-gateways/${g.body.id}/attach`, { token, body: { vpcId: vpc.id } })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'Resource.AlreadyAssociated')).toHaveLength(2);
  });

  it('refuses to detach while a route targets the gateway', async () => {
    const { token, tenantId } = await tenant();
    const vpc = await newVpc(token);
    const gateway = await call('POST', '/v1/internet-gateways', { token, body: {} });
    await call('POST', `/v1/internet-gateways/${gateway.body.id}/attach`, { token, body: { vpcId: vpc.id } });
    // A route to the gateway (the route tables move routeCount in their own transactions).
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await documentClient().send(
      new UpdateCommand({ TableName: tableName('resources'), Key: { pk: `T#${tenantId}`, sk: `IGW#${gateway.body.id}` }, UpdateExpression: 'SET routeCount = :one', ExpressionAttributeValues: { ':one': 1 } }),
    );
    const refused = await call('POST', `/v1/internet-gateways/${gateway.body.id}/detach`, { token, body: { vpcId: vpc.id } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('DependencyViolation');
  });
});
