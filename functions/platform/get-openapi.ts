/**
 * The OpenAPI document, as `npm run openapi` generated it from the manifest's declarations (a test
 * keeps the committed openapi.json equal to the generated one). The handler embeds that JSON rather
 * than building the document from every operation's zod schemas: its bundle then carries neither the
 * platform's declarations nor the work of converting them, and loads like any other handler's.
 */
import { httpHandler } from '../wiring/http';
import document from '../../openapi.json';
import { getOpenApi } from './operations';

export const handler = httpHandler(getOpenApi, async () => {
  return { body: document as Record<string, unknown>, headers: { 'Cache-Control': 'public, max-age=300' } };
});
