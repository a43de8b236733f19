/** Pure rules of the catalog: ids, prices, the built-in entries, and how settings must fit them. */
import {
  assertArchitectureMatches,
  assertRootVolumeFits,
  buildFlavor,
  buildImage,
  builtInFlavors,
  builtInImages,
  createFlavorBody,
  createImageBody,
  decimalPrice,
  familyOf,
  flavorSchema,
  imageSchema,
} from '../../../functions/compute/catalog';
import { flavorIndexKeys } from '../../../functions/compute/keys';
import { errorOf } from '../support/error-of';

const now = new Date('2026-11-22T00:00:00.000Z');

describe('built-in catalog', () => {
  it('ships t3 nano..2xlarge and m5, c5, r5 large..4xlarge at us-east-1 on-demand Linux prices', () => {
    // Act
    const flavors = builtInFlavors(now);

    // Assess
    expect(flavors.map((f) => f.id)).toEqual([
      't3.nano', 't3.micro', 't3.small', 't3.medium', 't3.large', 't3.xlarge', 't3.2xlarge',
      'm5.large', 'm5.xlarge', 'm5.2xlarge', 'm5.4xlarge',
      'c5.large', 'c5.xlarge', 'c5.2xlarge', 'c5.4xlarge',
      'r5.large', 'r5.xlarge', 'r5.2xlarge', 'r5.4xlarge',
    ]);
    const byId = Object.fromEntries(flavors.map((f) => [f.id, f]));
    expect(byId['t3.micro']).toMatchObject({ family: 't3', vcpus: 2, memoryMib: 1024, hourlyPrice: '0.0104', architecture: 'x86_64' });
    expect(byId['t3.nano']).toMatchObject({ vcpus: 2, memoryMib: 512, hourlyPrice: '0.0052' });
    expect(byId['m5.4xlarge']).toMatchObject({ vcpus: 16, memoryMib: 65536, hourlyPrice: '0.768' });
    expect(byId['c5.large']).toMatchObject({ vcpus: 2, memoryMib: 4096, hourlyPrice: '0.085' });
    expect(byId['r5.4xlarge']).toMatchObject({ vcpus: 16, memoryMib: 131072, hourlyPrice: '1.008' });
  });

  it('gives every built-in flavor a valid create body and a schema-conformant record', () => {
    for (const flavor of builtInFlavors(now)) {
      const { family: _family, createdAt: _c, updatedAt: _u, ...body } = flavor;
      expect(createFlavorBody.safeParse(body).success).toBe(true);
      expect(flavorSchema.safeParse(flavor).success).toBe(true);
      expect(decimalPrice.safeParse(flavor.hourlyPrice).success).toBe(true);
    }
  });

  it('ships Ubuntu 22.04 and 24.04, Debian 12, Amazon Linux 2023, Rocky 9 (8 GB) and Windows Server 2022 (30 GB)', () => {
    // Act
    const images = builtInImages(now);

    // Assess
    expect(images.map((i) => [i.id, i.os, i.minDiskGb])).toEqual([
      ['img-ubuntu-22.04', 'linux', 8],
      ['img-ubuntu-24.04', 'linux', 8],
      ['img-debian-12', 'linux', 8],
      ['img-al2023', 'linux', 8],
      ['img-rocky-9', 'linux', 8],
      ['img-windows-2022', 'windows', 30],
    ]);
    for (const image of images) {
      expect(imageSchema.safeParse(image).success).toBe(true);
      const { createdAt: _c, updatedAt: _u, ...body } = image;
      expect(createImageBody.safeParse(body).success).toBe(true);
    }
  });
});

describe('flavor ids and prices', () => {
  it.each([['t3.micro', 't3'], ['m5.2xlarge', 'm5'], ['gpu-x.huge', 'gpu-x']])('%s is of family %s', (id, family) => {
    expect(familyOf(id)).toBe(family);
    expect(buildFlavor({ id, vcpus: 2, memoryMib: 1024, hourlyPrice: '1' }, now).family).toBe(family);
  });

  it.each(['T3.micro', 't3', 't3.', '.micro', 't3.mi#cro', '3t.micro'])('refuses the id %j', (id) => {
    expect(createFlavorBody.safeParse({ id, vcpus: 2, memoryMib: 1024, hourlyPrice: '0.01' }).success).toBe(false);
  });

  it.each(['0.0104', '0', '1.008', '123456.123456'])('accepts the price %j', (price) => {
    expect(decimalPrice.safeParse(price).success).toBe(true);
  });

  it.each(['-1', '1e-3', '0.1234567', '01.5', '.5', '1.', '', ' 1', 'NaN'])('refuses the price %j', (price) => {
    expect(decimalPrice.safeParse(price).success).toBe(false);
  });

  it('defaults the architecture to x86_64', () => {
    expect(buildFlavor({ id: 'x1.a', vcpus: 1, memoryMib: 512, hourlyPrice: '1' }, now).architecture).toBe('x86_64');
    expect(buildImage({ id: 'img-a', name: 'A', os: 'linux', minDiskGb: 8 }, now).architecture).toBe('x86_64');
  });

  it('orders the list index by family, then vCPUs, then memory (numbers padded)', () => {
    const keys = builtInFlavors(now)
      .filter((f) => f.family === 't3' || f.family === 'c5')
      .map((f) => [flavorIndexKeys(f).gsi1sk, f.id] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, id]) => id);
    expect(keys).toEqual([
      'c5.large', 'c5.xlarge', 'c5.2xlarge', 'c5.4xlarge',
      't3.nano', 't3.micro', 't3.small', 't3.medium', 't3.large', 't3.xlarge', 't3.2xlarge',
    ]);
  });
});

describe('image ids', () => {
  it.each(['img-ubuntu-24.04', 'img-a', 'img-01jd5f3w3t9k8m2x0c4s6v7b8n'])('accepts %j', (id) => {
    expect(createImageBody.safeParse({ id, name: 'x', os: 'linux', minDiskGb: 8 }).success).toBe(true);
  });

  it.each(['ubuntu', 'img-', 'img-Ubuntu', 'img-ubuntu-', 'img-a/b', 'ami-123'])('refuses %j', (id) => {
    expect(createImageBody.safeParse({ id, name: 'x', os: 'linux', minDiskGb: 8 }).success).toBe(false);
  });
});

describe('assertRootVolumeFits', () => {
  const image = { id: 'img-windows-2022', minDiskGb: 30 };

  it.each([[undefined], [30], [100]])('accepts %p GB', (gb) => {
    expect(errorOf(() => assertRootVolumeFits(image, gb))).toBeUndefined();
  });

  it('refuses a volume below the minimum with 400 InvalidParameterValue', () => {
    expect(errorOf(() => assertRootVolumeFits(image, 29))).toEqual({ status: 400, code: 'InvalidParameterValue' });
  });
});

describe('assertArchitectureMatches', () => {
  it('accepts an image of the flavor architecture and refuses another with 400 InvalidParameterValue', () => {
    const flavor = { id: 't3.micro', architecture: 'x86_64' as const };
    expect(errorOf(() => assertArchitectureMatches(flavor, { id: 'img-a', architecture: 'x86_64' }))).toBeUndefined();
    expect(errorOf(() => assertArchitectureMatches(flavor, { id: 'img-b', architecture: 'arm64' }))).toEqual({
      status: 400,
      code: 'InvalidParameterValue',
    });
  });
});
