/**
 * The soak: N subscriptions through M monthly cycles and K one-off orders,
 * the virtual clock (and the sandbox's) moved forward a day at a time,
 * every fault the sandbox offers injected at a rate, webhooks dropped,
 * duplicated, delayed and reordered, SQS redelivery and two workers on one
 * message, crashes at every point that matters. Then the faults stop, the
 * reconciler, the ledger sweep and the dispatcher run until nothing changes,
 * and our books are compared with iamport's (audit.ts).
 */

import { auditKeptCharges } from "../../lib/billing/use-cases/audit-kept-charges.js";
import { chargeBatch } from "../../lib/billing/use-cases/charge-batch.js";
import { dispatchCharges } from "../../lib/billing/use-cases/dispatch-charges.js";
import { eachLimited } from "../../lib/concurrency.js";
import { type SweepSummary, sweepLedger } from "../../lib/ledger/sweep-ledger.js";
import { iamportWebhookBodySchema } from "../../lib/orders/api-schemas.js";
import { reconcileOrders } from "../../lib/orders/use-cases/reconcile-orders.js";
import { receiveIamportWebhook } from "../../lib/webhooks/receive-iamport-webhook.js";
import { formatModes, MODE_CHOICES, MODE_NAMES, type SandboxModes } from "../../sandbox/index.js";
import { createRng, type Rng } from "../rng.js";
import {
  type ConsoleCancels,
  consoleDay,
  createHistory,
  type History,
  type OrderActor,
  type Orphan,
  orderDay,
  type PendingRefund,
  placeOrder,
  refund,
  type SubscriptionActor,
  subscribeOne,
  subscriptionDay,
} from "./actors.js";
import { auditBooks, type Books, openWork } from "./audit.js";
import { invoke, type QueuedMessage, startWorld, type World } from "./world.js";

export interface SoakOptions {
  subscriptions: number;
  cycles: number;
  orders: number;
  faultRate: number;
  seed: number;
  /** The chaos phase stops here (the settle phase and the audit still run). */
  maxSeconds: number;
  /** The sandbox's behaviour modes for what iamport leaves undocumented (the defaults when absent). */
  sandboxModes?: Partial<SandboxModes>;
  /**
   * The merchant's cancels at iamport's console (on unless false). The audit's own tests turn them off: on a
   * handful of orders they can leave no payment holding money to plant a second one beside.
   */
  consoleCancels?: boolean;
  /** Runs after the settle phase, before the audit: the soak's own test plants a violation here. */
  beforeAudit?: (world: World) => Promise<void>;
  /** Called after each simulated day (the command line prints a line a month). */
  onDay?: (day: number, days: number) => void;
}

export interface SoakResult extends Omit<Books, "violations"> {
  faults_injected: number;
  crashes_injected: number;
  seed: number;
  /** `name=value,…` of the behaviour modes that differ from the defaults, or `default`. */
  sandbox_modes: string;
  seconds: number;
  truncated: boolean;
  violations: Books["violations"];
  /** The history of the first entity that broke, when one did. */
  broken_history?: { key: string; lines: string[] };
  crash_points: Record<string, number>;
  fault_kinds: Record<string, number>;
  /** The merchant's cancels at iamport's console (not a broken promise: printed beside the figures). */
  console_cancels: ConsoleCancels;
}

/** Every behaviour mode drawn from the seed (`--sandbox-mode random`), so a replay draws the same. */
export function drawSandboxModes(seed: number): SandboxModes {
  const rng = createRng(seed).fork("sandbox modes");
  return Object.fromEntries(
    MODE_NAMES.map((name) => [name, rng.pick([...MODE_CHOICES[name]])]),
  ) as SandboxModes;
}

/** The k-th value of every mode (the last where a mode has fewer): k = 1, 2 cover every non-default value. */
export function nthSandboxModes(k: number): SandboxModes {
  return Object.fromEntries(
    MODE_NAMES.map((name) => [name, MODE_CHOICES[name][Math.min(k, MODE_CHOICES[name].length - 1)]]),
  ) as SandboxModes;
}

const DAY = 24 * 3600_000;
/**
 * Actors, webhooks and charge batches handled at once. Most of an invocation's time is spent waiting
 * (DynamoDB Local, the sandbox, an injected timeout), so more at once keeps both cores busy; the charge
 * worker's own cap on records in flight per batch still applies inside each batch.
 */
