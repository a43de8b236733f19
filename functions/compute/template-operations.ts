/** The templates API (AWS launch templates): saved instance settings, and their events. */
import * as z from 'zod/mini';
import { defineEvent, type AnyEventSpec } from '../events/define';
import { defineOperation, type AnyOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { createTemplateBody, templateSchema } from './template';
import { settingErrors } from './settings';

const domain = 'compute';
const source = 'platform.compute' as const;
const templateParams = () => z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64), z.describe('A template id: lt-...')) });
const templateNotFound = { status: 404, code: 'InvalidLaunchTemplateId.NotFound', description: 'No template has this id in the tenant.' };

export const templateCreated = defineEvent({
  source,
  detailType: 'template.created',
  resourceType: 'template',
  description: 'An instance template was created; `data` names the catalog entries it uses (user data is never in events).',
  data: z.lazy(() => z.object({ name: z.string(), flavorId: z.optional(z.string()), imageId: z.optional(z.string()), projectId: z.optional(z.string()) })),
});

export const templateDeleted = defineEvent({
  source,
  detailType: 'template.deleted',
  resourceType: 'template',
  description: 'An instance template was deleted; instances launched from it keep their settings.',
  data: z.lazy(() => z.object({ name: z.string() })),
});

export const createTemplate = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createTemplate',
  method: 'POST',
  path: '/v1/templates',
  handler: 'compute/create-template',
  domain,
  summary: 'Save instance settings as a template',
  description:
    'Any subset of the instance settings of `POST /v1/instances`; a create with `templateId` takes them, its own body fields overriding. ' +
    'Checked now: `flavorId` and `imageId` must be in the catalog (400 `InvalidFlavorID.NotFound` / `InvalidAMIID.NotFound`), `rootVolumeGb` at least the image\'s `minDiskGb` and the image built for the flavor\'s architecture (400 `InvalidParameterValue`), `projectId` a project of the tenant (404 `ProjectNotFound`). ' +
    'Subnet and security groups are checked when an instance is launched. `userData` is stored but never shown (`hasUserData`). Emits `template.created`.',
  access: 'member',
  body: createTemplateBody(),
  status: 201,
  response: templateSchema,
  errors: [
    settingErrors.flavorNotFound,
    settingErrors.imageNotFound,
    settingErrors.rootVolume,
    settingErrors.projectNotFound,
    { status: 409, code: 'InvalidLaunchTemplateName.AlreadyExistsException', description: 'The tenant has a template of this name.' },
  ],
}));

export const listTemplates = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listTemplates',
  method: 'GET',
  path: '/v1/templates',
  handler: 'compute/list-templates',
  domain,
  summary: "List the tenant's templates, oldest first",
  access: 'viewer',
  query: pageQuery(),
  status: 200,
  response: pageOf(templateSchema).check(z.meta({ id: 'TemplateList' })),
  needs: ['cursorSecret'],
}));

export const getTemplate = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getTemplate',
  method: 'GET',
  path: '/v1/templates/{id}',
  handler: 'compute/get-template',
  domain,
  summary: 'Get a template',
  access: 'viewer',
  params: templateParams(),
  status: 200,
  response: templateSchema,
  errors: [templateNotFound],
}));

export const deleteTemplate = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'deleteTemplate',
  method: 'DELETE',
  path: '/v1/templates/{id}',
  handler: 'compute/delete-template',
  domain,
  summary: 'Delete a template',
  description: 'Honours If-Match. Instances launched from it are not affected; its name is free again at once. Emits `template.deleted`.',
  access: 'member',
  params: templateParams(),
  status: 204,
  response: z.never(),
  errors: [templateNotFound],
}));

export const templateOperations: AnyOperation[] = [createTemplate, listTemplates, getTemplate, deleteTemplate] as AnyOperation[];
export const templateEvents: AnyEventSpec[] = [templateCreated, templateDeleted];
