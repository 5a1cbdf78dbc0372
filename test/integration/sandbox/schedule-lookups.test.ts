import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, type ScheduleView, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams } from "./helpers.js";

const NOW = 1_800_000_000;
const DAY = 24 * 3600;

interface Paged {
  total: number;
  previous: number;
  next: number;
  list: ScheduleView[];
}

describe("sandbox PortOne scheduler: refusals and lookups", () => {
  let sandbox: Sandbox;
  let api: Api;
  beforeAll(async () => {
    sandbox = await startSandbox({ now: NOW, scheduleIntervalMs: 0 });
    api = new Api(sandbox);
  });
  beforeEach(async () => {
    sandbox.control.reset();
    sandbox.control.setClock(NOW);
    await api.login();
    sandbox.control.pay({
      ...cardParams("o-issue", 0),
      pg: "kicc.T5102002",
      customer_uid: "cust-1",
      outcome: "approve",
    });
  });
  afterAll(() => sandbox.close());

  const schedule = (schedules: Array<Record<string, unknown>>, customerUid = "cust-1") =>
    api.post<ScheduleView[]>("/subscribe/payments/schedule", { customer_uid: customerUid, schedules });
  const one = (merchantUid: string, at = NOW + DAY) => ({
    merchant_uid: merchantUid,
    schedule_at: at,
    amount: 1000,
  });
  const byCustomer = (query: string, customerUid = "cust-1") =>
    api.get<Paged>(`/subscribe/payments/schedule/customers/${customerUid}?${query}`);

  it("refuses a customer_uid without a billing key: KICC cannot issue one over REST", async () => {
    const res = await schedule([one("sch-1")], "nobody");
    expect(res.status).toBe(200);
    expect(res.body.code).toBe(1);
    expect(res.body.message).toContain("등록되지 않은 구매자입니다.");
    expect(res.body.message).toContain("결제창");
    const withCard = await api.post("/subscribe/payments/schedule", {
      customer_uid: "nobody",
      card_number: "4000-1111-2222-3333",
      expiry: "2030-01",
      birth: "900101",
      schedules: [one("sch-1")],
    });
    expect(withCard.body).toMatchObject({ code: 1, response: null });
    expect(withCard.body.message).toContain("카드정보로 빌링키를 발급할 수 없습니다");
    expect(sandbox.control.schedules()).toEqual([]);
  });

  it("refuses a merchant_uid already used by a schedule, a payment or the same request; none is kept", async () => {
    expect((await schedule([one("sch-1")])).body.code).toBe(0);
    for (const schedules of [[one("sch-2"), one("sch-1")], [one("o-issue")], [one("sch-3"), one("sch-3")]]) {
      const res = await schedule(schedules);
      expect(res.body.code, JSON.stringify(schedules)).toBe(1);
      expect(res.body.message).toContain("merchant_uid");
    }
    expect(sandbox.control.schedules().map((s) => s.merchant_uid)).toEqual(["sch-1"]);
  });

  it("refuses schedule_at now or in the past on the sandbox clock, and milliseconds", async () => {
    for (const at of [NOW, NOW - 60, (NOW + DAY) * 1000, 1.5]) {
      const res = await schedule([one("sch-1", at)]);
      expect(res.status, String(at)).toBe(400);
      expect(res.body.code).toBe(-1);
    }
    expect(sandbox.control.schedules()).toEqual([]);
  });

  it("requires customer_uid, schedules and each schedule's merchant_uid, schedule_at and amount", async () => {
    const bodies: Array<Record<string, unknown>> = [
      { schedules: [one("sch-1")] },
      { customer_uid: "cust-1" },
      { customer_uid: "cust-1", schedules: [] },
      ...(["merchant_uid", "schedule_at", "amount"] as const).map((field) => ({
        customer_uid: "cust-1",
        schedules: [{ ...one("sch-1"), [field]: undefined }],
      })),
    ];
    for (const body of bodies) {
      const res = await api.post("/subscribe/payments/schedule", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("takes PHP-style form bodies (schedules[0][merchant_uid]=...)", async () => {
    const form = new URLSearchParams({
      customer_uid: "cust-1",
      "schedules[0][merchant_uid]": "sch-form",
      "schedules[0][schedule_at]": String(NOW + DAY),
      "schedules[0][amount]": "1200",
      "schedules[0][buyer_name]": "김철수",
    });
    const res = await fetch(`${sandbox.url}/subscribe/payments/schedule`, {
      method: "POST",
      headers: { authorization: `Bearer ${api.token}`, "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    const body = (await res.json()) as { code: number; response: ScheduleView[] };
    expect(body.code).toBe(0);
    expect(body.response[0]).toMatchObject({ merchant_uid: "sch-form", amount: 1200, buyer_name: "김철수" });
  });

  it("GET /subscribe/payments/schedule/{merchant_uid}; 404 when unknown", async () => {
    await schedule([one("sch-1")]);
    const got = await api.get<ScheduleView>("/subscribe/payments/schedule/sch-1");
    expect(got.body.response).toMatchObject({ merchant_uid: "sch-1", schedule_status: "scheduled" });
    const missing = await api.get("/subscribe/payments/schedule/sch-nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: -1, response: null });
  });

  it("GET by customer: from <= schedule_at < to, schedule-status filter, newest first, 20 a page", async () => {
    const schedules = Array.from({ length: 25 }, (_, i) => one(`sch-${i}`, NOW + (i + 1) * 3600));
    await schedule(schedules);
    await api.post("/subscribe/payments/unschedule", { merchant_uid: ["sch-0"] });
    const window = `from=${NOW}&to=${NOW + 30 * DAY}`;
    const first = await byCustomer(window);
    expect(first.body.response).toMatchObject({ total: 25, previous: 0, next: 2 });
    expect(first.body.response.list).toHaveLength(20);
    expect(first.body.response.list[0]?.merchant_uid).toBe("sch-24");
    const second = await byCustomer(`${window}&page=2`);
    expect(second.body.response).toMatchObject({ total: 25, previous: 1, next: 0 });
    expect(second.body.response.list.map((s) => s.merchant_uid).at(-1)).toBe("sch-0");

    const revoked = await byCustomer(`${window}&schedule-status=revoked`);
    expect(revoked.body.response.list.map((s) => s.merchant_uid)).toEqual(["sch-0"]);
    // to is exclusive: sch-1 is at NOW + 2h.
    const narrow = await byCustomer(`from=${NOW + 2 * 3600}&to=${NOW + 4 * 3600}`);
    expect(narrow.body.response.list.map((s) => s.merchant_uid)).toEqual(["sch-2", "sch-1"]);
    expect((await byCustomer(window, "other")).body.response).toEqual({
      total: 0,
      previous: 0,
      next: 0,
      list: [],
    });
  });

  it("GET by customer refuses a missing or over-long window and an unknown schedule-status", async () => {
    for (const query of [
      `to=${NOW}`,
      `from=${NOW}`,
      `from=${NOW}&to=${NOW - 1}`,
      `from=${NOW}&to=${NOW + 120 * DAY}`,
      `from=${NOW}&to=${NOW + DAY}&schedule-status=paid`,
      `from=${NOW}&to=${NOW + DAY}&page=0`,
    ]) {
      const res = await byCustomer(query);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe(-1);
    }
  });

  it("control over HTTP: list schedules, run the due ones; clock moves run them too", async () => {
    await schedule([one("sch-1", NOW + 60), one("sch-2", NOW + DAY)]);
    const control = (method: string, path: string, body?: unknown) =>
      fetch(`${sandbox.url}/__sandbox${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((r) => r.json() as Promise<unknown>);
    expect(await control("POST", "/schedules/run")).toEqual({ executed: [] });
    expect(await control("POST", "/clock/advance", { seconds: 60 })).toEqual({ now: NOW + 60 });
    const listed = (await control("GET", "/schedules")) as ScheduleView[];
    expect(listed.map((s) => [s.merchant_uid, s.schedule_status, s.payment_status])).toEqual([
      ["sch-1", "executed", "paid"],
      ["sch-2", "scheduled", null],
    ]);
  });

  it("the real-time timer executes schedules without a clock move", async () => {
    const timed = await startSandbox({ scheduleIntervalMs: 50 });
    try {
      timed.control.pay({
        ...cardParams("o-t", 0),
        pg: "kicc.T5102002",
        customer_uid: "c-t",
        outcome: "approve",
      });
      const timedApi = new Api(timed);
      await timedApi.login();
      // Two seconds ahead: on a loaded machine (the soak beside it in CI) one second can pass before the POST lands.
      const at = timed.control.now() + 2;
      const registered = await timedApi.post("/subscribe/payments/schedule", {
        customer_uid: "c-t",
        schedules: [one("sch-t", at)],
      });
      expect(registered.body.code, JSON.stringify(registered.body)).toBe(0);
      const deadline = Date.now() + 8000;
      while (timed.control.schedules()[0]?.schedule_status !== "executed" && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(timed.control.schedules()[0]).toMatchObject({
        schedule_status: "executed",
        payment_status: "paid",
      });
    } finally {
      await timed.close();
    }
  });
});