const PARALLEL = 8;
const BATCHES_IN_FLIGHT = 6;
/** Kept charges audited a soak day: the reconciler's 200 a run, as deployed (on AWS every 5 minutes). */
const KEPT_AUDIT_MAX = 200;
/** A fixed start, so a seed replays the same calendar. */
const START = Date.UTC(2027, 0, 4, 1, 0, 0);

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const rng = createRng(options.seed);
  const world = await timed("start", () =>
    startWorld({
      seedTime: START,
      chaos: { faultRate: options.faultRate, crashRate: options.faultRate / 2 },
      ...(options.sandboxModes ? { sandboxModes: options.sandboxModes } : {}),
    }),
  );
  const history = createHistory();
  const pending: PendingRefund[] = [];
  const consoleCancels: ConsoleCancels = { orders: 0, orphans: 0, charges: 0, lost_webhooks: 0 };
  let truncated = false;
  try {
    const subs: SubscriptionActor[] = [];
    await timed("subscribe", () =>
      eachLimited(
        Array.from({ length: options.subscriptions }, (_, i) => i),
        PARALLEL,
        async (i) => {
          const actor = await subscribeOne(world, rng.fork(`sub-${i}`), history, i);
          if (actor) subs.push(actor);
        },
      ),
    );
    const orders: OrderActor[] = [];
    const orphans: Orphan[] = [];
    const days = Math.ceil(options.cycles * 30.5);
    // Orders arrive over the first two thirds of the run, so each has time to settle.
    const orderDays = Math.max(1, Math.floor((days * 2) / 3));
    const ordersPerDay = options.orders / orderDays;
    let placed = 0;
    for (let day = 0; day < days; day++) {
      if ((Date.now() - started) / 1000 > options.maxSeconds) {
        truncated = true;
        break;
      }
      const dayRng = rng.fork(`day-${day}`);
      const due = Math.min(options.orders, Math.round((day + 1) * ordersPerDay)) - placed;
      const newOrders = Array.from({ length: due }, (_, i) => placed + i);
      placed += due;
      const today = [...orders];
      // Buyers, merchants and the background jobs act at the same time, as on AWS: a pause can race the
      // dispatcher, a refund the reconciler. Each actor draws from its own generator, so concurrency does
      // not change what it decides, only how its work interleaves with the rest.
      await Promise.all([
        options.consoleCancels !== false &&
          timed("console", () =>
            consoleDay(world, dayRng.fork("console"), history, {
              day,
              orders: today,
              orphans,
              counts: consoleCancels,
            }),
          ),
        timed("orders", () =>
          eachLimited(newOrders, PARALLEL, async (n) => {
            const actor = await placeOrder(world, dayRng.fork(`order-${n}`), history, n);
            if (actor) orders.push(actor);
          }),
        ),
        timed("order days", () =>
          eachLimited(today, PARALLEL, async (actor) => {
            const own = dayRng.fork(actor.merchantUid);
            if (own.chance(0.3)) await orderDay(world, own, history, actor, pending);
          }),
        ),
        timed("subscription days", () =>
          eachLimited(subs, PARALLEL, (actor) =>
            subscriptionDay(world, dayRng.fork(actor.id), history, actor),
          ),
        ),
        tick(world, dayRng, history, pending, { chaos: true, sweep: true }),
      ]);
      world.advance(DAY);
      options.onDay?.(day + 1, days);
    }
    await timed("settle", () => settle(world, rng.fork("settle"), history, pending));
    await options.beforeAudit?.(world);
    const books = await timed("audit", () => auditBooks(world));
    const first = books.violations[0];
    const broken = first ? { key: first.key.split("#")[0] as string, lines: [] as string[] } : undefined;
    if (broken) broken.lines = history.lines.get(broken.key) ?? [];
    return {
      ...books,
      faults_injected: world.counters.faults,
      crashes_injected: world.counters.crashes,
      seed: options.seed,
      sandbox_modes: formatModes(options.sandboxModes ?? {}),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      truncated,
      ...(broken ? { broken_history: broken } : {}),
      crash_points: world.counters.crashPoints,
      fault_kinds: world.counters.faultKinds,
      console_cancels: consoleCancels,
    };
  } finally {
    await world.close();
  }
}

