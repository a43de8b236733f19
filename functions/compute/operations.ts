/** The instances API (AWS EC2 semantics; API.md, Compute). */
import * as z from 'zod/mini';
import { defineOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { tagsPatch } from '../projects/project';
import { resourceName } from '../networking/vpc';
import { instanceSchema } from './instance';
import { flavorIdSetting, instanceSettingsShape, settingErrors, type InstanceSettingsShape } from './settings';

const domain = 'compute';
const params = () => z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64), z.describe('An instance id: i-...')) });
const notFound = { status: 404, code: 'InvalidInstanceID.NotFound', description: 'No instance has this id in the tenant.' };
const wrongState = (what: string) => ({ status: 409, code: 'IncorrectInstanceState', description: what });
const noop = (what: string) => ({ status: 200 as const, description: what, response: instanceSchema });
const asyncAction = (saga: string) =>
  `Answers 202 with the instance in its transitional state and the \`operationId\` of the ${saga} saga that finishes it (GET /v1/operations/{id}). Honours If-Match.`;

export const createInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createInstance',
  method: 'POST',
  path: '/v1/instances',
  handler: 'compute/create-instance',
  domain,
  summary: 'Launch an instance',
  description:
    'Validates the flavor, image, subnet, groups (all in the subnet\'s VPC), project, template and root volume; takes one `instances` and the flavor\'s `vcpus` of quota, a private address of the subnet ' +
    "(never a reserved one, never one in use) and, with `assignPublicIp` (default: the subnet's mapPublicIpOnLaunch), a public one, all in one transaction. " +
    'Answers 202 with the instance `pending` and the `operationId` of its InstanceLaunch saga, which brings it to `running` or, if the data plane fails, gives everything back and marks it `failed`. ' +
    'With `templateId` the template\'s settings are taken and the body\'s fields override them (tags are merged). Emits `instance.pending`.',
  access: 'member',
  body: z.strictObject({
    name: resourceName,
    templateId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))).check(z.describe('A template (POST /v1/templates) whose settings the body overrides.')),
    ...Object.fromEntries(Object.entries(instanceSettingsShape()).map(([key, schema]) => [key, z.optional(schema)])),
  } as { name: typeof resourceName; templateId: z.ZodMiniOptional<z.ZodMiniString> } & { [K in keyof InstanceSettingsShape]: z.ZodMiniOptional<InstanceSettingsShape[K]> }),
  status: 202,
  response: instanceSchema,
  errors: [
    { status: 400, code: 'MissingParameter', description: 'flavorId, imageId or subnetId is given neither in the body nor by the template.' },
    settingErrors.flavorNotFound,
    settingErrors.imageNotFound,
    { status: 400, code: 'InvalidSubnetID.NotFound', description: 'No subnet has this id in the tenant.' },
    { status: 400, code: 'InvalidGroup.NotFound', description: 'No security group has this id in the tenant.' },
    { status: 400, code: 'InvalidParameterCombination', description: "A security group is not in the subnet's VPC." },
    { status: 400, code: 'InvalidLaunchTemplateId.NotFound', description: 'No template has this id in the tenant.' },
    settingErrors.rootVolume,
    { status: 400, code: 'TagLimitExceeded', description: 'More than 50 tags once the template\'s are merged in.' },
    settingErrors.projectNotFound,
    { status: 409, code: 'InsufficientFreeAddressesInSubnet', description: 'The subnet has no free private address.' },
    { status: 409, code: 'IncorrectProjectState', description: 'The project is being deleted.' },
    { status: 429, code: 'QuotaExceeded', description: 'The instances or vcpus quota is used up.' },
  ],
}));

export const listInstances = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listInstances',
  method: 'GET',
  path: '/v1/instances',
  handler: 'compute/list-instances',
  domain,
  summary: "List the tenant's instances, oldest first",
  description: 'Terminated and failed instances are listed for one hour after they ended.',
  access: 'viewer',
  query: pageQuery(),
  status: 200,
  response: pageOf(instanceSchema).check(z.meta({ id: 'InstanceList' })),
  needs: ['cursorSecret'],
}));

export const getInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'getInstance',
  method: 'GET',
  path: '/v1/instances/{id}',
  handler: 'compute/get-instance',
  domain,
  summary: 'Get an instance',
  description: '`runningSeconds` counts the running interval in progress up to the moment of the read.',
  access: 'viewer',
  params: params(),
  status: 200,
  response: instanceSchema,
  errors: [notFound],
}));

