import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaymentView, type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { cardParams } from "./helpers.js";

describe("sandbox HTTP control API (/__sandbox)", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ now: 1_800_000_000 });
  });
  afterAll(() => sandbox.close());

  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}/__sandbox${path}`, {
      method,
      headers:
        body === undefined ? {} : { "content-type": "application/json", origin: "http://localhost:3000" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as T };
  };

  it("answers CORS preflights so a page on another localhost port can call it", async () => {
    const res = await fetch(`${sandbox.url}/__sandbox/pay`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect((await call("GET", "/info")).headers.get("access-control-allow-origin")).toBe("*");
  });

  it("reads, sets and advances the clock", async () => {
    expect((await call<{ now: number }>("POST", "/clock", { now: 1_900_000_000 })).body.now).toBe(
      1_900_000_000,
    );
    expect((await call<{ now: number }>("POST", "/clock/advance", { seconds: 60 })).body.now).toBe(
      1_900_000_060,
    );
    expect((await call<{ now: number }>("GET", "/clock")).body.now).toBeGreaterThanOrEqual(1_900_000_060);
    expect((await call("POST", "/clock", { now: "soon" })).status).toBe(400);
  });

  it("pays, deposits, console-cancels and inspects over HTTP", async () => {
    const paid = await call<{ imp_uid: string; success: boolean }>("POST", "/pay", {
      ...cardParams("o-http"),
      outcome: "approve",
    });
    expect(paid.body.success).toBe(true);
    const vbank = await call<{ imp_uid: string }>("POST", "/checkout", {
      ...cardParams("o-http-vb"),
      pay_method: "vbank",
      outcome: "approve",
    });
    const deposited = await call<PaymentView>("POST", `/payments/${vbank.body.imp_uid}/deposit`, {});
    expect(deposited.body.status).toBe("paid");
    const again = await call("POST", `/payments/${vbank.body.imp_uid}/deposit`, {});
    expect(again.status).toBe(409);

    const cancelled = await call<PaymentView>("POST", `/payments/${paid.body.imp_uid}/cancel`, {
      amount: 1000,
    });
    expect(cancelled.body.cancel_amount).toBe(1000);
    expect((await call("POST", "/payments/imp_nope/cancel", {})).status).toBe(404);

    expect((await call<PaymentView[]>("GET", "/payments")).body).toHaveLength(2);
    expect((await call<PaymentView>("GET", `/payments/${paid.body.imp_uid}`)).body.merchant_uid).toBe(
      "o-http",
    );
    expect((await call("GET", "/payments/imp_nope")).status).toBe(404);
    expect((await call("GET", "/billing-keys")).body).toEqual([]);
    expect((await call("GET", "/prepared")).body).toEqual([]);
    expect((await call("GET", "/webhooks")).status).toBe(200);
    expect((await call("POST", "/webhooks/flush", {})).status).toBe(200);
  });

  it("adds and clears faults, declines and webhook faults", async () => {
    expect(
      (await call("POST", "/faults", { path: "/payments/:imp_uid", kind: "status", status: 502 })).status,
    ).toBe(200);
    expect(sandbox.control.faults()).toHaveLength(1);
    expect((await call("POST", "/faults", { path: "/x", kind: "nope" })).status).toBe(400);
    await call("DELETE", "/faults");
    expect(sandbox.control.faults()).toHaveLength(0);

    expect((await call("POST", "/declines", { customer_uid: "c", reason: "lost_card" })).status).toBe(200);
    expect((await call("GET", "/declines")).body).toEqual([{ customer_uid: "c", reason: "lost_card" }]);
    expect((await call("POST", "/declines", { reason: "x" })).status).toBe(400);
    await call("DELETE", "/declines");
    expect((await call("GET", "/declines")).body).toEqual([]);

    expect((await call("POST", "/webhook-faults", { kind: "duplicate", times: 1 })).status).toBe(200);
    expect((await call("POST", "/webhook-faults", { kind: "boom" })).status).toBe(400);
    expect((await call("GET", "/webhook-faults")).body).toEqual([{ kind: "duplicate", times: 1, left: 1 }]);
    expect((await call("DELETE", "/webhook-faults")).status).toBe(200);
    expect((await call("GET", "/webhook-faults")).body).toEqual([]);
  });

  it("reset empties the state", async () => {
    await call("POST", "/pay", { ...cardParams("o-reset"), outcome: "approve" });
    await call("POST", "/reset", {});
    expect((await call("GET", "/payments")).body).toEqual([]);
  });

  it("refuses a malformed JSON body with 400", async () => {
    const res = await fetch(`${sandbox.url}/__sandbox/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
  });
});
