/**
 * The CLI's two kinds of failure, by exit code: the person's input (2) and
 * everything around it (1: the stack is not reachable, iamport is down).
 */

/** Bad input: an unknown command or flag, a missing or invalid argument, an id that does not exist. Exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The table, DynamoDB or iamport cannot be reached or used now. Exit 1. */
export class UnreachableError extends Error {
  override readonly name = "UnreachableError";
}
