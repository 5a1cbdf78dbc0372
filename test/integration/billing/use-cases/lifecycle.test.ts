/**
 * A subscription's life after its first charge: dunning after soft and hard
 * declines, a new card for a past_due subscription, cancel (now and at period
 * end), pause and resume. The dispatcher runs with a clock ahead; the
 * charges go through the real queue, consumer and sandbox.
 */
import { describe, expect, test } from "vitest";
import { resumeSubscription } from "../../../../lib/billing/use-cases/change-subscription.js";
import { parseConfig } from "../../../../lib/config.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import { useStack } from "../../../support/stack.js";
import {
  chargesOf,
  control,
  DAY,
  dispatchAt,
  issueKey,
  settle,
  subscribe,
  subscribed,
  view,
} from "../support.js";

const ctx = useStack();

/** What iamport keeps of one declined `again`: a failed payment, unless it answers refused with no record. */
const declineRecords = (t: ReturnType<typeof ctx>, status: string) =>
  control(t).modes().againDecline === "refused" ? [] : [status];

describe("dunning", () => {
  test("a soft decline: past_due, retried on day 1, paid → active; one failed and one paid charge at iamport", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    control(t).addDecline({ customer_uid: customerUid, reason: "insufficient_balance" });
    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);
    const id = created.body.id as string;

    const declined = await view(t, id);
    control(t).clearDeclines();
    const early = await dispatchAt(t, 12 * 3_600_000);
    const stillDue = await view(t, id);
    await dispatchAt(t, DAY + 60_000);

    expect(declined).toMatchObject({
      status: "past_due",
      next_attempt: 2,
      dunning: { soft_declines: 1, waiting_for_card: false, last_reason: "[8326] 잔액부족" },
      cycles: [{ cycle: 1, status: "failed", attempts: [{ status: "declined", decline: "soft" }] }],
    });
    expect(Date.parse(declined.next_charge_at) - Date.parse(declined.dunning.since)).toBe(DAY);
    expect(early.queued).toBe(0);
    expect(stillDue.status).toBe("past_due");
    const paid = await view(t, id);
    expect(paid).toMatchObject({ status: "active", current_cycle: 2, dunning: null });
    expect(paid.cycles[0].attempts.map((a: any) => [a.merchant_uid, a.status])).toEqual([
      [`${id}_1_1`, "declined"],
      [`${id}_1_2`, "paid"],
    ]);
    expect(
      chargesOf(t, customerUid)
        .map((p) => p.status)
        .sort(),
    ).toEqual([...declineRecords(t, "failed"), "paid"]);
  });

  test("a hard decline waits for a new card: no retries, then unpaid when dunning ends", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    control(t).addDecline({ customer_uid: customerUid, reason: "lost_card" });
    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);
    const id = created.body.id as string;

    const waiting = await view(t, id);
    await dispatchAt(t, 2 * DAY);
    const stillWaiting = await view(t, id);
    await dispatchAt(t, 5 * DAY + 60_000);

    expect(waiting).toMatchObject({
      status: "past_due",
      next_charge_at: null,
      dunning: { waiting_for_card: true, last_reason: "[8310] 분실신고 카드" },
      cycles: [{ attempts: [{ status: "declined", decline: "hard" }] }],
    });
    expect(stillWaiting.status).toBe("past_due");
    expect(chargesOf(t, customerUid)).toHaveLength(declineRecords(t, "failed").length);
    const ended = await view(t, id);
    expect(ended.status).toBe("unpaid");
    expect(ended.history.at(-1)).toMatchObject({ to: "unpaid", source: "dispatcher" });
  });

  test("a new card for a past_due subscription: retried at once and paid; the old key is deleted at iamport", async () => {
    const t = ctx();
    const oldCard = await issueKey(t);
    control(t).addDecline({ customer_uid: oldCard, reason: "expired_card" });
    const created = await subscribe(t, { customer_uid: oldCard });
    await settle(t);
    const id = created.body.id as string;
    expect((await view(t, id)).status).toBe("past_due");
    const newCard = await issueKey(t, { card: { code: "366", number: "4111111111111111" } });

    const res = await t.api(`/subscriptions/${id}/card`, { body: { customer_uid: newCard } });
    await settle(t);

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.card_switch).toEqual({
      changed: true,
      retry_queued: true,
      old_card: { customer_uid: oldCard, key: "deleted" },
    });
    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", customer_uid: newCard, current_cycle: 2 });
    expect(sub.cycles[0].attempts.map((a: any) => [a.customer_uid, a.status])).toEqual([
      [oldCard, "declined"],
      [newCard, "paid"],
    ]);
    expect(
      control(t)
        .billingKeys()
        .map((k) => k.customer_uid),
    ).not.toContain(oldCard);
    expect(chargesOf(t, newCard)).toHaveLength(1);
    // Asking again changes nothing and charges nothing.
    const again = await t.api(`/subscriptions/${id}/card`, { body: { customer_uid: newCard } });
    await settle(t);
    expect(again.body.card_switch).toMatchObject({ changed: false, retry_queued: false });
    expect(chargesOf(t, newCard)).toHaveLength(1);
  });

  test("the old key stays at iamport while another subscription still charges it", async () => {
    const t = ctx();
    const shared = await subscribed(t);
    const other = await subscribe(t, { customer_uid: shared.customerUid });
    await settle(t);
    const newCard = await issueKey(t);

    const res = await t.api(`/subscriptions/${shared.id}/card`, { body: { customer_uid: newCard } });

    expect(res.body.card_switch.old_card).toEqual({ customer_uid: shared.customerUid, key: "in_use" });
    expect(
      control(t)
        .billingKeys()
        .map((k) => k.customer_uid),
    ).toContain(shared.customerUid);
    expect((await view(t, other.body.id)).status).toBe("active");
  });
});

