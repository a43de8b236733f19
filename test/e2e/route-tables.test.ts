/** Route tables over HTTP: create, routes and their targets, associations, longest-prefix lookup, delete. */
import { ApiError } from '../../functions/kit/errors';
import { getItem } from '../../functions/kit/repository';
import { tableName } from '../../functions/kit/tables';
import { routeTableKey } from '../../functions/networking/keys';
import { commitWrites, RetryRequest } from '../../functions/kit/transaction';
import { detachWrites, findInternetGateway } from '../../functions/networking/internet-gateway-repository';
import { deleteRouteTableWrites, findRouteTable } from '../../functions/networking/route-table-repository';
import { deleteSubnetWrites, findSubnet } from '../../functions/networking/subnet-repository';
import { findVpc } from '../../functions/networking/vpc-repository';
import type { Platform } from '../../lib/local/runtime';
import { createVpc, networkTenant, type NetworkTenant } from '../support/networking';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform('rtbs');
  call = client(platform.url);
  admin = await platform.token({ roles: ['platform-admin'], userId: 'usr-operator' });
});
afterAll(() => platform.stop());

type Tenant = NetworkTenant;

const newTenant = () => networkTenant(platform, call, admin);
const newVpc = (t: Tenant, cidrBlock?: string) => createVpc<{ id: string; mainRouteTableId: string; cidrBlock: string }>(call, t, cidrBlock);

async function newTable(t: Tenant, vpcId: string) {
  const table = await call('POST', '/v1/route-tables', { token: t.owner, body: { vpcId } });
  expect(table.status).toBe(201);
  return table.body as { id: string; version: number };
}

async function attachedGateway(t: Tenant, vpcId: string) {
  const gateway = await call('POST', '/v1/internet-gateways', { token: t.owner, body: {} });
  expect(gateway.status).toBe(201);
  const attached = await call('POST', `/v1/internet-gateways/${gateway.body.id}/attach`, { token: t.owner, body: { vpcId } });
  expect(attached.status).toBeLessThan(300);
  return gateway.body.id as string;
}

async function newSubnet(t: Tenant, vpcId: string, cidrBlock: string) {
  const subnet = await call('POST', '/v1/subnets', { token: t.owner, body: { vpcId, cidrBlock } });
  expect(subnet.status).toBe(201);
  return subnet.body.id as string;
}

const gatewayOf = async (t: Tenant, id: string) => (await call('GET', `/v1/internet-gateways/${id}`, { token: t.owner })).body;

describe('POST /v1/route-tables', () => {
  it('creates a table with the local route, counted on its VPC; lists and gets it', async () => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    // Act
    const created = await call('POST', '/v1/route-tables', { token: t.owner, body: { vpcId: vpc.id, tags: { tier: 'private' } } });
    const listed = await call('GET', `/v1/route-tables?vpcId=${vpc.id}`, { token: t.viewer });
    const all = await call('GET', '/v1/route-tables', { token: t.viewer });
    const got = await call('GET', `/v1/route-tables/${created.body.id}`, { token: t.viewer });
    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^rtb-[0-9a-z]{26}$/),
      tenantId: t.tenantId,
      vpcId: vpc.id,
      isMain: false,
      routes: [{ destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' }],
      associationCount: 0,
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
      version: 1,
      tags: { tier: 'private' },
    });
    expect(created.headers.get('location')).toBe(`/v1/route-tables/${created.body.id}`);
    expect(listed.body.items.map((table: { id: string }) => table.id)).toEqual([vpc.mainRouteTableId, created.body.id]);
    expect(all.body.items).toHaveLength(2);
    expect(got.body).toEqual({ ...created.body, associations: [] });
    expect((await call('GET', `/v1/vpcs/${vpc.id}`, { token: t.owner })).body.counts.routeTables).toBe(1);
  });

  it('refuses an unknown VPC (400 InvalidVpcID.NotFound) and a viewer (403); another tenant gets 404', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const table = await newTable(t, vpc.id);
    const other = await newTenant();
    const unknown = await call('POST', '/v1/route-tables', { token: t.owner, body: { vpcId: 'vpc-nope' } });
    const viewer = await call('POST', '/v1/route-tables', { token: t.viewer, body: { vpcId: vpc.id } });
    const elsewhere = await call('GET', `/v1/route-tables/${table.id}`, { token: other.owner });
    expect([unknown.status, unknown.body.code]).toEqual([400, 'InvalidVpcID.NotFound']);
    expect(viewer.status).toBe(403);
    expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'InvalidRouteTableID.NotFound']);
  });
});

