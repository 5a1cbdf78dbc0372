/**
 * The table's stream records as the publisher reads them: the outbox item's
 * `event` attribute out of the record's new image. Marshalling stays in
 * lib/store; the record's shape is the part of Lambda's DynamoDB stream event
 * this reads.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { OutboxRecord } from "../events/publish-events.js";

/** The fields of a DynamoDB stream record this reads (Lambda's `DynamoDBRecord`). */
export interface StreamRecord {
  eventName?: string;
  dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, unknown> };
}

/** Each record as an outbox record: its sequence number and its item's `event` (undefined if it has none). */
export function outboxRecords(records: readonly StreamRecord[]): OutboxRecord[] {
  return records.map((record, i) => {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    const item = image ? unmarshall(image) : {};
    return { id: record.dynamodb?.SequenceNumber ?? `unnumbered-${i}`, event: item.event };
  });
}
