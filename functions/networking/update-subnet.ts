import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { MAX_TAGS, patchTags, sameTags } from '../projects/project';
import { subnetUpdated } from './events';
import { updateSubnet } from './operations';
import { publicSubnet, type Subnet } from './subnet';
import { getSubnet, updateSubnetWrite } from './subnet-repository';

export const handler = httpHandler(updateSubnet, async ({ caller, params, body, ifMatch, now }) => {
  const subnet = await getSubnet(caller.tenantId as string, params.id);
  assertIfMatch(ifMatch, subnet.version);

  const set: Partial<Subnet> = {};
  const remove: string[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  if (body.name === null && subnet.name !== undefined) {
    remove.push('name');
    before.name = subnet.name;
    after.name = null;
  } else if (typeof body.name === 'string' && body.name !== subnet.name) {
    set.name = after.name = body.name;
    before.name = subnet.name ?? null;
  }
  if (body.mapPublicIpOnLaunch !== undefined && body.mapPublicIpOnLaunch !== subnet.mapPublicIpOnLaunch) {
    set.mapPublicIpOnLaunch = after.mapPublicIpOnLaunch = body.mapPublicIpOnLaunch;
    before.mapPublicIpOnLaunch = subnet.mapPublicIpOnLaunch;
  }
  if (body.tags) {
    const next = patchTags(subnet.tags, body.tags);
    if (Object.keys(next).length > MAX_TAGS) throw new BadRequest('TagLimitExceeded', `A subnet has at most ${MAX_TAGS} tags.`);
    if (!sameTags(next, subnet.tags)) {
      set.tags = after.tags = next;
      before.tags = subnet.tags;
    }
  }
  if (Object.keys(set).length === 0 && remove.length === 0) return { body: publicSubnet(subnet), etag: subnet.version };

  const updated: Subnet = { ...subnet, ...set, version: subnet.version + 1, updatedAt: now.toISOString() };
  if (remove.includes('name')) delete updated.name;
  return {
    body: publicSubnet(updated),
    etag: updated.version,
    writes: [updateSubnetWrite(subnet, { set, remove, now, ...(ifMatch ? { ifMatch } : {}) })],
    events: [change(subnetUpdated, { tenantId: subnet.tenantId, resourceId: subnet.id, data: after, changes: { before, after } })],
  };
});
