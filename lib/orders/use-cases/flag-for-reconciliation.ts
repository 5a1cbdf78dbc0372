/**
 * Marks an order for the reconciler without touching its money: `checkAfter`
 * set to now puts it on the due index, and the reconciler re-reads iamport and
 * applies its record. Used when iamport's balance and ours disagree.
 */
import type { Order } from "../order.js";
import type { OrdersRepository } from "../ports.js";

/** Lost races are retried from the winner's order a few times; a flag is only a hint, so then it gives up. */
const MAX_ROUNDS = 3;

/** Flags `order` (conditional on its version) with a history entry saying why. */
export async function flagForReconciliation(
  deps: { orders: OrdersRepository; clock: () => Date },
  order: Order,
  reason: string,
): Promise<void> {
  let current: Order | null = order;
  for (let round = 0; round < MAX_ROUNDS && current; round++) {
    const at = deps.clock().toISOString();
    if (current.checkAfter && current.checkAfter <= at) return; // already due
    const next: Order = { ...current, checkAfter: at, version: current.version + 1, updatedAt: at };
    const result = await deps.orders.save(current, next, {
      version: next.version,
      at,
      from: current.status,
      to: current.status,
      source: "api",
      reason,
    });
    if (result.saved) return;
    current = result.current;
  }
}
