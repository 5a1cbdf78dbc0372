/**
 * `reconcile <merchant_uid | subscription id>`: what the scheduled jobs would
 * do for this one aggregate, now, through the same use cases. An order goes
 * through the reconciler's steps (reconcileOne: verified at iamport, then
 * expired, settled or rescheduled) and its refunds owed that are due are
 * carried out (payOwedRefund); a subscription's open charge attempts
 * (claimed, unknown, or a refusal awaiting its re-check) are finished as the
 * charge worker finishes them when the dispatcher's `UNKNOWN#` pass queues
 * them (chargeCycle: look up first; sent again under the same merchant_uid
 * only when the rules allow).
 */
import { chargeCycle } from "../lib/billing/use-cases/charge-cycle.js";
import { payOwedRefund } from "../lib/ledger/pay-owed-refund.js";
import { reconcileOne } from "../lib/orders/use-cases/reconcile-orders.js";
import { aggregateOf } from "./aggregate-id.js";
import type { OpsContext } from "./environment.js";
import { UsageError } from "./errors.js";
import { type CommandOutput, formatTable } from "./output.js";

interface Change {
  what: string;
  before: string;
  after: string;
}

function output(heading: string, changes: Change[], steps: string[]): CommandOutput {
  const table = changes.length
    ? formatTable(
        ["WHAT", "BEFORE", "AFTER"],
        changes.map((c) => [c.what, c.before, c.after]),
      )
    : "nothing changed\n";
  return {
    json: { aggregate: heading, steps, changes },
    text: `${heading}\n${steps.map((s) => `  ${s}\n`).join("")}\n${table}`,
  };
}

async function reconcileOrder(ctx: OpsContext, merchantUid: string): Promise<CommandOutput> {
  const { container } = ctx;
  const before = await container.orders.getWithHistory(merchantUid);
  if (!before) throw new UsageError(`no order ${merchantUid} in ${ctx.target}`);
  const log = container.logger.child({ job: "ops_reconcile" });
  const outcome = await reconcileOne(container.reconcileDeps, before.order, log);
  const steps = [`reconciler: ${outcome}`];
  for (const owed of before.owedRefunds) {
    if (owed.state === "done") continue;
    const after = await payOwedRefund(container.reconcileDeps, owed);
    steps.push(`refund owed ${owed.impUid}: ${owed.state} → ${after.state}`);
  }
  const after = await container.orders.getWithHistory(merchantUid);
  const changes: Change[] = [];
  if (after) {
    if (after.order.status !== before.order.status || after.order.version !== before.order.version)
      changes.push({
        what: "order",
        before: `${before.order.status} v${before.order.version}`,
        after: `${after.order.status} v${after.order.version}`,
      });
    for (const event of after.history.filter((e) => e.version > before.order.version))
      changes.push({
        what: `history v${event.version}`,
        before: event.from ?? "-",
        after: `${event.to}: ${event.reason}`,
      });
    for (const owed of after.owedRefunds) {
      const was = before.owedRefunds.find((o) => o.impUid === owed.impUid);
      if (!was || was.version !== owed.version)
        changes.push({ what: `refund owed ${owed.impUid}`, before: was?.state ?? "-", after: owed.state });
    }
  }
  return output(`order ${merchantUid}`, changes, steps);
}

async function reconcileSubscription(ctx: OpsContext, id: string): Promise<CommandOutput> {
  const { container } = ctx;
  const before = await container.subscriptions.getDetails(id);
  if (!before) throw new UsageError(`no subscription ${id} in ${ctx.target}`);
  const open = before.attempts.filter((a) => a.status === "claimed" || a.status === "unknown" || a.recheck);
  const steps = open.length ? [] : ["no open charge attempt to look up"];
  for (const a of open) {
    const result = await chargeCycle(container.chargeDeps, {
      subscriptionId: id,
      cycle: a.cycle,
      attempt: a.attempt,
    });
    steps.push(`charge ${a.cycle}#${a.attempt}: ${result.result}: ${result.detail}`);
  }
  const after = await container.subscriptions.getDetails(id);
  const changes: Change[] = [];
  if (after) {
    if (after.subscription.version !== before.subscription.version)
      changes.push({
        what: "subscription",
        before: `${before.subscription.status} v${before.subscription.version}`,
        after: `${after.subscription.status} v${after.subscription.version}`,
      });
    for (const a of after.attempts) {
      const was = before.attempts.find((b) => b.cycle === a.cycle && b.attempt === a.attempt);
      if (!was || was.version !== a.version)
        changes.push({ what: `charge ${a.cycle}#${a.attempt}`, before: was?.status ?? "-", after: a.status });
    }
  }
  return output(`subscription ${id}`, changes, steps);
}

/** @throws UsageError when no order or subscription has this id */
export function reconcile(ctx: OpsContext, id: string): Promise<CommandOutput> {
  const aggregate = aggregateOf(id);
  return aggregate.kind === "order"
    ? reconcileOrder(ctx, aggregate.id)
    : reconcileSubscription(ctx, aggregate.id);
}
