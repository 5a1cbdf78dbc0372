/**
 * What buyers and merchants do in the soak: one-off orders of every pay method
 * (card, trans, vbank with deposits and reopened windows, phone, escrow),
 * forged amounts, declines and closed windows, the three completion doors,
 * full and partial refunds (same and different Idempotency-Keys, at once);
 * subscriptions with pause, resume, cancel now and at period end, card
 * switches (also to a card that declines), soft and hard declines; the
 * merchant's cancels at iamport's console (their webhooks sometimes lost), on
 * paid orders and on orphan payments. Every call goes through a use case the
 * Lambdas run, as one crash-prone invocation.
 */
import { randomUUID } from "node:crypto";
import { parseChargeMerchantUid } from "../../lib/billing/rules/merchant-uid.js";
import {
  cancelSubscription,
  pauseSubscription,
  resumeSubscription,
} from "../../lib/billing/use-cases/change-subscription.js";
import { createBillingKey } from "../../lib/billing/use-cases/create-billing-key.js";
import { createSubscription } from "../../lib/billing/use-cases/create-subscription.js";
import { switchCard } from "../../lib/billing/use-cases/switch-card.js";
import type { RefundOrderBody } from "../../lib/orders/api-schemas.js";
import { createOrder } from "../../lib/orders/use-cases/create-order.js";
import { receiveNotification } from "../../lib/orders/use-cases/receive-notification.js";
import { refundOrder } from "../../lib/orders/use-cases/refund-order.js";
import type { Rng } from "../rng.js";
import { createBillingKeySchemaParse, createOrderBody, createSubscriptionBodyParse } from "./bodies.js";
import { invoke, type World } from "./world.js";

export interface History {
  /** Every action taken for one merchant_uid or subscription, in order, with the virtual time. */
  lines: Map<string, string[]>;
  note(key: string, line: string, world: World): void;
}

export function createHistory(): History {
  const lines = new Map<string, string[]>();
  return {
    lines,
    note(key, line, world) {
      const list = lines.get(key) ?? [];
      list.push(`${new Date(world.now()).toISOString()} ${line}`);
      lines.set(key, list);
    },
  };
}

export interface PendingRefund {
  merchantUid: string;
  key: string;
  body: RefundOrderBody;
}

export interface OrderActor {
  /** The order's place in the run (actors finish in the machine's order; picks go by this). */
  index: number;
  merchantUid: string;
  payMethod: "card" | "trans" | "vbank" | "phone";
  requestPay: Record<string, unknown>;
  accounts: string[];
  /** The payment made in the order's window (a vbank's accounts are in `accounts`). */
  paidImpUid?: string;
}

const ACCOUNT = { refund_holder: "홍길동", refund_bank: "088", refund_account: "110123456789" };

/** Creates an order (retried with its Idempotency-Key until answered) and pays it in the window. */
export async function placeOrder(
  world: World,
  rng: Rng,
  history: History,
  index: number,
): Promise<OrderActor | null> {
  const payMethod = rng.pick(["card", "card", "trans", "vbank", "vbank", "phone"] as const);
  const escrow = (payMethod === "trans" || payMethod === "vbank") && rng.chance(0.2);
  const request = createOrderBody({ payMethod, escrow, amount: 1_000 * (1 + rng.int(50)), index });
  const idempotencyKey = `soak-order-${index}-${randomUUID()}`;
  let created: Awaited<ReturnType<typeof createOrder>> | null = null;
  for (let tries = 0; tries < 6 && !created; tries++) {
    const r = await invoke(world, rng, (deps) => createOrder(deps.createOrder, { request, idempotencyKey }));
    if (r.ok) created = r.value;
  }
  if (!created) return null;
  const order = created.order;
  const actor: OrderActor = {
    index,
    merchantUid: order.merchantUid,
    payMethod,
    requestPay: order.requestPay as unknown as Record<string, unknown>,
    accounts: [],
  };
  history.note(order.merchantUid, `created ${payMethod}${escrow ? " escrow" : ""} ${order.amount}`, world);

  const roll = rng.next();
  const pay: Record<string, unknown> =
    roll < 0.06
      ? { amount: order.amount + 1_000 * (1 + rng.int(5)), bypassPrepare: true }
      : roll < 0.12 && payMethod === "card"
        ? { outcome: { decline: rng.pick(["insufficient_balance", "limit_exceeded", "lost_card"]) } }
        : roll < 0.16
          ? { outcome: "close" }
          : {};
  const rsp = world.sandbox.control.pay({ ...actor.requestPay, outcome: "approve", ...pay } as never);
  history.note(actor.merchantUid, `paid in the window: ${JSON.stringify(pay)} → ${rsp.imp_uid}`, world);
  if (rsp.imp_uid) {
    actor.paidImpUid = rsp.imp_uid;
    if (payMethod === "vbank") actor.accounts.push(rsp.imp_uid);
    await door(world, rng, history, actor.merchantUid, rsp.imp_uid);
  }
  return actor;
}

