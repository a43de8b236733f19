/** The projects API: a tenant's folders of resources, with stats and cascade deletion. */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { projectDescription, projectName, projectSchema, projectStatsSchema, tags, tagsPatch } from './project';

const params = () => z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64), z.describe('A project id: prj-...')) });
const notFound = { status: 404, code: 'ProjectNotFound', description: 'No project has this id in the tenant.' };
const deleting = { status: 409, code: 'IncorrectProjectState', description: 'The project is being deleted.' };
const duplicate = { status: 409, code: 'InvalidProject.Duplicate', description: 'Another project of the tenant has this name.' };

export const createProject = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createProject',
  method: 'POST',
  path: '/v1/projects',
  handler: 'projects/create-project',
  domain: 'projects',
  summary: 'Create a project',
  description: 'Takes one of the tenant\'s `projects` quota (429 `QuotaExceeded` when none is left). Emits `project.created`.',
  access: 'member',
  body: z.strictObject({ name: projectName, description: z.optional(projectDescription), tags: z.optional(tags) }),
  status: 201,
  response: projectSchema,
  errors: [duplicate, { status: 429, code: 'QuotaExceeded', description: 'The tenant has as many projects as its quota allows.' }],
}));

export const listProjects = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listProjects',
  method: 'GET',
  path: '/v1/projects',
  handler: 'projects/list-projects',
  domain: 'projects',
  summary: "List the tenant's projects, oldest first",
  access: 'viewer',
  query: pageQuery(),
  status: 200,
  response: pageOf(projectSchema).check(z.meta({ id: 'ProjectList' })),
  needs: ['cursorSecret'],
}));

export const getProject = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getProject',
  method: 'GET',
  path: '/v1/projects/{id}',
  handler: 'projects/get-project',
  domain: 'projects',
  summary: 'Get a project',
  access: 'viewer',
  params: params(),
  status: 200,
  response: projectSchema,
  errors: [notFound],
}));

export const updateProject = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'updateProject',
  method: 'PATCH',
  path: '/v1/projects/{id}',
  handler: 'projects/update-project',
  domain: 'projects',
  summary: 'Rename a project, or change its description or tags',
  description:
    'Honours If-Match. `description: null` removes the description. `tags` is a JSON Merge Patch: a value sets a tag, `null` removes it, tags not named stay (at most 50 in the end). A change that changes nothing answers 200 with the project as it is. Emits `project.updated`.',
  access: 'member',
  params: params(),
  body: z.strictObject({ name: z.optional(projectName), description: z.optional(z.nullable(projectDescription)), tags: z.optional(tagsPatch) }),
  status: 200,
  response: projectSchema,
  errors: [notFound, duplicate, deleting, { status: 400, code: 'TagLimitExceeded', description: 'The project would have more than 50 tags.' }],
}));

export const deleteProject = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'deleteProject',
  method: 'DELETE',
  path: '/v1/projects/{id}',
  handler: 'projects/delete-project',
  domain: 'projects',
  summary: 'Delete a project (with ?cascade=true, its resources too)',
  description:
    'Honours If-Match. Without cascade: 204, or 409 `ProjectNotEmpty` while live resources are in it; emits `project.deleted` and gives the `projects` quota back. ' +
    'With `cascade=true`: 202, the project `deleting` with an `operationId`; the ProjectDeletion saga terminates its resources, then deletes it (`project.deleted`). Asking again while it runs answers 202 with the same operation.',
  access: 'member',
  params: params(),
  query: z.strictObject({
    cascade: z
      .pipe(z.optional(z.enum(['true', 'false'])), z.transform((value) => value === 'true'))
      .check(z.describe('Delete the project\'s resources too, through a saga.')),
  }),
  status: 204,
  response: z.never(),
  otherSuccesses: [{ status: 202, description: 'With cascade=true: the project, `deleting`, with its `operationId`.', response: projectSchema }],
  errors: [
    notFound,
    { status: 409, code: 'ProjectNotEmpty', description: 'Live resources are in the project; delete them, or use ?cascade=true.' },
    { ...deleting, description: 'The project is being deleted by a cascade (ask again with ?cascade=true to follow it).' },
  ],
}));

export const getProjectStats = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getProjectStats',
  method: 'GET',
  path: '/v1/projects/{id}/stats',
  handler: 'projects/get-project-stats',
  domain: 'projects',
  summary: "A project's resources by type and status, and their vCPUs, memory and storage",
  description: 'Counters kept by every resource change in its own transaction: exact, never recomputed.',
  access: 'viewer',
  params: params(),
  status: 200,
  response: projectStatsSchema,
  errors: [notFound],
}));

export const projectOperations = [createProject, listProjects, getProject, updateProject, deleteProject, getProjectStats];
