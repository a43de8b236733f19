import { availabilityZones, isZoneOf, regionShortCode } from '../../../functions/platform/zones';

describe('regionShortCode', () => {
  it.each([
    ['us-east-1', 'use1'],
    ['us-west-2', 'usw2'],
    ['eu-west-2', 'euw2'],
    ['eu-central-1', 'euc1'],
    ['ap-south-1', 'aps1'],
    ['ca-central-1', 'cac1'],
    ['sa-east-1', 'sae1'],
    ['us-gov-west-1', 'usgw1'],
    // Compound directions take two letters, so ap-southeast-1 and ap-south-1 never share zone ids.
    ['ap-southeast-1', 'apse1'],
    ['ap-southeast-2', 'apse2'],
    ['ap-northeast-1', 'apne1'],
  ])('%s → %s', (region, expected) => {
    // Prepare: the region name

    // Act
    const code = regionShortCode(region);

    // Assess
    expect(code).toBe(expected);
  });
});

describe('availabilityZones', () => {
  it('gives zones a, b and c with AWS-style zone ids', () => {
    // Prepare
    const region = 'eu-west-2';

    // Act
    const zones = availabilityZones(region);

    // Assess
    expect(zones).toEqual([
      { name: 'eu-west-2a', zoneId: 'euw2-az1', region: 'eu-west-2', state: 'available' },
      { name: 'eu-west-2b', zoneId: 'euw2-az2', region: 'eu-west-2', state: 'available' },
      { name: 'eu-west-2c', zoneId: 'euw2-az3', region: 'eu-west-2', state: 'available' },
    ]);
  });

  it.each(['us-east-1', 'ap-south-1', 'eu-central-1'])('gives distinct names and zone ids in %s', (region) => {
    // Prepare: the region

    // Act
    const zones = availabilityZones(region);

    // Assess
    expect(zones.map((z) => z.name)).toEqual([`${region}a`, `${region}b`, `${region}c`]);
    expect(new Set(zones.map((z) => z.zoneId)).size).toBe(3);
  });
});

describe('isZoneOf', () => {
  it.each<[string, string, boolean]>([
    ['us-east-1', 'us-east-1a', true],
    ['us-east-1', 'us-east-1c', true],
    ['us-east-1', 'us-east-1d', false],
    ['us-east-1', 'us-east-2a', false],
    ['us-east-1', 'us-east-1', false],
    ['us-east-1', 'US-EAST-1A', false],
    ['us-east-1', 'use1-az1', false],
    ['eu-west-2', 'eu-west-2b', true],
    ['eu-west-2', '', false],
  ])('isZoneOf(%s, %p) is %p', (region, zone, expected) => {
    // Prepare: the region and the zone name

    // Act
    const result = isZoneOf(region, zone);

    // Assess
    expect(result).toBe(expected);
  });
});
