import { change } from '../events/outbox';
import { BadRequest } from '../kit/errors';
import { httpHandler } from '../wiring/http';
import { newId } from '../kit/ids';
import { pickCandidate, subnetFull, takenAddresses } from '../networking/addresses';
import { findSubnet } from '../networking/subnet-repository';
import { getVpc } from '../networking/vpc-repository';
import { MAX_TAGS } from '../projects/project';
import { assertProjectExists } from '../projects/repository';
import { newOperation } from '../sagas/operation';
import { assertArchitectureMatches, assertRootVolumeFits } from './catalog';
import { getFlavor, getImage } from './catalog-repository';
import { instancePending } from './events';
import { publicAddressStarts, withUsage } from './metering';
import { publicInstance, withTemplate, type Instance } from './instance';
import { createInstanceWrites } from './instance-repository';
import { instanceLaunch } from './lifecycle/sagas';
import { createInstance } from './operations';
import { publicIpPool, randomPoolAddress } from './public-addresses';
import { SETTING_NAMES, type InstanceSettings } from './settings';
import { findTemplate } from './template-repository';

const REQUIRED = ['flavorId', 'imageId', 'subnetId'] as const;

/** The settings a template holds (its own name, id and bookkeeping are not settings). */
async function templateSettings(tenantId: string, templateId: string | undefined): Promise<InstanceSettings | undefined> {
  if (templateId === undefined) return undefined;
  const template = await findTemplate(tenantId, templateId);
  if (!template) throw new BadRequest('InvalidLaunchTemplateId.NotFound', `No template ${templateId} in this tenant.`);
  const record = template as Record<string, unknown>;
  return Object.fromEntries(SETTING_NAMES.filter((name) => record[name] !== undefined).map((name) => [name, record[name]]));
}

export const handler = httpHandler(createInstance, async ({ caller, body, now }) => {
  const tenantId = caller.tenantId as string;
  const { name, templateId, ...own } = body;
  // Both sides are valid settings already (the body here, the template when it was saved); only their merge is new.
  const settings = withTemplate(await templateSettings(tenantId, templateId), own) as InstanceSettings;
  const missing = REQUIRED.filter((field) => settings[field] === undefined);
  if (missing.length > 0) {
    throw new BadRequest(
      'MissingParameter',
      `${missing.join(', ')} must be given in the body or by the template.`,
      missing.map((field) => ({ path: `body.${field}`, message: 'Required (in the body or the template)' })),
    );
  }
  const tags = settings.tags ?? {};
  if (Object.keys(tags).length > MAX_TAGS) throw new BadRequest('TagLimitExceeded', `An instance has at most ${MAX_TAGS} tags.`);

  const flavor = await getFlavor(settings.flavorId as string);
  const image = await getImage(settings.imageId as string);
  assertRootVolumeFits(image, settings.rootVolumeGb);
  assertArchitectureMatches(flavor, image);
  const subnet = await findSubnet(tenantId, settings.subnetId as string);
  if (!subnet) throw new BadRequest('InvalidSubnetID.NotFound', `No subnet ${settings.subnetId} in this tenant.`);
  const vpc = await getVpc(tenantId, subnet.vpcId);
  if (settings.projectId) await assertProjectExists(tenantId, settings.projectId);

  // A free address now; if another request takes it first, the commit fails and the kit runs this again.
  const privateIpAddress = pickCandidate(subnet.cidrBlock, await takenAddresses(tenantId, subnet.id));
  if (!privateIpAddress) throw subnetFull(subnet.id);
  const assignPublicIp = settings.assignPublicIp ?? subnet.mapPublicIpOnLaunch;

  const at = now.toISOString();
  const id = newId('i');
  const operation = newOperation(instanceLaunch, { tenantId, resourceId: id, now });
  const instance: Instance = {
    id,
    tenantId,
    name,
    status: 'pending',
    flavorId: flavor.id,
    vcpus: flavor.vcpus,
    memoryMib: flavor.memoryMib,
    imageId: image.id,
    vpcId: vpc.id,
    subnetId: subnet.id,
    availabilityZone: subnet.availabilityZone,
    securityGroupIds: [...new Set(settings.securityGroupIds ?? [vpc.defaultSecurityGroupId])],
    privateIpAddress,
    ...(assignPublicIp ? { publicIpAddress: randomPoolAddress(publicIpPool()) } : {}),
    rootVolumeGb: settings.rootVolumeGb ?? image.minDiskGb,
    ...(settings.projectId ? { projectId: settings.projectId } : {}),
    ...(templateId ? { templateId } : {}),
    ...(settings.userData !== undefined ? { userData: settings.userData } : {}),
    disableApiTermination: settings.disableApiTermination ?? false,
    disableApiStop: settings.disableApiStop ?? false,
    operationId: operation.id,
    runningMillis: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
    tags,
  };
  return {
    body: publicInstance(instance, now),
    etag: instance.version,
    location: `/v1/instances/${id}`,
    writes: createInstanceWrites(instance, subnet, operation),
    events: [
      change(instancePending, {
        tenantId,
        resourceId: id,
        data: {
          to: 'pending',
          operationId: operation.id,
          operationType: instanceLaunch.name,
          flavorId: flavor.id,
          imageId: image.id,
          subnetId: subnet.id,
          privateIpAddress,
          ...(instance.publicIpAddress ? { publicIpAddress: instance.publicIpAddress } : {}),
          ...(instance.projectId ? { projectId: instance.projectId } : {}),
          ...withUsage(publicAddressStarts(instance)),
        },
      }),
    ],
  };
});
