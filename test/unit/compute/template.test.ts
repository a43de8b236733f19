/** Pure rules of templates: the body, the view that hides user data, and the fit with the catalog. */
import { buildFlavor, buildImage } from '../../../functions/compute/catalog';
import { assertSettingsFitCatalog, buildTemplate, createTemplateBody, publicTemplate, templateSchema } from '../../../functions/compute/template';
import { SETTING_NAMES, instanceSettingsShape } from '../../../functions/compute/settings';
import { errorOf } from '../support/error-of';

const now = new Date('2026-11-22T00:00:00.000Z');
const flavor = buildFlavor({ id: 't3.micro', vcpus: 2, memoryMib: 1024, hourlyPrice: '0.0104' }, now);
const armFlavor = buildFlavor({ id: 't4g.micro', vcpus: 2, memoryMib: 1024, hourlyPrice: '0.0084', architecture: 'arm64' }, now);
const windows = buildImage({ id: 'img-windows-2022', name: 'Windows', os: 'windows', minDiskGb: 30 }, now);

describe('createTemplateBody', () => {
  it('takes a name alone, or with any instance settings', () => {
    expect(createTemplateBody().safeParse({ name: 'web' }).success).toBe(true);
    expect(
      createTemplateBody().safeParse({
        name: 'web-(v2)/a_b.c',
        description: 'web servers',
        flavorId: 't3.micro',
        imageId: 'img-ubuntu-24.04',
        subnetId: 'subnet-1',
        securityGroupIds: ['sg-1'],
        projectId: 'prj-1',
        assignPublicIp: true,
        rootVolumeGb: 20,
        userData: '#!/bin/sh',
        disableApiTermination: true,
        disableApiStop: false,
        tags: { env: 'prod' },
      }).success,
    ).toBe(true);
  });

  it.each([
    ['no name', {}],
    ['a short name', { name: 'ab' }],
    ['a name with a space', { name: 'web server' }],
    ['a long name', { name: 'a'.repeat(129) }],
    ['an unknown field', { name: 'web', colour: 'red' }],
    ['a zero root volume', { name: 'web', rootVolumeGb: 0 }],
    ['no security groups', { name: 'web', securityGroupIds: [] }],
  ])('refuses %s', (_label, body) => {
    expect(createTemplateBody().safeParse(body).success).toBe(false);
  });
});

describe('buildTemplate and publicTemplate', () => {
  it('makes an lt- template at version 1 whose view hides the user data', () => {
    // Act
    const template = buildTemplate('tnt-1', { name: 'web', flavorId: 't3.micro', userData: 'secret' }, now);
    const view = publicTemplate(template);

    // Assess
    expect(template.id).toMatch(/^lt-[0-9a-z]{26}$/);
    expect(template).toMatchObject({ tenantId: 'tnt-1', name: 'web', flavorId: 't3.micro', userData: 'secret', version: 1, tags: {} });
    expect(view).not.toHaveProperty('userData');
    expect(view.hasUserData).toBe(true);
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(templateSchema.safeParse(view).success).toBe(true);
    expect(publicTemplate(buildTemplate('tnt-1', { name: 'bare' }, now)).hasUserData).toBe(false);
  });
});

describe('assertSettingsFitCatalog', () => {
  it.each([
    ['nothing known', {}, undefined, undefined, undefined],
    ['a volume without an image', { rootVolumeGb: 1 }, flavor, undefined, undefined],
    ['the minimum volume', { rootVolumeGb: 30 }, flavor, windows, undefined],
    ['no volume (the image minimum applies at launch)', {}, flavor, windows, undefined],
    ['a volume below the minimum', { rootVolumeGb: 29 }, undefined, windows, 'InvalidParameterValue'],
    ['an image of another architecture', {}, armFlavor, windows, 'InvalidParameterValue'],
  ])('%s', (_label, settings, f, image, code) => {
    const error = errorOf(() => assertSettingsFitCatalog(settings, f, image));
    expect(error).toEqual(code ? { status: 400, code } : undefined);
  });
});

describe('SETTING_NAMES', () => {
  it('names exactly the fields of the settings shape, in its order', () => {
    // Prepare
    const shape = instanceSettingsShape();

    // Act
    const names = Object.keys(shape);

    // Assess
    expect(names).toEqual([...SETTING_NAMES]);
  });
});
