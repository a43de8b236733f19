import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { buildImage } from './catalog';
import { createImage } from './catalog-operations';
import { createImageWrite, ensureCatalogSeeded } from './catalog-repository';

export const handler = httpHandler(createImage, async ({ body, now }) => {
  // Seeded first, so that a built-in id is a duplicate on a fresh platform too.
  await ensureCatalogSeeded();
  const image = buildImage({ ...body, id: body.id ?? newId('img') }, now);
  return {
    body: image,
    location: `/v1/images?id=${encodeURIComponent(image.id)}`,
    writes: [createImageWrite(image)],
  };
});
