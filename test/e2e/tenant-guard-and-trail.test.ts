/** Every change leaves its event and audit entry in its own transaction; a suspended tenant only reads. */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/kit/db';
import { tableName } from '../../functions/kit/tables';
import { tenantKey } from '../../functions/tenancy/repository';
import type { Platform } from '../../lib/local/runtime';
import { putActiveTenant } from '../../lib/local/seed';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  platform = await startTestPlatform('guard');
  call = client(platform.url);
});
afterAll(() => platform.stop());

async function itemsOf(table: 'outbox' | 'audit', tenantId: string) {
  const out = await documentClient().send(
    new QueryCommand({ TableName: tableName(table), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${tenantId}` } }),
  );
  return out.Items ?? [];
}

describe('events and audit entries', () => {
  it('a create writes one outbox event and one audit entry carrying the actor and request id', async () => {
    // Prepare
    const tenant = await putActiveTenant(`tnt-trail-${Date.now()}`);
    const token = await platform.token({ roles: ['member'], tenantId: tenant.id, userId: 'usr-alice' });
    // Act
    const created = await call('POST', '/v1/widgets', { token, body: { name: 'traced', size: 4 } });
    // Assess
    const [event, ...moreEvents] = await itemsOf('outbox', tenant.id);
    const [entry, ...moreEntries] = await itemsOf('audit', tenant.id);
    expect(moreEvents).toEqual([]);
    expect(moreEntries).toEqual([]);
    expect(event).toMatchObject({
      source: 'platform.widgets',
      detailType: 'widget.created',
      detail: { tenantId: tenant.id, resourceType: 'widget', resourceId: created.body.id, actor: 'user:usr-alice', data: { name: 'traced', size: 4 } },
    });
    expect(event?.detail.eventId).toMatch(/^evt-/);
    expect(entry).toMatchObject({
      actor: 'user:usr-alice',
      action: 'widget.created',
      resourceType: 'widget',
      resourceId: created.body.id,
      requestId: created.headers.get('x-request-id'),
      eventId: event?.detail.eventId,
    });
  });

  it('a rejected change leaves neither event nor audit entry', async () => {
    const tenant = await putActiveTenant(`tnt-trail-none-${Date.now()}`);
    const token = await platform.token({ roles: ['member'], tenantId: tenant.id });
    await call('POST', '/v1/widgets', { token, body: { name: 'one' } });
    const duplicate = await call('POST', '/v1/widgets', { token, body: { name: 'one' } });
    expect(duplicate.status).toBe(409);
    expect(await itemsOf('outbox', tenant.id)).toHaveLength(1);
    expect(await itemsOf('audit', tenant.id)).toHaveLength(1);
  });
});

describe('a suspended tenant', () => {
  it('reads, but every write is 403 TenantSuspended and changes nothing', async () => {
    // Prepare
    const tenant = await putActiveTenant(`tnt-suspended-${Date.now()}`);
    const token = await platform.token({ roles: ['owner'], tenantId: tenant.id });
    const created = await call('POST', '/v1/widgets', { token, body: { name: 'before' } });
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName('resources'),
        Key: tenantKey(tenant.id),
        UpdateExpression: 'SET #status = :suspended',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':suspended': 'suspended' },
      }),
    );
    // Act
    const read = await call('GET', `/v1/widgets/${created.body.id}`, { token });
    const write = await call('POST', '/v1/widgets', { token, body: { name: 'after' } });
    const update = await call('PATCH', `/v1/widgets/${created.body.id}`, { token, body: { size: 3 } });
    // Assess
    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('TenantSuspended');
    expect(update.status).toBe(403);
    expect((await call('GET', '/v1/widgets', { token })).body.items).toHaveLength(1);
    expect((await call('GET', `/v1/widgets/${created.body.id}`, { token })).body.version).toBe(1);
  });

  it('a token naming a tenant that does not exist cannot write', async () => {
    const token = await platform.token({ roles: ['owner'], tenantId: 'tnt-nobody' });
    const write = await call('POST', '/v1/widgets', { token, body: { name: 'ghost' } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('TenantNotActive');
  });
});
