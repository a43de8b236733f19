import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { httpHandler } from '../wiring/http';
import { deleteTemplate, templateDeleted } from './template-operations';
import { deleteTemplateWrites, getTemplate } from './template-repository';

export const handler = httpHandler(deleteTemplate, async ({ caller, params, ifMatch }) => {
  const tenantId = caller.tenantId as string;
  const template = await getTemplate(tenantId, params.id);
  assertIfMatch(ifMatch, template.version);
  return {
    writes: deleteTemplateWrites(template, ifMatch),
    events: [change(templateDeleted, { tenantId, resourceId: template.id, data: { name: template.name } })],
  };
});
