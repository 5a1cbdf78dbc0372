/**
 * Charging a subscription end to end: the real handlers, DynamoDB Local, the
 * iamport sandbox over HTTP and the local SQS stand-in. Invariant 3: each
 * cycle is charged at most once, whatever SQS and the network do.
 */
import { describe, expect, test } from "vitest";
import { newClaim } from "../../../../lib/billing/rules/charge-attempt-machine.js";
import { parseConfig } from "../../../../lib/config.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import { useStack } from "../../../support/stack.js";
import {
  chargesOf,
  control,
  DAY,
  dispatchAt,
  issueKey,
  runDispatchHandler,
  settle,
  subscribe,
  subscribed,
  view,
} from "../support.js";

// A send with no answer is believed uncharged 0.8 s later; SQS brings it back after 0.5 s.
const ctx = useStack({ env: { BILLING_UNKNOWN_SETTLE_SECONDS: "0.8" } });

describe("the happy path", () => {
  test("issue a key in the window, subscribe, the first cycle is charged once; the dispatcher finds nothing more", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);

    const created = await subscribe(t, { customer_uid: customerUid, buyer_email: "buyer@example.com" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await settle(t);
    const summary = await runDispatchHandler(t);

    const sub = await view(t, created.body.id);
    expect(sub).toMatchObject({ status: "active", current_cycle: 2, paid_cycles: 1, dunning: null });
    expect(sub.cycles[0]).toMatchObject({
      cycle: 1,
      status: "paid",
      attempts: [
        {
          attempt: 1,
          status: "paid",
          // The answer and the `paid` webhook race to settle it; either is right.
          resolved_by: expect.stringMatching(/^(response|webhook)$/),
          sends: 1,
          merchant_uid: `${created.body.id}_1_1`,
        },
      ],
    });
    expect(sub.paid_through).toBe(sub.cycles[0].period_end);
    expect(sub.next_charge_at).toBe(sub.cycles[0].period_end);
    const charges = chargesOf(t, customerUid);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({
      status: "paid",
      amount: 9_900,
      merchant_uid: `${created.body.id}_1_1`,
    });
    expect(summary.queued).toBe(0);
  });

  test("the next cycle is charged when it falls due, under its own merchant_uid", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);

    const summary = await dispatchAt(t, 32 * DAY);

    // The table is shared by this file's tests: other subscriptions fall due too.
    expect(summary.queued).toBeGreaterThanOrEqual(1);
    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", current_cycle: 3, paid_cycles: 2 });
    expect(
      chargesOf(t, customerUid)
        .map((p) => p.merchant_uid)
        .sort(),
    ).toEqual([`${id}_1_1`, `${id}_2_1`]);
  });
});

describe("at-least-once delivery and unknown outcomes (invariant 3)", () => {
  test("the same message delivered twice, even in one batch, charges once", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const created = await subscribe(t, {
      customer_uid: customerUid,
      start_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = created.body.id as string;
    const message = JSON.stringify({ subscriptionId: id, cycle: 1, attempt: 1 });

    // Not due yet, so nothing was queued; a duplicate pair arrives as if SQS delivered it twice.
    t.stack.sqs.send("ChargeQueue", message);
    t.stack.sqs.send("ChargeQueue", message);
    await settle(t);
    t.stack.sqs.send("ChargeQueue", message);
    await settle(t);

    expect(chargesOf(t, customerUid)).toHaveLength(1);
    expect((await view(t, id)).cycles[0].attempts).toHaveLength(1);
  });

  test("the answer of `again` is lost: the attempt is unknown, the lookup finds it paid, nothing is sent again", async () => {
    const t = ctx();
    control(t).addFault({
      method: "POST",
      path: "/subscribe/payments/again",
      kind: "lost-response",
      times: 1,
    });
    const customerUid = await issueKey(t);

    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);

    const sub = await view(t, created.body.id);
    expect(sub.status).toBe("active");
    expect(sub.cycles[0].attempts).toEqual([
      expect.objectContaining({
        status: "paid",
        resolved_by: expect.stringMatching(/lookup|webhook/),
        sends: 1,
      }),
    ]);
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });

  test("a timeout where iamport did not charge: nothing found, sent once more under the same merchant_uid, paid once", async () => {
    const t = ctx();
    control(t).addFault({ method: "POST", path: "/subscribe/payments/again", kind: "timeout", times: 1 });
    const customerUid = await issueKey(t);

    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);

    const sub = await view(t, created.body.id);
    expect(sub.status).toBe("active");
    // The resend's answer and its `paid` webhook race to settle the attempt; either is right.
    expect(sub.cycles[0].attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: "paid",
        resolved_by: expect.stringMatching(/^(response|webhook)$/),
        sends: 2,
      }),
    ]);
    expect(sub.cycles[0].attempts[0].lookups).toBeGreaterThanOrEqual(2);
    const charges = chargesOf(t, customerUid);
    expect(charges.map((p) => [p.merchant_uid, p.status])).toEqual([[`${created.body.id}_1_1`, "paid"]]);
  });

  test("a 5xx from iamport on a request it did not execute is resolved the same way", async () => {
    const t = ctx();
    control(t).addFault({
      method: "POST",
      path: "/subscribe/payments/again",
      kind: "status",
      status: 502,
      times: 1,
    });
    const customerUid = await issueKey(t);

    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);

    expect((await view(t, created.body.id)).status).toBe("active");
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });
});

