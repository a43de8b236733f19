/**
 * The compute catalog, pure: flavors (instance types) and images, their schemas, the rules that
 * tie an instance's settings to them, and the catalog a fresh platform ships with.
 */
import * as z from 'zod/mini';
import { BadRequest } from '../kit/errors';

export const OPERATING_SYSTEMS = ['linux', 'windows'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/**
 * Catalog entries are platform-wide (no tenant) and never change through the API, so they carry
 * no record `version` and no ETag; an image's `version` is its OS release.
 */
export interface Flavor {
  /** `<family>.<size>`, e.g. `t3.micro`. */
  id: string;
  family: string;
  vcpus: number;
  memoryMib: number;
  architecture: Architecture;
  /** USD per hour, a decimal string (never a float). */
  hourlyPrice: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Image {
  /** `img-` and a readable name, e.g. `img-ubuntu-24.04`. */
  id: string;
  name: string;
  os: OperatingSystem;
  distribution?: string;
  version?: string;
  architecture: Architecture;
  minDiskGb: number;
  description?: string;
  createdAt: string;
  updatedAt: string;
}

// --- Schemas -------------------------------------------------------------------------------------

export const flavorId = z
  .string()
  .check(
    z.minLength(3),
    z.maxLength(64),
    z.regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'A flavor id is <family>.<size> in lowercase, e.g. t3.micro'),
    z.describe('`<family>.<size>`, e.g. `t3.micro`; the family is the part before the dot.'),
  );

export const imageId = z
  .string()
  .check(
    z.minLength(5),
    z.maxLength(64),
    z.regex(/^img-[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'An image id is img- followed by lowercase letters, digits, dots and dashes'),
    z.describe('`img-` and a readable name, e.g. `img-ubuntu-24.04`.'),
  );

/** A USD amount with up to 6 decimals, no sign, no exponent: "0.0104". */
export const decimalPrice = z
  .string()
  .check(
    z.regex(/^(0|[1-9][0-9]{0,5})(\.[0-9]{1,6})?$/, 'A decimal string such as "0.0104" (up to 6 decimals)'),
    z.describe('USD per hour, a decimal string (e.g. "0.0104").'),
  );

const description = z.lazy(() => z.string().check(z.maxLength(256)));

export const flavorSchema = z.lazy(() => z
  .object({
    id: z.string(),
    family: z.string(),
    vcpus: z.int(),
    memoryMib: z.int(),
    architecture: z.enum(ARCHITECTURES),
    hourlyPrice: z.string().check(z.describe('On-demand USD per hour, a decimal string.')),
    description: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .check(z.meta({ id: 'Flavor' })));

export const imageSchema = z.lazy(() => z
  .object({
    id: z.string(),
    name: z.string(),
    os: z.enum(OPERATING_SYSTEMS),
    distribution: z.optional(z.string()),
    version: z.optional(z.string()).check(z.describe('The OS release, e.g. 24.04.')),
    architecture: z.enum(ARCHITECTURES),
    minDiskGb: z.int().check(z.describe('The smallest root volume an instance of this image may have.')),
    description: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .check(z.meta({ id: 'Image' })));

export const createFlavorBody = z.lazy(() => z.strictObject({
  id: flavorId,
  vcpus: z.int().check(z.gte(1), z.lte(448)),
  memoryMib: z.int().check(z.gte(256), z.lte(24 * 1024 * 1024)),
  architecture: z.optional(z.enum(ARCHITECTURES)).check(z.describe('Default x86_64.')),
  hourlyPrice: decimalPrice,
  description: z.optional(description),
}));
export type CreateFlavor = z.output<typeof createFlavorBody>;

export const createImageBody = z.lazy(() => z.strictObject({
  id: z.optional(imageId).check(z.describe('Default: a generated `img-<ulid>`.')),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
  os: z.enum(OPERATING_SYSTEMS),
  distribution: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  version: z.optional(z.string().check(z.minLength(1), z.maxLength(32))).check(z.describe('The OS release, e.g. 24.04.')),
  architecture: z.optional(z.enum(ARCHITECTURES)).check(z.describe('Default x86_64.')),
  minDiskGb: z.int().check(z.gte(1), z.lte(16384)),
  description: z.optional(description),
}));
export type CreateImage = z.output<typeof createImageBody>;

// --- Records -------------------------------------------------------------------------------------

/** `t3.micro` → `t3`. */
export function familyOf(id: string): string {
  return id.slice(0, id.indexOf('.'));
}

export function buildFlavor(input: CreateFlavor, now: Date): Flavor {
  const at = now.toISOString();
  return {
    id: input.id,
    family: familyOf(input.id),
    vcpus: input.vcpus,
    memoryMib: input.memoryMib,
    architecture: input.architecture ?? 'x86_64',
    hourlyPrice: input.hourlyPrice,
    ...(input.description !== undefined ? { description: input.description } : {}),
    createdAt: at,
    updatedAt: at,
  };
}

export function buildImage(input: CreateImage & { id: string }, now: Date): Image {
  const at = now.toISOString();
  const { architecture, ...rest } = input;
  return { ...rest, architecture: architecture ?? 'x86_64', createdAt: at, updatedAt: at };
}

// --- Rules ---------------------------------------------------------------------------------------

/** A root volume smaller than the image's minimum: 400 InvalidParameterValue (AWS). */
export function assertRootVolumeFits(image: Pick<Image, 'id' | 'minDiskGb'>, rootVolumeGb: number | undefined): void {
  if (rootVolumeGb !== undefined && rootVolumeGb < image.minDiskGb) {
    throw new BadRequest(
      'InvalidParameterValue',
      `rootVolumeGb ${rootVolumeGb} is smaller than the ${image.minDiskGb} GB image ${image.id} needs.`,
    );
  }
}

/** An image built for another architecture than the flavor's CPUs: 400 InvalidParameterValue (AWS). */
export function assertArchitectureMatches(flavor: Pick<Flavor, 'id' | 'architecture'>, image: Pick<Image, 'id' | 'architecture'>): void {
  if (flavor.architecture !== image.architecture) {
    throw new BadRequest(
      'InvalidParameterValue',
      `The architecture ${image.architecture} of image ${image.id} does not match the architecture ${flavor.architecture} of flavor ${flavor.id}.`,
    );
  }
}

// --- The built-in catalog ------------------------------------------------------------------------

/**
 * Bumped when the built-in entries below change: a table seeded with an older revision is
 * seeded again (new entries added; existing ones, possibly changed by an operator, kept).
 */
export const CATALOG_REVISION = 1;

type BuiltInFlavor = [id: string, vcpus: number, memoryGib: number, hourlyPrice: string];

/** AWS us-east-1 on-demand Linux prices and shapes (general purpose burstable, general purpose, compute, memory). */
const builtInFlavorRows: BuiltInFlavor[] = [
  ['t3.nano', 2, 0.5, '0.0052'],
  ['t3.micro', 2, 1, '0.0104'],
  ['t3.small', 2, 2, '0.0208'],
  ['t3.medium', 2, 4, '0.0416'],
  ['t3.large', 2, 8, '0.0832'],
  ['t3.xlarge', 4, 16, '0.1664'],
  ['t3.2xlarge', 8, 32, '0.3328'],
  ['m5.large', 2, 8, '0.096'],
  ['m5.xlarge', 4, 16, '0.192'],
  ['m5.2xlarge', 8, 32, '0.384'],
  ['m5.4xlarge', 16, 64, '0.768'],
  ['c5.large', 2, 4, '0.085'],
  ['c5.xlarge', 4, 8, '0.17'],
  ['c5.2xlarge', 8, 16, '0.34'],
  ['c5.4xlarge', 16, 32, '0.68'],
  ['r5.large', 2, 16, '0.126'],
  ['r5.xlarge', 4, 32, '0.252'],
  ['r5.2xlarge', 8, 64, '0.504'],
  ['r5.4xlarge', 16, 128, '1.008'],
];

const familyDescriptions: Record<string, string> = {
  t3: 'Burstable general purpose',
  m5: 'General purpose',
  c5: 'Compute optimised',
  r5: 'Memory optimised',
};

export function builtInFlavors(now: Date): Flavor[] {
  return builtInFlavorRows.map(([id, vcpus, memoryGib, hourlyPrice]) =>
    buildFlavor(
      {
        id,
        vcpus,
        memoryMib: memoryGib * 1024,
        hourlyPrice,
        description: `${familyDescriptions[familyOf(id)]}, ${vcpus} vCPUs, ${memoryGib} GiB`,
      },
      now,
    ),
  );
}

const LINUX_MIN_DISK_GB = 8;
const WINDOWS_MIN_DISK_GB = 30;

export function builtInImages(now: Date): Image[] {
  const linux = (id: string, name: string, distribution: string, version: string): CreateImage & { id: string } => ({
    id,
    name,
    os: 'linux',
    distribution,
    version,
    minDiskGb: LINUX_MIN_DISK_GB,
  });
  return [
    linux('img-ubuntu-22.04', 'Ubuntu Server 22.04 LTS', 'ubuntu', '22.04'),
    linux('img-ubuntu-24.04', 'Ubuntu Server 24.04 LTS', 'ubuntu', '24.04'),
    linux('img-debian-12', 'Debian 12 (bookworm)', 'debian', '12'),
    linux('img-al2023', 'Amazon Linux 2023', 'amazon-linux', '2023'),
    linux('img-rocky-9', 'Rocky Linux 9', 'rocky', '9'),
    {
      id: 'img-windows-2022',
      name: 'Windows Server 2022 Datacenter',
      os: 'windows',
      distribution: 'windows-server',
      version: '2022',
      minDiskGb: WINDOWS_MIN_DISK_GB,
    },
  ].map((input) => buildImage(input as CreateImage & { id: string }, now));
}
