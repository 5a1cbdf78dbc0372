import { describe, expect, it } from "vitest";
import {
  ensurePrepared,
  IamportApiError,
  IamportOutcomeUnknownError,
  type Prepared,
  PreparedAmountConflictError,
} from "../../../lib/iamport/index.js";

const DUPLICATE = new IamportApiError({
  httpStatus: 200,
  code: 1,
  iamportMessage: "결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다).",
  route: "POST /payments/prepare",
});

function fakeClient(registered: Prepared | null, postFailure?: Error) {
  let posts = 0;
  return {
    posts: () => posts,
    client: {
      preparePayment: async (input: { merchantUid: string; amount: number; currency?: string }) => {
        posts += 1;
        if (postFailure && posts === 1) throw postFailure;
        return { merchant_uid: input.merchantUid, amount: input.amount, currency: input.currency };
      },
      getPreparedPayment: async () => registered,
    },
  };
}

describe("ensurePrepared", () => {
  it("accepts an existing registration with the same amount", async () => {
    const f = fakeClient({ merchant_uid: "m1", amount: 1000, currency: "KRW" }, DUPLICATE);

    const result = await ensurePrepared(f.client, { merchantUid: "m1", amount: 1000, currency: "KRW" });

    expect(result.amount).toBe(1000);
  });

  it("refuses an existing registration with another amount", async () => {
    const f = fakeClient({ merchant_uid: "m1", amount: 900, currency: "KRW" }, DUPLICATE);

    const error = await ensurePrepared(f.client, { merchantUid: "m1", amount: 1000, currency: "KRW" }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(PreparedAmountConflictError);
    expect((error as PreparedAmountConflictError).existing.amount).toBe(900);
  });

  it("rethrows a refusal when nothing is registered", async () => {
    const f = fakeClient(null, DUPLICATE);

    await expect(ensurePrepared(f.client, { merchantUid: "m1", amount: 1000 })).rejects.toBe(DUPLICATE);
  });

  it("sends the POST again when its outcome was unknown and nothing was registered", async () => {
    const f = fakeClient(null, new IamportOutcomeUnknownError("timeout", "POST /payments/prepare"));

    const result = await ensurePrepared(f.client, { merchantUid: "m1", amount: 1000 });

    expect(result.amount).toBe(1000);
    expect(f.posts()).toBe(2);
  });
});
