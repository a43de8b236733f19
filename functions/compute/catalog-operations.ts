/** The catalog API: flavors (instance types) and images, readable by every caller, added by operators. */
import * as z from 'zod/mini';
import { defineOperation, type AnyOperation } from '../kit/operation';
import { pageOf, pageQuery } from '../kit/repository';
import { createFlavorBody, createImageBody, flavorSchema, imageSchema, OPERATING_SYSTEMS } from './catalog';

const domain = 'compute';
const catalogNote =
  'The catalog is platform-wide, the same for every tenant; a fresh platform ships a built-in one (seeded on first use).';
const idFilter = (what: string) => z.optional(z.string().check(z.minLength(1), z.maxLength(64))).check(z.describe(`Only the ${what} with this id (an empty page if there is none).`));

export const listFlavors = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listFlavors',
  method: 'GET',
  path: '/v1/flavors',
  handler: 'compute/list-flavors',
  domain,
  summary: 'List the flavors (instance types), by family and then size',
  description: `${catalogNote} \`hourlyPrice\` is the on-demand USD price per hour as a decimal string.`,
  access: 'authenticated',
  query: z.extend(pageQuery(), {
    family: z
      .optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'A flavor family, e.g. t3')))
      .check(z.describe('Only this family, e.g. `t3`.')),
    id: idFilter('flavor'),
  }),
  status: 200,
  response: pageOf(flavorSchema).check(z.meta({ id: 'FlavorList' })),
  needs: ['cursorSecret', 'catalogSeed'],
}));

export const listImages = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'listImages',
  method: 'GET',
  path: '/v1/images',
  handler: 'compute/list-images',
  domain,
  summary: 'List the images, by os and then id',
  description: `${catalogNote} An instance's root volume must be at least the image's \`minDiskGb\`.`,
  access: 'authenticated',
  query: z.extend(pageQuery(), {
    os: z.optional(z.enum(OPERATING_SYSTEMS)).check(z.describe('Only images of this operating system.')),
    id: idFilter('image'),
  }),
  status: 200,
  response: pageOf(imageSchema).check(z.meta({ id: 'ImageList' })),
  needs: ['cursorSecret', 'catalogSeed'],
}));

export const createFlavor = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createFlavor',
  method: 'POST',
  path: '/v1/admin/flavors',
  handler: 'compute/create-flavor',
  domain,
  summary: 'Add a flavor to the catalog',
  description:
    'The family is the part of the id before the dot. Catalog entries belong to no tenant, so this emits no domain event and leaves no tenant audit entry. ' +
    'An id already in the catalog (built-in or added) → 409 `InvalidFlavor.Duplicate`. `Location` is the list filtered to the new flavor.',
  access: 'platform-admin',
  body: createFlavorBody,
  status: 201,
  response: flavorSchema,
  errors: [{ status: 409, code: 'InvalidFlavor.Duplicate', description: 'A flavor with this id exists.' }],
}));

export const createImage = /* @__PURE__ */ defineOperation(() => ({
  operationId: 'createImage',
  method: 'POST',
  path: '/v1/admin/images',
  handler: 'compute/create-image',
  domain,
  summary: 'Add an image to the catalog',
  description:
    'Takes a readable `id` such as `img-debian-13`, or generates `img-<ulid>` without one. Catalog entries belong to no tenant, so this emits no domain event and leaves no tenant audit entry. ' +
    'An id already in the catalog → 409 `InvalidAMI.Duplicate`. `Location` is the list filtered to the new image.',
  access: 'platform-admin',
  body: createImageBody,
  status: 201,
  response: imageSchema,
  errors: [{ status: 409, code: 'InvalidAMI.Duplicate', description: 'An image with this id exists.' }],
}));

export const catalogOperations: AnyOperation[] = [listFlavors, listImages, createFlavor, createImage] as AnyOperation[];
