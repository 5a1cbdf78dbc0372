import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PaymentView, type Sandbox, type ScheduleView, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams, startReceiver } from "./helpers.js";

const NOW = 1_800_000_000;
const HOUR = 3600;

describe("sandbox PortOne scheduler: execution, webhooks, unschedule", () => {
  let sandbox: Sandbox;
  let api: Api;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    hook = await startReceiver();
    // No real-time timer: only clock moves execute schedules, so the tests are deterministic.
    sandbox = await startSandbox({ webhookUrl: hook.url, now: NOW, scheduleIntervalMs: 0 });
    api = new Api(sandbox);
  });
  beforeEach(async () => {
    await sandbox.control.flushWebhooks();
    sandbox.control.reset();
    sandbox.control.setClock(NOW);
    hook.received.length = 0;
    await api.login();
    sandbox.control.pay({
      ...cardParams("o-issue", 0),
      pg: "kicc.T5102002",
      customer_uid: "cust-1",
      card: { code: "365", number: "4000-1111-2222-3333" },
      outcome: "approve",
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await hook.close();
  });

  const schedule = (schedules: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) =>
    api.post<ScheduleView[]>("/subscribe/payments/schedule", { customer_uid: "cust-1", schedules, ...extra });
  const unschedule = (body: Record<string, unknown>) =>
    api.post<ScheduleView[]>("/subscribe/payments/unschedule", body);
  const one = (merchantUid: string, at = NOW + HOUR, extra: Record<string, unknown> = {}) => ({
    merchant_uid: merchantUid,
    schedule_at: at,
    amount: 9900,
    name: "월 구독",
    ...extra,
  });

  it("schedules, waits for schedule_at, then charges like again: paid + webhook paid", async () => {
    const res = await schedule([one("sch-1", NOW + HOUR, { custom_data: { cycle: 2 } })]);
    expect(res.body.code).toBe(0);
    expect(res.body.response).toEqual([
      expect.objectContaining({
        customer_uid: "cust-1",
        merchant_uid: "sch-1",
        imp_uid: null,
        schedule_at: NOW + HOUR,
        executed_at: 0,
        revoked_at: 0,
        amount: 9900,
        currency: "KRW",
        name: "월 구독",
        buyer_name: "홍길동", // from the key's customer_name
        buyer_tel: "010-1234-5678",
        custom_data: '{"cycle":2}',
        schedule_status: "scheduled",
        payment_status: null,
        fail_reason: null,
        pg_provider: "kicc",
        pg_id: "T5102002",
      }),
    ]);

    expect(sandbox.control.advanceClock(HOUR - 1)).toBe(NOW + HOUR - 1);
    expect(sandbox.control.schedules()[0]?.schedule_status).toBe("scheduled");
    sandbox.control.advanceClock(1);
    const [executed] = sandbox.control.schedules();
    expect(executed).toMatchObject({
      schedule_status: "executed",
      executed_at: NOW + HOUR,
      payment_status: "paid",
      fail_reason: null,
    });
    await api.login(); // an hour later the token has expired
    const payment = await api.get<PaymentView>(`/payments/${executed?.imp_uid}`);
    expect(payment.body.response).toMatchObject({
      merchant_uid: "sch-1",
      status: "paid",
      amount: 9900,
      channel: "api",
      customer_uid: "cust-1",
      customer_uid_usage: "payment.scheduled",
      card_code: "365",
      custom_data: '{"cycle":2}',
      paid_at: NOW + HOUR,
    });
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body)).toEqual([
      { imp_uid: executed?.imp_uid, merchant_uid: "sch-1", status: "paid" },
    ]);
    // Exactly once: later clock moves do not charge it again.
    sandbox.control.advanceClock(HOUR);
    expect(sandbox.control.payments().filter((p) => p.merchant_uid === "sch-1")).toHaveLength(1);
  });

  it("a decline executes as failed and, unlike again, sends a failed webhook to notice_url", async () => {
    sandbox.control.addDecline({ customer_uid: "cust-1", reason: "insufficient_balance" });
    const notice = `${hook.url}?from=schedule`;
    await schedule([one("sch-fail", NOW + 60, { notice_url: notice })]);
    sandbox.control.setClock(NOW + 120);
    const [executed] = sandbox.control.schedules();
    expect(executed).toMatchObject({
      schedule_status: "executed",
      payment_status: "failed",
      fail_reason: "[8326] 잔액부족",
    });
    expect(sandbox.control.payment(executed?.imp_uid as string)).toMatchObject({
      status: "failed",
      fail_reason: "[8326] 잔액부족",
      customer_uid_usage: "payment.scheduled",
    });
    await sandbox.control.flushWebhooks();
    const deliveries = sandbox.control.webhooks();
    expect(deliveries.map((d) => [d.url, d.body])).toEqual([
      [notice, { imp_uid: executed?.imp_uid, merchant_uid: "sch-fail", status: "failed" }],
    ]);
  });

  it("runs due schedules oldest first; webhook faults apply to them", async () => {
    await schedule([one("sch-b", NOW + 200), one("sch-a", NOW + 100), one("sch-later", NOW + 9 * HOUR)]);
    sandbox.control.setWebhookFault({ kind: "duplicate", times: 1 });
    sandbox.control.advanceClock(300);
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.merchant_uid)).toEqual(["sch-a", "sch-a", "sch-b"]);
    expect(sandbox.control.schedules().map((s) => s.schedule_status)).toEqual([
      "executed",
      "executed",
      "scheduled",
    ]);
    expect(sandbox.control.runDueSchedules()).toEqual([]);
  });

  it("a key deleted before schedule_at gives a failed payment and a failed webhook", async () => {
    await schedule([one("sch-gone", NOW + 60)]);
    await api.call("DELETE", "/subscribe/customers/cust-1");
    sandbox.control.advanceClock(60);
    const [executed] = sandbox.control.schedules();
    expect(executed).toMatchObject({ payment_status: "failed", fail_reason: "등록되지 않은 구매자입니다." });
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.status)).toEqual(["failed"]);
  });

  it("payment_status follows a full refund of the executed payment", async () => {
    await schedule([one("sch-refund", NOW + 60)]);
    sandbox.control.advanceClock(60);
    const impUid = sandbox.control.schedules()[0]?.imp_uid as string;
    await api.post("/payments/cancel", { imp_uid: impUid, reason: "해지" });
    const got = await api.get<ScheduleView>("/subscribe/payments/schedule/sch-refund");
    expect(got.body.response).toMatchObject({ schedule_status: "executed", payment_status: "cancelled" });
  });

  it("unschedules one, then all of a customer's pending ones, then refuses when nothing is left", async () => {
    await schedule([one("sch-1", NOW + HOUR), one("sch-2", NOW + 2 * HOUR), one("sch-3", NOW + 3 * HOUR)]);
    sandbox.control.advanceClock(60);
    const first = await unschedule({ customer_uid: "cust-1", merchant_uid: ["sch-2"] });
    expect(first.body.response).toEqual([
      expect.objectContaining({ merchant_uid: "sch-2", schedule_status: "revoked", revoked_at: NOW + 60 }),
    ]);
    const rest = await unschedule({ customer_uid: "cust-1" });
    expect(rest.body.response.map((s) => s.merchant_uid)).toEqual(["sch-1", "sch-3"]);
    expect(await unschedule({ customer_uid: "cust-1" })).toMatchObject({
      status: 200,
      body: { code: 1, message: "취소할 예약결제 기록이 존재하지 않습니다.", response: null },
    });
    // Revoked schedules never run.
    sandbox.control.advanceClock(4 * HOUR);
    expect(sandbox.control.payments().filter((p) => p.merchant_uid.startsWith("sch-"))).toEqual([]);
    await sandbox.control.flushWebhooks();
    expect(hook.received).toEqual([]);
  });

  it("unschedules by merchant_uid alone (form body too); an executed schedule cannot be revoked", async () => {
    await schedule([one("sch-1", NOW + 60), one("sch-2", NOW + HOUR)]);
    sandbox.control.advanceClock(60);
    expect((await unschedule({ merchant_uid: ["sch-1"] })).body.code).toBe(1);
    expect((await unschedule({})).status).toBe(400);
    const res = await fetch(`${sandbox.url}/subscribe/payments/unschedule`, {
      method: "POST",
      headers: { authorization: `Bearer ${api.token}`, "content-type": "application/x-www-form-urlencoded" },
      body: "merchant_uid[]=sch-2&merchant_uid[]=unknown",
    });
    const body = (await res.json()) as { response: ScheduleView[] };
    expect(body.response.map((s) => [s.merchant_uid, s.schedule_status])).toEqual([["sch-2", "revoked"]]);
  });
});
