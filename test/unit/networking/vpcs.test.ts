/** Pure rules of VPCs, subnets, internet gateways and the default VPC. */
import { ApiError } from '../../../functions/kit/errors';
import { buildDefaultVpc, DEFAULT_VPC_CIDR } from '../../../functions/networking/default-vpc';
import { assertCanAttach, assertCanDetach, type InternetGateway } from '../../../functions/networking/internet-gateway';
import { availableIpAddressCount, chooseZone, publicSubnet, subnetCidr } from '../../../functions/networking/subnet';
import { assertDnsSettings, buildVpc, publicVpc, vpcCidr, vpcDependency } from '../../../functions/networking/vpc';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('vpcCidr', () => {
  it.each([
    ['10.0.0.0/16', '10.0.0.0/16'],
    ['10.0.5.7/16', '10.0.0.0/16'],
    ['172.31.255.255/28', '172.31.255.240/28'],
    ['192.168.7.1/24', '192.168.7.0/24'],
  ])('%s → %s', (text, cidr) => {
    expect(vpcCidr(text)).toBe(cidr);
  });

  it.each([
    ['10.0.0.0', '400 InvalidParameterValue'],
    ['10.0.0.0/', '400 InvalidParameterValue'],
    ['fd00::/48', '400 InvalidParameterValue'],
    ['8.8.8.0/24', '400 InvalidVpc.Range'],
    ['172.15.0.0/16', '400 InvalidVpc.Range'],
    ['10.0.0.0/8', '400 InvalidVpc.Range'],
    ['10.0.0.0/30', '400 InvalidVpc.Range'],
  ])('refuses %s with %s', (text, code) => {
    expect(codeOf(() => vpcCidr(text))).toBe(code);
  });
});

describe('assertDnsSettings', () => {
  it.each([
    [true, true, undefined],
    [true, false, undefined],
    [false, false, undefined],
    [false, true, '400 InvalidParameterCombination'],
  ])('support %s, hostnames %s → %s', (support, hostnames, code) => {
    expect(codeOf(() => assertDnsSettings(support, hostnames))).toBe(code);
  });
});

