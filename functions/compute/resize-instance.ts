import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { Conflict } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { assertArchitectureMatches } from './catalog';
import { getFlavor, getImage } from './catalog-repository';
import { instanceResized } from './events';
import { decide, publicInstance, type Instance } from './instance';
import { getInstance, resizeProjectWrites, resizeQuotaWrites, updateInstanceWrites } from './instance-repository';
import { resizeInstance } from './operations';

export const handler = httpHandler(resizeInstance, async ({ caller, params, body, ifMatch, now }) => {
  const instance = await getInstance(caller.tenantId as string, params.id);
  assertIfMatch(ifMatch, instance.version);
  const decision = decide('resize', instance);
  if (decision.kind === 'refuse') throw new Conflict(decision.code, decision.message);
  const flavor = await getFlavor(body.flavorId);
  if (flavor.id === instance.flavorId) return { body: publicInstance(instance, now), etag: instance.version };
  assertArchitectureMatches(flavor, await getImage(instance.imageId));

  const set: Partial<Instance> = { flavorId: flavor.id, vcpus: flavor.vcpus, memoryMib: flavor.memoryMib };
  const updated: Instance = { ...instance, ...set, version: instance.version + 1, updatedAt: now.toISOString() };
  return {
    body: publicInstance(updated, now),
    etag: updated.version,
    writes: [
      ...updateInstanceWrites(instance, { set, now, ...(ifMatch ? { ifMatch } : {}) }),
      ...resizeQuotaWrites(instance.tenantId, flavor.vcpus - instance.vcpus),
      ...resizeProjectWrites(instance, flavor.vcpus, flavor.memoryMib),
    ],
    events: [
      change(instanceResized, {
        tenantId: instance.tenantId,
        resourceId: instance.id,
        data: { fromFlavorId: instance.flavorId, toFlavorId: flavor.id, vcpus: flavor.vcpus, memoryMib: flavor.memoryMib },
        changes: { before: { flavorId: instance.flavorId, vcpus: instance.vcpus }, after: { flavorId: flavor.id, vcpus: flavor.vcpus } },
      }),
    ],
  };
});