export const updateInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'updateInstance',
  method: 'PATCH',
  path: '/v1/instances/{id}',
  handler: 'compute/update-instance',
  domain,
  summary: "Change an instance's name, protection flags or tags",
  description: 'Honours If-Match. `tags` is a JSON Merge Patch. Clearing `disableApiTermination` / `disableApiStop` allows terminate / stop again. Emits `instance.updated`.',
  access: 'member',
  params: params(),
  body: z.strictObject({
    name: z.optional(resourceName),
    disableApiTermination: z.optional(z.boolean()),
    disableApiStop: z.optional(z.boolean()),
    tags: z.optional(tagsPatch),
  }),
  status: 200,
  response: instanceSchema,
  errors: [notFound, { status: 400, code: 'TagLimitExceeded', description: 'More than 50 tags.' }],
}));

export const terminateInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'terminateInstance',
  method: 'DELETE',
  path: '/v1/instances/{id}',
  handler: 'compute/terminate-instance',
  domain,
  summary: 'Terminate an instance',
  description:
    `A running or stopped instance goes to \`shutting-down\`; the InstanceTermination saga destroys its machine and then marks it \`terminated\`, giving back its addresses and quota. ${asyncAction('InstanceTermination')} ` +
    'Terminating a terminated (or shutting-down) instance answers 200. Asking again while a failed termination left it shutting-down retries it. Emits `instance.shutting_down`.',
  access: 'member',
  params: params(),
  status: 202,
  response: instanceSchema,
  otherSuccesses: [noop('Already terminated or shutting down: nothing to do.')],
  errors: [
    notFound,
    { status: 400, code: 'OperationNotPermitted', description: 'disableApiTermination is true.' },
    wrongState('The instance is pending, stopping or failed.'),
  ],
}));

export const startInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'startInstance',
  method: 'POST',
  path: '/v1/instances/{id}/start',
  handler: 'compute/start-instance',
  domain,
  summary: 'Start a stopped instance',
  description: `A stopped instance goes to \`pending\`; the InstanceLaunch saga boots its machine (with the flavor it was resized to) and marks it \`running\`. ${asyncAction('InstanceLaunch')} A running or pending instance answers 200. Emits \`instance.pending\`.`,
  access: 'member',
  params: params(),
  status: 202,
  response: instanceSchema,
  otherSuccesses: [noop('Already running or pending: nothing to do.')],
  errors: [notFound, wrongState('The instance is stopping, shutting down, terminated or failed.')],
}));

export const stopInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'stopInstance',
  method: 'POST',
  path: '/v1/instances/{id}/stop',
  handler: 'compute/stop-instance',
  domain,
  summary: 'Stop a running instance',
  description:
    `A running instance goes to \`stopping\` (its running interval ends and joins runningSeconds); the InstanceStop saga stops its machine and marks it \`stopped\`. ${asyncAction('InstanceStop')} ` +
    'A stopped (or stopping) instance answers 200; asking again while a failed stop left it stopping retries it. Emits `instance.stopping`.',
  access: 'member',
  params: params(),
  status: 202,
  response: instanceSchema,
  otherSuccesses: [noop('Already stopped or stopping: nothing to do.')],
  errors: [
    notFound,
    { status: 400, code: 'OperationNotPermitted', description: 'disableApiStop is true.' },
    wrongState('The instance is pending, shutting down, terminated or failed.'),
  ],
}));

export const rebootInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'rebootInstance',
  method: 'POST',
  path: '/v1/instances/{id}/reboot',
  handler: 'compute/reboot-instance',
  domain,
  summary: 'Reboot a running instance',
  description: `The instance stays \`running\` (its running time is not interrupted); the InstanceReboot saga restarts its machine and emits \`instance.rebooted\`. ${asyncAction('InstanceReboot')} Emits \`instance.rebooting\`.`,
  access: 'member',
  params: params(),
  status: 202,
  response: instanceSchema,
  errors: [notFound, wrongState('The instance is not running.')],
}));

export const resizeInstance = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'resizeInstance',
  method: 'POST',
  path: '/v1/instances/{id}/resize',
  handler: 'compute/resize-instance',
  domain,
  summary: 'Give a stopped instance another flavor',
  description:
    'Only a stopped instance can be resized. The `vcpus` quota moves by the difference in the same transaction (429 when a larger flavor does not fit); the machine takes the flavor at its next start. ' +
    'The same flavor answers 200 with nothing changed. Honours If-Match. Emits `instance.resized`.',
  access: 'member',
  params: params(),
  body: z.strictObject({ flavorId: flavorIdSetting() }),
  status: 200,
  response: instanceSchema,
  errors: [
    notFound,
    settingErrors.flavorNotFound,
    wrongState('The instance is not stopped.'),
    { status: 429, code: 'QuotaExceeded', description: 'The vcpus quota does not fit the larger flavor.' },
  ],
}));

export const instanceOperations = [
  createInstance,
  listInstances,
  getInstance,
  updateInstance,
  terminateInstance,
  startInstance,
  stopInstance,
  rebootInstance,
  resizeInstance,
];
