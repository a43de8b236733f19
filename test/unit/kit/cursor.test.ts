import { decodeCursor, encodeCursor, resetCursorSecret } from '../../../functions/kit/cursor';
import { ApiError, BadRequest } from '../../../functions/kit/errors';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Replaces the character at `index` with one whose 6-bit value differs in its top bit. */
function flip(text: string, index: number): string {
  const value = BASE64URL.indexOf(text[index] as string);
  return `${text.slice(0, index)}${BASE64URL[value ^ 0x20]}${text.slice(index + 1)}`;
}

async function rejection(cursor: string, scope: string): Promise<ApiError> {
  try {
    await decodeCursor(cursor, scope);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the cursor to be refused');
}

function expectInvalidCursor(error: ApiError): void {
  expect(error).toBeInstanceOf(BadRequest);
  expect(error.status).toBe(400);
  expect(error.code).toBe('InvalidCursor');
  expect(error.errors).toEqual([{ path: 'query.cursor', message: 'Invalid cursor' }]);
}

describe('list cursors', () => {
  const savedSecret = process.env.CURSOR_SECRET;
  const key = { pk: 'tenant#t1', sk: 'vpc#vpc-01', gsi1pk: 't1#vpc', n: 3 };
  const scope = 't1:listVpcs:status=available';

  beforeEach(() => {
    process.env.CURSOR_SECRET = 'unit-test-cursor-secret';
    resetCursorSecret();
  });
  afterAll(() => {
    if (savedSecret === undefined) delete process.env.CURSOR_SECRET;
    else process.env.CURSOR_SECRET = savedSecret;
    resetCursorSecret();
  });

  it('round-trips the key within its scope', async () => {
    // Prepare
    const cursor = await encodeCursor(key, scope);

    // Act
    const decoded = await decodeCursor(cursor, scope);

    // Assess
    expect(decoded).toEqual(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a cursor with any one character of its payload changed', async () => {
    // Prepare
    const cursor = await encodeCursor(key, scope);
    const payloadLength = cursor.indexOf('.');

    // Act
    const errors = await Promise.all(Array.from({ length: payloadLength }, (_, i) => rejection(flip(cursor, i), scope)));

    // Assess
    expect(errors).toHaveLength(payloadLength);
    for (const error of errors) expectInvalidCursor(error);
  });

  it('refuses a cursor with any one character of its signature changed', async () => {
    // Prepare
    const cursor = await encodeCursor(key, scope);
    const start = cursor.indexOf('.') + 1;

    // Act
    const errors = await Promise.all(
      Array.from({ length: cursor.length - start }, (_, i) => rejection(flip(cursor, start + i), scope)),
    );

    // Assess
    expect(errors).toHaveLength(22);
    for (const error of errors) expectInvalidCursor(error);
  });

  it('refuses a cursor from another scope (another tenant or list)', async () => {
    // Prepare
    const cursor = await encodeCursor(key, 't2:listVpcs:status=available');

    // Act
    const error = await rejection(cursor, scope);

    // Assess
    expectInvalidCursor(error);
  });

  it('refuses a cursor signed with another secret', async () => {
    // Prepare
    process.env.CURSOR_SECRET = 'another-secret';
    resetCursorSecret();
    const forged = await encodeCursor(key, scope);
    process.env.CURSOR_SECRET = 'unit-test-cursor-secret';
    resetCursorSecret();

    // Act
    const error = await rejection(forged, scope);

    // Assess
    expectInvalidCursor(error);
  });

  it.each<[string, string]>([
    ['an empty string', ''],
    ['one character', 'a'],
    ['a dot only', '.'],
    ['no signature', 'eyJrIjp7fX0.'],
    ['no payload', '.AAAAAAAAAAAAAAAAAAAAAA'],
    ['three parts', 'a.b.c'],
    ['not base64', '!!!$$$.%%%^^^'],
    ['a short signature', 'eyJrIjp7fX0.AAAA'],
    ['unicode', 'ключ.подпись'],
  ])('refuses %s with 400 InvalidCursor', async (_label, cursor) => {
    // Prepare: the garbage cursor

    // Act
    const error = await rejection(cursor, scope);

    // Assess
    expectInvalidCursor(error);
  });

  it('refuses a correctly signed cursor whose key is not an object', async () => {
    // Prepare: sign a payload by hand, as someone who had the secret but made a bad key would
    const { createHmac } = await import('node:crypto');
    const payload = Buffer.from(JSON.stringify({ k: ['pk'], s: scope })).toString('base64url');
    const signature = createHmac('sha256', 'unit-test-cursor-secret').update(payload).digest().subarray(0, 16).toString('base64url');
    const control = Buffer.from(JSON.stringify({ k: { pk: 'x' }, s: scope })).toString('base64url');
    const controlSignature = createHmac('sha256', 'unit-test-cursor-secret').update(control).digest().subarray(0, 16).toString('base64url');

    // Act
    const error = await rejection(`${payload}.${signature}`, scope);
    const accepted = await decodeCursor(`${control}.${controlSignature}`, scope);

    // Assess
    expectInvalidCursor(error);
    expect(accepted).toEqual({ pk: 'x' });
  });

  it('fails loudly (not as a client error) when no secret is configured', async () => {
    // Prepare
    delete process.env.CURSOR_SECRET;
    const savedArn = process.env.CURSOR_SECRET_ARN;
    delete process.env.CURSOR_SECRET_ARN;
    resetCursorSecret();

    // Act
    const attempt = encodeCursor(key, scope);

    // Assess
    await expect(attempt).rejects.toThrow('Neither CURSOR_SECRET nor CURSOR_SECRET_ARN is set');
    await expect(attempt).rejects.not.toBeInstanceOf(ApiError);
    if (savedArn !== undefined) process.env.CURSOR_SECRET_ARN = savedArn;
  });
});
