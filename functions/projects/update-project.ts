import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { projectUpdated } from './events';
import { updateProject } from './operations';
import { MAX_TAGS, patchTags, sameTags, type Project } from './project';
import { getProject, projectBeingDeleted, updateProjectWrites } from './repository';

export const handler = httpHandler(updateProject, async ({ caller, params, body, ifMatch, now }) => {
  const project = await getProject(caller.tenantId as string, params.id);
  assertIfMatch(ifMatch, project.version);
  if (project.status === 'deleting') throw projectBeingDeleted(project.id);

  const set: Partial<Project> = {};
  const remove: string[] = [];
  const before: Record<string, unknown> = {};
  if (body.name !== undefined && body.name !== project.name) {
    set.name = body.name;
    before.name = project.name;
  }
  if (body.description === null && project.description !== undefined) {
    remove.push('description');
    before.description = project.description;
  } else if (typeof body.description === 'string' && body.description !== project.description) {
    set.description = body.description;
    before.description = project.description ?? null;
  }
  if (body.tags) {
    const next = patchTags(project.tags, body.tags);
    if (Object.keys(next).length > MAX_TAGS) throw new BadRequest('TagLimitExceeded', `A project has at most ${MAX_TAGS} tags; this would leave ${Object.keys(next).length}.`);
    if (!sameTags(next, project.tags)) {
      set.tags = next;
      before.tags = project.tags;
    }
  }
  // Nothing changes: a no-op, as AWS answers one.
  if (Object.keys(set).length === 0 && remove.length === 0) return { body: project, etag: project.version };

  const updated: Project = { ...project, ...set, version: project.version + 1, updatedAt: now.toISOString() };
  if (remove.includes('description')) delete updated.description;
  const after = { ...set, ...(remove.includes('description') ? { description: null } : {}) };
  return {
    body: updated,
    etag: updated.version,
    writes: updateProjectWrites(project, { set, remove, now, ...(ifMatch ? { ifMatch } : {}) }),
    events: [change(projectUpdated, { tenantId: project.tenantId, resourceId: project.id, data: after, changes: { before, after } })],
  };
});
