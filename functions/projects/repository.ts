/**
 * Keys and writes of projects. Items under the tenant's partition:
 *
 *   PROJECT#<id>                          the project
 *   PROJECTNAME#<name>                    its name, unique in the tenant
 *   PROJECTSTATS#<id>                     its counters: live resources, counts by type and status,
 *                                         vCPUs, memory, storage; `accepting` false while deleting
 *   PROJECTRES#<id>#<type>#<resourceId>   one per live resource in it (the cascade deletion reads them)
 *
 * Resources keep the counters in step in their own transactions with `projectUsageWrites`: the
 * stats item is separate from the project item, so a resource changing never moves the project's
 * version (or makes a PATCH with If-Match fail), and a delete conditioned on `live = 0` cannot pass
 * while a create that added a resource commits: both touch the stats item.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import type { IfMatch } from '../kit/etag';
import { Conflict, NotFound } from '../kit/errors';
import { createItem, deleteVersioned, getItem, queryPage, updateVersioned, type Item, type PageQuery } from '../kit/repository';
import { tableName } from '../kit/tables';
import type { Write } from '../kit/transaction';
import { releaseQuota, reserveQuota } from '../tenancy/quotas';
import type { Project, ProjectStats } from './project';

const table = () => tableName('resources');
const partition = (tenantId: string) => `T#${tenantId}`;
export const projectKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `PROJECT#${id}` });
export const projectNameKey = (tenantId: string, name: string) => ({ pk: partition(tenantId), sk: `PROJECTNAME#${name}` });
export const projectStatsKey = (tenantId: string, id: string) => ({ pk: partition(tenantId), sk: `PROJECTSTATS#${id}` });
export const projectMemberKey = (tenantId: string, projectId: string, resourceType: string, resourceId: string) => ({
  pk: partition(tenantId),
  sk: `PROJECTRES#${projectId}#${resourceType}#${resourceId}`,
});

export function projectNotFound(id: string): NotFound {
  return new NotFound('ProjectNotFound', `No project ${id} in this tenant.`);
}

export function projectBeingDeleted(id: string): Conflict {
  return new Conflict('IncorrectProjectState', `Project ${id} is being deleted.`);
}

export function toProject(item: Item): Project {
  const { pk: _pk, sk: _sk, ...project } = item;
  return project as unknown as Project;
}

export async function findProject(tenantId: string, id: string): Promise<Project | undefined> {
  const item = await getItem(table(), projectKey(tenantId, id), true);
  return item ? toProject(item) : undefined;
}

export async function getProject(tenantId: string, id: string): Promise<Project> {
  const project = await findProject(tenantId, id);
  if (!project) throw projectNotFound(id);
  return project;
}

/**
 * For resources that take a `projectId`: the project, or 404 ProjectNotFound (409
 * IncorrectProjectState while it is being deleted). The create's own `projectUsageWrites` make
 * it hold at commit time too.
 */
export async function assertProjectExists(tenantId: string, projectId: string): Promise<Project> {
  const project = await getProject(tenantId, projectId);
  if (project.status === 'deleting') throw projectBeingDeleted(projectId);
  return project;
}

function duplicateName(name: string): Conflict {
  return new Conflict('InvalidProject.Duplicate', `A project named ${name} already exists in this tenant.`);
}

export function createProjectWrites(project: Project): Write[] {
  const { tenantId, id } = project;
  return [
    createItem(table(), { ...projectKey(tenantId, id), ...project }, 'pk', new Conflict('ResourceAlreadyExists', `Project ${id} exists.`)),
    createItem(table(), { ...projectNameKey(tenantId, project.name), projectId: id }, 'pk', duplicateName(project.name)),
    createItem(
      table(),
      { ...projectStatsKey(tenantId, id), projectId: id, live: 0, vcpus: 0, memoryMib: 0, storageGb: 0, accepting: true },
      'pk',
      'retry',
    ),
    reserveQuota(tenantId, 'projects'),
  ];
}

