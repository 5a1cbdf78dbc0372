/**
 * A stack for tests that pin round trips: DynamoDB through the recording proxy
 * (chaos/dynamo-recorder.ts), webhooks off (no notice_url, the sandbox's own
 * URL goes nowhere) so nothing arrives behind a test's back, and `measure`,
 * which counts what one piece of work sent to DynamoDB and to iamport.
 * `ROUND_TRIPS_DEBUG=1` prints each call with the item kinds it touched.
 */
import { afterAll, inject } from "vitest";
import { startDynamoRecorder } from "../../chaos/dynamo-recorder.js";
import { type TestStack, useStack } from "./stack.js";

const recorder = await startDynamoRecorder(inject("dynamoEndpoint"));
afterAll(() => recorder.close());

export function useRoundTripStack(): () => TestStack {
  return useStack({
    env: { DYNAMODB_ENDPOINT: recorder.endpoint, LOG_LEVEL: "error", SEND_NOTICE_URL: "false" },
    sandbox: { webhookUrl: "http://127.0.0.1:9/nowhere" },
  });
}

/** DynamoDB operations in order of arrival, and iamport requests, made while `work` ran. */
export async function measure<T>(
  t: TestStack,
  work: () => Promise<T>,
): Promise<{ value: T; dynamo: string[]; iamport: number }> {
  const control = t.stack.sandbox?.control;
  if (!control) throw new Error("needs the sandbox");
  recorder.reset();
  const before = control.restRequests();
  const value = await work();
  if (process.env.ROUND_TRIPS_DEBUG) process.stderr.write(`${JSON.stringify(recorder.detailed())}\n`);
  return { value, dynamo: recorder.calls(), iamport: control.restRequests() - before };
}
