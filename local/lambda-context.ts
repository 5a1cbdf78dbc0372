/** The Lambda `context` the local stack passes to every handler it invokes. */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/**
 * @param budgetMs what `getRemainingTimeInMillis()` reports: the function's
 *   timeout in serverless.yml (15 s for the API functions, longer for jobs)
 */
export function lambdaContext(functionName: string, budgetMs = 15_000): Context {
  const deadline = Date.now() + budgetMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
