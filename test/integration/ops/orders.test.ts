/**
 * The ops CLI on orders, in-process against the real local parts: the
 * handlers behind the API stand-in, DynamoDB Local and the iamport sandbox.
 */
import { describe, expect, test } from "vitest";
import { useStack } from "../../support/stack.js";
import {
  checkout,
  control,
  iamportPayment,
  order,
  paidOrder,
  refund,
  refundAccount,
} from "../orders/refunds/support.js";
import { kstByIntl, ops } from "./support.js";

const ctx = useStack();

const KST = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} KST$/;

describe("timeline", () => {
  test("an order created, paid, completed and partly refunded: every step in order, in KST, with its cause", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t, { amount: 12_000 });
    const completed = await t.api("/payments/complete", {
      body: { imp_uid: impUid, merchant_uid: merchantUid },
      key: null,
    });
    expect(completed.status).toBe(200);
    expect((await refund(t, merchantUid, { amount: 5_000, reason: "사이즈 교환" })).status).toBe(201);

    const text = await ops(t, ["timeline", merchantUid]);
    const json = await ops(t, ["timeline", merchantUid, "--json"]);

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`order ${merchantUid}: partially_refunded`);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    const entries: Array<{ at: string; time_kst: string; kind: string; what: string; by: string }> =
      doc.entries;
    const index = (pattern: RegExp) =>
      entries.findIndex((e) => pattern.test(`${e.kind} ${e.what} | ${e.by}`));
    const created = index(/^transition v1 new → pending.*\| merchant API$/);
    const webhook = index(/^notification webhook notification: .* paid \| webhook$/);
    const paid = index(/^transition v2 pending → paid.*\| webhook$/);
    const callback = index(/^notification callback notification: .* paid \| callback$/);
    const requested = index(/^refund refund of 5,000 KRW requested .*사이즈 교환 \| merchant API$/);
    const partial = index(/^transition v\d+ paid → partially_refunded.*\| merchant API$/);
    const refunded = index(/^refund refund of 5,000 KRW made .*partially_refunded, 7,000 KRW left/);
    expect(
      [created, webhook, paid, callback, requested, partial, refunded].every((i) => i >= 0),
      text.stdout,
    ).toBe(true);
    expect(created).toBeLessThan(webhook);
    expect(webhook).toBeLessThan(paid);
    expect(paid).toBeLessThan(callback);
    expect(callback).toBeLessThan(requested);
    expect(requested).toBeLessThan(refunded);
    expect(partial).toBeLessThan(refunded + 1);
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const e of entries) {
      expect(e.time_kst).toMatch(KST);
      expect(e.time_kst).toBe(kstByIntl(e.at));
    }
    // The table shows the same lines, one per entry, under a header.
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines[2]).toMatch(/^TIME \(KST\)\s+KIND\s+WHAT\s+BY$/);
    expect(lines.slice(3)).toHaveLength(entries.length);
    expect(lines[3]?.startsWith(entries[0]?.time_kst ?? "?")).toBe(true);
  });
});

describe("needs-attention", () => {
  test("lists a forged order (paid another amount) and not a healthy one", async () => {
    const t = ctx();
    const healthy = await paidOrder(t);
    const forged = await checkout(t, { amount: 50_000 }, { amount: 100, bypassPrepare: true });
    expect((await order(t, forged.merchantUid)).status).toBe("forged");

    const text = await ops(t, ["needs-attention"]);
    const json = await ops(t, ["needs-attention", "--json"]);

    expect(text.code, text.stderr).toBe(0);
    const items: Array<{ kind: string; id: string; what: string; since: string }> = JSON.parse(
      json.stdout,
    ).items;
    const mine = items.filter((i) => i.id === forged.merchantUid);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: "forged" });
    expect(mine[0]?.what).toContain("paid 100 KRW, order is 50,000 KRW");
    expect(items.some((i) => i.id === healthy.merchantUid)).toBe(false);
    expect(text.stdout).toMatch(new RegExp(`forged\\s+${forged.merchantUid}`));
    const since = items.map((i) => i.since);
    expect(since).toEqual([...since].sort());
  });
});

describe("needs-attention and refund: a deposit owed back waits for the buyer's account", () => {
  test("listed as refund_needs_account until the account is given through ops refund, then gone", async () => {
    const t = ctx();
    const created = await t.createOrder({ pay_method: "vbank", amount: 12_000 });
    const first = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    const second = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    await control(t).flushWebhooks();
    control(t).depositVbank(first.imp_uid as string);
    await control(t).flushWebhooks();
    control(t).depositVbank(second.imp_uid as string);
    await control(t).flushWebhooks();
    const merchantUid = created.body.merchant_uid as string;

    const listed = await ops(t, ["needs-attention", "--json"]);
    const given = await ops(t, [
      "refund",
      merchantUid,
      "--imp-uid",
      second.imp_uid as string,
      "--refund-holder",
      refundAccount.refund_holder,
      "--refund-bank",
      refundAccount.refund_bank,
      "--refund-account",
      refundAccount.refund_account,
      "--reason",
      "double deposit",
    ]);
    const after = await ops(t, ["needs-attention", "--json"]);

    expect(JSON.parse(listed.stdout).items).toContainEqual(
      expect.objectContaining({ kind: "refund_needs_account", id: merchantUid }),
    );
    expect(given.code, given.stderr).toBe(0);
    expect(iamportPayment(t, second.imp_uid as string)).toMatchObject({
      status: "cancelled",
      cancel_amount: 12_000,
    });
    expect(iamportPayment(t, first.imp_uid as string)).toMatchObject({ status: "paid", cancel_amount: 0 });
    expect(JSON.parse(after.stdout).items.some((i: { id: string }) => i.id === merchantUid)).toBe(false);
  });
});

