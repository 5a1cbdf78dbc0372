/**
 * The iamport client against the local iamport sandbox, over real HTTP on 127.0.0.1.
 * The sandbox is written from the V1 spec independently of lib/, so agreement here means
 * both read the spec the same way.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createIamportClient,
  ensurePrepared,
  IamportApiError,
  type IamportClientOptions,
  IamportNotFoundError,
  IamportOutcomeUnknownError,
  IamportUnavailableError,
  PreparedAmountConflictError,
} from "../../../lib/iamport/index.js";
import { outboundSend } from "../../../lib/outbound-http.js";
import { startSandbox } from "../../../sandbox/index.js";
import { sandboxModesFromEnv } from "../../support/sandbox-modes.js";

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
let sandbox: Sandbox;
let seq = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ modes: sandboxModesFromEnv() });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.control.clearFaults();
  sandbox.control.clearDeclines();
});

/** A unique merchant_uid per test run (≤ 40 chars). */
const uid = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${++seq}`;

/** A fresh client (so a fresh token cache) that records every request it sends. */
function newClient(overrides: Partial<IamportClientOptions> = {}) {
  const sent: string[] = [];
  const client = createIamportClient({
    baseUrl: sandbox.url,
    credentials: async () => ({ impKey: "sandbox_key", impSecret: "sandbox_secret" }),
    // Short per-attempt timeout and backoff keep the fault tests well under a second each.
    timeoutMs: 400,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 10)),
    // The client's own default transport (lib/outbound-http.ts), counted.
    fetch: (url, init) => {
      sent.push(`${init.method} ${url.pathname}`);
      return outboundSend(url, init);
    },
    ...overrides,
  });
  return { client, sent, count: (route: string) => sent.filter((s) => s === route).length };
}

function payByCard(amount: number, merchantUid = uid("ord")) {
  const result = sandbox.control.pay({
    pg: "kicc",
    pay_method: "card",
    merchant_uid: merchantUid,
    amount,
    name: "integration item",
    buyer_tel: "010-1234-5678",
    outcome: "approve",
  });
  if (!result.imp_uid) throw new Error(`sandbox refused the payment: ${result.error_msg}`);
  return { impUid: result.imp_uid, merchantUid };
}

describe("token", () => {
  it("is issued once and reused across calls", async () => {
    const { impUid } = payByCard(1000);
    const t = newClient();

    await Promise.all([
      t.client.getPayment(impUid),
      t.client.getPayment(impUid),
      t.client.getPayment(impUid),
    ]);
    await t.client.getPayment(impUid);

    expect(t.count("POST /users/getToken")).toBe(1);
  });

  it("is replaced after the sandbox clock passes its 30-minute expiry (401, one refresh, retry)", async () => {
    const { impUid } = payByCard(1000);
    const t = newClient();
    await t.client.getPayment(impUid);

    sandbox.control.advanceClock(31 * 60);
    const payment = await t.client.getPayment(impUid);

    expect(payment.imp_uid).toBe(impUid);
    expect(t.count("POST /users/getToken")).toBe(2);
    expect(t.count(`GET /payments/${impUid}`)).toBe(3);
  });

  it("is refreshed before expiry when the local clock moves too, without a 401", async () => {
    const { impUid } = payByCard(1000);
    let skew = 0;
    const t = newClient({ now: () => Date.now() + skew });
    await t.client.getPayment(impUid);

    sandbox.control.advanceClock(31 * 60);
    skew = 31 * 60 * 1000;
    await t.client.getPayment(impUid);

    expect(t.count("POST /users/getToken")).toBe(2);
    expect(t.count(`GET /payments/${impUid}`)).toBe(2);
  });
});

describe("payments", () => {
  it("reads a payment by imp_uid and by merchant_uid", async () => {
    const { impUid, merchantUid } = payByCard(15000);
    const { client } = newClient();

    const payment = await client.getPayment(impUid);
    const found = await client.findPayment(merchantUid, { status: "paid" });
    const all = await client.findAllPayments(merchantUid);

    expect(payment).toMatchObject({
      imp_uid: impUid,
      merchant_uid: merchantUid,
      amount: 15000,
      cancel_amount: 0,
      currency: "KRW",
      status: "paid",
      pg_provider: "kicc",
      sandbox: false,
    });
    expect(found?.imp_uid).toBe(impUid);
    expect(all.map((p) => p.imp_uid)).toEqual([impUid]);
  });

  it("sees test-channel payments by default so callers can refuse them; without include_sandbox, what iamport does", async () => {
    const result = sandbox.control.pay({
      pg: "kicc",
      pay_method: "card",
      merchant_uid: uid("test"),
      amount: 1000,
      name: "test channel",
      buyer_tel: "010-1234-5678",
      outcome: "approve",
      testChannel: true,
    });
    const impUid = result.imp_uid as string;
    const { client } = newClient();

    expect((await client.getPayment(impUid)).sandbox).toBe(true);
    // Undocumented (the sandboxLookup mode): a 404 since 2026-01-26, or the payment after all.
    const unasked = client.getPayment(impUid, { includeSandbox: false });
    if (sandbox.control.modes().sandboxLookup === "hidden")
      await expect(unasked).rejects.toBeInstanceOf(IamportNotFoundError);
    else expect((await unasked).sandbox).toBe(true);
  });

  it("reads many payments at once: a hundred imp_uids a request, the unknown left out, none found an empty list", async () => {
    const paid = Array.from({ length: 3 }, (_, i) => payByCard(1000 + i).impUid);
    const t = newClient();

    const some = await t.client.getPayments([paid[0]!, "imp_nobody_1", paid[1]!, paid[2]!]);
    expect(some.map((p) => p.imp_uid).sort()).toEqual([...paid].sort());
    expect(some.every((p) => p.status === "paid")).toBe(true);
    expect(await t.client.getPayments(["imp_nobody_2"])).toEqual([]);
    expect(await t.client.getPayments([])).toEqual([]);
    expect(t.count("GET /payments")).toBe(2);

    const many = [...paid, ...Array.from({ length: 197 }, (_, i) => `imp_nobody_many_${i}`)];
    const before = t.count("GET /payments");
    expect((await t.client.getPayments(many)).map((p) => p.imp_uid).sort()).toEqual([...paid].sort());
    // 200 imp_uids: two requests of a hundred.
    expect(t.count("GET /payments") - before).toBe(2);
  });

  it("reports unknown payments as not found (get) or null/empty (find)", async () => {
    const { client } = newClient();

    await expect(client.getPayment("imp_000000000000")).rejects.toBeInstanceOf(IamportNotFoundError);
    expect(await client.findPayment(uid("none"))).toBeNull();
    expect(await client.findAllPayments(uid("none"))).toEqual([]);
  });
});

describe("prepare", () => {
  it("registers, reads and updates an amount; ensurePrepared makes a retried POST idempotent", async () => {
    const { client } = newClient();
    const merchantUid = uid("prep");

    expect(await client.getPreparedPayment(merchantUid)).toBeNull();
    expect(await ensurePrepared(client, { merchantUid, amount: 5000, currency: "KRW" })).toMatchObject({
      amount: 5000,
    });
    expect(await ensurePrepared(client, { merchantUid, amount: 5000, currency: "KRW" })).toMatchObject({
      amount: 5000,
    });
    await expect(
      ensurePrepared(client, { merchantUid, amount: 6000, currency: "KRW" }),
    ).rejects.toBeInstanceOf(PreparedAmountConflictError);
    await expect(client.preparePayment({ merchantUid, amount: 5000 })).rejects.toMatchObject({ code: 1 });

    expect(await client.updatePreparedPayment({ merchantUid, amount: 7000 })).toMatchObject({ amount: 7000 });
    expect(await client.getPreparedPayment(merchantUid)).toMatchObject({
      merchant_uid: merchantUid,
      amount: 7000,
    });
    await expect(
      client.updatePreparedPayment({ merchantUid: uid("none"), amount: 1 }),
    ).rejects.toBeInstanceOf(IamportNotFoundError);
  });
});

describe("cancel", () => {
  it("cancels partially then fully with checksum, and refuses a stale checksum", async () => {
    const { impUid } = payByCard(10000);
    const { client } = newClient();

    const partial = await client.cancelPayment({ impUid, amount: 3000, checksum: 10000, reason: "partial" });
    const stale = await client
      .cancelPayment({ impUid, amount: 1000, checksum: 10000 })
      .catch((e: unknown) => e);
    const full = await client.cancelPayment({ impUid, checksum: 7000, reason: "rest" });

    expect(partial.cancel_amount).toBe(3000);
    expect(partial.cancel_history).toHaveLength(1);
    expect(stale).toBeInstanceOf(IamportApiError);
    expect((stale as IamportApiError).code).not.toBe(0);
    expect(full).toMatchObject({ amount: 10000, cancel_amount: 10000, status: "cancelled" });
    expect(full.cancel_history?.map((h) => h.amount)).toEqual([3000, 7000]);
  });
});

describe("billing key", () => {
  it("charges a billing key: approved is paid, a decline is returned as failed or refused with the PG's reason, unknown keys are refused", async () => {
    const customerUid = uid("cust");
    sandbox.control.pay({
      // KICC issues billing keys only through the separate billing MID.
      pg: "kicc.T5102002",
      pay_method: "card",
      merchant_uid: uid("issue"),
      amount: 0,
      name: "card registration",
      buyer_tel: "010-1234-5678",
      customer_uid: customerUid,
      outcome: "approve",
    });
    const { client } = newClient();

    const key = await client.getBillingKey(customerUid);
    const paid = await client.chargeBillingKey({
      customerUid,
      merchantUid: uid("cyc"),
      amount: 9900,
      name: "plan",
    });
    sandbox.control.addDecline({
      customer_uid: customerUid,
      reason: "limit_exceeded",
      answer: "status-failed",
    });
    const declined = await client.chargeBillingKey({
      customerUid,
      merchantUid: uid("cyc"),
      amount: 9900,
      name: "plan",
    });
    sandbox.control.removeDeclines(customerUid);
    sandbox.control.addDecline({ customer_uid: customerUid, reason: "limit_exceeded", answer: "refused" });
    const refused = await client
      .chargeBillingKey({ customerUid, merchantUid: uid("cyc"), amount: 9900, name: "plan" })
      .catch((e: unknown) => e);
    sandbox.control.removeDeclines(customerUid);
    const unknown = await client
      .chargeBillingKey({ customerUid: uid("nobody"), merchantUid: uid("cyc"), amount: 9900, name: "plan" })
      .catch((e: unknown) => e);
    const deleted = await client.deleteBillingKey(customerUid, "test over");

    expect(key).toMatchObject({ customer_uid: customerUid, pg_provider: "kicc", sandbox: false });
    expect(paid).toMatchObject({ status: "paid", amount: 9900, customer_uid: customerUid });
    expect(declined.status).toBe("failed");
    expect(declined.fail_reason).toBeTruthy();
    expect(refused).toBeInstanceOf(IamportApiError);
    expect((refused as IamportApiError).iamportMessage).toContain("[8324]");
    expect(unknown).toBeInstanceOf(IamportApiError);
    expect(deleted.customer_uid).toBe(customerUid);
    expect(await client.getBillingKey(customerUid)).toBeNull();
  });
});

describe("faults", () => {
  it("retries a read through 5xx and succeeds when the fault clears", async () => {
    const { impUid } = payByCard(1000);
    const t = newClient();
    sandbox.control.addFault({
      method: "GET",
      path: "/payments/:imp_uid",
      kind: "status",
      status: 500,
      times: 2,
    });

    expect((await t.client.getPayment(impUid)).imp_uid).toBe(impUid);
    expect(t.count(`GET /payments/${impUid}`)).toBe(3);
  });

  it("gives up on a read after the retries: 5xx and timeouts become IamportUnavailableError", async () => {
    const { impUid } = payByCard(1000);
    const t = newClient();
    await t.client.getPayment(impUid); // token first, so counts below are the reads only

    sandbox.control.addFault({ method: "GET", path: "/payments/:imp_uid", kind: "status", status: 503 });
    await expect(t.client.getPayment(impUid)).rejects.toBeInstanceOf(IamportUnavailableError);
    sandbox.control.clearFaults();
    sandbox.control.addFault({ method: "GET", path: "/payments/:imp_uid", kind: "timeout" });
    await expect(t.client.getPayment(impUid)).rejects.toBeInstanceOf(IamportUnavailableError);

    expect(t.count(`GET /payments/${impUid}`)).toBe(1 + 3 + 3);
  });

  it("never resends a cancel whose response was lost: outcome unknown, and the sandbox holds one cancel", async () => {
    const { impUid } = payByCard(10000);
    const t = newClient();
    sandbox.control.addFault({ method: "POST", path: "/payments/cancel", kind: "lost-response", times: 1 });

    const error = await t.client
      .cancelPayment({ impUid, amount: 2000, checksum: 10000 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IamportOutcomeUnknownError);
    expect(t.count("POST /payments/cancel")).toBe(1);
    expect(sandbox.control.payment(impUid)?.cancel_history).toHaveLength(1);
    // What the caller must do next: look it up.
    expect((await t.client.getPayment(impUid)).cancel_amount).toBe(2000);
  });

  it("treats a timeout or 5xx on a write as outcome unknown, sent once", async () => {
    const { impUid } = payByCard(10000);
    const t = newClient();

    sandbox.control.addFault({ method: "POST", path: "/payments/cancel", kind: "timeout", times: 1 });
    await expect(t.client.cancelPayment({ impUid, checksum: 10000 })).rejects.toBeInstanceOf(
      IamportOutcomeUnknownError,
    );
    sandbox.control.addFault({
      method: "POST",
      path: "/payments/cancel",
      kind: "status",
      status: 500,
      times: 1,
    });
    await expect(t.client.cancelPayment({ impUid, checksum: 10000 })).rejects.toBeInstanceOf(
      IamportOutcomeUnknownError,
    );

    expect(t.count("POST /payments/cancel")).toBe(2);
  });
});
