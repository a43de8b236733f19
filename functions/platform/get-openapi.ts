import { httpHandler } from '../wiring/http';
import { buildOpenApiDocument } from '../openapi';
import { getOpenApi } from './operations';

let document: Record<string, unknown> | undefined;

export const handler = httpHandler(getOpenApi, async () => {
  document ??= buildOpenApiDocument();
  return { body: document, headers: { 'Cache-Control': 'public, max-age=300' } };
});