describe('routes', () => {
  it('adds a default route to the attached gateway, which counts it and cannot be detached until it goes', async () => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    const table = await newTable(t, vpc.id);
    const igw = await attachedGateway(t, vpc.id);
    // Act
    const added = await call('POST', `/v1/route-tables/${table.id}/routes`, { token: t.owner, body: { destinationCidrBlock: '0.0.0.0/0', gatewayId: igw } });
    const detach = await call('POST', `/v1/internet-gateways/${igw}/detach`, { token: t.owner, body: { vpcId: vpc.id } });
    const counted = await gatewayOf(t, igw);
    const removed = await call('DELETE', `/v1/route-tables/${table.id}/routes?destination=0.0.0.0/0`, { token: t.owner });
    const released = await gatewayOf(t, igw);
    const detached = await call('POST', `/v1/internet-gateways/${igw}/detach`, { token: t.owner, body: { vpcId: vpc.id } });
    // Assess
    expect(added.status).toBe(201);
    expect(added.headers.get('etag')).toBe('"2"');
    expect(added.body.routes).toEqual([
      { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' },
      { destinationCidrBlock: '0.0.0.0/0', gatewayId: igw, origin: 'CreateRoute', state: 'active' },
    ]);
    expect([detach.status, detach.body.code]).toEqual([409, 'DependencyViolation']);
    expect(counted.routeCount).toBe(1);
    expect(removed.status).toBe(204);
    expect(released.routeCount).toBe(0);
    expect(detached.status).toBeLessThan(300);
    expect((await call('GET', `/v1/route-tables/${table.id}`, { token: t.owner })).body.routes).toHaveLength(1);
  });

  it.each([
    ['the same destination twice', (igw: string) => ({ destinationCidrBlock: '0.0.0.0/0', gatewayId: igw }), 409, 'RouteAlreadyExists'],
    ['the same destination with host bits', (igw: string) => ({ destinationCidrBlock: '0.0.0.7/0', gatewayId: igw }), 409, 'RouteAlreadyExists'],
    ["the local route's destination", (igw: string) => ({ destinationCidrBlock: '10.0.0.0/16', gatewayId: igw }), 409, 'RouteAlreadyExists'],
    ['an unknown gateway', () => ({ destinationCidrBlock: '172.16.0.0/12', gatewayId: 'igw-nope' }), 400, 'InvalidGatewayID.NotFound'],
    ['a NAT gateway', () => ({ destinationCidrBlock: '172.16.0.0/12', natGatewayId: 'nat-1' }), 400, 'InvalidNatGatewayID.NotFound'],
    ['an instance', () => ({ destinationCidrBlock: '172.16.0.0/12', instanceId: 'i-1' }), 400, 'InvalidInstanceID.NotFound'],
    ['two targets', (igw: string) => ({ destinationCidrBlock: '172.16.0.0/12', gatewayId: igw, instanceId: 'i-1' }), 400, 'InvalidParameterCombination'],
    ['no target', () => ({ destinationCidrBlock: '172.16.0.0/12' }), 400, 'InvalidParameterCombination'],
    ['the local gateway', () => ({ destinationCidrBlock: '172.16.0.0/12', gatewayId: 'local' }), 400, 'InvalidParameterValue'],
    ['a malformed destination', (igw: string) => ({ destinationCidrBlock: '172.16.0.0', gatewayId: igw }), 400, 'InvalidParameterValue'],
  ])('refuses %s', async (_name, body, status, code) => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const igw = await attachedGateway(t, vpc.id);
    const table = vpc.mainRouteTableId;
    expect((await call('POST', `/v1/route-tables/${table}/routes`, { token: t.owner, body: { destinationCidrBlock: '0.0.0.0/0', gatewayId: igw } })).status).toBe(201);
    const refused = await call('POST', `/v1/route-tables/${table}/routes`, { token: t.owner, body: body(igw) });
    expect([refused.status, refused.body.code]).toEqual([status, code]);
  });

  it("refuses a gateway attached to another VPC, or to none (400 InvalidParameterValue)", async () => {
    const t = await newTenant();
    const [a, b] = [await newVpc(t), await newVpc(t, '10.1.0.0/16')];
    const elsewhere = await attachedGateway(t, b.id);
    const loose = (await call('POST', '/v1/internet-gateways', { token: t.owner, body: {} })).body.id;
    for (const gatewayId of [elsewhere, loose]) {
      const refused = await call('POST', `/v1/route-tables/${a.mainRouteTableId}/routes`, { token: t.owner, body: { destinationCidrBlock: '0.0.0.0/0', gatewayId } });
      expect([refused.status, refused.body.code]).toEqual([400, 'InvalidParameterValue']);
    }
  });

  it.each([
    ['the local route', '10.0.0.0/16', 400, 'InvalidParameterValue'],
    ['a destination with no route', '192.168.0.0/16', 404, 'InvalidRoute.NotFound'],
    ['a malformed destination', 'nope', 400, 'InvalidParameterValue'],
  ])('refuses to delete %s', async (_name, destination, status, code) => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const refused = await call('DELETE', `/v1/route-tables/${vpc.mainRouteTableId}/routes?destination=${encodeURIComponent(destination)}`, { token: t.owner });
    expect([refused.status, refused.body.code]).toEqual([status, code]);
  });

  it('never lets a gateway be detached while a route to it is added concurrently', async () => {
    for (let round = 0; round < 5; round++) {
      const t = await newTenant();
      const vpc = await newVpc(t);
      const igw = await attachedGateway(t, vpc.id);
      const [added, detached] = await Promise.all([
        call('POST', `/v1/route-tables/${vpc.mainRouteTableId}/routes`, { token: t.owner, body: { destinationCidrBlock: '0.0.0.0/0', gatewayId: igw } }),
        call('POST', `/v1/internet-gateways/${igw}/detach`, { token: t.owner, body: { vpcId: vpc.id } }),
      ]);
      expect([added.status === 201, detached.status < 300]).not.toEqual([true, true]);
      expect((await gatewayOf(t, igw)).routeCount).toBe(added.status === 201 ? 1 : 0);
    }
  });
});