/** The PC callback or the mobile redirect (or neither: the webhook alone). */
async function door(world: World, rng: Rng, history: History, merchantUid: string, impUid: string) {
  const source = rng.pick(["callback", "callback", "redirect", "none"] as const);
  if (source === "none") return;
  const r = await invoke(world, rng, (deps) =>
    receiveNotification(deps.verify, {
      source,
      merchantUid,
      impUid,
      body: { imp_uid: impUid, merchant_uid: merchantUid },
    }),
  );
  history.note(merchantUid, `${source} → ${r.ok ? r.value.outcome : "crashed/failed"}`, world);
}

/** Later in an order's life: deposits, a reopened window, refunds. */
export async function orderDay(
  world: World,
  rng: Rng,
  history: History,
  actor: OrderActor,
  pending: PendingRefund[],
): Promise<void> {
  const control = world.sandbox.control;
  if (actor.payMethod === "vbank" && actor.accounts.length > 0) {
    if (actor.accounts.length === 1 && rng.chance(0.08)) {
      const again = control.pay({ ...actor.requestPay, outcome: "approve" } as never);
      if (again.imp_uid) {
        actor.accounts.push(again.imp_uid);
        history.note(actor.merchantUid, `reopened the window: second account ${again.imp_uid}`, world);
      }
    }
    for (const account of actor.accounts) {
      const p = control.payment(account);
      if (p?.status === "ready" && p.vbank_num && rng.chance(0.35)) {
        try {
          control.depositVbank(account);
          history.note(actor.merchantUid, `deposit into ${account}`, world);
        } catch (error) {
          history.note(actor.merchantUid, `deposit refused: ${(error as Error).message}`, world);
        }
      }
    }
  }
  if (rng.chance(0.12)) {
    const full = rng.chance(0.5);
    const body: RefundOrderBody = {
      reason: "customer asked",
      ...(full ? {} : { amount: 1_000 * (1 + rng.int(3)) }),
      ...(actor.payMethod === "vbank" ? ACCOUNT : {}),
    };
    const keys = rng.chance(0.15) ? [randomUUID(), randomUUID()] : [randomUUID()];
    const answers = await Promise.all(
      keys.map((key) => refund(world, rng, history, actor.merchantUid, key, body)),
    );
    for (const [i, answer] of answers.entries()) {
      const key = keys[i] as string;
      if (answer === "retry") pending.push({ merchantUid: actor.merchantUid, key, body });
      else if (rng.chance(0.1)) await refund(world, rng, history, actor.merchantUid, key, body); // a replay
    }
  }
}

/** One refund request; "retry" when the merchant has no definitive answer yet (5xx, a crash, in progress). */
export async function refund(
  world: World,
  rng: Rng,
  history: History,
  merchantUid: string,
  key: string,
  body: RefundOrderBody,
): Promise<"done" | "refused" | "retry"> {
  const r = await invoke(world, rng, (deps) =>
    refundOrder(deps.refund, { merchantUid, idempotencyKey: key, request: body }),
  );
  if (r.ok) {
    history.note(
      merchantUid,
      `refund ${key.slice(0, 8)} ${body.amount ?? "full"} → ${r.value.result.amount}`,
      world,
    );
    return "done";
  }
  const error = r.error as { name?: string; code?: string; message?: string };
  const retry =
    error.name === "Crash" ||
    error.name === "RetryLaterError" ||
    (error.name === "ConflictError" && error.code === "refund_in_progress");
  history.note(
    merchantUid,
    `refund ${key.slice(0, 8)} ${body.amount ?? "full"} → ${error.name} ${error.code ?? ""} ${error.message ?? ""}`,
    world,
  );
  return retry ? "retry" : "refused";
}

/** What the merchant did at iamport's console (printed with the figures; not a broken promise). */
export interface ConsoleCancels {
  orders: number;
  orphans: number;
  /** Subscription charges refunded at the console (kept or not: the merchant sees only iamport's list). */
  charges: number;
  /** Of those, cancels whose webhook the sandbox dropped. */
  lost_webhooks: number;
}