/**
 * A day of background work: webhooks, the dispatcher and its queue, the refunds the merchant retries, the
 * reconciler and the sweep. On AWS these run at the same time, so they do here: the races between them are
 * part of what the soak tries, and the day's wall time is the slowest of them, not their sum. Each draws from
 * its own generator.
 */
async function tick(
  world: World,
  rng: Rng,
  history: History,
  pending: PendingRefund[],
  options: { chaos: boolean; sweep: boolean },
): Promise<SweepSummary | undefined> {
  let swept: SweepSummary | undefined;
  await Promise.all([
    timed("webhooks", () => deliverWebhooks(world, rng.fork("webhooks"), options.chaos)),
    timed("charges", async () => {
      const own = rng.fork("charges");
      // The consumers start on the first messages while the dispatcher still pages, as SQS feeds Lambda.
      const dispatching = timed("dispatch", () =>
        invoke(world, own, (deps) => dispatchCharges(deps.dispatch)),
      );
      await timed("drain", () => drainQueue(world, own, options.chaos, dispatching));
    }),
    timed("refunds", () => retryRefunds(world, rng.fork("refunds"), history, pending)),
    // Once a day each (on AWS every 5 and 15 minutes): a day is the coarsest step either can take.
    options.sweep &&
      timed("reconcile", () =>
        invoke(world, rng.fork("reconcile"), async (deps) => {
          // As functions/reconcile.ts: the orders, then the charges subscriptions keep.
          await reconcileOrders(deps.reconcile);
          return auditKeptCharges(deps.charge, { max: KEPT_AUDIT_MAX, pageSize: 50 });
        }),
      ),
    options.sweep &&
      timed("sweep", async () => {
        const r = await invoke(world, rng.fork("sweep"), (deps) => sweepLedger(deps.sweep));
        if (r.ok) swept = r.value;
      }),
  ]);
  // The webhooks of the day's charges and refunds.
  await timed("webhooks", () => deliverWebhooks(world, rng.fork("late webhooks"), options.chaos));
  return swept;
}

/** Where the soak's time goes (printed at the end; phases of one tick overlap, so they add up to more than the wall time). */
export const timings: Record<string, number> = {};
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = (timings[name] ?? 0) + performance.now() - start;
  }
}

/** How many settle rounds the last run took, and what the last one left (printed with the timings). */
export const settleRounds = { count: 0, last: "" };

/**
 * Faults off, then every background job, in rounds of 12 hours, until two rounds in a row end with no work
 * open (`openWork`), nothing queued and a whole sweep pass that found nothing, after at least 48 hours (an
 * unknown charge is given up after a day). Each round runs the ledger sweep over its 72-hour window, so a
 * payment our records missed turns into open work (a refund owed), or a console cancel whose webhook was
 * lost is applied, before the phase can end. Subscriptions go on billing while time passes,
 * so "nothing changed" would never hold for long; "nothing open" does.
 */
async function settle(world: World, rng: Rng, history: History, pending: PendingRefund[]) {
  world.chaos.faultRate = 0;
  world.chaos.crashRate = 0;
  world.sandbox.control.clearFaults();
  world.sandbox.control.clearWebhookFaults();
  let quiet = 0;
  for (let round = 0; round < 20 && quiet < 2; round++) {
    world.advance(12 * 3600_000);
    const swept = await tick(world, rng, history, pending, { chaos: false, sweep: true });
    const open = await openWork(world);
    const idle = world.queue.length === 0 && world.webhooks.length === 0 && pending.length === 0;
    // A console cancel whose webhook was lost opens no work: only a whole pass of the sweep that
    // found nothing says none is left unapplied.
    const clean = Boolean(
      swept && swept.passesCompleted > 0 && swept.applied + swept.refundOwed + swept.failed === 0,
    );
    quiet = open === 0 && idle && clean && round >= 3 ? quiet + 1 : 0;
    settleRounds.count = round + 1;
    settleRounds.last = `open work ${open}, queue ${world.queue.length}, webhooks ${world.webhooks.length}, refunds retried ${pending.length}, sweep ${swept ? `${swept.passesCompleted} passes, ${swept.applied} applied, ${swept.refundOwed} refunds owed, ${swept.failed} failed` : "failed"}`;
  }
}

