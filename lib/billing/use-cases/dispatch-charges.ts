/**
 * The dispatcher (EventBridge, every few minutes): pages the sparse due index
 * (`DUE#<shard>`, by `checkAfter`) and queues one SQS message per due cycle
 * attempt, ends subscriptions whose period or dunning is over (no iamport call
 * needed), then pages the open-attempt index (`UNKNOWN#<shard>`) and queues
 * each claimed-and-lapsed or unknown attempt for resolution by lookup. It
 * never calls iamport itself: the queue's capped consumer does, so iamport
 * sees a bounded rate however many cycles fall due at once.
 *
 * A queued entry is leased (its `checkAfter` moved ahead, no version bump) so
 * the next run does not queue it again while it waits; if the message is
 * lost, the lease runs out and it is queued again. Duplicates are harmless:
 * the consumer claims (cycle, attempt) with a conditional write.
 */
import { eachLimited } from "../../concurrency.js";
import type { Logger } from "../../observability/logger.js";
import type { ChargeMessage, ChargeQueue, SubscriptionsRepository } from "../ports.js";
import type { BillingPolicy } from "../rules/billing-policy.js";
import { decideDue } from "../rules/subscription-machine.js";
import { historyEvent, type Subscription } from "../subscription.js";

export interface DispatchChargesDeps {
  subscriptions: SubscriptionsRepository;
  queue: ChargeQueue;
  clock: () => Date;
  logger: Logger;
  policy: BillingPolicy;
  settings: {
    /** Items read per index shard per page. */
    pageSize: number;
    /** Messages queued per run at most; the rest wait for the next run. */
    maxPerRun: number;
    /** How long a queued entry stays out of the due window. */
    leaseMs: number;
  };
}

export interface DispatchSummary {
  /** Cycle attempts queued for charging. */
  queued: number;
  /** Open attempts queued for resolution. */
  resolving: number;
  /** Subscriptions ended without a charge (canceled at period end, dunning over). */
  ended: number;
  /** Messages SQS did not take (found again next run). */
  unqueued: number;
  /** Trial-ending notices recorded. */
  noticed: number;
}

/** Time kept back for the page in flight. */
const STOP_MARGIN_MS = 20_000;
/**
 * Lease writes at once. Each is its own conditional write on the version the dispatcher read, so their
 * order does not matter; one after another, a page of 100 due subscriptions cost 100 round trips in a row.
 */
const LEASE_WRITES_IN_FLIGHT = 8;

/** One dispatcher run: queues what is due, ends what is over, and returns (and logs) a summary. */
export async function dispatchCharges(
  deps: DispatchChargesDeps,
  input: { remainingMs?: () => number } = {},
): Promise<DispatchSummary> {
  const log = deps.logger.child({ job: "dispatch-charges" });
  const summary: DispatchSummary = { queued: 0, resolving: 0, ended: 0, unqueued: 0, noticed: 0 };
  const now = deps.clock();
  const lease = new Date(now.getTime() + deps.settings.leaseMs).toISOString();
  const budgetLeft = () =>
    summary.queued + summary.resolving < deps.settings.maxPerRun &&
    (input.remainingMs?.() ?? Number.POSITIVE_INFINITY) > STOP_MARGIN_MS;

  for await (const page of deps.subscriptions.pagesDue(now, deps.settings.pageSize)) {
    const due: Array<{ sub: Subscription; message: ChargeMessage }> = [];
    for (const read of page) {
      let sub = read;
      let decision = decideDue(sub, deps.policy, now);
      if (decision.kind === "notice") {
        const { next, reason } = decision.transition;
        // `subscription.trial_ending` (lib/billing/subscription-events.ts) is an outbox item of this write.
        const saved = await deps.subscriptions.save(sub, next, historyEvent(sub, next, "dispatcher", reason));
        if (!saved.saved) continue; // a charge or a merchant command wrote first; the next run decides again
        summary.noticed++;
        log.info("trial ending notice", { subscription_id: sub.id, trial_ends_at: next.trial?.endsAt });
        // A run that finds the notice late (the trial ends now) charges in the same run.
        sub = next;
        decision = decideDue(sub, deps.policy, now);
      }
      if (decision.kind === "charge") {
        due.push({
          sub,
          message: { subscriptionId: sub.id, cycle: decision.cycle, attempt: decision.attempt },
        });
      } else if (decision.kind === "end") {
        const { next, reason } = decision.transition;
        // A lost race means a charge or a merchant command wrote first; the next run decides again.
        const saved = await deps.subscriptions.save(sub, next, historyEvent(sub, next, "dispatcher", reason));
        if (saved.saved) {
          summary.ended++;
          log.info("subscription ended", { subscription_id: sub.id, status: next.status, reason });
        }
      } else if (decision.kind === "reindex") {
        await deps.subscriptions.setCheckAfter(sub, decision.checkAfter);
      }
    }
    const sent = await send(
      deps,
      due.map((d) => d.message),
      summary,
    );
    await eachLimited(
      due.filter(({ message }) => sent.has(message)),
      LEASE_WRITES_IN_FLIGHT,
      async ({ sub }) => {
        await deps.subscriptions.setCheckAfter(sub, lease);
      },
    );
    summary.queued += sent.size;
    if (!budgetLeft()) break;
  }

  if (budgetLeft()) {
    for await (const page of deps.subscriptions.pagesOpenAttempts(now, deps.settings.pageSize)) {
      const messages = page.map((a) => ({
        subscriptionId: a.subscriptionId,
        cycle: a.cycle,
        attempt: a.attempt,
      }));
      const sent = await send(deps, messages, summary);
      await eachLimited(
        page.filter((_, i) => sent.has(messages[i] as ChargeMessage)),
        LEASE_WRITES_IN_FLIGHT,
        async (attempt) => {
          await deps.subscriptions.setAttemptCheckAfter(attempt, lease);
        },
      );
      summary.resolving += sent.size;
      if (!budgetLeft()) break;
    }
  }
  const level = summary.unqueued > 0 ? "warn" : "info";
  log[level]("dispatch run finished", { ...summary });
  return summary;
}

async function send(
  deps: DispatchChargesDeps,
  messages: ChargeMessage[],
  summary: DispatchSummary,
): Promise<Set<ChargeMessage>> {
  if (messages.length === 0) return new Set();
  const { failed } = await deps.queue.send(messages);
  summary.unqueued += failed.length;
  const unsent = new Set(failed);
  return new Set(messages.filter((message) => !unsent.has(message)));
}
