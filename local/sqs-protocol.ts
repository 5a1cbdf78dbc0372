/**
 * The SQS API of the local stand-in: the AWS JSON 1.0 protocol the real
 * `@aws-sdk/client-sqs` speaks (`POST /` with `x-amz-target:
 * AmazonSQS.<Operation>` and a JSON body), answering with the
 * `MD5OfMessageBody` the SDK checks and SQS's error shape (`__type` plus the
 * `x-amzn-query-error` header). SendMessage, SendMessageBatch and GetQueueUrl;
 * 127.0.0.1 only.
 */
import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import { answerJson, guard, readBody } from "./http-guard.js";
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
/** What an AWS JSON service answers for a body it cannot read as a JSON object. */
const unreadable = (message: string) =>
  new SqsError("com.amazon.coral.service#SerializationException", "SerializationException", message);

/** The characters SQS accepts in a message body (anything else, a lone surrogate included, is refused). */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_DELAY_SECONDS = 900;
const utf8 = new TextDecoder("utf-8", { fatal: true });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

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
    if (INVALID_CHARACTER.test(value)) {
      throw new SqsError(
        "com.amazonaws.sqs#InvalidMessageContents",
        "InvalidMessageContents",
        "Invalid characters found in MessageBody.",
      );
    }
    return value;
  };
  const delay = (value: unknown): number => {
    if (value === undefined || value === null) return 0;
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_DELAY_SECONDS)
      throw invalid(`DelaySeconds must be an integer from 0 to ${MAX_DELAY_SECONDS}.`);
    return value as number;
  };
  const send = (name: string, entry: Record<string, unknown>) => {
    const message = store.enqueue(name, body(entry.MessageBody), delay(entry.DelaySeconds));
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetQueueUrl: (input) => ({ QueueUrl: queueUrl(queueName(input.QueueName)) }),
    SendMessage: (input) => send(queueName(input.QueueUrl), input),
    SendMessageBatch: (input) => {
      const name = queueName(input.QueueUrl);
      const entries = Array.isArray(input.Entries) ? (input.Entries as unknown[]).filter(isObject) : [];
      if (Array.isArray(input.Entries) && entries.length !== input.Entries.length)
        throw unreadable("Every entry of Entries must be an object.");
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

  const reply = (
    res: ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void =>
    answerJson(res, status, payload, {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": randomUUID(),
      ...headers,
    });
  const refuse = (res: ServerResponse, error: SqsError, headers: Record<string, string> = {}) =>
    reply(
      res,
      400,
      { __type: error.type, message: error.message },
      { "x-amzn-query-error": `${error.queryCode};Sender`, ...headers },
    );

  const server = createServer(
    guard(
      async (req, res) => {
        const read = await readBody(req, MAX_REQUEST_BYTES);
        if (read.kind === "aborted") return;
        if (read.kind === "too_large") {
          // What was not read cannot be skipped reliably: answer, then close the connection.
          res.once("finish", () => req.socket?.destroySoon?.());
          return refuse(res, invalid("Request too large."), { connection: "close" });
        }
        try {
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
          let text: string;
          try {
            text = utf8.decode(read.body);
          } catch {
            throw unreadable("The body is not UTF-8.");
          }
          let input: unknown;
          try {
            input = JSON.parse(text || "{}");
          } catch {
            throw unreadable("The body is not JSON.");
          }
          if (!isObject(input)) throw unreadable("The body is not a JSON object.");
          reply(res, 200, operation(input));
        } catch (error) {
          if (!(error instanceof SqsError)) throw error;
          refuse(res, error);
        }
      },
      {
        onFailure: (res, error) =>
          reply(res, 500, {
            __type: "com.amazonaws.sqs#InternalError",
            message: error instanceof Error ? error.message : "internal error",
          }),
      },
    ),
  );
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
