/**
 * One SQS batch of charge messages: each record parsed (zod) and charged on
 * its own; the ids of those to deliver again come back for
 * `batchItemFailures`. One bad record never fails the batch.
 */

import { chargeCycle } from "./charge-cycle.js";
import type { ChargeDeps } from "./charge-deps.js";
import { chargeMessageSchema } from "./charge-queue.js";

export interface ChargeRecord {
  id: string;
  body: string;
  /** SQS's ApproximateReceiveCount, for the logs. */
  receiveCount: number;
}

/** Records charged at once: enough to finish a batch of 10 quickly; the function's concurrency caps iamport. */
const CONCURRENCY = 3;
/** No record starts with less than this left: one charge can take a send and two lookups. */
const STOP_MARGIN_MS = 20_000;

/** Charges every record of one SQS batch; returns the message ids SQS must deliver again. */
export async function chargeBatch(
  deps: ChargeDeps,
  records: ChargeRecord[],
  options: { remainingMs?: () => number } = {},
): Promise<{ failed: string[] }> {
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
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, records.length) }, worker));
  return { failed };
}
