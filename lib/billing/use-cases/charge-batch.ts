/**
 * One SQS batch of charge messages: each record parsed (zod) and charged on
 * its own; the ids of those to deliver again come back for
 * `batchItemFailures`. One bad record never fails the batch.
 *
 * At most `iamportCallsInFlight` iamport calls are in flight (the cap that
 * protects iamport is this times the event source's maximum concurrency), and
 * twice as many records are worked on: while one call waits on `again`, the
 * record that takes its place next has already read and claimed, so a freed
 * place is taken at once and the calls stay at the cap until the batch runs
 * out. More records at once only piles DynamoDB work on the batch's start
 * (and on the calls' answers, on a shared core). A claim is still written
 * before its `again`, and waits at most about one call for it (well inside
 * its lease).
 */

import * as z from "../../validation/zod.js";
import type { ChargeDeps } from "../deps.js";
import { MAX_CYCLE } from "../rules/calendar.js";
import { isSubscriptionId, MAX_ATTEMPT } from "../rules/merchant-uid.js";
import { chargeCycle } from "./charge-cycle.js";

/** A charge message's body (ports.ts `ChargeMessage`), checked on receipt like any other trust boundary. */
export const chargeMessageSchema = z.strictObject({
  subscriptionId: z.string().check(z.refine(isSubscriptionId, "not a subscription id")),
  cycle: z.int().check(z.gte(1), z.lte(MAX_CYCLE)),
  attempt: z.int().check(z.gte(1), z.lte(MAX_ATTEMPT)),
});

export interface ChargeRecord {
  id: string;
  body: string;
  /** SQS's ApproximateReceiveCount, for the logs. */
  receiveCount: number;
}

/** iamport calls in flight per batch when the caller does not say (serverless.yml sets CHARGE_IAMPORT_CALLS_IN_FLIGHT). */
const DEFAULT_IAMPORT_CALLS_IN_FLIGHT = 5;
/** No record starts with less than this left: one charge can take a send and two lookups. */
const STOP_MARGIN_MS = 20_000;

/** Charges every record of one SQS batch; returns the message ids SQS must deliver again. */
export async function chargeBatch(
  deps: ChargeDeps,
  records: ChargeRecord[],
  options: { remainingMs?: () => number; iamportCallsInFlight?: number } = {},
): Promise<{ failed: string[] }> {
  const calls = options.iamportCallsInFlight ?? DEFAULT_IAMPORT_CALLS_IN_FLIGHT;
  deps = withIamportGate(deps, calls);
  const failed: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++] as ChargeRecord;
      if ((options.remainingMs?.() ?? Number.POSITIVE_INFINITY) < STOP_MARGIN_MS) {
        failed.push(record.id); // not started: SQS delivers it again
        continue;
      }
      const log = deps.logger.child({ message_id: record.id, receive_count: record.receiveCount });
      let message: unknown;
      try {
        message = JSON.parse(record.body);
      } catch {
        message = undefined;
      }
      const parsed = chargeMessageSchema.safeParse(message);
      if (!parsed.success) {
        // It will never parse: after maxReceiveCount it rests in the DLQ, where the alarm shows it.
        log.error("malformed charge message", { issues: parsed.error.issues.map((i) => i.message) });
        failed.push(record.id);
        continue;
      }
      try {
        const outcome = await chargeCycle(deps, parsed.data);
        log.info("charge message handled", { ...outcome });
        if (outcome.result === "retry") failed.push(record.id);
      } catch (error) {
        log.error("charge message failed; SQS will deliver it again", { error });
        failed.push(record.id);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(records.length, 2 * calls) }, worker));
  return { failed };
}

/** `deps` whose iamport calls wait for one of `limit` places (first come, first served). */
function withIamportGate(deps: ChargeDeps, limit: number): ChargeDeps {
  let free = limit;
  const waiting: Array<() => void> = [];
  const gated =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (free > 0) free--;
      else await new Promise<void>((ok) => waiting.push(ok));
      try {
        return await call(...args);
      } finally {
        const next = waiting.shift();
        if (next) next();
        else free++;
      }
    };
  const { iamport } = deps;
  return {
    ...deps,
    iamport: {
      chargeBillingKey: gated(iamport.chargeBillingKey.bind(iamport)),
      findPayment: gated(iamport.findPayment.bind(iamport)),
      getPayment: gated(iamport.getPayment.bind(iamport)),
      getPayments: gated(iamport.getPayments.bind(iamport)),
      cancelPayment: gated(iamport.cancelPayment.bind(iamport)),
    },
  };
}
