import { change } from '../events/outbox';
import { assertIfMatch } from '../kit/etag';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { MAX_TAGS, patchTags, sameTags } from '../projects/project';
import { vpcUpdated } from './events';
import { updateVpc } from './operations';
import { assertDnsSettings, publicVpc, type Vpc } from './vpc';
import { getVpc, updateVpcWrite } from './vpc-repository';

export const handler = httpHandler(updateVpc, async ({ caller, params, body, ifMatch, now }) => {
  const vpc = await getVpc(caller.tenantId as string, params.id);
  assertIfMatch(ifMatch, vpc.version);

  const enableDnsSupport = body.enableDnsSupport ?? vpc.enableDnsSupport;
  const enableDnsHostnames = body.enableDnsHostnames ?? vpc.enableDnsHostnames;
  assertDnsSettings(enableDnsSupport, enableDnsHostnames);

  const set: Partial<Vpc> = {};
  const remove: string[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  if (body.name === null && vpc.name !== undefined) {
    remove.push('name');
    before.name = vpc.name;
    after.name = null;
  } else if (typeof body.name === 'string' && body.name !== vpc.name) {
    set.name = after.name = body.name;
    before.name = vpc.name ?? null;
  }
  if (enableDnsSupport !== vpc.enableDnsSupport) {
    set.enableDnsSupport = after.enableDnsSupport = enableDnsSupport;
    before.enableDnsSupport = vpc.enableDnsSupport;
  }
  if (enableDnsHostnames !== vpc.enableDnsHostnames) {
    set.enableDnsHostnames = after.enableDnsHostnames = enableDnsHostnames;
    before.enableDnsHostnames = vpc.enableDnsHostnames;
  }
  if (body.tags) {
    const next = patchTags(vpc.tags, body.tags);
    if (Object.keys(next).length > MAX_TAGS) throw new BadRequest('TagLimitExceeded', `A VPC has at most ${MAX_TAGS} tags.`);
    if (!sameTags(next, vpc.tags)) {
      set.tags = after.tags = next;
      before.tags = vpc.tags;
    }
  }
  if (Object.keys(set).length === 0 && remove.length === 0) return { body: publicVpc(vpc), etag: vpc.version };

  const updated: Vpc = { ...vpc, ...set, version: vpc.version + 1, updatedAt: now.toISOString() };
  if (remove.includes('name')) delete updated.name;
  return {
    body: publicVpc(updated),
    etag: updated.version,
    writes: [updateVpcWrite(vpc, { set, remove, now, ...(ifMatch ? { ifMatch } : {}) })],
    events: [change(vpcUpdated, { tenantId: vpc.tenantId, resourceId: vpc.id, data: after, changes: { before, after } })],
  };
});
