/**
 * Reading DynamoDB's "a condition did not hold" errors: for a single write,
 * and per item for a transaction (so a repository can tell which of its
 * guarded items lost the race, and what it found there).
 */
import { type ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";

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

/**
 * The item as it was when item `index` of a transaction failed its condition, written with
 * `ReturnValuesOnConditionCheckFailure: "ALL_OLD"`: the conflict read in the same round trip,
 * instead of a second read after it. Undefined when that item did not fail or did not exist.
 */
function failedItemOld(error: unknown, index: number): Record<string, unknown> | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[index];
  if (reason?.Code !== "ConditionalCheckFailed" || !reason.Item) return undefined;
  return unmarshall(reason.Item);
}

/**
 * The item as it was when a single write (Put, Update, Delete) failed its condition, written with
 * `ReturnValuesOnConditionCheckFailure: "ALL_OLD"`: the single-write counterpart of
 * {@link failedItemOld}. Undefined for other errors, or when no item existed.
 */
function conditionFailureOld(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof Error) || error.name !== "ConditionalCheckFailedException") return undefined;
  const item = (error as ConditionalCheckFailedException).Item;
  return item ? unmarshall(item) : undefined;
}

/**
 * What a conditional write lost to, read in the same round trip (`ALL_OLD` on the guarded item): the
 * single write's item, or item `index` of a transaction. Undefined when nothing was there, or when
 * another item of the transaction was the one refused.
 */
export function lostTo(error: unknown, index = 0): Record<string, unknown> | undefined {
  return error instanceof TransactionCanceledException
    ? failedItemOld(error, index)
    : conditionFailureOld(error);
}