/** Delivers the webhooks the sandbox sent, through the webhook use case; chaos drops, duplicates, delays and reorders them. */
async function deliverWebhooks(world: World, rng: Rng, chaos: boolean) {
  await world.sandbox.control.flushWebhooks();
  const batch = world.webhooks.splice(0, world.webhooks.length);
  const rate = chaos ? world.chaos.faultRate : 0;
  const out: Array<Record<string, unknown>> = [];
  for (const body of rng.shuffle(batch)) {
    if (rng.chance(rate * 0.5)) continue; // dropped (iamport's retries are off by default)
    if (rng.chance(rate * 0.3)) {
      world.webhooks.push(body); // delayed to the next tick
      continue;
    }
    out.push(body);
    if (rng.chance(rate * 0.3)) out.push(body); // duplicated
  }
  await eachLimited(out, PARALLEL, async (body) => {
    const parsed = iamportWebhookBodySchema.safeParse(body);
    if (!parsed.success) return;
    const r = await invoke(world, rng, (deps) =>
      receiveIamportWebhook({ orders: deps.verify, billing: deps.charge }, parsed.data),
    );
    // A 503 (or a crash: no answer) brings iamport's retry back, when the merchant has retries on.
    if (!r.ok && rng.chance(0.7)) world.webhooks.push(body);
  });
}

/** Deliveries of one message in one tick before it waits for the next (SQS's visibility timeout, in effect). */
const DELIVERIES_PER_TICK = 3;

/**
 * The charge queue, drained as SQS feeds Lambda: up to `BATCHES_IN_FLIGHT` batches of up to 10 at once,
 * each worker taking the next batch as soon as its last one ends, so one slow batch (an injected timeout)
 * holds up only its own worker. A message handed back is redelivered at once, up to
 * `DELIVERIES_PER_TICK` times a tick; now and then two workers get one message.
 */
async function drainQueue(world: World, rng: Rng, chaos: boolean, producer: Promise<unknown>) {
  let producing = true;
  const produced = producer.finally(() => {
    producing = false;
  });
  const deliveries = new Map<string, number>();
  const eligible = (m: QueuedMessage) => (deliveries.get(m.id) ?? 0) < DELIVERIES_PER_TICK;
  const take = (): QueuedMessage[] => {
    const batch: QueuedMessage[] = [];
    for (let i = 0; i < world.queue.length && batch.length < 10; ) {
      const m = world.queue[i] as QueuedMessage;
      if (eligible(m)) {
        world.queue.splice(i, 1);
        batch.push(m);
      } else i++;
    }
    return rng.shuffle(batch);
  };
  // While the producer runs, an idle worker looks again shortly (at most 30 s of looking in all).
  const next = async (): Promise<QueuedMessage[]> => {
    for (let wait = 0; wait < 15_000; wait++) {
      const batch = take();
      if (batch.length > 0 || !producing) return batch;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return take();
  };
  const worker = async () => {
    for (let batch = await next(); batch.length > 0; batch = await next()) {
      const duplicates = chaos ? batch.filter(() => rng.chance(world.chaos.faultRate * 0.3)) : [];
      await Promise.all([
        deliver(batch),
        duplicates.length ? deliver(duplicates.map((m) => ({ ...m }))) : null,
      ]);
    }
  };
  const deliver = async (batch: QueuedMessage[]) => {
    for (const m of batch) {
      m.receiveCount++;
      deliveries.set(m.id, (deliveries.get(m.id) ?? 0) + 1);
    }
    const r = await invoke(world, rng, (deps) =>
      chargeBatch(
        deps.charge,
        batch.map((m) => ({ id: m.id, body: m.body, receiveCount: m.receiveCount })),
      ),
    );
    const failed = new Set(r.ok ? r.value.failed : batch.map((m) => m.id));
    for (const m of batch) {
      if (!failed.has(m.id)) continue;
      if (m.receiveCount >= 5) world.deadLetters.push(m);
      else if (!world.queue.some((q) => q.id === m.id)) world.queue.push(m);
    }
  };
  await Promise.all([produced, ...Array.from({ length: BATCHES_IN_FLIGHT }, worker)]);
}

/** The merchant's integration retries a refund that got no definitive answer, with the same key. */
async function retryRefunds(world: World, rng: Rng, history: History, pending: PendingRefund[]) {
  const due = pending.splice(0, pending.length);
  for (const p of due) {
    const answer = await refund(world, rng, history, p.merchantUid, p.key, p.body);
    if (answer === "retry") pending.push(p);
  }
}
