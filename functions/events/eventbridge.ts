/** The cloud side of the bus: the platform's EventBridge custom bus, through the AWS SDK. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { settings } from '../kit/config';
import type { BusEntry, EventBusClient, PutEventsOutcome } from './bus';

export function eventBridgeBus(client = new EventBridgeClient({ region: settings.region() })): EventBusClient {
  return {
    async putEvents(entries: BusEntry[]): Promise<PutEventsOutcome> {
      const out = await client.send(new PutEventsCommand({ Entries: entries }));
      return { FailedEntryCount: out.FailedEntryCount ?? 0, Entries: out.Entries ?? [] };
    },
  };
}
