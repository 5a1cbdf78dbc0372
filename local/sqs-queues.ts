/**
 * The queues of the local SQS stand-in, in memory: send, receive with a
 * visibility timeout, delete, and redrive to a dead-letter queue after
 * `maxReceiveCount` receives, as SQS does.
 */
import { createHash, randomUUID } from "node:crypto";

export interface LocalQueue {
  name: string;
  visibilityTimeoutMs: number;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

export interface QueuedMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentAt: number;
  receiveCount: number;
  firstReceiveAt: number | null;
  /** Epoch ms from which it may be received. */
  visibleAt: number;
  /** The handle of the latest receive; only that receive may delete it. */
  receiptHandle: string | null;
}

export interface QueueStore {
  has(name: string): boolean;
  enqueue(name: string, body: string, delaySeconds?: number): QueuedMessage;
  /** Up to `max` visible messages, oldest first, made invisible for the queue's visibility timeout. */
  receive(name: string, max: number): QueuedMessage[];
  /**
   * Ends a receive: handled messages are deleted; failed ones stay invisible
   * until their timeout runs out, or move to the DLQ after maxReceiveCount.
   * A message received again since (its handle changed) is left alone.
   */
  settle(
    name: string,
    received: Array<{ messageId: string; receiptHandle: string }>,
    failed: Set<string>,
  ): void;
  /** What a queue holds now (copies). */
  messages(name: string): QueuedMessage[];
  size(name: string): number;
}

export const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

export function createQueueStore(specs: LocalQueue[]): QueueStore {
  const queues = new Map<string, { spec: LocalQueue; messages: QueuedMessage[] }>();
  for (const spec of specs) queues.set(spec.name, { spec, messages: [] });
  for (const { spec } of queues.values()) {
    const dlq = spec.redrive?.deadLetterQueue;
    if (dlq && !queues.has(dlq))
      throw new Error(`queue ${spec.name}: dead-letter queue ${dlq} is not defined`);
  }
  const queue = (name: string) => {
    const found = queues.get(name);
    if (!found) throw new Error(`no queue ${name}`);
    return found;
  };

  return {
    has: (name) => queues.has(name),

    enqueue(name, body, delaySeconds = 0) {
      const now = Date.now();
      const message: QueuedMessage = {
        messageId: randomUUID(),
        body,
        md5OfBody: md5(body),
        sentAt: now,
        receiveCount: 0,
        firstReceiveAt: null,
        visibleAt: now + delaySeconds * 1000,
        receiptHandle: null,
      };
      queue(name).messages.push(message);
      return message;
    },

    receive(name, max) {
      const { spec, messages } = queue(name);
      const now = Date.now();
      const batch = messages.filter((m) => m.visibleAt <= now).slice(0, max);
      for (const message of batch) {
        message.receiveCount++;
        message.firstReceiveAt ??= now;
        message.visibleAt = now + spec.visibilityTimeoutMs;
        message.receiptHandle = randomUUID();
      }
      return batch.map((m) => ({ ...m }));
    },

    settle(name, received, failed) {
      const { spec, messages } = queue(name);
      for (const { messageId, receiptHandle } of received) {
        const index = messages.findIndex(
          (m) => m.messageId === messageId && m.receiptHandle === receiptHandle,
        );
        const message = messages[index];
        if (!message) continue;
        if (!failed.has(messageId)) {
          messages.splice(index, 1); // DeleteMessage
          continue;
        }
        const redrive = spec.redrive;
        if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
          messages.splice(index, 1);
          // SQS keeps the message id (and its receive count) when it moves a message to the DLQ.
          queue(redrive.deadLetterQueue).messages.push({
            ...message,
            visibleAt: Date.now(),
            receiptHandle: null,
          });
        }
        // Otherwise it stays invisible until its visibility timeout runs out, then comes again.
      }
    },

    messages: (name) => queue(name).messages.map((m) => ({ ...m })),
    size: (name) => queue(name).messages.length,
  };
}
