import { publicAddressStarts, publicAddressStops, runningStarts, runningStops, withUsage } from '../../../functions/compute/metering';
import { usageSchema } from '../../../functions/events/usage';

const withAddress = { flavorId: 'm5.large', publicIpAddress: '198.19.0.7' };
const withoutAddress = { flavorId: 't3.micro' };

describe('instance metering', () => {
  it('starts and stops instance.time by flavor, and stops it only when leaving running', () => {
    expect(runningStarts(withAddress)).toEqual([{ meter: 'instance.time', dimension: 'm5.large', quantity: '1', action: 'start' }]);
    expect(runningStops(withAddress, 'running')).toEqual([{ meter: 'instance.time', dimension: 'm5.large', quantity: '0', action: 'stop' }]);
    expect(runningStops(withAddress, 'stopped')).toEqual([]);
  });

  it('meters publicIpv4.time only for an instance with a public address', () => {
    expect(publicAddressStarts(withAddress)).toEqual([{ meter: 'publicIpv4.time', quantity: '1', action: 'start' }]);
    expect(publicAddressStops(withAddress)).toEqual([{ meter: 'publicIpv4.time', quantity: '0', action: 'stop' }]);
    expect(publicAddressStarts(withoutAddress)).toEqual([]);
    expect(withUsage(publicAddressStops(withoutAddress))).toEqual({});
  });

  it('writes blocks the usage schema accepts, and refuses non-decimal quantities', () => {
    expect(usageSchema.safeParse([...runningStarts(withAddress), ...publicAddressStops(withAddress)]).success).toBe(true);
    expect(usageSchema.safeParse([{ meter: 'instance.time', quantity: 1, action: 'start' }]).success).toBe(false);
    expect(usageSchema.safeParse([{ meter: 'instance.time', quantity: '-1', action: 'start' }]).success).toBe(false);
  });
});
