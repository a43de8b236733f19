/** The projects domain's events (source `platform.projects`), listed in manifest.events. */
import * as z from 'zod/mini';
import { defineEvent } from '../events/define';

const source = 'platform.projects' as const;

export const projectCreated = defineEvent({
  source,
  detailType: 'project.created',
  resourceType: 'project',
  description: 'A project was created.',
  data: z.lazy(() => z.object({ name: z.string(), description: z.optional(z.string()), tags: z.record(z.string(), z.string()) })),
});

export const projectUpdated = defineEvent({
  source,
  detailType: 'project.updated',
  resourceType: 'project',
  description: 'A project was renamed, or its description or tags changed. `data` holds the new values of what changed.',
  data: z.lazy(() => z.object({
    name: z.optional(z.string()),
    description: z.optional(z.nullable(z.string())).check(z.describe('null: the description was removed.')),
    tags: z.optional(z.record(z.string(), z.string())),
  })),
});

export const projectDeletionStarted = defineEvent({
  source,
  detailType: 'project.deletion_started',
  resourceType: 'project',
  description: 'A cascade deletion was asked for: the project is `deleting`. Starts the ProjectDeletion saga, which terminates its resources and then deletes it.',
  data: z.lazy(() => z.object({ name: z.string(), operationId: z.string() })),
});

export const projectDeleted = defineEvent({
  source,
  detailType: 'project.deleted',
  resourceType: 'project',
  description: 'A project was deleted (directly, or at the end of a cascade deletion).',
  data: z.lazy(() => z.object({ name: z.string(), operationId: z.optional(z.string()) })),
});

export const projectDeletionFailed = defineEvent({
  source,
  detailType: 'project.deletion_failed',
  resourceType: 'project',
  description:
    'A cascade deletion failed (a resource could not be terminated, or did not terminate in time): the project is active again, resources already terminated stay terminated.',
  data: z.lazy(() => z.object({
    operationId: z.string(),
    error: z.object({ code: z.string(), message: z.string(), step: z.optional(z.string()) }),
  })),
});

export const projectEvents = [projectCreated, projectUpdated, projectDeletionStarted, projectDeleted, projectDeletionFailed];
