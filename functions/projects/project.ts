/** The project: a tenant's folder of resources, its record, its stats and the rules of its fields. */
import * as z from 'zod/mini';

export const PROJECT_STATUSES = ['active', 'deleting'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export interface Project {
  id: string;
  tenantId: string;
  name: string;
  description?: string;
  status: ProjectStatus;
  /** The cascade deletion's operation, while `deleting`. */
  operationId?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  tags: Record<string, string>;
}

export const MAX_TAGS = 50;

// The field schemas below are z.lazy: most bundles import this module for its types and serialisers
// and never validate a project field, so they build nothing until a schema that holds one is used.

/** Letters, digits, spaces, `.`, `_` and `-`; starts with a letter or digit, does not end with a space. */
export const projectName = z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(64),
      z.regex(/^[A-Za-z0-9]([A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/, 'Letters, digits, spaces, ".", "_" and "-", starting with a letter or digit'),
      z.describe('Unique among the tenant\'s projects (case-sensitive).'),
    ),
);

export const projectDescription = z.lazy(() => z.string().check(z.maxLength(256)));

const tagKey = () => z.string().check(z.minLength(1), z.maxLength(128));
const tagValue = () => z.string().check(z.maxLength(256));

/** Tags as every resource takes them: at most 50, keys 1-128 characters, values up to 256. */
export const tags = z.lazy(() =>
  z.record(tagKey(), tagValue()).check(z.refine((value) => Object.keys(value).length <= MAX_TAGS, { message: `At most ${MAX_TAGS} tags` })),
);

/** A JSON Merge Patch (RFC 7396) of tags: a value sets the tag, `null` removes it. */
export const tagsPatch = z.lazy(() => z.record(tagKey(), z.nullable(tagValue())));

export const projectSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    description: z.optional(z.string()),
    status: z.enum(PROJECT_STATUSES).check(z.describe('`deleting` while a cascade deletion runs.')),
    operationId: z.optional(z.string()).check(z.describe('The cascade deletion, while `deleting` (GET /v1/operations/{id}).')),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()),
  })
  .check(z.meta({ id: 'Project' })));

export const projectStatsSchema = z.lazy(() => z
  .object({
    projectId: z.string(),
    resources: z.object({
      live: z.int().check(z.describe('Resources that keep the project from being deleted without cascade.')),
      byType: z
        .record(z.string(), z.record(z.string(), z.int()))
        .check(z.describe('Resource type → status → count, e.g. `{ "instance": { "running": 2, "stopped": 1 } }`. Zero counts are left out.')),
    }),
    vcpus: z.int().check(z.describe('vCPUs of the live resources.')),
    memoryMib: z.int(),
    storageGb: z.int(),
  })
  .check(z.meta({ id: 'ProjectStats' })));
export type ProjectStats = z.output<typeof projectStatsSchema>;

/** Applies a merge patch to tags; the result must still hold at most MAX_TAGS. */
export function patchTags(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

export function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
