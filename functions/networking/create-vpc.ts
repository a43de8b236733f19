import { change } from '../events/outbox';
import { httpHandler } from '../wiring/http';
import { assertProjectExists } from '../projects/repository';
import { vpcCreated } from './events';
import { createVpc } from './operations';
import { buildVpc, publicVpc, vpcCidr } from './vpc';
import { createVpcWrites } from './vpc-repository';

export const handler = httpHandler(createVpc, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const cidrBlock = vpcCidr(body.cidrBlock);
  if (body.projectId) await assertProjectExists(tenantId, body.projectId);
  const parts = buildVpc({
    tenantId,
    cidrBlock,
    now,
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.enableDnsSupport !== undefined ? { enableDnsSupport: body.enableDnsSupport } : {}),
    ...(body.enableDnsHostnames !== undefined ? { enableDnsHostnames: body.enableDnsHostnames } : {}),
    ...(body.projectId !== undefined ? { projectId: body.projectId } : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
  });
  const { vpc } = parts;
  return {
    body: publicVpc(vpc),
    etag: vpc.version,
    location: `/v1/vpcs/${vpc.id}`,
    writes: createVpcWrites(parts),
    events: [
      change(vpcCreated, {
        tenantId,
        resourceId: vpc.id,
        data: {
          cidrBlock,
          isDefault: false,
          defaultSecurityGroupId: vpc.defaultSecurityGroupId,
          mainRouteTableId: vpc.mainRouteTableId,
          ...(vpc.name !== undefined ? { name: vpc.name } : {}),
          ...(vpc.projectId !== undefined ? { projectId: vpc.projectId } : {}),
        },
      }),
    ],
  };
});
