import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PaymentView, type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams } from "./helpers.js";

interface Paged {
  total: number;
  previous: number;
  next: number;
  list: PaymentView[];
}

describe("sandbox payment lookups", () => {
  let sandbox: Sandbox;
  let api: Api;
  beforeAll(async () => {
    sandbox = await startSandbox();
    api = new Api(sandbox);
  });
  beforeEach(async () => {
    sandbox.control.reset();
    await api.login();
  });
  afterAll(() => sandbox.close());

  it.each(["%C3%28", "%", "%FF%FE", "%E0%A4%A"])(
    "a path parameter with bad percent-encoding (%s) is a 404 envelope, not a sandbox error",
    async (segment) => {
      const res = await api.get(`/payments/${segment}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: -1, response: null });
    },
  );

  it("GET /payments/{imp_uid} returns the full payment object", async () => {
    const paid = sandbox.control.pay({
      ...cardParams("o-get"),
      custom_data: { plan: "pro" },
      outcome: "approve",
    });
    const { status, body } = await api.get<PaymentView>(`/payments/${paid.imp_uid}`);
    expect(status).toBe(200);
    expect(body.response).toMatchObject({
      imp_uid: paid.imp_uid,
      merchant_uid: "o-get",
      amount: 10_000,
      cancel_amount: 0,
      currency: "KRW",
      status: "paid",
      sandbox: false,
      pg_provider: "kicc",
      pg_id: "T5102001",
      pay_method: "card",
      channel: "pc",
      custom_data: '{"plan":"pro"}',
      failed_at: 0,
      cancelled_at: 0,
      card_code: "366",
      card_number: "536510******1234",
    });
    expect(body.response.paid_at).toBeGreaterThan(0);
    expect(body.response.receipt_url).toContain(sandbox.url);
  });

  it("404s an unknown imp_uid and hides test-channel payments unless include_sandbox=true", async () => {
    const missing = await api.get("/payments/imp_000000000000");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: -1, message: "존재하지 않는 결제정보입니다.", response: null });

    const test = sandbox.control.pay({ ...cardParams("o-test"), testChannel: true, outcome: "approve" });
    expect((await api.get(`/payments/${test.imp_uid}`)).status).toBe(404);
    const shown = await api.get<PaymentView>(`/payments/${test.imp_uid}?include_sandbox=true`);
    expect(shown.status).toBe(200);
    expect(shown.body.response.sandbox).toBe(true);
  });

  it("find returns the newest by default, filters by status, honours sorting", async () => {
    const failed = sandbox.control.pay({ ...cardParams("o-find"), outcome: { decline: "limit_exceeded" } });
    const paid = sandbox.control.pay({ ...cardParams("o-find"), outcome: "approve" });
    const newest = await api.get<PaymentView>("/payments/find/o-find");
    expect(newest.body.response.imp_uid).toBe(paid.imp_uid);
    const oldest = await api.get<PaymentView>("/payments/find/o-find?sorting=started");
    expect(oldest.body.response.imp_uid).toBe(failed.imp_uid);
    const onlyFailed = await api.get<PaymentView>("/payments/find/o-find/failed");
    expect(onlyFailed.body.response.imp_uid).toBe(failed.imp_uid);
    expect((await api.get("/payments/find/o-find/cancelled")).status).toBe(404);
    expect((await api.get("/payments/find/o-none")).status).toBe(404);
    expect((await api.get("/payments/find/o-find/bogus")).status).toBe(400);
  });

  it("findAll pages through every attempt of a merchant_uid", async () => {
    for (let i = 0; i < 3; i++) sandbox.control.pay({ ...cardParams("o-all"), outcome: "close" });
    sandbox.control.pay({ ...cardParams("o-all"), outcome: "approve" });
    const page1 = await api.get<Paged>("/payments/findAll/o-all?limit=3");
    expect(page1.body.response).toMatchObject({ total: 4, previous: 0, next: 2 });
    expect(page1.body.response.list).toHaveLength(3);
    const page2 = await api.get<Paged>("/payments/findAll/o-all?limit=3&page=2");
    expect(page2.body.response).toMatchObject({ total: 4, previous: 1, next: 0 });
    const paidOnly = await api.get<Paged>("/payments/findAll/o-all/paid");
    expect(paidOnly.body.response.total).toBe(1);
    expect((await api.get("/payments/findAll/o-nothing")).status).toBe(404);
  });

  it("GET /payments?imp_uid[]= answers 200 when all are found, 207 when some are not, 404 for none", async () => {
    const a = sandbox.control.pay({ ...cardParams("o-m1"), outcome: "approve" });
    const b = sandbox.control.pay({ ...cardParams("o-m2"), outcome: "approve" });
    const all = await api.get<PaymentView[]>(`/payments?imp_uid[]=${a.imp_uid}&imp_uid[]=${b.imp_uid}`);
    expect(all.status).toBe(200);
    expect(all.body.response.map((p) => p.imp_uid)).toEqual([a.imp_uid, b.imp_uid]);
    const some = await api.get<PaymentView[]>(`/payments?imp_uid[]=${a.imp_uid}&merchant_uid[]=o-missing`);
    expect(some.status).toBe(207);
    expect(some.body.response).toHaveLength(1);
    const byMerchant = await api.get<PaymentView[]>("/payments?merchant_uid[]=o-m2");
    expect(byMerchant.body.response[0]?.imp_uid).toBe(b.imp_uid);
    expect((await api.get("/payments?imp_uid[]=imp_nope")).status).toBe(404);
  });

  it("GET /payments/status/{status} filters by the status time window and pages", async () => {
    const now = sandbox.control.now();
    sandbox.control.pay({ ...cardParams("o-s1"), outcome: "approve" });
    sandbox.control.pay({ ...cardParams("o-s2"), outcome: { decline: "lost_card" } });
    const paid = await api.get<Paged>("/payments/status/paid");
    expect(paid.body.response.list.map((p) => p.merchant_uid)).toEqual(["o-s1"]);
    const all = await api.get<Paged>("/payments/status/all?limit=1");
    expect(all.body.response).toMatchObject({ total: 2, next: 2 });
    const before = await api.get<Paged>(`/payments/status/paid?from=${now - 1000}&to=${now - 10}`);
    expect(before.body.response.total).toBe(0);
    // The default window is 90 days back from `to`.
    sandbox.control.advanceClock(91 * 24 * 3600);
    await api.login(); // the old token expired with the jump
    expect((await api.get<Paged>("/payments/status/all")).body.response.total).toBe(0);

    const bad = await api.get("/payments/status/unknown");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("지원되지 않는 상태값입니다.");
    expect((await api.get("/payments/status/all?limit=1001")).status).toBe(400);
  });
});
