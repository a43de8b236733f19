/**
 * The manifest, the synthesized cloud template and the local gateway must serve the same routes
 * with the same protection; this fails the day one of them is changed without the others.
 */
import { manifest } from '../../functions/manifest';
import { startGateway, type Gateway } from '../../lib/local/gateway';
import { createLocalIssuer } from '../../lib/local/issuer';
import { enterConcurrentMode } from '../../lib/local/lambda-environment';
import { routesOf, type SynthesizedRoute } from '../../lib/routes';
import { platformStack } from './synth';

let synthesized: SynthesizedRoute[];
let gateway: Gateway;
let leaveConcurrentMode: () => void;

beforeAll(async () => {
  leaveConcurrentMode = enterConcurrentMode();
  synthesized = routesOf(platformStack());
  gateway = await startGateway({ operations: manifest.operations, issuer: await createLocalIssuer() });
});
afterAll(async () => {
  await gateway.close();
  leaveConcurrentMode();
});

const manifestRouteKeys = () => manifest.operations.map((op) => `${op.method} ${op.path}`).sort();

describe('parity of manifest, cloud and local gateway', () => {
  it('the template declares each manifest route exactly once, and no other', () => {
    expect(synthesized.map((route) => route.routeKey)).toEqual(manifestRouteKeys());
  });

  it('the local gateway serves exactly the manifest routes', () => {
    expect(gateway.routeKeys()).toEqual(manifestRouteKeys());
  });

  it('protects the same routes in both: JWT in the cloud wherever the gateway asks for a token', () => {
    const cloud = Object.fromEntries(synthesized.map((route) => [route.routeKey, route.authorizationType]));
    const local = Object.fromEntries(manifest.operations.map((op) => [`${op.method} ${op.path}`, op.access === 'public' ? 'NONE' : 'JWT']));
    expect(cloud).toEqual(local);
  });

  it('answers a token-less request to a protected route with 401 locally, as the authorizer does', async () => {
    for (const op of manifest.operations.filter((o) => o.access !== 'public')) {
      const path = op.path.replace(/\{[^}]+\}/g, 'x');
      const response = await fetch(`${gateway.url}${path}`, { method: op.method });
      expect({ route: `${op.method} ${op.path}`, status: response.status }).toEqual({ route: `${op.method} ${op.path}`, status: 401 });
    }
  });
});
