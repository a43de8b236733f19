import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { MAX_TAGS, patchTags, sameTags } from '../projects/project';
import { instanceUpdated } from './events';
import { publicInstance, type Instance } from './instance';
import { getInstance, updateInstanceWrites } from './instance-repository';
import { updateInstance } from './operations';

export const handler = httpHandler(updateInstance, async ({ caller, params, body, ifMatch, now }) => {
  const instance = await getInstance(caller.tenantId as string, params.id);
  assertIfMatch(ifMatch, instance.version);

  const set: Partial<Instance> = {};
  const before: Record<string, unknown> = {};
  for (const field of ['name', 'disableApiTermination', 'disableApiStop'] as const) {
    const value = body[field];
    if (value === undefined || value === instance[field]) continue;
    before[field] = instance[field];
    (set as Record<string, unknown>)[field] = value;
  }
  if (body.tags) {
    const next = patchTags(instance.tags, body.tags);
    if (Object.keys(next).length > MAX_TAGS) throw new BadRequest('TagLimitExceeded', `An instance has at most ${MAX_TAGS} tags.`);
    if (!sameTags(next, instance.tags)) {
      before.tags = instance.tags;
      set.tags = next;
    }
  }
  if (Object.keys(set).length === 0) return { body: publicInstance(instance, now), etag: instance.version };

  const updated: Instance = { ...instance, ...set, version: instance.version + 1, updatedAt: now.toISOString() };
  return {
    body: publicInstance(updated, now),
    etag: updated.version,
    writes: updateInstanceWrites(instance, { set, now, ...(ifMatch ? { ifMatch } : {}) }),
    events: [change(instanceUpdated, { tenantId: instance.tenantId, resourceId: instance.id, data: set, changes: { before, after: set } })],
  };
});
