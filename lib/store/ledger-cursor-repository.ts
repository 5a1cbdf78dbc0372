/**
 * The ledger sweep's cursor (lib/ledger/sweep-ledger.ts): one item, written
 * conditionally on its version so two sweeps at once never both move it; the
 * loser stops and the winner carries on.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { LedgerCursor, LedgerCursorRepository } from "../ledger/ports.js";
import { isConditionFailure } from "./condition-failure.js";
import { ledgerCursorKey } from "./keys.js";

export function createLedgerCursorRepository(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): LedgerCursorRepository {
  const { db, tableName: TableName } = deps;
  return {
    async get() {
      const { Item } = await db.send(
        new GetCommand({ TableName, Key: ledgerCursorKey, ConsistentRead: true }),
      );
      if (!Item) return null;
      const { PK: _pk, SK: _sk, type: _type, ...cursor } = Item;
      return cursor as LedgerCursor;
    },
    async save(current, next) {
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: { ...ledgerCursorKey, type: "ledger_cursor", ...next },
            // One sweep moves the cursor at a time: a concurrent run that read the same version loses here.
            ...(current
              ? { ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": current.version } }
              : { ConditionExpression: "attribute_not_exists(PK)" }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
