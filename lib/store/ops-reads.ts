/**
 * Read-only, bounded views of the table for the ops CLI (ops/): one
 * aggregate's whole partition (notes included, which the API views never
 * read), the sparse GSI1 shards whole (not only what is due), and the
 * bounded Scans the CLI needs (forged orders; outbox items by time). Nothing
 * here writes; the key layout stays in lib/store.
 */
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  type ScanCommandInput,
} from "@aws-sdk/lib-dynamodb";
import {
  DUE_SHARDS,
  dueIndexPk,
  OPEN_SHARDS,
  OWED_SHARDS,
  openIndexPk,
  orderKey,
  owedIndexPk,
  subscriptionKey,
  unknownIndexPk,
} from "./keys.js";

/** One stored item: its sort key, its `type` and the record without key or index attributes. */
export interface StoredItem {
  sk: string;
  type: string;
  record: Record<string, unknown>;
}

/** Items read, and whether the bound stopped the read before the end. */
export interface BoundedRead {
  items: StoredItem[];
  truncated: boolean;
}

/** The sparse GSI1 partitions: open orders, due subscriptions, open charge attempts, refunds owed. */
export type IndexName = "open" | "due" | "unknown" | "owed";

export interface OpsReads {
  /** Every item of an order's (`ORDER#`) or subscription's (`SUB#`) partition, in key order, at most `maxItems`. */
  partition(
    aggregate: { kind: "order" | "subscription"; id: string },
    maxItems: number,
  ): Promise<BoundedRead>;
  /** Every entry of one sparse index across its shards, oldest `GSI1SK` first per shard, at most `maxPerShard` each. */
  index(name: IndexName, maxPerShard: number): Promise<BoundedRead>;
  /**
   * Forged orders by a bounded Scan: once a forgery's refund is done the order leaves every index, and
   * no index lists orders by status. Reads at most `maxRead` items; `truncated` says the table has more.
   */
  scanForgedOrders(maxRead: number): Promise<BoundedRead>;
  /**
   * Outbox items (`type = outbox`) whose event's `time` is within `from`..`to` (inclusive; ISO instants as
   * `Date#toISOString` writes them, as the events' own times are), by a bounded Scan of the whole table:
   * what a batch in the events DLQ held. Reads at most `maxRead` items; `truncated` says the table has more.
   */
  scanOutbox(window: { from: string; to: string }, maxRead: number): Promise<BoundedRead>;
}

const PAGE = 100;
const INTERNAL = new Set(["PK", "SK", "GSI1PK", "GSI1SK", "type", "expiresAt"]);

function toStored(item: Record<string, unknown>): StoredItem {
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) if (!INTERNAL.has(key)) record[key] = value;
  return { sk: String(item.SK ?? ""), type: String(item.type ?? ""), record };
}

const SHARDS: Record<IndexName, string[]> = {
  open: Array.from({ length: OPEN_SHARDS }, (_, shard) => openIndexPk(shard)),
  due: Array.from({ length: DUE_SHARDS }, (_, shard) => dueIndexPk(shard)),
  unknown: Array.from({ length: DUE_SHARDS }, (_, shard) => unknownIndexPk(shard)),
  owed: Array.from({ length: OWED_SHARDS }, (_, shard) => owedIndexPk(shard)),
};

/** The reads over one document client and table. */
export function createOpsReads(deps: { db: DynamoDBDocumentClient; tableName: string }): OpsReads {
  const { db, tableName: TableName } = deps;

  /** Pages one query until `max` items or the end; every loop is bounded by `max`. */
  const queryBounded = async (input: Record<string, unknown>, max: number): Promise<BoundedRead> => {
    const items: StoredItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName,
          ...input,
          Limit: Math.min(PAGE, max - items.length),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]).map(toStored));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < max);
    return { items, truncated: Boolean(startKey) };
  };

  /** A Scan with this filter until `maxRead` items were read (before the filter) or the end. */
  const scanBounded = async (
    filter: Pick<
      ScanCommandInput,
      "FilterExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    >,
    maxRead: number,
  ): Promise<BoundedRead> => {
    const items: StoredItem[] = [];
    let read = 0;
    let pages = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({
          TableName,
          // Limit bounds the items read (and paid for), before the filter.
          Limit: Math.min(1000, maxRead - read),
          ...filter,
          ExclusiveStartKey: startKey,
        }),
      );
      pages++;
      read += page.ScannedCount ?? 0;
      items.push(...((page.Items ?? []) as Record<string, unknown>[]).map(toStored));
      startKey = page.LastEvaluatedKey;
      // `pages` bounds the loop even if a page reported nothing scanned.
    } while (startKey && read < maxRead && pages < maxRead);
    return { items, truncated: Boolean(startKey) };
  };

  return {
    partition(aggregate, maxItems) {
      const pk = aggregate.kind === "order" ? orderKey(aggregate.id).PK : subscriptionKey(aggregate.id).PK;
      return queryBounded(
        {
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ConsistentRead: true,
        },
        maxItems,
      );
    },

    async index(name, maxPerShard) {
      const reads = await Promise.all(
        SHARDS[name].map((pk) =>
          queryBounded(
            {
              IndexName: "GSI1",
              KeyConditionExpression: "GSI1PK = :pk",
              ExpressionAttributeValues: { ":pk": pk },
            },
            maxPerShard,
          ),
        ),
      );
      return { items: reads.flatMap((r) => r.items), truncated: reads.some((r) => r.truncated) };
    },

    scanForgedOrders(maxRead) {
      return scanBounded(
        {
          FilterExpression: "#type = :order AND #status = :forged",
          ExpressionAttributeNames: { "#type": "type", "#status": "status" },
          ExpressionAttributeValues: { ":order": "order", ":forged": "forged" },
        },
        maxRead,
      );
    },

    scanOutbox(window, maxRead) {
      return scanBounded(
        {
          FilterExpression: "#type = :outbox AND #event.#time BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#type": "type", "#event": "event", "#time": "time" },
          ExpressionAttributeValues: { ":outbox": "outbox", ":from": window.from, ":to": window.to },
        },
        maxRead,
      );
    },
  };
}
