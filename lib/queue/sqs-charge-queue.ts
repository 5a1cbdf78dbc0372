/**
 * The charge queue on SQS. The SDK is imported on first send: only the
 * functions that enqueue pay for loading it, and only when they do.
 */
import type { ChargeMessage, ChargeQueue } from "../billing/ports.js";
import type { Logger } from "../observability/logger.js";

/** SendMessageBatch takes at most 10 entries. */
const BATCH = 10;

/** A charge queue that sends in batches of 10 with SendMessageBatch; unsent messages come back. */
export function createSqsChargeQueue(options: {
  /** CHARGE_QUEUE_URL; a deployment without billing leaves it unset and must not enqueue. */
  queueUrl: string | undefined;
  region: string;
  /** Only for the local SQS stand-in; unset on AWS. */
  endpoint?: string;
  logger: Logger;
}): ChargeQueue {
  let loaded: Promise<{ send: (entries: ChargeMessage[]) => Promise<number[]> }> | undefined;
  const load = () =>
    (loaded ??= import("@aws-sdk/client-sqs").then(({ SQSClient, SendMessageBatchCommand }) => {
      const client = new SQSClient({
        region: options.region,
        ...(options.endpoint
          ? // The local stand-in accepts any credentials; never used on AWS (no endpoint there).
            { endpoint: options.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } }
          : {}),
        maxAttempts: 3,
      });
      return {
        async send(entries: ChargeMessage[]) {
          const out = await client.send(
            new SendMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: entries.map((message, index) => ({
                Id: String(index),
                MessageBody: JSON.stringify(message),
              })),
            }),
          );
          return (out.Failed ?? []).map((entry) => Number(entry.Id));
        },
      };
    }));

  return {
    async send(messages) {
      if (messages.length === 0) return { failed: [] };
      if (!options.queueUrl)
        throw new Error("CHARGE_QUEUE_URL is not configured: subscriptions cannot be charged");
      const sqs = await load();
      const failed: ChargeMessage[] = [];
      for (let start = 0; start < messages.length; start += BATCH) {
        const chunk = messages.slice(start, start + BATCH);
        try {
          for (const index of await sqs.send(chunk)) failed.push(chunk[index] as ChargeMessage);
        } catch (error) {
          // The whole chunk is unsent; the due index still holds every one of them.
          options.logger.warn("charge messages not queued", { error, count: chunk.length });
          failed.push(...chunk);
        }
      }
      return { failed };
    },
  };
}
