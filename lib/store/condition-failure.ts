/**
 * Reading DynamoDB's "a condition did not hold" errors: for a single write,
 * and per item for a transaction (so a repository can tell which of its
 * guarded items lost the race).
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";

/** True when the write (or any item of the transaction) failed its ConditionExpression. */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) return failedItems(error).length > 0;
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** Indexes of the transaction's items whose condition failed (empty for other errors). */
export function failedItems(error: unknown): number[] {
  if (!(error instanceof TransactionCanceledException)) return [];
  return (error.CancellationReasons ?? []).flatMap((reason, index) =>
    reason.Code === "ConditionalCheckFailed" ? [index] : [],
  );
}
