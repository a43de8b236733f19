/**
 * The read path's second reference: the least a gateway serving GET /v1/instances/{id} can do. A
 * node:http server that verifies the bearer token with jose (the issuer's key set, the same issuer,
 * audience, algorithm and required claims as the local gateway) and sends one consistent GetItem
 * through the process's DocumentClient (the very client, so the same settings and sockets), then
 * answers the item as JSON. Nothing else: no routing table, no event, no handler kit, no logging.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { computeTable, instanceKey } from '../../functions/compute/keys';
import { documentClient } from '../../functions/kit/db';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../lib/local/issuer';

export interface MinimalGateway {
  url: string;
  close(): Promise<void>;
}

const PATH = /^\/v1\/instances\/([^/?]+)$/;

export async function startMinimalGateway(jwks: { keys: JWK[] }): Promise<MinimalGateway> {
  const keySet = createLocalJWKSet(jwks);
  const answer = (response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const id = PATH.exec(request.url ?? '')?.[1];
    if (!id) return answer(response, 404, { message: 'Not Found' });
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    let tenantId: unknown;
    try {
      if (!token) throw new Error('no token');
      const { payload } = await jwtVerify(token, keySet, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'sub'],
      });
      tenantId = payload.tenant_id;
    } catch {
      return answer(response, 401, { message: 'Unauthorized' });
    }
    const out = await documentClient().send(new GetCommand({ TableName: computeTable(), Key: instanceKey(String(tenantId), id), ConsistentRead: true }));
    if (!out.Item) return answer(response, 404, { message: 'Not Found' });
    answer(response, 200, out.Item);
  };
  const server = createServer((request, response) => {
    serve(request, response).catch(() => {
      if (!response.headersSent) answer(response, 500, { message: 'Internal Server Error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
