/**
 * A small local stand-in for SQS and Lambda's SQS event source, so the real
 * `@aws-sdk/client-sqs` and the real consumer handler meet as they do on AWS:
 * the AWS JSON 1.0 protocol over HTTP on 127.0.0.1 (sqs-protocol.ts), queues
 * with visibility timeouts and a dead-letter queue after `maxReceiveCount`
 * (sqs-queues.ts), and delivery to the consumers of serverless.yml's `sqs`
 * events as real SQS events with partial batch failures (sqs-event-source.ts).
 *
 * Not modelled: FIFO, message attributes and their MD5, ReceiveMessage and
 * DeleteMessage over HTTP (only the event source receives).
 */
import { type LocalConsumer, startEventSource } from "./sqs-event-source.js";
import { startSqsProtocolServer } from "./sqs-protocol.js";
import { createQueueStore, type LocalQueue, type QueuedMessage } from "./sqs-queues.js";

export type { LocalConsumer, LocalQueue, QueuedMessage };

export interface LocalSqs {
  /** The endpoint the SDK is pointed at (`endpoint` of SQSClient). */
  url: string;
  queueUrl(name: string): string;
  /** Every message a queue holds now, in flight or not (copies). */
  messages(name: string): QueuedMessage[];
  /** Enqueues directly (what SendMessage does), e.g. to replay a message in a test. */
  send(name: string, body: string): string;
  /** Resolves once every consumed queue is empty and no batch is in flight; rejects after `timeoutMs`. */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalSqs(options: {
  queues: LocalQueue[];
  consumers?: LocalConsumer[];
  port?: number;
  /** How often consumers poll for visible messages (ms); default 20. */
  pollMs?: number;
  /** What a consumer's `getRemainingTimeInMillis` starts from; default 60 s. */
  functionTimeoutMs?: number;
  onError?: (error: unknown) => void;
}): Promise<LocalSqs> {
  const store = createQueueStore(options.queues);
  const consumers = options.consumers ?? [];
  const server = await startSqsProtocolServer(
    store,
    options.port !== undefined ? { port: options.port } : {},
  );
  const source = startEventSource(store, consumers, options);
  const consumed = [...new Set(consumers.map((c) => c.queue))];
  const busy = () => source.inFlight() > 0 || consumed.some((name) => store.size(name) > 0);

  return {
    url: server.url,
    queueUrl: server.queueUrl,
    messages: (name) => store.messages(name),
    send: (name, body) => store.enqueue(name, body).messageId,
    async idle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (busy()) {
        if (Date.now() > deadline) {
          const left = consumed.map((name) => `${name}: ${store.size(name)}`).join(", ");
          throw new Error(
            `local SQS not idle after ${timeoutMs} ms (${left}; ${source.inFlight()} in flight)`,
          );
        }
        await new Promise((ok) => setTimeout(ok, 10));
      }
    },
    async close() {
      await source.stop();
      await server.close();
    },
  };
}
