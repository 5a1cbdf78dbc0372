/**
 * The soak's world: DynamoDB Local, the sandbox (in process, over HTTP), the
 * real container of use cases on a virtual clock the sandbox's clock follows,
 * an in-memory charge queue (at-least-once, redelivery, two workers on one
 * message) and a webhook inbox the harness delivers from (dropped, duplicated,
 * delayed, reordered). Every iamport call may arm a sandbox fault first, and
 * every invocation may crash at a point that matters: the write happens, then
 * the "process" dies and no call it makes afterwards reaches anything.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { ChargeDeps, SubscriptionDeps } from "../../lib/billing/deps.js";
import type { ChargeMessage, ChargeQueue } from "../../lib/billing/ports.js";
import { type Config, parseConfig } from "../../lib/config.js";
import type { IamportClient } from "../../lib/iamport/types.js";
import type { OwedRefundDeps } from "../../lib/ledger/pay-owed-refund.js";
import type { SweepLedgerDeps } from "../../lib/ledger/sweep-ledger.js";
import type { ReconcileOrdersDeps, RefundOrderDeps, VerifyPaymentDeps } from "../../lib/orders/deps.js";
import { buildContainer, type Container } from "../../lib/runtime/container.js";
import { createLedgerMatcher } from "../../lib/webhooks/match-ledger-payment.js";
import { createTable } from "../../local/dynamodb/create-table.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../local/dynamodb/dynamodb-local.js";
import type { FaultRule, SandboxModes } from "../../sandbox/index.js";
import { type Sandbox, startSandbox } from "../../sandbox/index.js";
import type { Rng } from "../rng.js";

/** The "process" died at an injected point; nothing it does afterwards reaches anything. */
export class Crash extends Error {
  constructor(readonly point: string) {
    super(`crashed ${point}`);
    this.name = "Crash";
  }
}

export interface Chaos {
  /** Probability that an iamport call first arms a sandbox fault. */
  faultRate: number;
  /** Probability that an invocation crashes at a point it passes. */
  crashRate: number;
}

export interface Counters {
  faults: number;
  crashes: number;
  crashPoints: Record<string, number>;
  faultKinds: Record<string, number>;
}

/** The deps of one invocation (one Lambda run), crash-wrapped. */
export interface Invocation {
  verify: VerifyPaymentDeps;
  refund: RefundOrderDeps;
  charge: ChargeDeps;
  subscription: SubscriptionDeps;
  reconcile: ReconcileOrdersDeps;
  sweep: SweepLedgerDeps;
  owed: OwedRefundDeps;
  createOrder: Container["createOrderDeps"];
  createBillingKey: Container["createBillingKeyDeps"];
  dispatch: Container["dispatchDeps"] & { queue: ChargeQueue };
  crashed(): boolean;
}

export interface QueuedMessage {
  id: string;
  body: string;
  receiveCount: number;
}

export interface World {
  config: Config;
  sandbox: Sandbox;
  container: Container;
  /** Virtual time (ms); the sandbox's clock follows it. */
  now(): number;
  advance(ms: number): void;
  chaos: Chaos;
  counters: Counters;
  queue: QueuedMessage[];
  deadLetters: QueuedMessage[];
  webhooks: Array<Record<string, unknown>>;
  invocation(rng: Rng): Invocation;
  close(): Promise<void>;
}

/** Routes of the iamport client's methods, as the sandbox's fault rules name them. */
const ROUTES: Record<string, { method: string; path: (args: unknown[]) => string; write: boolean }> = {
  getPayment: { method: "GET", path: () => "/payments/:imp_uid", write: false },
  findPayment: {
    method: "GET",
    path: (args) =>
      (args[1] as { status?: string } | undefined)?.status
        ? "/payments/find/:merchant_uid/:status"
        : "/payments/find/:merchant_uid",
    write: false,
  },
  findAllPayments: { method: "GET", path: () => "/payments/findAll/:merchant_uid", write: false },
  listPaymentsByStatus: { method: "GET", path: () => "/payments/status/:status", write: false },
  getBillingKey: { method: "GET", path: () => "/subscribe/customers/:customer_uid", write: false },
  preparePayment: { method: "POST", path: () => "/payments/prepare", write: true },
  getPreparedPayment: { method: "GET", path: () => "/payments/prepare/:merchant_uid", write: false },
  cancelPayment: { method: "POST", path: () => "/payments/cancel", write: true },
  chargeBillingKey: { method: "POST", path: () => "/subscribe/payments/again", write: true },
};

