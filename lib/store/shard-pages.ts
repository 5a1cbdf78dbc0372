/**
 * Reads a sharded sparse GSI1 page by page: one query page per shard in
 * turn, so a backlog in one shard cannot starve the others within a bounded
 * run, and nothing ever scans the table.
 */
import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";

/** Pages of the items due by `until` in each of `pks`, one query page per shard in turn. */
export async function* pagesAcrossShards<T>(
  db: DynamoDBDocumentClient,
  options: {
    TableName: string;
    pks: string[];
    /** Items with GSI1SK at or before this (ISO time) are due. */
    until: string;
    pageSize: number;
    map: (item: Record<string, unknown>) => T;
  },
): AsyncGenerator<T[]> {
  const cursors = new Map<string, Record<string, unknown> | undefined>(
    options.pks.map((pk) => [pk, undefined]),
  );
  while (cursors.size > 0) {
    for (const [pk, startKey] of [...cursors]) {
      const page = await db.send(
        new QueryCommand({
          TableName: options.TableName,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk AND GSI1SK <= :until",
          ExpressionAttributeValues: { ":pk": pk, ":until": options.until },
          Limit: options.pageSize,
          ExclusiveStartKey: startKey,
        }),
      );
      if (page.LastEvaluatedKey) cursors.set(pk, page.LastEvaluatedKey);
      else cursors.delete(pk);
      const items = (page.Items ?? []) as Record<string, unknown>[];
      if (items.length > 0) yield items.map(options.map);
    }
  }
}