export function updateProjectWrites(
  project: Project,
  change: { set: Partial<Project>; remove: string[]; now: Date; ifMatch?: IfMatch },
): Write[] {
  const { tenantId, id } = project;
  const writes = [
    updateVersioned(table(), projectKey(tenantId, id), project.version, {
      set: change.set,
      remove: change.remove,
      now: change.now,
      ...(change.ifMatch ? { ifMatch: change.ifMatch } : {}),
    }),
  ];
  if (change.set.name !== undefined && change.set.name !== project.name) {
    writes.push(
      {
        item: {
          Delete: {
            TableName: table(),
            Key: projectNameKey(tenantId, project.name),
            ConditionExpression: 'projectId = :id',
            ExpressionAttributeValues: { ':id': id },
          },
        },
      },
      createItem(table(), { ...projectNameKey(tenantId, change.set.name), projectId: id }, 'pk', duplicateName(change.set.name)),
    );
  }
  return writes;
}

function notEmpty(id: string, current: Record<string, unknown> | undefined): Conflict | 'retry' {
  if (!current) return 'retry';
  return new Conflict('ProjectNotEmpty', `Project ${id} still has ${String(current.live)} live resources; delete them first, or delete with ?cascade=true.`);
}

/** Deletes the project, its name and its counters, on condition that no live resource is left in it. */
export function deleteProjectWrites(project: Project, ifMatch?: IfMatch): Write[] {
  const { tenantId, id } = project;
  return [
    deleteVersioned(table(), projectKey(tenantId, id), project.version, ifMatch),
    { item: { Delete: { TableName: table(), Key: projectNameKey(tenantId, project.name) } } },
    {
      item: {
        Delete: {
          TableName: table(),
          Key: projectStatsKey(tenantId, id),
          ConditionExpression: '#live = :zero',
          ExpressionAttributeNames: { '#live': 'live' },
          ExpressionAttributeValues: { ':zero': 0 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => notEmpty(id, current),
    },
    releaseQuota(tenantId, 'projects'),
  ];
}

/** Moves the project to `deleting` and closes it to new resources, for the cascade deletion. */
export function startDeletionWrites(project: Project, operationId: string, now: Date, ifMatch?: IfMatch): Write[] {
  const { tenantId, id } = project;
  return [
    updateVersioned(table(), projectKey(tenantId, id), project.version, {
      set: { status: 'deleting', operationId },
      now,
      ...(ifMatch ? { ifMatch } : {}),
    }),
    {
      item: {
        Update: {
          TableName: table(),
          Key: projectStatsKey(tenantId, id),
          UpdateExpression: 'SET accepting = :no',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':no': false },
        },
      },
    },
  ];
}

export async function listProjectPage(tenantId: string, page: PageQuery) {
  const result = await queryPage({
    query: {
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition(tenantId), ':prefix': 'PROJECT#' },
    },
    keyAttributes: ['pk', 'sk'],
    page,
    scope: `listProjects#${tenantId}`,
  });
  return { ...result, items: result.items.map(toProject) };
}

// --- Counters, for the resources that live in projects ---------------------------------------

const COUNT_PREFIX = 'n#';
const countAttribute = (resourceType: string, status: string) => `${COUNT_PREFIX}${resourceType}#${status}`;

export interface ProjectUsageChange {
  tenantId: string;
  projectId: string;
  resourceType: string;
  resourceId: string;
  /** The status the resource leaves; omit when it is new. */
  from?: string;
  /** The status it enters; omit when it disappears from the counts (deleted). */
  to?: string;
  /**
   * 1 when the resource starts to count as live (created in the project), -1 when it stops
   * (terminated or deleted: it no longer keeps the project from being deleted).
   */
  live?: 1 | -1;
  /** Changes to the project's totals, e.g. +2 vCPUs on create, -2 on terminate. */
  vcpus?: number;
  memoryMib?: number;
  storageGb?: number;
}

/**
 * The writes that keep a project's counters in step with a resource change, for the resource's
 * own transaction. A new resource (`live: 1`) needs the project to exist and accept resources:
 * otherwise the transaction fails with 404 ProjectNotFound or 409 IncorrectProjectState.
 */
export function projectUsageWrites(change: ProjectUsageChange): Write[] {
  const { tenantId, projectId, resourceType, resourceId } = change;
  if (!/^[a-z][a-z0-9-]*$/.test(resourceType)) throw new Error(`resource type ${resourceType} is not lowercase`);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const add = (attribute: string, delta: number) => {
    if (!delta) return;
    const index = adds.length;
    names[`#a${index}`] = attribute;
    values[`:a${index}`] = delta;
    adds.push(`#a${index} :a${index}`);
  };
  if (change.from) add(countAttribute(resourceType, change.from), -1);
  if (change.to) add(countAttribute(resourceType, change.to), 1);
  add('live', change.live ?? 0);
  add('vcpus', change.vcpus ?? 0);
  add('memoryMib', change.memoryMib ?? 0);
  add('storageGb', change.storageGb ?? 0);
  const joining = change.live === 1;
  const writes: Write[] = [];
  if (adds.length > 0) {
    writes.push({
      item: {
        Update: {
          TableName: table(),
          Key: projectStatsKey(tenantId, projectId),
          UpdateExpression: `ADD ${adds.join(', ')}`,
          ConditionExpression: joining ? 'attribute_exists(pk) AND accepting = :yes' : 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...(joining ? { ':yes': true } : {}) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => (current ? projectBeingDeleted(projectId) : projectNotFound(projectId)),
    });
  }
  if (change.live === 1) {
    writes.push(
      createItem(
        table(),
        { ...projectMemberKey(tenantId, projectId, resourceType, resourceId), projectId, resourceType, resourceId },
        'pk',
        new Conflict('ResourceAlreadyExists', `${resourceType} ${resourceId} is already in project ${projectId}.`),
      ),
    );
  } else if (change.live === -1) {
    writes.push({ item: { Delete: { TableName: table(), Key: projectMemberKey(tenantId, projectId, resourceType, resourceId) } } });
  }
  return writes;
}

export interface ProjectMember {
  projectId: string;
  resourceType: string;
  resourceId: string;
}

/** Every live resource of a project (the cascade deletion walks them), page by page. */
export async function listProjectMembers(tenantId: string, projectId: string): Promise<ProjectMember[]> {
  const members: ProjectMember[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition(tenantId), ':prefix': `PROJECTRES#${projectId}#` },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      members.push({ projectId: item.projectId as string, resourceType: item.resourceType as string, resourceId: item.resourceId as string });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return members;
}

/** Opens a `deleting` project again (a cascade deletion that failed): `active`, resources may join. */
export function reopenWrites(project: Project, now: Date): Write[] {
  const { tenantId, id } = project;
  return [
    updateVersioned(table(), projectKey(tenantId, id), project.version, { set: { status: 'active' }, remove: ['operationId'], now }),
    {
      item: {
        Update: {
          TableName: table(),
          Key: projectStatsKey(tenantId, id),
          UpdateExpression: 'SET accepting = :yes',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':yes': true },
        },
      },
    },
  ];
}

export function toStats(projectId: string, item: Item | undefined): ProjectStats {
  const byType: Record<string, Record<string, number>> = {};
  for (const [attribute, value] of Object.entries(item ?? {})) {
    if (!attribute.startsWith(COUNT_PREFIX) || typeof value !== 'number' || value === 0) continue;
    const [type, status] = attribute.slice(COUNT_PREFIX.length).split('#') as [string, string];
    const counts = byType[type] ?? {};
    counts[status] = value;
    byType[type] = counts;
  }
  const number = (name: string) => (typeof item?.[name] === 'number' ? (item[name] as number) : 0);
  return {
    projectId,
    resources: { live: number('live'), byType },
    vcpus: number('vcpus'),
    memoryMib: number('memoryMib'),
    storageGb: number('storageGb'),
  };
}

export async function getProjectStats(tenantId: string, projectId: string): Promise<ProjectStats> {
  return toStats(projectId, await getItem(table(), projectStatsKey(tenantId, projectId), true));
}
