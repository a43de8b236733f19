import { httpHandler } from '../wiring/http';
import { buildFlavor } from './catalog';
import { createFlavor } from './catalog-operations';
import { createFlavorWrite, ensureCatalogSeeded } from './catalog-repository';

export const handler = httpHandler(createFlavor, async ({ body, now }) => {
  // Seeded first, so that a built-in id is a duplicate on a fresh platform too.
  await ensureCatalogSeeded();
  const flavor = buildFlavor(body, now);
  return {
    body: flavor,
    location: `/v1/flavors?id=${encodeURIComponent(flavor.id)}`,
    writes: [createFlavorWrite(flavor)],
  };
});