describe('buildVpc', () => {
  const now = new Date('2026-01-02T03:04:05.000Z');

  it('makes the VPC, its default group (ingress from itself, all egress) and its main table with the local route', () => {
    // Act
    const { vpc, defaultSecurityGroup, mainRouteTable } = buildVpc({ tenantId: 'tnt-1', cidrBlock: '10.0.0.0/16', now });
    // Assess
    expect(vpc).toMatchObject({ enableDnsSupport: true, enableDnsHostnames: false, isDefault: false, version: 1, defaultSecurityGroupId: defaultSecurityGroup.id, mainRouteTableId: mainRouteTable.id });
    expect(defaultSecurityGroup.ingress).toEqual([{ ruleId: expect.stringMatching(/^sgr-/), protocol: 'all', sourceSecurityGroupId: defaultSecurityGroup.id }]);
    expect(defaultSecurityGroup.egress).toEqual([{ ruleId: expect.stringMatching(/^sgr-/), protocol: 'all', cidr: '0.0.0.0/0' }]);
    expect(mainRouteTable.routes).toEqual([{ destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' }]);
    expect(publicVpc(vpc)).not.toHaveProperty('subnetSlots');
  });

  it('turns DNS hostnames on for a default VPC', () => {
    expect(buildVpc({ tenantId: 't', cidrBlock: '172.31.0.0/16', isDefault: true, now }).vpc.enableDnsHostnames).toBe(true);
  });

  it.each([
    [{}, undefined],
    [{ subnets: 1 }, '1 subnet(s)'],
    [{ instances: 2 }, '2 instance(s)'],
    [{ securityGroups: 1 }, '1 non-default security group(s)'],
    [{ routeTables: 1 }, '1 non-main route table(s)'],
  ])('with counts %j its dependency is %s', (counts, dependency) => {
    const { vpc } = buildVpc({ tenantId: 't', cidrBlock: '10.0.0.0/16', now });
    expect(vpcDependency({ ...vpc, counts: { ...vpc.counts, ...counts } })).toBe(dependency);
  });

  it('counts an attached gateway as a dependency', () => {
    const { vpc } = buildVpc({ tenantId: 't', cidrBlock: '10.0.0.0/16', now });
    expect(vpcDependency({ ...vpc, internetGatewayId: 'igw-1' })).toMatch(/igw-1/);
  });
});

describe('subnetCidr', () => {
  const vpc = { id: 'vpc-1', cidrBlock: '10.0.0.0/16', subnetSlots: { 'subnet-a': { cidrBlock: '10.0.1.0/24', availabilityZone: 'z' } } };

  it.each([
    ['10.0.2.0/24', '10.0.2.0/24'],
    ['10.0.2.77/24', '10.0.2.0/24'],
    ['10.0.0.0/24', '10.0.0.0/24'],
    ['10.0.255.240/28', '10.0.255.240/28'],
  ])('%s → %s', (text, cidr) => {
    expect(subnetCidr(vpc, text)).toBe(cidr);
  });

  it.each([
    ['10.0.2.0', '400 InvalidParameterValue'],
    ['10.1.0.0/24', '400 InvalidSubnet.Range'],
    ['10.0.0.0/29', '400 InvalidSubnet.Range'],
    ['10.0.0.0/15', '400 InvalidSubnet.Range'],
    ['10.0.1.128/25', '409 InvalidSubnet.Conflict'],
    ['10.0.0.0/23', '409 InvalidSubnet.Conflict'],
    ['10.0.0.0/16', '409 InvalidSubnet.Conflict'],
  ])('refuses %s with %s', (text, code) => {
    expect(codeOf(() => subnetCidr(vpc, text))).toBe(code);
  });
});

describe('chooseZone', () => {
  const zones = ['z-c', 'z-a', 'z-b'];
  const slot = (availabilityZone: string) => ({ cidrBlock: '10.0.0.0/24', availabilityZone });

  it.each([
    [[], 'z-a'],
    [['z-a'], 'z-b'],
    [['z-a', 'z-b'], 'z-c'],
    [['z-a', 'z-b', 'z-c', 'z-c'], 'z-a'],
    [['z-a', 'z-a', 'z-b'], 'z-c'],
    [['elsewhere'], 'z-a'],
  ])('with subnets in %j picks %s', (used, zone) => {
    const slots = Object.fromEntries(used.map((z, i) => [`subnet-${i}`, slot(z)]));
    expect(chooseZone(zones, slots)).toBe(zone);
  });
});

describe('availableIpAddressCount', () => {
  it.each([
    ['10.0.0.0/24', 0, 251],
    ['10.0.0.0/24', 10, 241],
    ['10.0.0.0/28', 11, 0],
    ['10.0.0.0/16', 0, 65531],
  ])('%s with %i in use → %i', (cidrBlock, addressesInUse, count) => {
    expect(availableIpAddressCount({ cidrBlock, addressesInUse })).toBe(count);
  });

  it('is what a client sees instead of the counter', () => {
    const view = publicSubnet({
      id: 's', tenantId: 't', vpcId: 'v', cidrBlock: '10.0.0.0/28', availabilityZone: 'z', mapPublicIpOnLaunch: false,
      addressesInUse: 3, state: 'available', createdAt: '', updatedAt: '', version: 1, tags: {},
    });
    expect(view.availableIpAddressCount).toBe(8);
    expect(view).not.toHaveProperty('addressesInUse');
  });
});

describe('internet gateway attachment', () => {
  const gateway = (vpcId?: string, routeCount = 0): InternetGateway => ({
    id: 'igw-1', tenantId: 't', attachments: vpcId ? [{ vpcId, state: 'available' }] : [], routeCount,
    createdAt: '', updatedAt: '', version: 1, tags: {},
  });

  it.each([
    [undefined, { id: 'vpc-1' }, undefined],
    ['vpc-1', { id: 'vpc-1' }, '409 Resource.AlreadyAssociated'],
    ['vpc-2', { id: 'vpc-1' }, '409 Resource.AlreadyAssociated'],
    [undefined, { id: 'vpc-1', internetGatewayId: 'igw-2' }, '409 Resource.AlreadyAssociated'],
  ])('attached to %s, attaching to %j → %s', (attachedTo, vpc, code) => {
    expect(codeOf(() => assertCanAttach(gateway(attachedTo), vpc))).toBe(code);
  });

  it.each([
    ['vpc-1', 0, 'vpc-1', undefined],
    [undefined, 0, 'vpc-1', '400 Gateway.NotAttached'],
    ['vpc-2', 0, 'vpc-1', '400 Gateway.NotAttached'],
    ['vpc-1', 1, 'vpc-1', '409 DependencyViolation'],
  ])('attached to %s with %i routes, detaching from %s → %s', (attachedTo, routes, vpcId, code) => {
    expect(codeOf(() => assertCanDetach(gateway(attachedTo, routes), vpcId))).toBe(code);
  });
});

describe('buildDefaultVpc', () => {
  it("has AWS's shape: 172.31.0.0/16, a /20 per zone mapping public IPs, an attached gateway and a default route to it", () => {
    // Act
    const built = buildDefaultVpc('tnt-1', 'eu-west-1', new Date('2026-01-01T00:00:00Z'));
    // Assess
    expect(built.vpc).toMatchObject({ cidrBlock: DEFAULT_VPC_CIDR, isDefault: true, enableDnsHostnames: true, internetGatewayId: built.internetGateway.id, counts: { subnets: 3 } });
    expect(built.subnets.map((s) => [s.cidrBlock, s.availabilityZone, s.mapPublicIpOnLaunch])).toEqual([
      ['172.31.0.0/20', 'eu-west-1a', true],
      ['172.31.16.0/20', 'eu-west-1b', true],
      ['172.31.32.0/20', 'eu-west-1c', true],
    ]);
    expect(Object.keys(built.vpc.subnetSlots).sort()).toEqual(built.subnets.map((s) => s.id).sort());
    expect(built.internetGateway).toMatchObject({ attachments: [{ vpcId: built.vpc.id, state: 'available' }], routeCount: 1 });
    expect(built.mainRouteTable.routes.map((r) => [r.destinationCidrBlock, r.gatewayId])).toEqual([
      ['172.31.0.0/16', 'local'],
      ['0.0.0.0/0', built.internetGateway.id],
    ]);
  });
});