/** A payment under an order id of ours with no order, waiting for its console cancel. */
export interface Orphan {
  merchantUid: string;
  impUid: string;
}

/**
 * The merchant at iamport's console, some days: cancels the payment of a paid one-off order in part or
 * in full, and now and then a buyer pays under an order id of ours with no order (an orphan) and the
 * merchant cancels part of it. At the fault rate the cancel's webhook is lost (a sandbox webhook fault,
 * armed for that event alone), so only the ledger sweep can tell our records. Each cancel waits a few
 * milliseconds first, so it lands among the day's refunds, webhooks and sweep.
 */
export async function consoleDay(
  world: World,
  rng: Rng,
  history: History,
  input: { day: number; orders: OrderActor[]; orphans: Orphan[]; counts: ConsoleCancels },
): Promise<void> {
  const control = world.sandbox.control;
  const lost = () => rng.chance(Math.min(1, world.chaos.faultRate * 2.5));
  if (rng.chance(0.05)) {
    const merchantUid = `ord_${`orphan${input.day}x${input.orphans.length}`.padEnd(24, "0")}`;
    const dropPaid = lost();
    if (dropPaid) control.setWebhookFault({ kind: "drop", times: 1 });
    const rsp = control.pay({
      pg: "kicc",
      pay_method: "card",
      merchant_uid: merchantUid,
      amount: 1_000 * (4 + rng.int(20)),
      name: "nobody's",
      buyer_tel: "010-1234-5678",
      outcome: "approve",
    } as never);
    history.note(merchantUid, `orphan paid → ${rsp.imp_uid}${dropPaid ? " (webhook lost)" : ""}`, world);
    if (rsp.imp_uid) input.orphans.push({ merchantUid, impUid: rsp.imp_uid });
  }
  for (const orphan of input.orphans.splice(0)) {
    if (!rng.chance(0.6)) {
      input.orphans.push(orphan); // another day
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, rng.int(20)));
    if (cancelAtConsole(world, rng, history, orphan.merchantUid, orphan.impUid, lost(), true)) {
      input.counts.orphans++;
    }
  }
  // A subscription charge refunded at the console, as a customer asked: any charge holding money, in
  // iamport's order of merchant_uid (the merchant sees iamport's list, not which one a cycle keeps).
  if (rng.chance(0.2)) {
    const charges = control
      .payments()
      .filter(
        (p) =>
          p.merchant_uid.startsWith("sub_") &&
          p.customer_uid_usage === "payment" &&
          p.status === "paid" &&
          p.amount > p.cancel_amount,
      )
      .sort((a, b) => a.merchant_uid.localeCompare(b.merchant_uid) || a.imp_uid.localeCompare(b.imp_uid));
    if (charges.length > 0) {
      const p = rng.pick(charges);
      const subscriptionId = parseChargeMerchantUid(p.merchant_uid)?.subscriptionId ?? p.merchant_uid;
      await new Promise((resolve) => setTimeout(resolve, rng.int(20)));
      const dropped = lost();
      if (cancelAtConsole(world, rng, history, subscriptionId, p.imp_uid, dropped, false)) {
        input.counts.charges++;
        if (dropped) input.counts.lost_webhooks++;
      }
    }
  }
  if (input.orders.length === 0 || !rng.chance(0.25)) return;
  const orders = [...input.orders].sort((a, b) => a.index - b.index);
  for (let n = 1 + rng.int(2); n > 0; n--) {
    const actor = rng.pick(orders);
    const impUid = rng.pick([...new Set([actor.paidImpUid, ...actor.accounts])]);
    if (!impUid) continue;
    await new Promise((resolve) => setTimeout(resolve, rng.int(20)));
    const dropped = lost();
    if (cancelAtConsole(world, rng, history, actor.merchantUid, impUid, dropped, false)) {
      input.counts.orders++;
      if (dropped) input.counts.lost_webhooks++;
    }
  }
}

