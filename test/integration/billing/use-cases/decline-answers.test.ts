/**
 * The ways iamport may answer a declined `again` or a billing key it does not have (both
 * undocumented; sandbox modes `againDecline` and `unknownCustomer`): whichever it is, a decline
 * is a decline (dunning, not the request-error path) and a key gone is a hard decline.
 */
import { describe, expect, test } from "vitest";
import type { DeclineAnswer } from "../../../../sandbox/core/types.js";
import { useStack } from "../../../support/stack.js";
import {
  chargesOf,
  control,
  DAY,
  dispatchAt,
  issueKey,
  settle,
  subscribe,
  tableItems,
  view,
} from "../support.js";

const ctx = useStack();

const answers: DeclineAnswer[] = ["status-failed", "refused", "refused-with-record"];

describe.each(answers)("a decline answered as %s", (answer) => {
  test("a soft decline makes the subscription past_due and is retried on the dunning schedule, then paid", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    control(t).addDecline({ customer_uid: customerUid, reason: "insufficient_balance", answer });
    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);
    const id = created.body.id as string;

    const declined = await view(t, id);
    control(t).removeDeclines(customerUid);
    await dispatchAt(t, DAY + 60_000);
    const paid = await view(t, id);

    expect(declined).toMatchObject({
      status: "past_due",
      next_attempt: 2,
      dunning: { soft_declines: 1, request_errors: 0, last_reason: "[8326] 잔액부족" },
      cycles: [{ attempts: [{ status: "declined", decline: "soft" }] }],
    });
    expect(paid).toMatchObject({ status: "active", current_cycle: 2, dunning: null });
    expect(chargesOf(t, customerUid).filter((p) => p.status === "paid")).toHaveLength(1);
  });

  test("a hard decline waits for a new card and is not retried", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    control(t).addDecline({ customer_uid: customerUid, reason: "lost_card", answer });
    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);
    const id = created.body.id as string;
    const before = chargesOf(t, customerUid).length;

    await dispatchAt(t, 2 * DAY);
    const waiting = await view(t, id);

    expect(waiting).toMatchObject({
      status: "past_due",
      next_charge_at: null,
      dunning: { waiting_for_card: true, last_reason: "[8310] 분실신고 카드" },
      cycles: [{ attempts: [{ status: "declined", decline: "hard" }] }],
    });
    expect(chargesOf(t, customerUid)).toHaveLength(before);
  });
});

test("a decline answered as a refused request stays on the open-attempt index for one more look (a refusal can hide a charge)", async () => {
  const t = ctx();
  const customerUid = await issueKey(t);
  control(t).addDecline({ customer_uid: customerUid, reason: "insufficient_balance", answer: "refused" });
  const created = await subscribe(t, { customer_uid: customerUid });
  await settle(t);
  const id = created.body.id as string;

  const attempt = (await tableItems(t)).find(
    (item) => item.PK === `SUB#${id}` && item.SK === "CHARGE#0001#01",
  );

  expect(attempt).toMatchObject({ status: "declined", recheck: true });
  expect(String(attempt?.GSI1PK)).toMatch(/^UNKNOWN#/);
});

describe.each(["code-1", "code-1-newer-message", "http-404"] as const)(
  "a billing key iamport no longer has (answered %s)",
  (mode) => {
    test("is a hard decline: nothing charged, the subscription waits for a new card", async () => {
      const t = ctx();
      const before = control(t).modes();
      control(t).setModes({ unknownCustomer: mode });
      try {
        const customerUid = await issueKey(t);
        const created = await subscribe(t, { customer_uid: customerUid, start_at: startIn(2) });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        await deleteKeyAtIamport(t, customerUid);
        await dispatchAt(t, 3 * 60_000);
        const sub = await view(t, created.body.id as string);

        expect(sub).toMatchObject({
          status: "past_due",
          dunning: { waiting_for_card: true },
          cycles: [{ attempts: [{ status: "declined", decline: "hard" }] }],
        });
        expect(chargesOf(t, customerUid)).toHaveLength(0);
      } finally {
        control(t).setModes(before);
      }
    });
  },
);

/** A start_at `minutes` from now on the anchor calendar's minute, so cycle 1 is due then. */
function startIn(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString();
}

/** DELETE /subscribe/customers/{customer_uid} at the sandbox, as a console user would. */
async function deleteKeyAtIamport(t: ReturnType<typeof ctx>, customerUid: string): Promise<void> {
  const base = t.stack.sandbox?.url ?? "";
  const login = await fetch(`${base}/users/getToken`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ imp_key: "sandbox_key", imp_secret: "sandbox_secret" }),
  });
  const token = ((await login.json()) as { response: { access_token: string } }).response.access_token;
  const res = await fetch(`${base}/subscribe/customers/${encodeURIComponent(customerUid)}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
}
