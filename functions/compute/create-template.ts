import { change } from '../events/outbox';
import { httpHandler } from '../wiring/http';
import { assertProjectExists } from '../projects/repository';
import { findFlavor, findImage, flavorNotFound, imageNotFound } from './catalog-repository';
import { assertSettingsFitCatalog, buildTemplate, publicTemplate } from './template';
import { createTemplate, templateCreated } from './template-operations';
import { createTemplateWrites } from './template-repository';

export const handler = httpHandler(createTemplate, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const [flavor, image] = await Promise.all([
    body.flavorId !== undefined ? findFlavor(body.flavorId) : undefined,
    body.imageId !== undefined ? findImage(body.imageId) : undefined,
  ]);
  if (body.flavorId !== undefined && !flavor) throw flavorNotFound(body.flavorId);
  if (body.imageId !== undefined && !image) throw imageNotFound(body.imageId);
  assertSettingsFitCatalog(body, flavor, image);
  // The writes check the project again at commit time.
  if (body.projectId !== undefined) await assertProjectExists(tenantId, body.projectId);
  const template = buildTemplate(tenantId, body, now);
  return {
    body: publicTemplate(template),
    etag: template.version,
    location: `/v1/templates/${template.id}`,
    writes: createTemplateWrites(template),
    events: [
      change(templateCreated, {
        tenantId,
        resourceId: template.id,
        data: {
          name: template.name,
          ...(template.flavorId !== undefined ? { flavorId: template.flavorId } : {}),
          ...(template.imageId !== undefined ? { imageId: template.imageId } : {}),
          ...(template.projectId !== undefined ? { projectId: template.projectId } : {}),
        },
      }),
    ],
  };
});
