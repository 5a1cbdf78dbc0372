/**
 * The local SQS stand-in against the real @aws-sdk/client-sqs over HTTP, and
 * its delivery to a consumer as Lambda's SQS event source does it: batches,
 * receive counts, batchItemFailures redelivered after the visibility timeout,
 * the dead-letter queue after maxReceiveCount.
 */
import {
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, test } from "vitest";
import { type LocalConsumer, type LocalSqs, startLocalSqs } from "../../../local/sqs.js";

type Batch = {
  Records: Array<{ messageId: string; body: string; attributes: { ApproximateReceiveCount: string } }>;
};

let sqs: LocalSqs | undefined;
afterEach(async () => {
  await sqs?.close();
  sqs = undefined;
});

const queues = [
  { name: "Work", visibilityTimeoutMs: 100, redrive: { deadLetterQueue: "WorkDlq", maxReceiveCount: 3 } },
  { name: "WorkDlq", visibilityTimeoutMs: 100 },
];

function consumer(
  handler: (event: Batch) => Promise<unknown>,
  patch: Partial<LocalConsumer> = {},
): LocalConsumer {
  return {
    queue: "Work",
    functionName: "worker",
    handler: (event) => handler(event as Batch),
    batchSize: 10,
    reportBatchItemFailures: true,
    maximumConcurrency: 2,
    ...patch,
  };
}

const client = (endpoint: string) =>
  new SQSClient({
    region: "ap-northeast-2",
    endpoint,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });

describe("the SQS wire protocol (AWS JSON 1.0)", () => {
  test("SendMessage and SendMessageBatch answer with ids and the MD5 the SDK checks", async () => {
    sqs = await startLocalSqs({ queues });
    const sdk = client(sqs.url);
    const QueueUrl = sqs.queueUrl("Work");

    const one = await sdk.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"n":1}' }));
    const batch = await sdk.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "второй 두 번째" },
          { Id: "b", MessageBody: "third" },
        ],
      }),
    );

    expect(one.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(batch.Successful?.map((e) => e.Id)).toEqual(["a", "b"]);
    expect(batch.Failed ?? []).toEqual([]);
    expect(sqs.messages("Work").map((m) => m.body)).toEqual(['{"n":1}', "второй 두 번째", "third"]);
    const url = await sdk.send(new GetQueueUrlCommand({ QueueName: "Work" }));
    expect(url.QueueUrl).toBe(QueueUrl);
  });

  test("an unknown queue is SQS's QueueDoesNotExist error", async () => {
    sqs = await startLocalSqs({ queues });

    const sending = client(sqs.url).send(
      new SendMessageCommand({ QueueUrl: sqs.queueUrl("Nope"), MessageBody: "x" }),
    );

    await expect(sending).rejects.toBeInstanceOf(QueueDoesNotExist);
  });
});

describe("delivery to the consumer", () => {
  test("messages arrive as SQS event records in batches; handled ones are deleted", async () => {
    const seen: Batch[] = [];
    sqs = await startLocalSqs({
      queues,
      consumers: [
        consumer(
          async (event) => {
            seen.push(event);
            return { batchItemFailures: [] };
          },
          { batchSize: 2 },
        ),
      ],
    });
    for (const n of [1, 2, 3]) sqs.send("Work", String(n));

    await sqs.idle();

    const records = seen.flatMap((e) => e.Records);
    expect(records.map((r) => r.body).sort()).toEqual(["1", "2", "3"]);
    expect(Math.max(...seen.map((e) => e.Records.length))).toBe(2);
    expect(records[0]).toMatchObject({
      eventSource: "aws:sqs",
      attributes: { ApproximateReceiveCount: "1" },
      receiptHandle: expect.any(String),
    });
    expect(sqs.messages("Work")).toEqual([]);
  });

  test("a reported batch item failure comes back after the visibility timeout with a higher receive count", async () => {
    const counts: string[] = [];
    sqs = await startLocalSqs({
      queues,
      consumers: [
        consumer(async (event) => {
          const failures = event.Records.filter((r) => {
            counts.push(`${r.body}:${r.attributes.ApproximateReceiveCount}`);
            return r.body === "flaky" && r.attributes.ApproximateReceiveCount === "1";
          });
          return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
        }),
      ],
    });
    sqs.send("Work", "fine");
    sqs.send("Work", "flaky");

    await sqs.idle();

    expect(counts.sort()).toEqual(["fine:1", "flaky:1", "flaky:2"]);
  });

  test("a message that keeps failing moves to the dead-letter queue after maxReceiveCount; a throw fails the whole batch", async () => {
    let calls = 0;
    sqs = await startLocalSqs({
      queues,
      consumers: [
        consumer(async () => {
          calls++;
          throw new Error("boom");
        }),
      ],
    });
    const id = sqs.send("Work", "poison");

    await sqs.idle();

    expect(calls).toBe(3);
    expect(sqs.messages("WorkDlq")).toMatchObject([{ messageId: id, body: "poison", receiveCount: 3 }]);
  });

  test("at most maximumConcurrency batches are in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    sqs = await startLocalSqs({
      queues,
      consumers: [
        consumer(
          async () => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            await new Promise((ok) => setTimeout(ok, 30));
            inFlight--;
            return {};
          },
          { batchSize: 1, maximumConcurrency: 2 },
        ),
      ],
    });
    for (let n = 0; n < 6; n++) sqs.send("Work", String(n));

    await sqs.idle();

    expect(peak).toBe(2);
  });
});
