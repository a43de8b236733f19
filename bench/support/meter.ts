/**
 * Counts what the process asks of DynamoDB: a middleware on the shared DocumentClient records every
 * command (its name, its input when capturing) and asks DynamoDB for the consumed capacity, so a
 * benchmark can say how many round trips and capacity units one API request cost, measured, not assumed.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Usage {
  /** Commands sent, by name (`TransactWriteItemsCommand`: 3). */
  commands: Record<string, number>;
  roundTrips: number;
  rcu: number;
  wcu: number;
}

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

export class DynamoDbMeter {
  private usage: Usage = empty();
  /** While set, the inputs of the commands it accepts go to its sink, in order (write-path replays copies of them). */
  private capturing: { accept: (name: string, input: Record<string, unknown>) => boolean; sink: unknown[] } | undefined;

  constructor(client: DynamoDBDocumentClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        const input = args.input as Record<string, unknown>;
        // At the initialize step the DocumentClient has not marshalled the input yet: a replay sends a copy
        // of it. The input itself is kept (copying it here would bill the copy to the measured request).
        if (this.capturing?.accept(name, input)) this.capturing.sink.push(input);
        input.ReturnConsumedCapacity = 'TOTAL';
        this.usage.roundTrips += 1;
        this.usage.commands[name] = (this.usage.commands[name] ?? 0) + 1;
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (READS.has(name)) this.usage.rcu += units;
        else this.usage.wcu += units;
        return result;
      },
      { step: 'initialize', name: 'benchDynamoDbMeter', override: true },
    );
  }

  reset(): void {
    this.usage = empty();
  }

  read(): Usage {
    return { ...this.usage, commands: { ...this.usage.commands } };
  }

  /** From now on, puts the input of every command `accept` takes into `sink` (the object itself: copy it before changing it). */
  startCapture(accept: (name: string, input: Record<string, unknown>) => boolean, sink: unknown[]): void {
    this.capturing = { accept, sink };
  }

  stopCapture(): void {
    this.capturing = undefined;
  }
}

function empty(): Usage {
  return { commands: {}, roundTrips: 0, rcu: 0, wcu: 0 };
}
