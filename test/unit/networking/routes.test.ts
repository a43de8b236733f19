/** Routes: targets, adding and removing, and the longest-prefix match. */
import { errorOf } from '../support/error-of';
import {
  localRoute,
  longestPrefixMatch,
  MAX_ROUTES_PER_TABLE,
  normaliseDestination,
  routeTarget,
  withoutRoute,
  withRoute,
  type Route,
} from '../../../functions/networking/routes';


const to = (destinationCidrBlock: string, gatewayId = 'igw-1'): Route => ({ destinationCidrBlock, gatewayId, origin: 'CreateRoute', state: 'active' });

describe('longestPrefixMatch', () => {
  const routes: Route[] = [
    localRoute('10.0.0.0/16'),
    to('0.0.0.0/0', 'igw-default'),
    to('10.0.5.0/24', 'igw-narrow'),
    to('192.168.0.0/16', 'igw-b'),
    to('192.168.1.0/24', 'igw-c'),
    to('192.168.1.128/25', 'igw-d'),
    to('::/0', 'igw-v6'),
    to('2001:db8::/32', 'igw-doc'),
  ];

  it.each([
    ['10.0.1.1', 'local'],
    ['10.0.5.9', 'igw-narrow'],
    ['10.0.255.255', 'local'],
    ['10.1.0.1', 'igw-default'],
    ['8.8.8.8', 'igw-default'],
    ['192.168.2.1', 'igw-b'],
    ['192.168.1.1', 'igw-c'],
    ['192.168.1.127', 'igw-c'],
    ['192.168.1.128', 'igw-d'],
    ['192.168.1.255', 'igw-d'],
    ['2001:db8::1', 'igw-doc'],
    ['2001:db9::1', 'igw-v6'],
  ])('%s goes through %s', (ip, gateway) => {
    expect(longestPrefixMatch(routes, ip)?.gatewayId).toBe(gateway);
  });

  it.each([
    ['an IPv4 address with no route', [localRoute('10.0.0.0/16')], '11.0.0.1'],
    ['an IPv6 address in a table of IPv4 routes', [localRoute('10.0.0.0/16'), to('0.0.0.0/0')], '::1'],
    ['an IPv4 address in a table of IPv6 routes', [to('::/0')], '10.0.0.1'],
  ])('finds no route for %s', (_name, table, ip) => {
    expect(longestPrefixMatch(table, ip)).toBeUndefined();
  });

  it.each(['10.0.0', '10.0.0.1/32', 'example.com', '', '10.0.0.256'])('refuses %p: 400 InvalidParameterValue', (ip) => {
    expect(errorOf(() => longestPrefixMatch(routes, ip))).toEqual({ status: 400, code: 'InvalidParameterValue' });
  });
});

describe('routeTarget', () => {
  it.each([
    [{ gatewayId: 'igw-1' }, { type: 'gatewayId', id: 'igw-1' }],
    [{ natGatewayId: 'nat-1' }, { type: 'natGatewayId', id: 'nat-1' }],
    [{ instanceId: 'i-1' }, { type: 'instanceId', id: 'i-1' }],
  ])('%j → %j', (input, expected) => {
    expect(routeTarget(input)).toEqual(expected);
  });

  it.each([
    ['no target', {}, 'InvalidParameterCombination'],
    ['two targets', { gatewayId: 'igw-1', instanceId: 'i-1' }, 'InvalidParameterCombination'],
    ['the local gateway', { gatewayId: 'local' }, 'InvalidParameterValue'],
  ])('refuses %s', (_name, input, code) => {
    expect(errorOf(() => routeTarget(input))).toEqual({ status: 400, code });
  });
});

describe('withRoute and withoutRoute', () => {
  const table = [localRoute('10.0.0.0/16'), to('0.0.0.0/0')];

  it('adds a route to a new destination', () => {
    expect(withRoute(table, to('172.16.0.0/12'))).toEqual([...table, to('172.16.0.0/12')]);
  });

  it.each([
    ['the same destination', to('0.0.0.0/0', 'igw-2')],
    ["the local route's destination", to('10.0.0.0/16')],
  ])('refuses %s: 409 RouteAlreadyExists', (_name, route) => {
    expect(errorOf(() => withRoute(table, route))).toEqual({ status: 409, code: 'RouteAlreadyExists' });
  });

  it(`refuses a route past ${MAX_ROUTES_PER_TABLE} besides the local one: 400 RouteLimitExceeded`, () => {
    const full = [localRoute('10.0.0.0/16'), ...Array.from({ length: MAX_ROUTES_PER_TABLE }, (_, i) => to(`172.16.${i}.0/24`))];
    expect(errorOf(() => withRoute(full, to('172.17.0.0/16')))).toEqual({ status: 400, code: 'RouteLimitExceeded' });
  });

  it('removes a route by its destination, normalised first', () => {
    const routes = [...table, to('172.16.0.0/12')];
    expect(withoutRoute(routes, '172.20.1.1/12')).toEqual({ routes: table, removed: to('172.16.0.0/12') });
  });

  it.each([
    ['the local route', '10.0.0.0/16', 400, 'InvalidParameterValue'],
    ['a destination with no route', '172.16.0.0/12', 404, 'InvalidRoute.NotFound'],
    ['a malformed destination', '172.16.0.0', 400, 'InvalidParameterValue'],
  ])('refuses to remove %s', (_name, destination, status, code) => {
    expect(errorOf(() => withoutRoute(table, destination))).toEqual({ status, code });
  });

  it.each([
    ['10.0.5.7/16', '10.0.0.0/16'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:db8::5/32', '2001:db8::/32'],
  ])('normalises the destination %s to %s', (given, expected) => {
    expect(normaliseDestination(given)).toBe(expected);
  });
});
