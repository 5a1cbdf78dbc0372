/**
 * Lambda's SQS event source, locally: polls each consumed queue, hands the
 * consumer real SQS events (batches up to `batchSize`, `messageId`,
 * `receiptHandle`, `attributes.ApproximateReceiveCount`), at most
 * `maximumConcurrency` batches in flight, and honours `batchItemFailures`
 * (a handler that throws fails the whole batch).
 */
import { lambdaContext } from "./lambda-context.js";
import { LOCAL_ACCOUNT } from "./sqs-protocol.js";
import type { QueuedMessage, QueueStore } from "./sqs-queues.js";

export interface LocalConsumer {
  queue: string;
  functionName: string;
  handler: (event: unknown, context: unknown) => Promise<unknown>;
  batchSize: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency: number;
}

const REGION = "ap-northeast-2";

export function sqsEvent(queue: string, batch: QueuedMessage[]) {
  return {
    Records: batch.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle ?? "",
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: LOCAL_ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: `arn:aws:sqs:${REGION}:${LOCAL_ACCOUNT}:${queue}`,
      awsRegion: REGION,
    })),
  };
}

export function startEventSource(
  store: QueueStore,
  consumers: LocalConsumer[],
  options: { pollMs?: number; functionTimeoutMs?: number; onError?: (error: unknown) => void } = {},
): { inFlight(): number; stop(): Promise<void> } {
  for (const consumer of consumers) {
    if (!store.has(consumer.queue))
      throw new Error(`${consumer.functionName} consumes unknown queue ${consumer.queue}`);
  }
  const inFlight = new Map<LocalConsumer, number>(consumers.map((c) => [c, 0]));
  // Nothing here may end the process: not a consumer, not the error callback, not a bug of the poller.
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {}
  };
  const running = new Set<Promise<void>>();

  const deliver = async (consumer: LocalConsumer, batch: QueuedMessage[]) => {
    const all = new Set(batch.map((m) => m.messageId));
    let failed: Set<string>;
    try {
      const result = (await consumer.handler(
        sqsEvent(consumer.queue, batch),
        lambdaContext(consumer.functionName, options.functionTimeoutMs ?? 60_000),
      )) as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | undefined;
      const ids = consumer.reportBatchItemFailures
        ? (result?.batchItemFailures ?? []).map((i) => i.itemIdentifier)
        : [];
      // As Lambda does: an empty or unknown itemIdentifier fails the whole batch.
      failed = ids.every((id) => id && all.has(id)) ? new Set(ids as string[]) : all;
    } catch (error) {
      report(error);
      failed = all;
    }
    store.settle(
      consumer.queue,
      batch.map((m) => ({ messageId: m.messageId, receiptHandle: m.receiptHandle ?? "" })),
      failed,
    );
  };

  const tick = () => {
    for (const consumer of consumers) {
      // Bounded: a tick starts at most maximumConcurrency batches per consumer.
      while ((inFlight.get(consumer) ?? 0) < consumer.maximumConcurrency) {
        const batch = store.receive(consumer.queue, consumer.batchSize);
        if (batch.length === 0) break;
        inFlight.set(consumer, (inFlight.get(consumer) ?? 0) + 1);
        const run = deliver(consumer, batch)
          .catch(report)
          .finally(() => {
            inFlight.set(consumer, (inFlight.get(consumer) ?? 1) - 1);
            running.delete(run);
            // As Lambda's pollers, which hold the next batch ready: a freed place is filled now, not a poll later.
            safeTick();
          });
        running.add(run);
      }
    }
  };
  let stopped = false;
  const safeTick = () => {
    if (stopped) return;
    try {
      tick();
    } catch (error) {
      report(error);
    }
  };
  const timer = setInterval(safeTick, options.pollMs ?? 20);
  timer.unref();

  return {
    inFlight: () => running.size,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
