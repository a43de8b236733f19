/** Security groups over HTTP: create, names, per-VPC quota, rules (grammar, duplicates, limit, references), delete. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { ApiError } from '../../functions/kit/errors';
import { commitWrites } from '../../functions/kit/transaction';
import { deleteSecurityGroupWrites, findSecurityGroup, securityGroupUseWrite } from '../../functions/networking/security-group-repository';
import { findVpc } from '../../functions/networking/vpc-repository';
import { tableName } from '../../functions/kit/tables';
import { MAX_RULES_PER_DIRECTION } from '../../functions/networking/rules';
import type { Platform } from '../../lib/local/runtime';
import { createVpc, networkTenant, type NetworkTenant } from '../support/networking';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform('sgs');
  call = client(platform.url);
  admin = await platform.token({ roles: ['platform-admin'], userId: 'usr-operator' });
});
afterAll(() => platform.stop());

type Tenant = NetworkTenant;

const newTenant = (securityGroupsPerVpc = 10) => networkTenant(platform, call, admin, { securityGroupsPerVpc });
const newVpc = (t: Tenant, cidrBlock?: string) => createVpc<{ id: string; defaultSecurityGroupId: string }>(call, t, cidrBlock);

async function newGroup(t: Tenant, vpcId: string, name: string) {
  const group = await call('POST', '/v1/security-groups', { token: t.owner, body: { vpcId, name } });
  expect(group.status).toBe(201);
  return group.body as { id: string; version: number };
}

async function eventsOf(tenantId: string, resourceId: string) {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName('outbox'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${tenantId}` } }),
  );
  return (out.Items ?? []).filter((item) => item.detail.resourceId === resourceId).map((item) => ({ detailType: item.detailType as string, data: item.detail.data }));
}

const ssh = { direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.7/32' };

describe('POST /v1/security-groups', () => {
  it('creates a group with no ingress and one egress rule to everywhere, counted on its VPC', async () => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    // Act
    const created = await call('POST', '/v1/security-groups', { token: t.owner, body: { vpcId: vpc.id, name: 'web', description: 'Web servers', tags: { tier: 'web' } } });
    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^sg-[0-9a-z]{26}$/),
      tenantId: t.tenantId,
      vpcId: vpc.id,
      name: 'web',
      description: 'Web servers',
      isDefault: false,
      ingress: [],
      egress: [{ ruleId: expect.stringMatching(/^sgr-/), protocol: 'all', cidr: '0.0.0.0/0' }],
      referencedBy: 0,
      instanceCount: 0,
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
      version: 1,
      tags: { tier: 'web' },
    });
    expect(created.headers.get('location')).toBe(`/v1/security-groups/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect((await call('GET', `/v1/vpcs/${vpc.id}`, { token: t.owner })).body.counts.securityGroups).toBe(1);
    expect(await eventsOf(t.tenantId, created.body.id)).toEqual([
      { detailType: 'security_group.created', data: { vpcId: vpc.id, name: 'web', description: 'Web servers', tags: { tier: 'web' } } },
    ]);
  });

  it.each([
    ['default', 400, 'InvalidGroup.Reserved'],
    ['DEFAULT', 400, 'InvalidGroup.Reserved'],
    ['Web', 409, 'InvalidGroup.Duplicate'],
  ])('refuses the name %s: %s %s', async (name, status, code) => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    await newGroup(t, vpc.id, 'web');
    // Act
    const refused = await call('POST', '/v1/security-groups', { token: t.owner, body: { vpcId: vpc.id, name } });
    // Assess
    expect(refused.status).toBe(status);
    expect(refused.body.code).toBe(code);
  });

  it('takes a name used in another VPC', async () => {
    const t = await newTenant();
    const [a, b] = [await newVpc(t), await newVpc(t, '10.1.0.0/16')];
    await newGroup(t, a.id, 'web');
    expect((await call('POST', '/v1/security-groups', { token: t.owner, body: { vpcId: b.id, name: 'web' } })).status).toBe(201);
  });

  it('refuses an unknown VPC (400 InvalidVpcID.NotFound), a viewer (403) and unknown fields (400)', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const unknown = await call('POST', '/v1/security-groups', { token: t.owner, body: { vpcId: 'vpc-nope', name: 'web' } });
    const viewer = await call('POST', '/v1/security-groups', { token: t.viewer, body: { vpcId: vpc.id, name: 'web' } });
    const extra = await call('POST', '/v1/security-groups', { token: t.owner, body: { vpcId: vpc.id, name: 'web', color: 'red' } });
    expect([unknown.status, unknown.body.code]).toEqual([400, 'InvalidVpcID.NotFound']);
    expect(viewer.status).toBe(403);
    expect(extra.status).toBe(400);
  });

  it('never lets concurrent creates pass the securityGroupsPerVpc quota', async () => {
    // Prepare
    const t = await newTenant(3);
    const vpc = await newVpc(t);
    // Act
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call('POST', '/v1/security-groups', { token: t.owner, body: { vpcId: vpc.id, name: `g${i}` } })),
    );
    // Assess
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    expect(results.find((r) => r.status === 429)?.body.code).toBe('QuotaExceeded');
    expect((await call('GET', `/v1/vpcs/${vpc.id}`, { token: t.owner })).body.counts.securityGroups).toBe(3);
  });
});

describe('GET /v1/security-groups', () => {
  it('lists the tenant\'s groups (default ones too), or one VPC\'s with ?vpcId=, page by page; another tenant sees none', async () => {
    // Prepare
    const t = await newTenant();
    const [a, b] = [await newVpc(t), await newVpc(t, '10.1.0.0/16')];
    const web = await newGroup(t, a.id, 'web');
    const db = await newGroup(t, a.id, 'db');
    await newGroup(t, b.id, 'web');
    const other = await newTenant();
    // Act
    const all = await call('GET', '/v1/security-groups?limit=100', { token: t.viewer });
    const first = await call('GET', `/v1/security-groups?vpcId=${a.id}&limit=2`, { token: t.viewer });
    const second = await call('GET', `/v1/security-groups?vpcId=${a.id}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: t.viewer });
    const got = await call('GET', `/v1/security-groups/${web.id}`, { token: t.viewer });
    const elsewhere = await call('GET', `/v1/security-groups/${web.id}`, { token: other.owner });
    // Assess
    expect(all.body.items).toHaveLength(5);
    expect([...first.body.items, ...second.body.items].map((g: { id: string }) => g.id)).toEqual([a.defaultSecurityGroupId, web.id, db.id]);
    expect(second.body.nextCursor).toBeUndefined();
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'InvalidGroup.NotFound']);
  });

  it('shows the default group of a VPC: ingress from itself, all egress', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await call('GET', `/v1/security-groups/${vpc.defaultSecurityGroupId}`, { token: t.owner });
    expect(group.body).toMatchObject({
      name: 'default',
      isDefault: true,
      ingress: [{ protocol: 'all', sourceSecurityGroupId: vpc.defaultSecurityGroupId }],
      egress: [{ protocol: 'all', cidr: '0.0.0.0/0' }],
    });
  });
});

describe('POST /v1/security-groups/{id}/rules', () => {
  it('adds a rule in its normal form, moves the version, and emits security_group.rule_added', async () => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await newGroup(t, vpc.id, 'web');
    // Act
    const added = await call('POST', `/v1/security-groups/${group.id}/rules`, {
      token: t.owner,
      body: { direction: 'ingress', protocol: 6, fromPort: 22, toPort: 22, cidr: '203.0.113.7/32', description: 'admin' },
    });
    // Assess
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      ruleId: expect.stringMatching(/^sgr-/),
      direction: 'ingress',
      securityGroupId: group.id,
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidr: '203.0.113.7/32',
      description: 'admin',
    });
    expect(added.headers.get('etag')).toBe('"2"');
    expect(added.headers.get('location')).toBe(`/v1/security-groups/${group.id}/rules/${added.body.ruleId}`);
    const after = await call('GET', `/v1/security-groups/${group.id}`, { token: t.owner });
    expect(after.body.version).toBe(2);
    expect(after.body.ingress).toEqual([{ ruleId: added.body.ruleId, protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.7/32', description: 'admin' }]);
    expect((await eventsOf(t.tenantId, group.id)).map((e) => e.detailType)).toEqual(['security_group.created', 'security_group.rule_added']);
  });

  it.each([
    ['tcp without ports', { direction: 'ingress', protocol: 'tcp', cidr: '0.0.0.0/0' }, 400, 'InvalidParameterValue'],
    ['fromPort > toPort', { direction: 'ingress', protocol: 'udp', fromPort: 100, toPort: 99, cidr: '0.0.0.0/0' }, 400, 'InvalidParameterValue'],
    ['all with ports', { direction: 'ingress', protocol: -1, fromPort: 1, toPort: 2, cidr: '0.0.0.0/0' }, 400, 'InvalidParameterValue'],
    ['protocol 256', { direction: 'ingress', protocol: 256, cidr: '0.0.0.0/0' }, 400, 'InvalidParameterValue'],
    ['a malformed cidr', { direction: 'ingress', protocol: 'all', cidr: '10.0.0.0/40' }, 400, 'InvalidParameterValue'],
    ['no source', { direction: 'ingress', protocol: 'all' }, 400, 'InvalidParameterCombination'],
    ['cidr and group', { direction: 'ingress', protocol: 'all', cidr: '0.0.0.0/0', sourceSecurityGroupId: 'sg-x' }, 400, 'InvalidParameterCombination'],
    ['an unknown source group', { direction: 'ingress', protocol: 'all', sourceSecurityGroupId: 'sg-nope' }, 400, 'InvalidGroup.NotFound'],
    ['an unknown direction', { direction: 'sideways', protocol: 'all', cidr: '0.0.0.0/0' }, 400, 'ValidationError'],
    ['the egress rule every group has', { direction: 'egress', protocol: '-1', cidr: '0.0.0.0/0' }, 409, 'InvalidPermission.Duplicate'],
  ])('refuses %s', async (_name, body, status, code) => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await newGroup(t, vpc.id, 'web');
    const refused = await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body });
    expect([refused.status, refused.body.code]).toEqual([status, code]);
  });

  it('refuses a duplicate written differently (409), and a source group of another VPC (400 InvalidParameterCombination)', async () => {
    const t = await newTenant();
    const [a, b] = [await newVpc(t), await newVpc(t, '10.1.0.0/16')];
    const group = await newGroup(t, a.id, 'web');
    const foreign = await newGroup(t, b.id, 'db');
    await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: ssh });
    const duplicate = await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: { ...ssh, protocol: '6', cidr: '203.0.113.7/32', description: 'again' } });
    const crossVpc = await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: { direction: 'ingress', protocol: 'all', sourceSecurityGroupId: foreign.id } });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 'InvalidPermission.Duplicate']);
    expect([crossVpc.status, crossVpc.body.code]).toEqual([400, 'InvalidParameterCombination']);
  });

  it('honours If-Match: a stale ETag is 412', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await newGroup(t, vpc.id, 'web');
    await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: ssh });
    const stale = await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, headers: { 'if-match': '"1"' }, body: { ...ssh, fromPort: 80, toPort: 80 } });
    expect(stale.status).toBe(412);
  });

  it(`holds ${MAX_RULES_PER_DIRECTION} rules per direction under concurrent adds`, async () => {
    // Prepare: the group has 1 egress rule; add egress rules up to the limit less 3.
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await newGroup(t, vpc.id, 'web');
    for (let i = 0; i < MAX_RULES_PER_DIRECTION - 4; i++) {
      const added = await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: { direction: 'egress', protocol: 'tcp', fromPort: i, toPort: i, cidr: '10.0.0.0/8' } });
      expect(added.status).toBe(201);
    }
    // Act: eight different rules at once, room for three
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: { direction: 'egress', protocol: 'udp', fromPort: i, toPort: i, cidr: '10.0.0.0/8' } }),
      ),
    );
    // Assess
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 400).map((r) => r.body.code)).toEqual(Array(5).fill('RulesPerSecurityGroupLimitExceeded'));
    const after = await call('GET', `/v1/security-groups/${group.id}`, { token: t.owner });
    expect(after.body.egress).toHaveLength(MAX_RULES_PER_DIRECTION);
    // Ingress has its own 60.
    expect((await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: ssh })).status).toBe(201);
  });

  it('never stores two copies of one rule added concurrently', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await newGroup(t, vpc.id, 'web');
    const results = await Promise.all(Array.from({ length: 6 }, () => call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: ssh })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect((await call('GET', `/v1/security-groups/${group.id}`, { token: t.owner })).body.ingress).toHaveLength(1);
  });
});

describe('DELETE /v1/security-groups/{id}/rules/{ruleId}', () => {
  it('removes a rule (204, security_group.rule_removed); an unknown rule is 404 InvalidPermission.NotFound', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await newGroup(t, vpc.id, 'web');
    const rule = await call('POST', `/v1/security-groups/${group.id}/rules`, { token: t.owner, body: ssh });
    const removed = await call('DELETE', `/v1/security-groups/${group.id}/rules/${rule.body.ruleId}`, { token: t.owner });
    const again = await call('DELETE', `/v1/security-groups/${group.id}/rules/${rule.body.ruleId}`, { token: t.owner });
    expect(removed.status).toBe(204);
    expect([again.status, again.body.code]).toEqual([404, 'InvalidPermission.NotFound']);
    expect((await call('GET', `/v1/security-groups/${group.id}`, { token: t.owner })).body.ingress).toEqual([]);
    expect((await eventsOf(t.tenantId, group.id)).at(-1)).toEqual({
      detailType: 'security_group.rule_removed',
      data: { direction: 'ingress', ruleId: rule.body.ruleId, protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.7/32' },
    });
  });
});

describe('DELETE /v1/security-groups/{id}', () => {
  it('deletes a group (204, event, VPC counter back, name free again)', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const group = await newGroup(t, vpc.id, 'web');
    const deleted = await call('DELETE', `/v1/security-groups/${group.id}`, { token: t.owner });
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/v1/security-groups/${group.id}`, { token: t.owner })).status).toBe(404);
    expect((await call('GET', `/v1/vpcs/${vpc.id}`, { token: t.owner })).body.counts.securityGroups).toBe(0);
    expect((await eventsOf(t.tenantId, group.id)).at(-1)).toEqual({ detailType: 'security_group.deleted', data: { vpcId: vpc.id, name: 'web' } });
    await newGroup(t, vpc.id, 'web');
  });

  it('refuses the default group: 400 CannotDelete', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const refused = await call('DELETE', `/v1/security-groups/${vpc.defaultSecurityGroupId}`, { token: t.owner });
    expect([refused.status, refused.body.code]).toEqual([400, 'CannotDelete']);
  });

  it('refuses a group another group\'s rule names (409 DependencyViolation) until the rule or the other group goes', async () => {
    // Prepare
    const t = await newTenant();
    const vpc = await newVpc(t);
    const [web, db] = [await newGroup(t, vpc.id, 'web'), await newGroup(t, vpc.id, 'db')];
    const fromWeb = await call('POST', `/v1/security-groups/${db.id}/rules`, {
      token: t.owner,
      body: { direction: 'ingress', protocol: 'tcp', fromPort: 5432, toPort: 5432, sourceSecurityGroupId: web.id },
    });
    expect(fromWeb.status).toBe(201);
    // Act
    const refused = await call('DELETE', `/v1/security-groups/${web.id}`, { token: t.owner });
    const counted = await call('GET', `/v1/security-groups/${web.id}`, { token: t.owner });
    const dbDeleted = await call('DELETE', `/v1/security-groups/${db.id}`, { token: t.owner });
    const released = await call('GET', `/v1/security-groups/${web.id}`, { token: t.owner });
    const webDeleted = await call('DELETE', `/v1/security-groups/${web.id}`, { token: t.owner });
    // Assess
    expect([refused.status, refused.body.code]).toEqual([409, 'DependencyViolation']);
    expect(counted.body.referencedBy).toBe(1);
    expect(dbDeleted.status).toBe(204);
    expect(released.body.referencedBy).toBe(0);
    expect(webDeleted.status).toBe(204);
  });

  it('keeps a group\'s self-reference from blocking its delete, and removing a referencing rule frees the group', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const [web, db] = [await newGroup(t, vpc.id, 'web'), await newGroup(t, vpc.id, 'db')];
    await call('POST', `/v1/security-groups/${web.id}/rules`, { token: t.owner, body: { direction: 'ingress', protocol: 'all', sourceSecurityGroupId: web.id } });
    const rule = await call('POST', `/v1/security-groups/${db.id}/rules`, { token: t.owner, body: { direction: 'egress', protocol: 'all', sourceSecurityGroupId: web.id } });
    expect((await call('GET', `/v1/security-groups/${web.id}`, { token: t.owner })).body.referencedBy).toBe(1);
    await call('DELETE', `/v1/security-groups/${db.id}/rules/${rule.body.ruleId}`, { token: t.owner });
    expect((await call('DELETE', `/v1/security-groups/${web.id}`, { token: t.owner })).status).toBe(204);
  });

  it('never lets a group be deleted while a rule naming it is added concurrently', async () => {
    for (let round = 0; round < 5; round++) {
      const t = await newTenant();
      const vpc = await newVpc(t);
      const [web, db] = [await newGroup(t, vpc.id, 'web'), await newGroup(t, vpc.id, 'db')];
      const [deleted, added] = await Promise.all([
        call('DELETE', `/v1/security-groups/${web.id}`, { token: t.owner }),
        call('POST', `/v1/security-groups/${db.id}/rules`, { token: t.owner, body: { direction: 'ingress', protocol: 'all', sourceSecurityGroupId: web.id } }),
      ]);
      expect([deleted.status === 204, added.status === 201]).not.toEqual([true, true]);
      if (added.status === 201) expect((await call('GET', `/v1/security-groups/${web.id}`, { token: t.owner })).body.referencedBy).toBe(1);
    }
  });

  it('refuses a group an instance uses (409 DependencyViolation) until the instance lets it go', async () => {
    // Prepare: an instance (the compute domain's transaction) takes the group
    const t = await newTenant();
    const [vpc, other] = [await newVpc(t), await newVpc(t, '10.1.0.0/16')];
    const group = await newGroup(t, vpc.id, 'web');
    await commitWrites([securityGroupUseWrite(t.tenantId, group.id, vpc.id, 1)]);
    // Act
    const refused = await call('DELETE', `/v1/security-groups/${group.id}`, { token: t.owner });
    const wrongVpc = await commitWrites([securityGroupUseWrite(t.tenantId, group.id, other.id, 1)]).catch((error: unknown) => error);
    const unknown = await commitWrites([securityGroupUseWrite(t.tenantId, 'sg-nope', vpc.id, 1)]).catch((error: unknown) => error);
    await commitWrites([securityGroupUseWrite(t.tenantId, group.id, vpc.id, -1)]);
    const deleted = await call('DELETE', `/v1/security-groups/${group.id}`, { token: t.owner });
    // Assess
    expect([refused.status, refused.body.code]).toEqual([409, 'DependencyViolation']);
    expect((wrongVpc as ApiError).code).toBe('InvalidParameterCombination');
    expect((unknown as ApiError).code).toBe('InvalidGroup.NotFound');
    expect(deleted.status).toBe(204);
  });

  it('keeps a VPC with a non-default group from being deleted', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    await newGroup(t, vpc.id, 'web');
    const refused = await call('DELETE', `/v1/vpcs/${vpc.id}`, { token: t.owner });
    expect([refused.status, refused.body.code]).toEqual([409, 'DependencyViolation']);
  });
});

describe('races decided at commit', () => {
  it('a group delete read before another group\'s rule named the group cannot commit: 409 DependencyViolation', async () => {
    const t = await newTenant();
    const vpc = await newVpc(t);
    const [web, db] = [await newGroup(t, vpc.id, 'web'), await newGroup(t, vpc.id, 'db')];
    const [staleWeb, staleVpc] = [await findSecurityGroup(t.tenantId, web.id), await findVpc(t.tenantId, vpc.id)];
    expect((await call('POST', `/v1/security-groups/${db.id}/rules`, { token: t.owner, body: { direction: 'ingress', protocol: 'all', sourceSecurityGroupId: web.id } })).status).toBe(201);
    const lost = await commitWrites(deleteSecurityGroupWrites(staleWeb!, staleVpc, new Date())).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(ApiError);
    expect((lost as ApiError).code).toBe('DependencyViolation');
  });
});
