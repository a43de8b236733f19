import { httpHandler } from '../wiring/http';
import { publicTemplate } from './template';
import { getTemplate as getTemplateOperation } from './template-operations';
import { getTemplate } from './template-repository';

export const handler = httpHandler(getTemplateOperation, async ({ caller, params }) => {
  const template = await getTemplate(caller.tenantId as string, params.id);
  return { body: publicTemplate(template), etag: template.version };
});
