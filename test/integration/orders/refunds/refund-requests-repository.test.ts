/**
 * The refund request's last write: the succeeded request and the claim of its cancellation in one
 * transaction (a refund's fourth and last DynamoDB round trip), against DynamoDB Local. Each way it can
 * be refused says why without a second read: the request moved on (its current state comes back), or
 * the cancellation is another request's (its owner comes back), and then nothing of it was written.
 */
import { expect, test } from "vitest";
import { parseConfig } from "../../../../lib/config.js";
import type { RefundRequestRecord } from "../../../../lib/orders/refund.js";
import { createDocumentClient } from "../../../../lib/store/dynamo-client.js";
import { createRefundRequestsRepository } from "../../../../lib/store/refund-requests-repository.js";
import { uid, useStack } from "../../../support/stack.js";

const ctx = useStack();

function repository() {
  const config = parseConfig(ctx().stack.env);
  return createRefundRequestsRepository({
    db: createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT ?? "" }),
    tableName: config.TABLE_NAME,
  });
}

function request(merchantUid: string, idempotencyKey: string): RefundRequestRecord {
  const now = new Date().toISOString();
  return {
    merchantUid,
    idempotencyKey,
    requestHash: "h",
    state: "in_progress",
    attempt: 1,
    leaseUntil: now,
    plan: { impUid: "imp_1", amount: 1_000, checksum: 5_000, reason: "test", taxFree: 0, sendTaxFree: false },
    createdAt: now,
    updatedAt: now,
  } as RefundRequestRecord;
}

const succeeded = (record: RefundRequestRecord, cancellationId: string | null): RefundRequestRecord => ({
  ...record,
  state: "succeeded",
  result: {
    cancellationId,
    amount: 1_000,
    taxFree: 0,
    reason: "test",
    cancelledAt: null,
    order: { status: "partially_refunded", amount: 5_000, refundedAmount: 1_000, refundableAmount: 4_000 },
  },
});

test("stores the result and claims its cancellation in one write", async () => {
  const refunds = repository();
  const merchantUid = uid("rr");
  const record = request(merchantUid, "key-a");
  expect(await refunds.claim(record)).toEqual({ claimed: true });

  expect(await refunds.succeed(record, succeeded(record, "cancel-1"), "cancel-1")).toEqual({ saved: true });
  expect((await refunds.get(merchantUid, "key-a"))?.state).toBe("succeeded");
  // The cancellation is this request's: another request cannot claim it, this one still can.
  expect(await refunds.claimCancellation(merchantUid, "cancel-1", "key-b")).toBe("key-a");
  expect(await refunds.claimCancellation(merchantUid, "cancel-1", "key-a")).toBe("key-a");
});

test("a cancellation another request owns: its owner comes back and the request is not changed", async () => {
  const refunds = repository();
  const merchantUid = uid("rr");
  const record = request(merchantUid, "key-a");
  await refunds.claim(record);
  expect(await refunds.claimCancellation(merchantUid, "cancel-1", "key-other")).toBe("key-other");

  expect(await refunds.succeed(record, succeeded(record, "cancel-1"), "cancel-1")).toEqual({
    saved: false,
    cancellationOwner: "key-other",
  });
  expect((await refunds.get(merchantUid, "key-a"))?.state).toBe("in_progress");
});

test("a request taken over by a later attempt: the current request comes back and the claim is not made", async () => {
  const refunds = repository();
  const merchantUid = uid("rr");
  const record = request(merchantUid, "key-a");
  await refunds.claim(record);
  const takenOver = { ...record, attempt: 2 };
  expect(await refunds.update(record, takenOver)).toEqual({ saved: true });

  const answer = await refunds.succeed(record, succeeded(record, "cancel-1"), "cancel-1");
  expect(answer).toEqual({ saved: false, current: takenOver });
  // Not claimed: the attempt that owns the request now claims it when it finds it.
  expect(await refunds.claimCancellation(merchantUid, "cancel-1", "key-other")).toBe("key-other");
});

test("without a cancellation id it is the plain update", async () => {
  const refunds = repository();
  const merchantUid = uid("rr");
  const record = request(merchantUid, "key-a");
  await refunds.claim(record);
  expect(await refunds.succeed(record, succeeded(record, null), null)).toEqual({ saved: true });
  expect((await refunds.get(merchantUid, "key-a"))?.result?.cancellationId).toBeNull();
});
