/**
 * The SQS API of the local stand-in: the AWS JSON 1.0 protocol the real
 * `@aws-sdk/client-sqs` speaks (`POST /` with `x-amz-target:
 * AmazonSQS.<Operation>` and a JSON body), answering with the
 * `MD5OfMessageBody` the SDK checks and SQS's error shape (`__type` plus the
 * `x-amzn-query-error` header). SendMessage, SendMessageBatch and GetQueueUrl;
 * 127.0.0.1 only.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { QueueStore } from "./sqs-queues.js";

export const LOCAL_ACCOUNT = "000000000000";
/** SQS's message size limit. */
const MAX_BODY_BYTES = 256 * 1024;
const MAX_BATCH = 10;
const MAX_REQUEST_BYTES = MAX_BODY_BYTES * MAX_BATCH + 64 * 1024;

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) =>
  new SqsError("com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue", message);

export async function startSqsProtocolServer(
  store: QueueStore,
  options: { port?: number } = {},
): Promise<{ url: string; queueUrl(name: string): string; close(): Promise<void> }> {
  let url = "";
  const queueUrl = (name: string) => `${url}/${LOCAL_ACCOUNT}/${name}`;
  const queueName = (value: unknown): string => {
    const name = typeof value === "string" ? value.split("/").pop() : undefined;
    if (!name || !store.has(name)) {
      throw new SqsError(
        "com.amazonaws.sqs#QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
      );
    }
    return name;
  };
  const body = (value: unknown): string => {
    if (typeof value !== "string" || value.length === 0) throw invalid("MessageBody is required.");
    if (Buffer.byteLength(value) > MAX_BODY_BYTES) throw invalid("MessageBody is longer than 256 KiB.");
    return value;
  };
  const send = (name: string, entry: Record<string, unknown>) => {
    const message = store.enqueue(name, body(entry.MessageBody), Number(entry.DelaySeconds ?? 0));
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetQueueUrl: (input) => ({ QueueUrl: queueUrl(queueName(input.QueueName)) }),
    SendMessage: (input) => send(queueName(input.QueueUrl), input),
    SendMessageBatch: (input) => {
      const name = queueName(input.QueueUrl);
      const entries = Array.isArray(input.Entries) ? (input.Entries as Array<Record<string, unknown>>) : [];
      if (entries.length === 0) {
        throw new SqsError(
          "com.amazonaws.sqs#EmptyBatchRequest",
          "AWS.SimpleQueueService.EmptyBatchRequest",
          "No entries.",
        );
      }
      if (entries.length > MAX_BATCH) {
        throw new SqsError(
          "com.amazonaws.sqs#TooManyEntriesInBatchRequest",
          "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
          `At most ${MAX_BATCH} entries.`,
        );
      }
      if (new Set(entries.map((e) => e.Id)).size !== entries.length) {
        throw new SqsError(
          "com.amazonaws.sqs#BatchEntryIdsNotDistinct",
          "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
          "Entry ids must be distinct.",
        );
      }
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of entries) {
        try {
          Successful.push({ Id: entry.Id, ...send(name, entry) });
        } catch (error) {
          if (!(error instanceof SqsError)) throw error;
          Failed.push({ Id: entry.Id, SenderFault: true, Code: error.queryCode, Message: error.message });
        }
      }
      return { Successful, Failed };
    },
  };

  const server = createServer(async (req, res) => {
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": randomUUID(),
          ...headers,
        })
        .end(JSON.stringify(payload));
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_REQUEST_BYTES) throw invalid("Request too large.");
        chunks.push(chunk as Buffer);
      }
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.startsWith("AmazonSQS.")
        ? operations[target.slice("AmazonSQS.".length)]
        : undefined;
      if (req.method !== "POST" || !operation) {
        throw new SqsError(
          "com.amazonaws.sqs#UnsupportedOperation",
          "AWS.SimpleQueueService.UnsupportedOperation",
          `the local stand-in does not support ${target || `${req.method} ${req.url}`}`,
        );
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        throw invalid("The body is not JSON.");
      }
      reply(200, operation(input));
    } catch (error) {
      if (error instanceof SqsError) {
        reply(
          400,
          { __type: error.type, message: error.message },
          { "x-amzn-query-error": `${error.queryCode};Sender` },
        );
      } else {
        reply(500, { __type: "com.amazonaws.sqs#InternalError", message: String(error) });
      }
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", () => ok());
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    url,
    queueUrl,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