/** One console cancel of what a payment still holds, in part (or in full); false when it holds nothing. */
function cancelAtConsole(
  world: World,
  rng: Rng,
  history: History,
  merchantUid: string,
  impUid: string,
  dropWebhook: boolean,
  partOnly: boolean,
): boolean {
  const control = world.sandbox.control;
  const p = control.payment(impUid);
  const left = p ? p.amount - p.cancel_amount : 0;
  if (!p || left <= 0 || !(p.status === "paid" || (p.status === "cancelled" && p.cancel_amount > 0))) {
    history.note(merchantUid, `console cancel of ${impUid}: nothing held (${p?.status})`, world);
    return false;
  }
  const part = 1_000 * (1 + rng.int(3));
  const amount = partOnly || rng.chance(0.5) ? (part < left ? part : undefined) : undefined;
  if (partOnly && amount === undefined) return false;
  // Armed and used in one synchronous step: the drop takes this cancel's webhook and no other.
  if (dropWebhook) control.setWebhookFault({ kind: "drop", times: 1 });
  try {
    const after = control.cancelFromConsole(impUid, {
      ...(amount ? { amount } : {}),
      reason: "콘솔 취소",
    });
    history.note(
      merchantUid,
      `console cancel of ${impUid} ${amount ?? "full"}${dropWebhook ? " (webhook lost)" : ""} → ${after.status}, cancelled ${after.cancel_amount}`,
      world,
    );
    return true;
  } catch (error) {
    if (dropWebhook) control.clearWebhookFaults(); // the soak arms no other webhook fault
    history.note(merchantUid, `console cancel of ${impUid} refused: ${(error as Error).message}`, world);
    return false;
  }
}

export interface SubscriptionActor {
  id: string;
  customerUid: string;
  idempotencyKey: string;
}

/** A billing key issued in KICC's window (as the buyer would), or null when the merchant never got one. */
async function issueKey(world: World, rng: Rng): Promise<string | null> {
  const r = await invoke(world, rng, (deps) =>
    createBillingKey(
      deps.createBillingKey,
      createBillingKeySchemaParse({ buyer_name: "구독자", buyer_tel: "010-2222-3333" }),
    ),
  );
  if (!r.ok) return null;
  const rsp = world.sandbox.control.pay({ ...r.value.requestPay, outcome: "approve" } as never);
  return rsp.success ? r.value.customerUid : null;
}

export async function subscribeOne(world: World, rng: Rng, history: History, index: number) {
  const customerUid = await issueKey(world, rng);
  if (!customerUid) return null;
  const idempotencyKey = `soak-sub-${index}-${randomUUID()}`;
  const body = createSubscriptionBodyParse({
    customer_uid: customerUid,
    plan: { name: "Coffee beans", amount: 9_900, interval: "month" },
    buyer_name: "구독자",
  });
  for (let tries = 0; tries < 6; tries++) {
    const r = await invoke(world, rng, (deps) =>
      createSubscription(deps.subscription, { body, idempotencyKey }),
    );
    if (r.ok) {
      history.note(r.value.subscription.id, `subscribed with ${customerUid}`, world);
      return { id: r.value.subscription.id, customerUid, idempotencyKey };
    }
  }
  return null;
}

/** A merchant or buyer doing something to one subscription today (most days, nothing). */
export async function subscriptionDay(
  world: World,
  rng: Rng,
  history: History,
  actor: SubscriptionActor,
): Promise<void> {
  const control = world.sandbox.control;
  const roll = rng.next();
  const run = async (what: string, work: Parameters<typeof invoke>[2]) => {
    const r = await invoke(world, rng, work);
    const outcome = r.ok ? "ok" : `${(r.error as Error).name} ${(r.error as { code?: string }).code ?? ""}`;
    history.note(actor.id, `${what} → ${outcome}`, world);
  };
  // Daily odds chosen so most subscriptions live through a year of cycles: a pause a year or so,
  // resumed within weeks, a cancel for about one in four.
  if (roll < 0.003) await run("pause", (deps) => pauseSubscription(deps.subscription, actor.id));
  else if (roll < 0.04) await run("resume", (deps) => resumeSubscription(deps.subscription, actor.id));
  else if (roll < 0.0404)
    await run("cancel now", (deps) => cancelSubscription(deps.subscription, { id: actor.id, at: "now" }));
  else if (roll < 0.0408)
    await run("cancel at period end", (deps) =>
      cancelSubscription(deps.subscription, { id: actor.id, at: "period_end" }),
    );
  else if (roll < 0.045) {
    const key = await issueKey(world, rng);
    if (!key) return;
    if (rng.chance(0.3)) control.addDecline({ customer_uid: key, reason: "insufficient_balance" });
    await run(`switch card to ${key}`, (deps) =>
      switchCard(deps.subscription, { id: actor.id, customerUid: key }),
    );
    actor.customerUid = key;
  } else if (roll < 0.075) {
    const reason = rng.chance(0.8) ? "insufficient_balance" : "lost_card";
    control.addDecline({ customer_uid: actor.customerUid, reason });
    history.note(actor.id, `the card starts declining (${reason})`, world);
  } else if (roll < 0.2) {
    control.removeDeclines(actor.customerUid);
  }
}