// Timeouts cost the client's whole timeout each; they are one kind in eight so a run stays short.
const READ_FAULTS: FaultRule["kind"][] = [
  "status",
  "status",
  "status",
  "drop",
  "drop",
  "latency",
  "latency",
  "timeout",
];
const WRITE_FAULTS: FaultRule["kind"][] = [
  "status",
  "status",
  "lost-response",
  "lost-response",
  "lost-response",
  "latency",
  "latency",
  "timeout",
];

export async function startWorld(options: {
  seedTime: number;
  chaos: Chaos;
  /** The sandbox's behaviour modes (sandbox/README.md): the books must balance in every one. */
  sandboxModes?: Partial<SandboxModes>;
}): Promise<World> {
  const ddb: DynamoDbLocal = await startDynamoDbLocal();
  const tableName = `soak-${randomUUID().slice(0, 8)}`;
  // No stream: the audit reads the outbox items from the table itself, and a stream nobody reads only
  // costs DynamoDB Local the records it keeps (the publisher's own tests run on a table with one).
  await createTable(ddb.endpoint, tableName, { stream: false });
  const webhooks: Array<Record<string, unknown>> = [];
  const inbox: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        webhooks.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        // not a JSON webhook: nothing to deliver
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => inbox.listen(0, "127.0.0.1", resolve));
  const address = inbox.address();
  const inboxUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/webhooks/iamport`;

  let now = options.seedTime;
  const sandbox = await startSandbox({
    webhookUrl: inboxUrl,
    now: Math.floor(now / 1000),
    scheduleIntervalMs: 0,
    webhookTimeoutMs: 2000,
    ...(options.sandboxModes ? { modes: options.sandboxModes } : {}),
  });
  const info = (await (await fetch(`${sandbox.url}/__sandbox/info`)).json()) as { billingMid?: string };
  const config = parseConfig({
    STAGE: "test",
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: ddb.endpoint,
    AWS_REGION: "ap-northeast-2",
    IAMPORT_API_URL: sandbox.url,
    IAMPORT_MODE: "test",
    SECRETS_SOURCE: "env",
    IAMPORT_IMP_KEY: "sandbox_key",
    IAMPORT_IMP_SECRET: "sandbox_secret",
    MERCHANT_API_KEYS: "soak-key",
    PUBLIC_API_URL: "http://127.0.0.1:9",
    SEND_NOTICE_URL: "false",
    RESULT_ORIGINS: "http://127.0.0.1:9",
    DEFAULT_RESULT_URL: "http://127.0.0.1:9/result",
    IAMPORT_TIMEOUT_MS: "100",
    LOG_LEVEL: "silent",
    LEDGER_SWEEP_WINDOW_HOURS: "72",
    ...(info.billingMid ? { KICC_BILLING_MID: info.billingMid } : {}),
  });
  // The virtual clock does not pass while the client backs off, so waiting for real would only slow the run.
  const container = buildContainer(config, {
    clock: () => new Date(now),
    sleep: () => new Promise((resolve) => setImmediate(resolve)),
  });
  const counters: Counters = { faults: 0, crashes: 0, crashPoints: {}, faultKinds: {} };
  const chaos = { ...options.chaos };
  const queue: QueuedMessage[] = [];
  const deadLetters: QueuedMessage[] = [];
  const chargeQueue: ChargeQueue = {
    async send(messages: ChargeMessage[]) {
      for (const m of messages) queue.push({ id: randomUUID(), body: JSON.stringify(m), receiveCount: 0 });
      return { failed: [] };
    },
  };

  const world: World = {
    config,
    sandbox,
    container,
    now: () => now,
    advance(ms) {
      now += ms;
      sandbox.control.setClock(Math.floor(now / 1000));
    },
    chaos,
    counters,
    queue,
    deadLetters,
    webhooks,
    invocation: (rng) => invocation(world, rng, chargeQueue),
    async close() {
      await sandbox.close();
      await new Promise<void>((resolve) => inbox.close(() => resolve()));
      await ddb.stop();
    },
  };
  return world;
}

/**
 * Wraps every method of `target`: dead invocations throw at once; a hooked
 * method may crash the invocation after it returned (the write happened).
 */
function wrap<T extends object>(
  target: T,
  ctx: { dead: boolean },
  around: (name: string, args: unknown[], call: () => Promise<unknown>) => Promise<unknown>,
): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== "function") return value;
      const name = String(prop);
      return (...args: unknown[]) => {
        if (ctx.dead) throw new Crash("(already dead)");
        // Index pages are async generators: reads, passed through.
        if (name.startsWith("pages")) return value.apply(obj, args);
        return around(name, args, async () => {
          if (ctx.dead) throw new Crash("(already dead)");
          return value.apply(obj, args);
        });
      };
    },
  });
}

function invocation(world: World, rng: Rng, queue: ChargeQueue): Invocation {
  const ctx = { dead: false };
  const { container, counters, chaos } = world;
  const crash = (point: string): never => {
    ctx.dead = true;
    counters.crashes++;
    counters.crashPoints[point] = (counters.crashPoints[point] ?? 0) + 1;
    throw new Crash(point);
  };
  const maybeCrash = (point: string) => {
    if (chaos.crashRate > 0 && rng.chance(chaos.crashRate)) crash(point);
  };

  const iamport = wrap(container.iamport as IamportClient, ctx, async (name, args, call) => {
    const route = ROUTES[name];
    if (route && chaos.faultRate > 0 && rng.chance(chaos.faultRate)) {
      const kind =
        name === "chargeBillingKey" && rng.chance(0.25)
          ? "refused-after-success"
          : rng.pick(route.write ? WRITE_FAULTS : READ_FAULTS);
      world.sandbox.control.addFault({
        method: route.method,
        path: route.path(args),
        kind,
        times: 1,
        ...(kind === "status" ? { status: rng.pick([500, 502, 503, 504]) } : {}),
        ...(kind === "latency" ? { ms: 25 + rng.int(75) } : {}),
      });
      counters.faults++;
      counters.faultKinds[kind] = (counters.faultKinds[kind] ?? 0) + 1;
    }
    let result: unknown;
    try {
      result = await call();
    } catch (error) {
      if (name === "chargeBillingKey") maybeCrash("between again and its record");
      if (name === "cancelPayment") maybeCrash("between the cancel and its record");
      throw error;
    }
    if (name === "chargeBillingKey") maybeCrash("between again and its record");
    if (name === "cancelPayment") maybeCrash("between the cancel and its record");
    return result;
  });
  const orders = wrap(container.orders, ctx, async (name, args, call) => {
    const result = (await call()) as { saved?: boolean };
    if (name === "save" && args[3] && result.saved) maybeCrash("between a refund decision and the cancel");
    else if (name === "save" && result.saved && rng.chance(0.3))
      maybeCrash("between an order's record and its answer");
    return result;
  });
  const subscriptions = wrap(container.subscriptions, ctx, async (name, args, call) => {
    const result = await call();
    if (name === "claim" && (result as { claimed: boolean }).claimed) maybeCrash("between claim and again");
    if (name === "settle" && result === "saved") {
      if ((args[0] as { owed?: unknown }).owed) maybeCrash("between a refund decision and the cancel");
      else maybeCrash("between the record and the ack");
    }
    if (name === "decideRefund" && result === "saved") maybeCrash("between a refund decision and the cancel");
    return result;
  });
  const owedRefunds = wrap(container.verifyDeps.owedRefunds, ctx, async (name, _args, call) => {
    const result = (await call()) as { created?: boolean };
    if (name === "putIfAbsent" && result.created) maybeCrash("between a refund decision and the cancel");
    return result;
  });
  const refunds = wrap(container.refundDeps.refunds, ctx, async (name, _args, call) => {
    const result = (await call()) as { claimed?: boolean };
    if (name === "claim" && result.claimed) maybeCrash("between a refund request and its cancel");
    return result;
  });
  const billingKeys = wrap(container.subscriptionDeps.billingKeys, ctx, (_n, _a, call) => call());

  const verify: VerifyPaymentDeps = { ...container.verifyDeps, iamport, orders, owedRefunds };
  const charge: ChargeDeps = { ...container.chargeDeps, iamport, subscriptions, owedRefunds };
  const subscription: SubscriptionDeps = {
    ...container.subscriptionDeps,
    iamport,
    subscriptions,
    billingKeys,
    queue,
  };
  return {
    verify,
    refund: {
      ...container.refundDeps,
      ...verify,
      refunds,
      sleep: async () => undefined,
      settings: { waitMs: 0 },
    },
    charge,
    subscription,
    reconcile: { ...container.reconcileDeps, ...verify },
    owed: verify,
    sweep: {
      ...container.sweepDeps,
      iamport,
      owed: verify,
      match: createLedgerMatcher({ orders: verify, billing: charge }),
    },
    createOrder: { ...container.createOrderDeps, iamport, orders },
    createBillingKey: container.createBillingKeyDeps,
    dispatch: { ...container.dispatchDeps, subscriptions, queue },
    crashed: () => ctx.dead,
  };
}

/** Runs `work` as one invocation: a crash is swallowed (the harness is the dead process's supervisor). */
export async function invoke<T>(
  world: World,
  rng: Rng,
  work: (deps: Invocation) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  const deps = world.invocation(rng);
  try {
    return { ok: true, value: await work(deps) };
  } catch (error) {
    return { ok: false, error };
  }
}
