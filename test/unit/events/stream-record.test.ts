import '../support/env';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { outboxEvent } from '../../../functions/events/relay';
import { toLambdaRecord } from '../../../lib/local/stream-relay';

/** A record as the SDK reads it from DynamoDB Local's stream (empty maps come back as `{}`). */
const sdkRecord = (): _Record =>
  ({
    eventID: 'e-1',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-01-01T00:00:10.000Z'),
      Keys: { pk: { S: 'T#t' }, sk: { S: 'EVT#evt-1' } },
      NewImage: {
        pk: { S: 'T#t' },
        sk: { S: 'EVT#evt-1' },
        source: { S: 'platform.widgets' },
        detailType: { S: 'widget.updated' },
        blob: { B: new Uint8Array([1, 2, 3]) },
        detail: {
          M: {
            eventId: { S: 'evt-1' },
            resourceId: { S: 'wgt-1' },
            occurredAt: { S: '2026-01-01T00:00:00.000Z' },
            data: { M: { tags: {}, list: { L: [{}] }, n: { N: '3' }, none: { NULL: true } } },
          },
        },
      },
      SequenceNumber: '000000000000000000042',
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
  }) as unknown as _Record;

describe('stream records as Lambda receives them', () => {
  it('carries the stream ARN, creation time in seconds and base64 binary', () => {
    // Act
    const record = toLambdaRecord(sdkRecord(), 'arn:stream');
    // Assess
    expect(record.eventSourceARN).toBe('arn:stream');
    expect(record.dynamodb?.ApproximateCreationDateTime).toBe(Date.parse('2026-01-01T00:00:10.000Z') / 1000);
    expect(record.dynamodb?.SequenceNumber).toBe('000000000000000000042');
    expect(record.dynamodb?.NewImage?.blob).toEqual({ B: 'AQID' });
  });

  it('restores the empty maps DynamoDB Local hands over as {}, so the relay can read the event', () => {
    // Act
    const event = outboxEvent(toLambdaRecord(sdkRecord(), 'arn:stream'));
    // Assess
    expect(event?.detail.data).toEqual({ tags: {}, list: [{}], n: 3, none: null });
  });
});
