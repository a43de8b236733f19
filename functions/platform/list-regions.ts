import { settings } from '../kit/config';
import { httpHandler } from '../wiring/http';
import { listRegions } from './operations';

export const handler = httpHandler(listRegions, async () => ({
  body: { items: [{ name: settings.region(), status: 'available' as const }] },
}));
