/**
 * The settings an instance is launched with, as a create body and a template both take them. A
 * template holds any of them; a create with `templateId` takes the template's and lets its own
 * body fields override (tags are merged, the body's winning).
 */
import * as z from 'zod/mini';
import type { ErrorDoc } from '../kit/operation';
import { tags } from '../projects/project';

const id = (what: string) => z.string().check(z.minLength(1), z.maxLength(64), z.describe(what));

export const MAX_USER_DATA_BYTES = 16 * 1024;
export const MAX_ROOT_VOLUME_GB = 16384;
export const MAX_SECURITY_GROUPS = 5;

/** A flavor id as the settings take it (a resize takes it alone). */
export const flavorIdSetting = () => id('A flavor of GET /v1/flavors, e.g. t3.micro.');

/**
 * The settings' fields, built on call: only the operations that take settings (create an instance or
 * a template, resize) build them, when their declaration is first read; other compute bundles import
 * this module for its types and constants.
 */
export const instanceSettingsShape = () => ({
  flavorId: flavorIdSetting(),
  imageId: id('An image of GET /v1/images.'),
  subnetId: id('The subnet the instance is launched into; it takes a private address there.'),
  securityGroupIds: z
    .array(id('A security group of the subnet\'s VPC.'))
    .check(
      z.minLength(1),
      z.maxLength(MAX_SECURITY_GROUPS),
      z.describe(`1 to ${MAX_SECURITY_GROUPS} groups of the subnet's VPC; default: the VPC's default group.`),
    ),
  projectId: id('The project the instance belongs to.'),
  assignPublicIp: z.boolean().check(z.describe("Give the instance a public address; default: the subnet's mapPublicIpOnLaunch.")),
  rootVolumeGb: z.int().check(z.gte(1), z.lte(MAX_ROOT_VOLUME_GB), z.describe("Root volume size; default and minimum: the image's minDiskGb.")),
  userData: z.string().check(z.maxLength(MAX_USER_DATA_BYTES), z.describe('Handed to the instance at boot; at most 16 KiB. Never shown again.')),
  disableApiTermination: z.boolean().check(z.describe('While true, terminate answers 400 OperationNotPermitted.')),
  disableApiStop: z.boolean().check(z.describe('While true, stop answers 400 OperationNotPermitted.')),
  tags,
});
export type InstanceSettingsShape = ReturnType<typeof instanceSettingsShape>;

/** Every setting optional: what a template may hold. */
export const instanceSettings = () => z.partial(z.strictObject(instanceSettingsShape()));
export type InstanceSettings = z.output<ReturnType<typeof instanceSettings>>;

/** The settings' names, as the shape has them (a create copies these from its template). */
export const SETTING_NAMES = [
  'flavorId',
  'imageId',
  'subnetId',
  'securityGroupIds',
  'projectId',
  'assignPublicIp',
  'rootVolumeGb',
  'userData',
  'disableApiTermination',
  'disableApiStop',
  'tags',
] as const satisfies readonly (keyof InstanceSettingsShape)[];

/** The errors of settings that name catalog entries or a project, as a create of an instance or template documents them. */
export const settingErrors = {
  flavorNotFound: { status: 400, code: 'InvalidFlavorID.NotFound', description: 'No flavor has this flavorId.' },
  imageNotFound: { status: 400, code: 'InvalidAMIID.NotFound', description: 'No image has this imageId.' },
  rootVolume: {
    status: 400,
    code: 'InvalidParameterValue',
    description: "rootVolumeGb is below the image's minDiskGb, or the image is built for another architecture than the flavor.",
  },
  projectNotFound: { status: 404, code: 'ProjectNotFound', description: 'No project has this projectId.' },
} satisfies Record<string, ErrorDoc>;