describe("cancel", () => {
  test("now: nothing is charged again", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);

    const res = await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now", reason: "customer asked" } });
    await dispatchAt(t, 40 * DAY);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "canceled",
      next_charge_at: null,
      cancel_reason: "customer asked",
    });
    expect(chargesOf(t, customerUid)).toHaveLength(1);
    const again = await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } });
    expect(again.body.canceled_at).toBe(res.body.canceled_at);
  });

  test("at period end: active until the paid period ends, then canceled instead of charged", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);

    const res = await t.api(`/subscriptions/${id}/cancel`, { body: { at: "period_end" } });
    await dispatchAt(t, 10 * DAY);
    const during = await view(t, id);
    await dispatchAt(t, 32 * DAY);

    expect(res.body).toMatchObject({ status: "active", cancel_at_period_end: true });
    expect(during.status).toBe("active");
    const after = await view(t, id);
    expect(after).toMatchObject({ status: "canceled", canceled_at: res.body.paid_through });
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });
});

describe("pause and resume", () => {
  test("paused cycles are skipped, never charged late; billing resumes on the anchor calendar", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);

    const paused = await t.api(`/subscriptions/${id}/pause`, { method: "POST" });
    await dispatchAt(t, 35 * DAY);
    // Resumed 40 days on (after cycle 2's date): the use case with a clock ahead, as the route would then.
    const config = parseConfig(t.stack.env);
    const later = buildContainer(config, { clock: () => new Date(Date.now() + 40 * DAY) });
    const resumed = await resumeSubscription(later.subscriptionDeps, id);
    await dispatchAt(t, 45 * DAY);
    const beforeCycle3 = chargesOf(t, customerUid).length;
    await dispatchAt(t, 63 * DAY);

    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: "paused", next_charge_at: null });
    expect(resumed.subscription).toMatchObject({ status: "active", cycle: 3, skippedCycles: 1 });
    expect(beforeCycle3).toBe(1);
    expect(
      chargesOf(t, customerUid)
        .map((p) => p.merchant_uid)
        .sort(),
    ).toEqual([`${id}_1_1`, `${id}_3_1`]);
    expect(await view(t, id)).toMatchObject({
      status: "active",
      current_cycle: 4,
      paid_cycles: 2,
      skipped_cycles: 1,
    });
  });

  test("the routes: pause and resume before the next date keep the cycle; a canceled subscription cannot resume", async () => {
    const t = ctx();
    const { id } = await subscribed(t);

    await t.api(`/subscriptions/${id}/pause`, { method: "POST" });
    const resumed = await t.api(`/subscriptions/${id}/resume`, { method: "POST", body: {} });
    await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } });
    const refused = await t.api(`/subscriptions/${id}/resume`, { method: "POST" });
    const pausePastDue = await t.api(`/subscriptions/${id}/pause`, { method: "POST" });

    expect(resumed.body).toMatchObject({ status: "active", current_cycle: 2, skipped_cycles: 0 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: "invalid_state",
      message: "a canceled subscription cannot be resumed",
    });
    expect(pausePastDue.status).toBe(409);
  });
});