describe('GET /v1/route-tables/{id}/resolve', () => {
  it.each([
    ['10.0.3.4', { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local' }],
    ['8.8.8.8', { destinationCidrBlock: '0.0.0.0/0' }],
    ['192.168.1.9', { destinationCidrBlock: '192.168.1.0/24' }],
    ['192.168.2.9', { destinationCidrBlock: '192.168.0.0/16' }],
  ])('sends %s by the longest matching prefix', async (ip, expected) => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const igw = await attachedGateway(t, vpc.id);
    for (const destinationCidrBlock of ['0.0.0.0/0', '192.168.0.0/16', '192.168.1.0/24']) {
      expect((await call('POST', `/v1/route-tables/${vpc.mainRouteTableId}/routes`, { token: t.owner, body: { destinationCidrBlock, gatewayId: igw } })).status).toBe(201);
    }
    const resolved = await call('GET', `/v1/route-tables/${vpc.mainRouteTableId}/resolve?ip=${ip}`, { token: t.viewer });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({ ip, route: expect.objectContaining({ gatewayId: igw, ...expected }) });
  });

  it('answers 404 NoRoute outside every route, 400 for a malformed address', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const none = await call('GET', `/v1/route-tables/${vpc.mainRouteTableId}/resolve?ip=8.8.8.8`, { token: t.viewer });
    const bad = await call('GET', `/v1/route-tables/${vpc.mainRouteTableId}/resolve?ip=8.8.8`, { token: t.viewer });
    expect([none.status, none.body.code]).toEqual([404, 'NoRoute']);
    expect([bad.status, bad.body.code]).toEqual([400, 'InvalidParameterValue']);
  });
});

