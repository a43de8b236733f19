import { change } from '../events/outbox';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { settings } from '../kit/config';
import { availabilityZones, isZoneOf } from '../platform/zones';
import { subnetCreated } from './events';
import { createSubnet } from './operations';
import { chooseZone, publicSubnet, subnetCidr, type Subnet } from './subnet';
import { assertPerVpcQuota, createSubnetWrites, perVpcLimit } from './subnet-repository';
import { getVpc } from './vpc-repository';

export const handler = httpHandler(createSubnet, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const region = settings.region();
  if (body.availabilityZone !== undefined && !isZoneOf(region, body.availabilityZone)) {
    throw new BadRequest('InvalidParameterValue', `${body.availabilityZone} is not an availability zone of ${region}.`);
  }
  const vpc = await getVpc(tenantId, body.vpcId);
  const cidrBlock = subnetCidr(vpc, body.cidrBlock);
  assertPerVpcQuota('subnetsPerVpc', vpc.id, vpc.counts.subnets, await perVpcLimit(tenantId, 'subnetsPerVpc'));
  const availabilityZone =
    body.availabilityZone ??
    chooseZone(
      availabilityZones(region).map((zone) => zone.name),
      vpc.subnetSlots,
    );
  const at = now.toISOString();
  const subnet: Subnet = {
    id: newId('subnet'),
    tenantId,
    vpcId: vpc.id,
    ...(body.name !== undefined ? { name: body.name } : {}),
    cidrBlock,
    availabilityZone,
    mapPublicIpOnLaunch: body.mapPublicIpOnLaunch ?? false,
    addressesInUse: 0,
    state: 'available',
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags: body.tags ?? {},
  };
  return {
    body: publicSubnet(subnet),
    etag: subnet.version,
    location: `/v1/subnets/${subnet.id}`,
    writes: createSubnetWrites(vpc, subnet, now),
    events: [
      change(subnetCreated, {
        tenantId,
        resourceId: subnet.id,
        data: { vpcId: vpc.id, cidrBlock, availabilityZone, mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch },
      }),
    ],
  };
});
