/**
 * Template items (Resources table, tenant partition, keys in ./keys):
 *
 *   TEMPLATE#<id>          the template     gsi1 T#<t>#TEMPLATE <createdAt>#<id>
 *   TEMPLATENAME#<name>    its name, unique in the tenant; written and deleted with it
 */
import type { IfMatch } from '../kit/etag';
import { Conflict, NotFound } from '../kit/errors';
import { createItem, deleteVersioned, getItem, queryPage, type Item, type Page, type PageQuery } from '../kit/repository';
import type { Write } from '../kit/transaction';
import { projectBeingDeleted, projectKey, projectNotFound } from '../projects/repository';
import { computeTable, listIndexKeys, partition, stripKeys, templateKey, templateNameKey } from './keys';
import type { Template } from './template';

export function templateNotFound(id: string): NotFound {
  return new NotFound('InvalidLaunchTemplateId.NotFound', `The template ${id} does not exist.`);
}

export async function findTemplate(tenantId: string, id: string): Promise<Template | undefined> {
  const item = await getItem(computeTable(), templateKey(tenantId, id), true);
  return item ? stripKeys<Template>(item) : undefined;
}

/** The template, or 404 InvalidLaunchTemplateId.NotFound (also for another tenant's). */
export async function getTemplate(tenantId: string, id: string): Promise<Template> {
  const template = await findTemplate(tenantId, id);
  if (!template) throw templateNotFound(id);
  return template;
}

function templateItem(template: Template): Item {
  return { ...templateKey(template.tenantId, template.id), ...listIndexKeys(template.tenantId, 'TEMPLATE', template.createdAt, template.id), ...template };
}

/** The project must still be there, and not being deleted, when the template commits. */
function projectCheck(tenantId: string, projectId: string): Write {
  return {
    item: {
      ConditionCheck: {
        TableName: computeTable(),
        Key: projectKey(tenantId, projectId),
        ConditionExpression: 'attribute_exists(pk) AND #status <> :deleting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':deleting': 'deleting' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) => (current ? projectBeingDeleted(projectId) : projectNotFound(projectId)),
  };
}

/** The template and its name item (409 InvalidLaunchTemplateName.AlreadyExistsException when taken). */
export function createTemplateWrites(template: Template): Write[] {
  const { tenantId, id, name } = template;
  return [
    createItem(computeTable(), templateItem(template), 'pk', new Conflict('ResourceAlreadyExists', `Template ${id} exists.`)),
    createItem(
      computeTable(),
      { ...templateNameKey(tenantId, name), templateId: id },
      'pk',
      new Conflict('InvalidLaunchTemplateName.AlreadyExistsException', `A template named ${name} already exists in this tenant.`),
    ),
    ...(template.projectId ? [projectCheck(tenantId, template.projectId)] : []),
  ];
}

/** Deletes the template at its version (412 with If-Match, a rerun without) and frees its name. */
export function deleteTemplateWrites(template: Template, ifMatch?: IfMatch): Write[] {
  const { tenantId, id, name } = template;
  return [
    deleteVersioned(computeTable(), templateKey(tenantId, id), template.version, ifMatch),
    {
      item: {
        Delete: {
          TableName: computeTable(),
          Key: templateNameKey(tenantId, name),
          ConditionExpression: 'templateId = :id',
          ExpressionAttributeValues: { ':id': id },
        },
      },
    },
  ];
}

/** The tenant's templates, oldest first. */
export async function listTemplates(tenantId: string, page: PageQuery): Promise<Page<Template>> {
  const result = await queryPage({
    query: {
      TableName: computeTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `${partition(tenantId)}#TEMPLATE` },
    },
    keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    page,
    scope: `listTemplates#${tenantId}`,
  });
  return { ...result, items: result.items.map((item) => stripKeys<Template>(item)) };
}
