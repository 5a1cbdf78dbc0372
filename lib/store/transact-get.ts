/**
 * Items of one partition or more read in one round trip and one snapshot
 * (TransactGetItems, allowed by `dynamodb:GetItem` alone, so no role grows).
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactGetCommand } from "@aws-sdk/lib-dynamodb";

/** Tries after the first when the read collides with a transaction in progress on one of the items. */
const CONFLICT_RETRIES = 4;

/**
 * The items at `keys`, in their order (`undefined` where there is none), read together: an item
 * written in one transaction with another is never seen beside the other's version from before. A
 * read that collides with a write in progress is cancelled (TransactionConflict) and tried again, a
 * few times (`retries`), 20 ms doubling in between; past them the cancellation is thrown.
 */
export async function transactGet(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: Array<Record<string, string>>,
  options: { retries?: number } = {},
): Promise<Array<Record<string, unknown> | undefined>> {
  const retries = options.retries ?? CONFLICT_RETRIES;
  for (let round = 0; ; round++) {
    try {
      const { Responses } = await db.send(
        new TransactGetCommand({
          TransactItems: keys.map((Key) => ({ Get: { TableName: tableName, Key } })),
        }),
      );
      return keys.map((_, i) => Responses?.[i]?.Item);
    } catch (error) {
      if (round >= retries || !(error instanceof TransactionCanceledException)) throw error;
      await new Promise((ok) => setTimeout(ok, 20 * 2 ** round));
    }
  }
}