describe('associations', () => {
  it('lists concurrent associations exactly, from the table item itself (no index read), right after each change', async () => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    const table = await newTable(t, vpc.id);
    const subnets = await Promise.all([1, 2, 3, 4, 5].map((n) => newSubnet(t, vpc.id, `10.0.${n}.0/24`)));
    // Act
    const associated = await Promise.all(subnets.map((subnetId) => call('POST', `/v1/route-tables/${table.id}/associations`, { token: t.owner, body: { subnetId } })));
    const all = await call('GET', `/v1/route-tables/${table.id}`, { token: t.owner });
    const stored = await getItem(tableName('resources'), routeTableKey(t.tenantId, table.id), true);
    await Promise.all(subnets.slice(0, 3).map((subnetId) => call('DELETE', `/v1/route-tables/${table.id}/associations?subnetId=${subnetId}`, { token: t.owner })));
    const rest = await call('GET', `/v1/route-tables/${table.id}`, { token: t.owner });
    // Assess
    expect(associated.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    const expected = associated.map((a) => ({ associationId: a.body.associationId, subnetId: a.body.subnetId })).sort((a, b) => a.subnetId.localeCompare(b.subnetId));
    expect(all.body.associations).toEqual(expected);
    expect(all.body.associationCount).toBe(5);
    expect(all.body).not.toHaveProperty('associationSet');
    expect(new Set(stored?.associationSet as Set<string>)).toEqual(new Set(expected.map((a) => `${a.subnetId}/${a.associationId}`)));
    expect(rest.body.associations).toEqual(expected.filter((a) => !subnets.slice(0, 3).includes(a.subnetId)));
    expect(rest.body.associationCount).toBe(2);
  });

  it('associates a subnet once, keeps the table while associated, and lets it go after disassociation', async () => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    const [table, other] = [await newTable(t, vpc.id), await newTable(t, vpc.id)];
    const subnet = await newSubnet(t, vpc.id, '10.0.1.0/24');
    // Act
    const associated = await call('POST', `/v1/route-tables/${table.id}/associations`, { token: t.owner, body: { subnetId: subnet } });
    const again = await call('POST', `/v1/route-tables/${table.id}/associations`, { token: t.owner, body: { subnetId: subnet } });
    const elsewhere = await call('POST', `/v1/route-tables/${other.id}/associations`, { token: t.owner, body: { subnetId: subnet } });
    const subnetView = await call('GET', `/v1/subnets/${subnet}`, { token: t.owner });
    const counted = await call('GET', `/v1/route-tables/${table.id}`, { token: t.owner });
    const blocked = await call('DELETE', `/v1/route-tables/${table.id}`, { token: t.owner });
    const wrongTable = await call('DELETE', `/v1/route-tables/${other.id}/associations?subnetId=${subnet}`, { token: t.owner });
    const disassociated = await call('DELETE', `/v1/route-tables/${table.id}/associations?subnetId=${subnet}`, { token: t.owner });
    const after = await call('GET', `/v1/subnets/${subnet}`, { token: t.owner });
    const afterTable = await call('GET', `/v1/route-tables/${table.id}`, { token: t.owner });
    const deleted = await call('DELETE', `/v1/route-tables/${table.id}`, { token: t.owner });
    // Assess
    expect(associated.status).toBe(201);
    expect(associated.body).toEqual({ associationId: expect.stringMatching(/^rtbassoc-/), routeTableId: table.id, subnetId: subnet });
    expect([again.status, again.body.code]).toEqual([409, 'Resource.AlreadyAssociated']);
    expect([elsewhere.status, elsewhere.body.code]).toEqual([409, 'Resource.AlreadyAssociated']);
    expect(subnetView.body.routeTableAssociationId).toBe(associated.body.associationId);
    expect(counted.body.associationCount).toBe(1);
    expect(counted.body.associations).toEqual([{ associationId: associated.body.associationId, subnetId: subnet }]);
    expect([blocked.status, blocked.body.code]).toEqual([409, 'DependencyViolation']);
    expect([wrongTable.status, wrongTable.body.code]).toEqual([404, 'InvalidAssociationID.NotFound']);
    expect(disassociated.status).toBe(204);
    expect(after.body.routeTableAssociationId).toBeUndefined();
    expect(afterTable.body.associations).toEqual([]);
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/v1/vpcs/${vpc.id}`, { token: t.owner })).body.counts.routeTables).toBe(1);
  });

  it('refuses a subnet of another VPC (400 InvalidParameterValue) or an unknown one (400 InvalidSubnetID.NotFound)', async () => {
    const t = await newTenant();
    const [a, b] = [await newVpc(t), await newVpc(t, '10.1.0.0/16')];
    const subnet = await newSubnet(t, b.id, '10.1.1.0/24');
    const foreign = await call('POST', `/v1/route-tables/${a.mainRouteTableId}/associations`, { token: t.owner, body: { subnetId: subnet } });
    const unknown = await call('POST', `/v1/route-tables/${a.mainRouteTableId}/associations`, { token: t.owner, body: { subnetId: 'subnet-nope' } });
    expect([foreign.status, foreign.body.code]).toEqual([400, 'InvalidParameterValue']);
    expect([unknown.status, unknown.body.code]).toEqual([400, 'InvalidSubnetID.NotFound']);
  });

  it('associates a subnet with only one of two tables asked at once', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const [a, b] = [await newTable(t, vpc.id), await newTable(t, vpc.id)];
    const subnet = await newSubnet(t, vpc.id, '10.0.1.0/24');
    const results = await Promise.all([a, b, a, b].map((table) => call('POST', `/v1/route-tables/${table.id}/associations`, { token: t.owner, body: { subnetId: subnet } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const counts = await Promise.all([a, b].map(async (table) => (await call('GET', `/v1/route-tables/${table.id}`, { token: t.owner })).body.associationCount));
    expect(counts.sort()).toEqual([0, 1]);
  });

  it('lets a subnet with an association be deleted, and its table with it', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const table = await newTable(t, vpc.id);
    const subnet = await newSubnet(t, vpc.id, '10.0.1.0/24');
    await call('POST', `/v1/route-tables/${table.id}/associations`, { token: t.owner, body: { subnetId: subnet } });
    expect((await call('DELETE', `/v1/subnets/${subnet}`, { token: t.owner })).status).toBe(204);
    const after = await call('GET', `/v1/route-tables/${table.id}`, { token: t.owner });
    expect([after.body.associationCount, after.body.associations]).toEqual([0, []]);
    expect((await call('DELETE', `/v1/route-tables/${table.id}`, { token: t.owner })).status).toBe(204);
  });
});

describe('DELETE /v1/route-tables/{id}', () => {
  it('refuses the main table (409 DependencyViolation)', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const refused = await call('DELETE', `/v1/route-tables/${vpc.mainRouteTableId}`, { token: t.owner });
    expect([refused.status, refused.body.code]).toEqual([409, 'DependencyViolation']);
  });

  it('deletes a table with routes to a gateway and gives the gateway its count back; the VPC can go once the table is gone', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const table = await newTable(t, vpc.id);
    const igw = await attachedGateway(t, vpc.id);
    for (const destinationCidrBlock of ['0.0.0.0/0', '172.16.0.0/12']) {
      await call('POST', `/v1/route-tables/${table.id}/routes`, { token: t.owner, body: { destinationCidrBlock, gatewayId: igw } });
    }
    expect((await gatewayOf(t, igw)).routeCount).toBe(2);
    const stale = await call('DELETE', `/v1/route-tables/${table.id}`, { token: t.owner, headers: { 'if-match': '"2"' } });
    const blockedVpc = await call('DELETE', `/v1/vpcs/${vpc.id}`, { token: t.owner });
    const deleted = await call('DELETE', `/v1/route-tables/${table.id}`, { token: t.owner, headers: { 'if-match': '"3"' } });
    expect(stale.status).toBe(412);
    expect(blockedVpc.status).toBe(409);
    expect(deleted.status).toBe(204);
    expect((await gatewayOf(t, igw)).routeCount).toBe(0);
    expect((await call('POST', `/v1/internet-gateways/${igw}/detach`, { token: t.owner, body: { vpcId: vpc.id } })).status).toBeLessThan(300);
    expect((await call('DELETE', `/v1/vpcs/${vpc.id}`, { token: t.owner })).status).toBe(204);
  });
});

describe('races decided at commit: writes computed from a read taken before the other request committed', () => {
  it('a detach read before a route to the gateway was added cannot commit', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const igw = await attachedGateway(t, vpc.id);
    const [staleGateway, staleVpc] = [await findInternetGateway(t.tenantId, igw), await findVpc(t.tenantId, vpc.id)];
    expect((await call('POST', `/v1/route-tables/${vpc.mainRouteTableId}/routes`, { token: t.owner, body: { destinationCidrBlock: '0.0.0.0/0', gatewayId: igw } })).status).toBe(201);
    await expect(commitWrites(detachWrites(staleGateway!, staleVpc!, new Date()))).rejects.toThrow();
  });

  it('a route table delete read before a subnet was associated cannot commit', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const table = await newTable(t, vpc.id);
    const subnet = await newSubnet(t, vpc.id, '10.0.1.0/24');
    const [staleTable, staleVpc] = [await findRouteTable(t.tenantId, table.id), await findVpc(t.tenantId, vpc.id)];
    expect((await call('POST', `/v1/route-tables/${table.id}/associations`, { token: t.owner, body: { subnetId: subnet } })).status).toBe(201);
    const lost = await commitWrites(deleteRouteTableWrites(staleTable!, staleVpc!, new Date())).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(ApiError);
    expect((lost as ApiError).code).toBe('DependencyViolation');
  });

  it('a subnet delete read before the subnet was associated cannot commit (it would leave the association behind)', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const table = await newTable(t, vpc.id);
    const subnet = await newSubnet(t, vpc.id, '10.0.1.0/24');
    const [staleSubnet, staleVpc] = [await findSubnet(t.tenantId, subnet), await findVpc(t.tenantId, vpc.id)];
    expect((await call('POST', `/v1/route-tables/${table.id}/associations`, { token: t.owner, body: { subnetId: subnet } })).status).toBe(201);
    await expect(commitWrites(deleteSubnetWrites(staleVpc!, staleSubnet!, { now: new Date() }))).rejects.toBeInstanceOf(RetryRequest);
  });
});