describe("a worker that died and a refused request", () => {
  test("a claim whose worker died before recording anything: the dispatcher finds it, it is looked up, then sent once", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const created = await subscribe(t, {
      customer_uid: customerUid,
      start_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = created.body.id as string;
    // As if a consumer claimed cycle 1 ten minutes ago and crashed before calling iamport.
    const { subscriptions } = buildContainer(parseConfig(t.stack.env), {
      clock: () => new Date(Date.now() - 10 * 60_000),
    });
    const sub = await subscriptions.get(id);
    const stale = newClaim(
      {
        subscriptionId: id,
        cycle: 1,
        attempt: 1,
        merchantUid: `${id}_1_1`,
        customerUid,
        amount: 9_900,
        name: "Pro plan",
      },
      new Date(Date.now() - 10 * 60_000),
      120_000,
    );
    expect((await subscriptions.claim(sub!, stale)).claimed).toBe(true);

    const summary = await dispatchAt(t, 0);

    expect(summary.resolving).toBeGreaterThanOrEqual(1);
    const attempt = (await view(t, id)).cycles[0].attempts[0];
    expect(attempt).toMatchObject({ status: "paid", sends: 2, merchant_uid: `${id}_1_1` });
    expect(attempt.unknown_since).not.toBeNull();
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });

  test("iamport refuses the request (non-zero code): recorded as an error, not a decline; retried after the error delay", async () => {
    const t = ctx();
    control(t).addFault({
      method: "POST",
      path: "/subscribe/payments/again",
      kind: "status",
      status: 400,
      times: 1,
    });
    const customerUid = await issueKey(t);
    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);
    const id = created.body.id as string;

    const refused = await view(t, id);
    await dispatchAt(t, 61 * 60_000);

    expect(refused).toMatchObject({
      status: "active",
      next_attempt: 2,
      dunning: { request_errors: 1, soft_declines: 0, waiting_for_card: false },
      cycles: [{ attempts: [{ status: "error", decline: null, error_code: -1 }] }],
    });
    expect(Date.parse(refused.next_charge_at) - Date.parse(refused.cycles[0].attempts[0].updated_at)).toBe(
      60 * 60_000,
    );
    const paid = await view(t, id);
    expect(paid).toMatchObject({ status: "active", current_cycle: 2, dunning: null });
    expect(paid.cycles[0].attempts.map((a: any) => a.status)).toEqual(["error", "paid"]);
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });
});

describe("the scheduled charge's webhook", () => {
  test("goes to billing (not to orders), re-reads the payment and changes nothing already applied", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);
    const [charge] = chargesOf(t, customerUid);
    const delivered = control(t)
      .webhooks()
      .filter((w) => w.body.merchant_uid === `${id}_1_1`);

    const again = await t.api("/webhooks/iamport", {
      body: { imp_uid: charge?.imp_uid, merchant_uid: `${id}_1_1`, status: "paid" },
      key: null,
    });

    expect(delivered.map((w) => w.status)).toEqual([200]);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ outcome: "unchanged", status: "active", kind: "subscription" });
    expect((await view(t, id)).paid_cycles).toBe(1);
  });

  test("a webhook for a charge we never made is answered 200 as an unknown charge, not as an order", async () => {
    const t = ctx();

    const res = await t.api("/webhooks/iamport", {
      body: { imp_uid: "imp_000000000001", merchant_uid: "sub_0000000000000000_1_1", status: "paid" },
      key: null,
    });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ outcome: "unknown_charge", status: null, kind: "subscription" });
  });
});