describe("reconcile", () => {
  test("an order whose paid webhook was lost is paid by the reconciler, now; a second run changes nothing", async () => {
    const t = ctx();
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    const { merchantUid } = await checkout(t);
    expect((await order(t, merchantUid)).status).toBe("pending");

    const first = await ops(t, ["reconcile", merchantUid, "--json"]);
    const second = await ops(t, ["reconcile", merchantUid]);

    expect(first.code, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc.steps).toEqual(["reconciler: changed"]);
    expect(doc.changes).toContainEqual({ what: "order", before: "pending v1", after: "paid v2" });
    const view = await order(t, merchantUid);
    expect(view.status).toBe("paid");
    expect(view.history.map((e: { to: string; source: string }) => `${e.to}/${e.source}`)).toEqual([
      "pending/api",
      "paid/reconciler",
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("nothing changed");
  });
});

describe("refund", () => {
  test("refunds through the use case with a generated key, and a retry with that key refunds nothing more", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t, { amount: 12_000 });

    const first = await ops(t, ["refund", merchantUid, "3000", "--reason", "불량", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const body = JSON.parse(first.stdout);
    expect(body).toMatchObject({
      merchant_uid: merchantUid,
      refund: { amount: 3_000, reason: "불량" },
      order: { status: "partially_refunded", refundable_amount: 9_000 },
      replayed: false,
    });
    const retry = await ops(t, [
      "refund",
      merchantUid,
      "3000",
      "--reason",
      "불량",
      "--key",
      body.idempotency_key,
    ]);

    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/refunded\s+3,000 KRW\s+\(replayed/);
    expect(iamportPayment(t, impUid).cancel_amount).toBe(3_000);
    const view = await order(t, merchantUid);
    expect(view).toMatchObject({ status: "partially_refunded", refunded_amount: 3_000 });
  });

  test("more than the balance is refused with one line and exit 2, and nothing is refunded", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t, { amount: 12_000 });

    const res = await ops(t, ["refund", merchantUid, "20000"]);

    expect(res.code).toBe(2);
    expect(res.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/^ops: refused: amount/);
    expect(iamportPayment(t, impUid).cancel_amount).toBe(0);
  });
});

describe("replay-webhook", () => {
  test("a stored webhook fed back twice changes nothing and stores nothing new", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    const before = await ops(t, ["timeline", merchantUid, "--json"]);

    const first = await ops(t, ["replay-webhook", merchantUid, impUid, "paid", "--json"]);
    const second = await ops(t, ["replay-webhook", merchantUid, `NOTE#webhook#${impUid}#paid`]);

    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      note: `NOTE#webhook#${impUid}#paid`,
      webhook: { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" },
      kind: "order",
      outcome: "unchanged",
      status: "paid",
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/outcome\s+order: unchanged/);
    const after = await ops(t, ["timeline", merchantUid, "--json"]);
    expect(JSON.parse(after.stdout).entries).toEqual(JSON.parse(before.stdout).entries);
  });
});

describe("bad input", () => {
  test.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [[], /no command/],
    [["timeline"], /timeline: missing <merchant_uid \| subscription id>/],
    [["timeline", "ord-1", "--bogus"], /Unknown option '--bogus'/],
    [["needs-attention", "--reason", "x"], /needs-attention does not take --reason/],
    [["timeline", "no-such-order"], /no order no-such-order in DynamoDB at/],
    [["reconcile", "sub_AAAAAAAAAAAAAAAA"], /no subscription sub_AAAAAAAAAAAAAAAA/],
    [["refund", "no-such-order", "100"], /order no-such-order not found/],
    [["refund", "ord-1", "12.5"], /amount must be a whole number of KRW/],
    [["timeline", "has#hash"], /neither a merchant_uid nor a subscription id/],
    [["timeline", "ord-1", "--limit", "0"], /--limit must be a whole number from 1/],
    [["replay-webhook", "ord-1"], /replay-webhook: missing <imp_uid \| NOTE# key>/],
  ])("%j: one line on stderr, exit 2", async (argv, message) => {
    const t = ctx();
    const res = await ops(t, argv as string[]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(message);
  });

  test("a stored notification that does not exist: exit 2", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);
    const res = await ops(t, ["replay-webhook", merchantUid, "imp_000000000000"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no stored notification imp_000000000000/);
  });

  test("--help lists every command and exits 0", async () => {
    const t = ctx();
    const res = await ops(t, ["--help"]);
    expect(res.code).toBe(0);
    for (const command of ["timeline", "needs-attention", "reconcile", "refund", "replay-webhook"])
      expect(res.stdout).toContain(`  ${command} `);
  });

  test("an unreachable stack: one clear line and exit 1", async () => {
    const t = ctx();
    const res = await ops(t, ["timeline", "ord-1"], {
      ...t.stack.env,
      DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
    });
    expect(res.code).toBe(1);
    expect(res.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/^ops: cannot reach DynamoDB at http:\/\/127\.0\.0\.1:9/);
  });
});
