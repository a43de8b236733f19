/** The compute catalog over HTTP: the built-in flavors and images, pages and filters, operators' additions, seeding. */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { seedCatalog } from '../../functions/compute/catalog-repository';
import { catalogMarkerKey, computeTable, flavorKey, imageKey } from '../../functions/compute/keys';
import { documentClient } from '../../functions/kit/db';
import type { Platform } from '../../lib/local/runtime';
import { client, ownerOfNewTenant, startTestPlatform } from '../support/platform';

let platform: Platform;
let call: ReturnType<typeof client>;
let owner: string;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform('catalog');
  call = client(platform.url);
  owner = await ownerOfNewTenant(platform);
  admin = await platform.token({ roles: ['platform-admin'], userId: 'usr-operator' });
});
afterAll(() => platform.stop());

/** Every item of a list, page by page. */
async function all(path: string, token: string, limit: number): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await call('GET', `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

const T3 = ['t3.nano', 't3.micro', 't3.small', 't3.medium', 't3.large', 't3.xlarge', 't3.2xlarge'];

describe('the built-in catalog', () => {
  it('lists every flavor by family, then size, across pages with no repeats', async () => {
    // Act
    const { items, pages } = await all('/v1/flavors', owner, 5);

    // Assess
    const ids = items.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([
      'c5.large', 'c5.xlarge', 'c5.2xlarge', 'c5.4xlarge',
      'm5.large', 'm5.xlarge', 'm5.2xlarge', 'm5.4xlarge',
      'r5.large', 'r5.xlarge', 'r5.2xlarge', 'r5.4xlarge',
      ...T3,
    ]);
    expect(pages).toBe(4);
    expect(items.find((f) => f.id === 't3.micro')).toEqual({
      id: 't3.micro',
      family: 't3',
      vcpus: 2,
      memoryMib: 1024,
      architecture: 'x86_64',
      hourlyPrice: '0.0104',
      description: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(items.every((f) => typeof f.hourlyPrice === 'string')).toBe(true);
  });

  it('filters flavors by family and by id', async () => {
    // Act
    const t3 = await call('GET', '/v1/flavors?family=t3&limit=100', { token: owner });
    const one = await call('GET', '/v1/flavors?id=r5.large', { token: owner });
    const none = await call('GET', '/v1/flavors?id=x9.huge', { token: owner });
    const wrongFamily = await call('GET', '/v1/flavors?id=r5.large&family=t3', { token: owner });
    const badFamily = await call('GET', '/v1/flavors?family=T3%23', { token: owner });

    // Assess
    expect(t3.body.items.map((f: any) => f.id)).toEqual(T3);
    expect(t3.body.nextCursor).toBeUndefined();
    expect(one.body.items).toEqual([expect.objectContaining({ id: 'r5.large', vcpus: 2, memoryMib: 16384, hourlyPrice: '0.126' })]);
    expect(none.body).toEqual({ items: [] });
    expect(wrongFamily.body).toEqual({ items: [] });
    expect(badFamily.status).toBe(400);
  });

  it('lists the images by os, and filters them by os and id', async () => {
    // Act
    const { items } = await all('/v1/images', owner, 4);
    const windows = await call('GET', '/v1/images?os=windows', { token: owner });
    const one = await call('GET', '/v1/images?id=img-ubuntu-24.04', { token: owner });
    const badOs = await call('GET', '/v1/images?os=plan9', { token: owner });

    // Assess
    expect(items.map((i) => i.id)).toEqual(['img-al2023', 'img-debian-12', 'img-rocky-9', 'img-ubuntu-22.04', 'img-ubuntu-24.04', 'img-windows-2022']);
    expect(items.filter((i) => i.os === 'linux').every((i) => i.minDiskGb === 8)).toBe(true);
    expect(windows.body.items).toEqual([expect.objectContaining({ id: 'img-windows-2022', os: 'windows', minDiskGb: 30, version: '2022' })]);
    expect(one.body.items).toEqual([
      expect.objectContaining({ id: 'img-ubuntu-24.04', name: 'Ubuntu Server 24.04 LTS', os: 'linux', distribution: 'ubuntu', version: '24.04', architecture: 'x86_64' }),
    ]);
    expect(badOs.status).toBe(400);
  });

  it('refuses a forged or foreign cursor with 400', async () => {
    // Prepare
    const first = await call('GET', '/v1/flavors?limit=2', { token: owner });
    const cursor = first.body.nextCursor as string;

    // Act
    const forged = await call('GET', `/v1/flavors?cursor=${encodeURIComponent(`${cursor.slice(0, -2)}xx`)}`, { token: owner });
    const foreign = await call('GET', `/v1/images?cursor=${encodeURIComponent(cursor)}`, { token: owner });
    const otherFilter = await call('GET', `/v1/flavors?family=t3&cursor=${encodeURIComponent(cursor)}`, { token: owner });

    // Assess
    expect([forged.status, foreign.status, otherFilter.status]).toEqual([400, 400, 400]);
    expect(forged.headers.get('content-type')).toBe('application/problem+json');
  });

  it('is readable by every tenant role and by operators, not without a token', async () => {
    // Prepare
    const tenantId = platform.demoTenantId;
    const tokens = await Promise.all([
      platform.token({ roles: ['viewer'], tenantId }),
      platform.token({ roles: ['member'], tenantId }),
      Promise.resolve(owner),
      Promise.resolve(admin),
    ]);

    // Act
    const flavors = await Promise.all(tokens.map((token) => call('GET', '/v1/flavors', { token })));
    const images = await Promise.all(tokens.map((token) => call('GET', '/v1/images', { token })));
    const anonymous = await call('GET', '/v1/flavors');

    // Assess
    expect([...flavors, ...images].map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(anonymous.status).toBe(401);
  });
});

describe('operators add flavors and images', () => {
  it('adds a flavor: 201, Location to find it, family from the id', async () => {
    // Act
    const created = await call('POST', '/v1/admin/flavors', {
      token: admin,
      body: { id: 'g5.xlarge', vcpus: 4, memoryMib: 16384, hourlyPrice: '1.006', description: 'GPU' },
    });
    const found = await call('GET', created.headers.get('location') as string, { token: owner });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'g5.xlarge', family: 'g5', vcpus: 4, memoryMib: 16384, hourlyPrice: '1.006', architecture: 'x86_64' });
    expect(created.headers.get('location')).toBe('/v1/flavors?id=g5.xlarge');
    expect(found.body.items).toEqual([created.body]);
  });

  it('refuses a duplicate flavor id, built-in or added, with 409 InvalidFlavor.Duplicate (once under concurrency)', async () => {
    // Prepare
    const body = { id: 'x2.large', vcpus: 2, memoryMib: 2048, hourlyPrice: '0.5' };

    // Act
    const builtIn = await call('POST', '/v1/admin/flavors', { token: admin, body: { ...body, id: 't3.micro', hourlyPrice: '9' } });
    const racers = await Promise.all(Array.from({ length: 4 }, () => call('POST', '/v1/admin/flavors', { token: admin, body })));
    const micro = await call('GET', '/v1/flavors?id=t3.micro', { token: owner });

    // Assess
    expect(builtIn.status).toBe(409);
    expect(builtIn.body.code).toBe('InvalidFlavor.Duplicate');
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(micro.body.items[0].hourlyPrice).toBe('0.0104');
  });

  it('adds an image with its own id or a generated one; a duplicate id is 409 InvalidAMI.Duplicate', async () => {
    // Act
    const named = await call('POST', '/v1/admin/images', {
      token: admin,
      body: { id: 'img-debian-13', name: 'Debian 13', os: 'linux', distribution: 'debian', version: '13', minDiskGb: 8 },
    });
    const generated = await call('POST', '/v1/admin/images', { token: admin, body: { name: 'Custom ARM', os: 'linux', architecture: 'arm64', minDiskGb: 10 } });
    const duplicate = await call('POST', '/v1/admin/images', { token: admin, body: { id: 'img-ubuntu-24.04', name: 'Mine', os: 'linux', minDiskGb: 8 } });
    const listed = await call('GET', generated.headers.get('location') as string, { token: owner });

    // Assess
    expect(named.status).toBe(201);
    expect(named.headers.get('location')).toBe('/v1/images?id=img-debian-13');
    expect(generated.status).toBe(201);
    expect(generated.body.id).toMatch(/^img-[0-9a-z]{26}$/);
    expect(generated.body).toMatchObject({ architecture: 'arm64', minDiskGb: 10 });
    expect(listed.body.items).toEqual([generated.body]);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('InvalidAMI.Duplicate');
  });

  it('is for operators only: a tenant owner gets 403', async () => {
    // Act
    const flavor = await call('POST', '/v1/admin/flavors', { token: owner, body: { id: 'z1.large', vcpus: 2, memoryMib: 2048, hourlyPrice: '0.1' } });
    const image = await call('POST', '/v1/admin/images', { token: owner, body: { name: 'x', os: 'linux', minDiskGb: 8 } });

    // Assess
    expect([flavor.status, flavor.body.code, image.status, image.body.code]).toEqual([403, 'Forbidden', 403, 'Forbidden']);
    expect((await call('GET', '/v1/flavors?id=z1.large', { token: owner })).body.items).toEqual([]);
  });

  it.each([
    ['an unknown field', '/v1/admin/flavors', { id: 'z2.large', vcpus: 2, memoryMib: 2048, hourlyPrice: '0.1', gpus: 1 }, 'body.gpus'],
    ['a float price', '/v1/admin/flavors', { id: 'z2.large', vcpus: 2, memoryMib: 2048, hourlyPrice: 0.1 }, 'body.hourlyPrice'],
    ['a malformed price', '/v1/admin/flavors', { id: 'z2.large', vcpus: 2, memoryMib: 2048, hourlyPrice: '1e-2' }, 'body.hourlyPrice'],
    ['an id without a family', '/v1/admin/flavors', { id: 'large', vcpus: 2, memoryMib: 2048, hourlyPrice: '0.1' }, 'body.id'],
    ['zero vCPUs', '/v1/admin/flavors', { id: 'z2.large', vcpus: 0, memoryMib: 2048, hourlyPrice: '0.1' }, 'body.vcpus'],
    ['an unknown os', '/v1/admin/images', { name: 'x', os: 'beos', minDiskGb: 8 }, 'body.os'],
    ['a malformed image id', '/v1/admin/images', { id: 'ami-123', name: 'x', os: 'linux', minDiskGb: 8 }, 'body.id'],
    ['no minDiskGb', '/v1/admin/images', { name: 'x', os: 'linux' }, 'body.minDiskGb'],
  ])('refuses %s with 400 ValidationError', async (_label, path, body, field) => {
    // Act
    const response = await call('POST', path, { token: admin, body });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('ValidationError');
    expect(response.body.errors.map((e: any) => e.path)).toContain(field);
  });
});

describe('seeding', () => {
  const get = async (key: Record<string, string>) =>
    (await documentClient().send(new GetCommand({ TableName: computeTable(), Key: key, ConsistentRead: true }))).Item;
  const remove = (key: Record<string, string>) => documentClient().send(new DeleteCommand({ TableName: computeTable(), Key: key }));

  it('puts back missing built-in entries, keeps an operator\'s change, and is safe to run concurrently', async () => {
    // Prepare: the catalog is seeded (the tests above read it); lose two entries and the marker, change one entry.
    await call('GET', '/v1/flavors', { token: owner });
    await Promise.all([remove(flavorKey('t3.nano')), remove(imageKey('img-rocky-9')), remove(catalogMarkerKey())]);
    await documentClient().send(
      new UpdateCommand({
        TableName: computeTable(),
        Key: flavorKey('m5.large'),
        UpdateExpression: 'SET hourlyPrice = :price',
        ExpressionAttributeValues: { ':price': '0.2' },
      }),
    );

    // Act
    const added = await Promise.all([seedCatalog(), seedCatalog(), seedCatalog()]);

    // Assess
    expect(added.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await get(flavorKey('t3.nano'))).toMatchObject({ id: 't3.nano', hourlyPrice: '0.0052' });
    expect(await get(imageKey('img-rocky-9'))).toMatchObject({ id: 'img-rocky-9', minDiskGb: 8 });
    expect(await get(flavorKey('m5.large'))).toMatchObject({ hourlyPrice: '0.2' });
    expect(await get(catalogMarkerKey())).toMatchObject({ revision: expect.any(Number) });
    expect(await seedCatalog()).toBe(0);
  });
});
