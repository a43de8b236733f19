/**
 * Events end to end: a change made over HTTP reaches the local bus through the outbox, its
 * stream and the relay; GET /v1/events and GET /v1/audit-log list what the tenant did.
 */
import { newId } from '../../functions/kit/ids';
import type { Platform } from '../../lib/local/runtime';
import type { BusEvent } from '../../lib/local/event-bus';
import { putActiveTenant } from '../../lib/local/seed';
import { client, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
const published: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform('events', { relay: { pollMs: 50 } });
  call = client(platform.url);
  platform.bus.subscribe((event) => published.push(event));
});
afterAll(() => platform.stop());

async function newTenant(userId = 'usr-alice') {
  const tenant = await putActiveTenant(newId('tnt'), { name: 'Events tenant' });
  const member = await platform.token({ roles: ['member'], tenantId: tenant.id, userId });
  const viewer = await platform.token({ roles: ['viewer'], tenantId: tenant.id, userId: 'usr-viewer' });
  return { tenantId: tenant.id, member, viewer };
}

/** All pages of a list, following nextCursor. */
async function allPages(path: string, token: string, limit: number) {
  const items: any[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const separator = path.includes('?') ? '&' : '?';
    const response = await call('GET', `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    sizes.push(response.body.items.length);
    cursor = response.body.nextCursor;
    if (!cursor) return { items, sizes };
  }
  throw new Error('too many pages');
}

describe('the event bus, fed by the outbox relay', () => {
  it('publishes a committed change with the EventBridge envelope and the same eventId GET /v1/events shows', async () => {
    // Prepare
    const { member, viewer, tenantId } = await newTenant();
    // Act
    const created = await call('POST', '/v1/widgets', { token: member, body: { name: 'on-the-bus', size: 3 } });
    await platform.eventsSettled();
    // Assess
    const onBus = published.filter((event) => event.detail.resourceId === created.body.id);
    const listed = await call('GET', '/v1/events', { token: viewer });
    expect(onBus).toHaveLength(1);
    expect(onBus[0]).toMatchObject({
      version: '0',
      source: 'platform.widgets',
      'detail-type': 'widget.created',
      account: expect.any(String),
      region: expect.any(String),
      resources: [],
      detail: { tenantId, resourceType: 'widget', resourceId: created.body.id, actor: 'user:usr-alice', data: { name: 'on-the-bus', size: 3 } },
    });
    expect(onBus[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(listed.body.items[0].id).toBe(onBus[0]!.detail.eventId);
  });

  it('never publishes a change that was refused, and goes on publishing after it', async () => {
    // Prepare
    const { member, tenantId } = await newTenant();
    await call('POST', '/v1/widgets', { token: member, body: { name: 'taken', size: 1 } });
    // Act
    const refused = await call('POST', '/v1/widgets', { token: member, body: { name: 'taken', size: 2 } });
    const after = await call('POST', '/v1/widgets', { token: member, body: { name: 'after', size: 5 } });
    await platform.eventsSettled();
    // Assess
    const ours = published.filter((event) => event.detail.tenantId === tenantId);
    expect(refused.status).toBe(409);
    expect(ours.map((event) => (event.detail.data as { size: number }).size).sort()).toEqual([1, 5]);
    expect(ours.some((event) => event.detail.resourceId === after.body.id)).toBe(true);
  });
});

describe('GET /v1/events', () => {
  let tenant: Awaited<ReturnType<typeof newTenant>>;
  let first: string;
  let second: string;

  beforeAll(async () => {
    tenant = await newTenant();
    first = (await call('POST', '/v1/widgets', { token: tenant.member, body: { name: 'first', size: 1 } })).body.id;
    second = (await call('POST', '/v1/widgets', { token: tenant.member, body: { name: 'second', size: 1 } })).body.id;
    for (let size = 2; size <= 6; size++) {
      await call('PATCH', `/v1/widgets/${first}`, { token: tenant.member, body: { size } });
      await call('PATCH', `/v1/widgets/${second}`, { token: tenant.member, body: { size: size + 10 } });
    }
  });

  it('lists the tenant\'s events newest first, to a viewer, with every field', async () => {
    // Act
    const { items } = await allPages('/v1/events', tenant.viewer, 100);
    // Assess
    expect(items).toHaveLength(12);
    expect(items.map((e) => e.id)).toEqual([...items.map((e) => e.id)].sort().reverse());
    expect(items[0]).toEqual({
      id: expect.stringMatching(/^evt-/),
      source: 'platform.widgets',
      type: 'widget.updated',
      resourceType: 'widget',
      resourceId: second,
      occurredAt: expect.any(String),
      actor: 'user:usr-alice',
      data: { size: 16 },
    });
    expect(items.at(-1)).toMatchObject({ type: 'widget.created', resourceId: first, data: { name: 'first', size: 1 } });
  });

  it('pages through every event once', async () => {
    // Act
    const { items, sizes } = await allPages('/v1/events', tenant.viewer, 5);
    // Assess
    expect(sizes).toEqual([5, 5, 2]);
    expect(new Set(items.map((e) => e.id)).size).toBe(12);
  });

  it('filters by type', async () => {
    // Act
    const { items } = await allPages('/v1/events?type=widget.created', tenant.viewer, 100);
    // Assess
    expect(items.map((e) => e.resourceId)).toEqual([second, first]);
  });

  it('filters by resource', async () => {
    // Act
    const { items } = await allPages(`/v1/events?resourceId=${first}`, tenant.viewer, 100);
    // Assess
    expect(items).toHaveLength(6);
    expect(items.every((e) => e.resourceId === first)).toBe(true);
    expect(items.map((e) => e.data.size)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('filters by resource and type with full pages and nothing skipped or repeated', async () => {
    // Act: 5 matching of 6 on the resource, in pages of 2
    const { items, sizes } = await allPages(`/v1/events?resourceId=${first}&type=widget.updated`, tenant.viewer, 2);
    // Assess
    expect(sizes).toEqual([2, 2, 1]);
    expect(items.map((e) => e.data.size)).toEqual([6, 5, 4, 3, 2]);
  });

  it('shows nothing of another tenant', async () => {
    // Prepare
    const other = await newTenant();
    // Act
    const all = await call('GET', '/v1/events', { token: other.viewer });
    const byResource = await call('GET', `/v1/events?resourceId=${first}`, { token: other.viewer });
    // Assess
    expect(all.body.items).toEqual([]);
    expect(byResource.body.items).toEqual([]);
  });

  it('refuses a cursor of another filter and a malformed type', async () => {
    // Prepare
    const page = await call('GET', '/v1/events?limit=1', { token: tenant.viewer });
    // Act
    const reused = await call('GET', `/v1/events?type=widget.created&cursor=${encodeURIComponent(page.body.nextCursor)}`, { token: tenant.viewer });
    const badType = await call('GET', '/v1/events?type=Widget', { token: tenant.viewer });
    const unknown = await call('GET', '/v1/events?kind=x', { token: tenant.viewer });
    // Assess
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('InvalidCursor');
    expect(badType.status).toBe(400);
    expect(badType.body.errors[0].path).toBe('query.type');
    expect(unknown.status).toBe(400);
  });

  it('needs a tenant token', async () => {
    // Prepare
    const admin = await platform.token({ roles: ['platform-admin'] });
    // Act
    const anonymous = await call('GET', '/v1/events');
    const operator = await call('GET', '/v1/events', { token: admin });
    // Assess
    expect(anonymous.status).toBe(401);
    expect(operator.status).toBe(403);
  });
});

describe('GET /v1/audit-log', () => {
  let tenant: Awaited<ReturnType<typeof newTenant>>;
  let bobToken: string;
  let widget: string;
  const requestIds: string[] = [];

  beforeAll(async () => {
    tenant = await newTenant('usr-alice');
    bobToken = await platform.token({ roles: ['member'], tenantId: tenant.tenantId, userId: 'usr-bob' });
    const created = await call('POST', '/v1/widgets', { token: tenant.member, body: { name: 'audited', size: 1 } });
    widget = created.body.id;
    requestIds.push(created.headers.get('x-request-id')!);
    for (let size = 2; size <= 5; size++) {
      const updated = await call('PATCH', `/v1/widgets/${widget}`, { token: size % 2 ? bobToken : tenant.member, body: { size } });
      requestIds.push(updated.headers.get('x-request-id')!);
    }
    await call('POST', '/v1/widgets', { token: bobToken, body: { name: 'bobs', size: 1 } });
  });

  it('lists every change newest first with actor, action, resource, request id and changes', async () => {
    // Act
    const { items } = await allPages('/v1/audit-log', tenant.viewer, 100);
    // Assess
    expect(items).toHaveLength(6);
    expect(items.map((e) => e.id)).toEqual([...items.map((e) => e.id)].sort().reverse());
    const oldest = items.at(-1);
    expect(oldest).toEqual({
      id: expect.stringMatching(/^aud-/),
      at: expect.any(String),
      actor: 'user:usr-alice',
      action: 'widget.created',
      resourceType: 'widget',
      resourceId: widget,
      requestId: requestIds[0],
      eventId: expect.stringMatching(/^evt-/),
      changes: { name: 'audited', size: 1 },
    });
    expect(items[1]).toMatchObject({ action: 'widget.updated', actor: 'user:usr-bob', changes: { before: { size: 4 }, after: { size: 5 } } });
  });

  it('filters by resource', async () => {
    // Act
    const { items } = await allPages(`/v1/audit-log?resourceId=${widget}`, tenant.viewer, 2);
    // Assess
    expect(items.map((e) => e.requestId)).toEqual([...requestIds].reverse());
  });

  it('filters by actor', async () => {
    // Act
    const { items } = await allPages('/v1/audit-log?actor=user:usr-bob', tenant.viewer, 100);
    // Assess
    expect(items.map((e) => e.action)).toEqual(['widget.created', 'widget.updated', 'widget.updated']);
    expect(items.every((e) => e.actor === 'user:usr-bob')).toBe(true);
  });

  it('filters by resource and actor together, in full pages', async () => {
    // Act
    const { items, sizes } = await allPages(`/v1/audit-log?resourceId=${widget}&actor=user:usr-alice`, tenant.viewer, 1);
    // Assess
    expect(sizes).toEqual([1, 1, 1]);
    expect(items.map((e) => e.changes.after?.size ?? e.changes.size)).toEqual([4, 2, 1]);
  });

  it('refuses an actor that is not user:<id> or system:<component>', async () => {
    // Act
    const response = await call('GET', '/v1/audit-log?actor=usr-bob', { token: tenant.viewer });
    // Assess
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('query.actor');
  });

  it('shows nothing of another tenant', async () => {
    // Prepare
    const other = await newTenant();
    // Act
    const response = await call('GET', `/v1/audit-log?resourceId=${widget}`, { token: other.viewer });
    // Assess
    expect(response.body.items).toEqual([]);
  });
});
