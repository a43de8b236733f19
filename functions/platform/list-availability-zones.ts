import { settings } from '../kit/config';
import { httpHandler } from '../wiring/http';
import { listAvailabilityZones } from './operations';
import { availabilityZones } from './zones';

export const handler = httpHandler(listAvailabilityZones, async () => ({
  body: { items: availabilityZones(settings.region()) },
}));
