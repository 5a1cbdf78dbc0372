/**
 * Lambda's DynamoDB stream event source, locally: polls the table's stream on
 * DynamoDB Local, keeps only what the function's event filter keeps (INSERTs
 * of outbox items), hands the real handler DynamoDB stream events, honours
 * `batchItemFailures` (delivery restarts at the first failed record), splits
 * a batch whose handler throws, and after the retries puts what is left on
 * an on-failure list (the DLQ of serverless.yml). Every loop is bounded.
 */
import { type StreamApiRecord, streamReader } from "./dynamodb/stream-reader.js";
import { lambdaContext } from "./lambda-context.js";

export interface StreamSourceOptions {
  dynamoEndpoint: string;
  tableName: string;
  functionName: string;
  handler: (event: unknown, context: unknown) => Promise<unknown>;
  batchSize: number;
  maximumRetryAttempts: number;
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export interface StreamSource {
  /** Records given up on after the retries (what the DLQ would hold). */
  readonly failed: StreamApiRecord[];
  /** The next `invocations` die before the handler runs (a crashed container): the batch comes again. */
  crashNext(invocations: number): void;
  /** Stops polling (a test's "the publisher is not running"); `start` goes on from where it stopped. */
  stop(): Promise<void>;
  start(): void;
  /** Resolves once every record written so far was handed to the function (or given up on); generous, for a loaded machine. */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The function's event filter: `eventName = INSERT` and `dynamodb.NewImage.type.S = outbox`. */
export const isOutboxInsert = (r: StreamApiRecord) =>
  r.eventName === "INSERT" && (r.dynamodb?.NewImage?.type as { S?: string } | undefined)?.S === "outbox";

export function startStreamSource(options: StreamSourceOptions): StreamSource {
  const api = streamReader(options.dynamoEndpoint);
  const failed: StreamApiRecord[] = [];
  const iterators = new Map<string, string | null>();
  /** The last sequence number read per shard: where a replaced iterator goes on from. */
  const lastSeen = new Map<string, string>();
  let arn: string | undefined;
  let running = true;
  let closed = false;
  let loop: Promise<void> = Promise.resolve();
  let idleRounds = 0;
  let crashes = 0;

  const invoke = async (batch: StreamApiRecord[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 0; attempt <= options.maximumRetryAttempts && pending.length > 0; attempt++) {
      const event = {
        Records: pending.map((r) => ({ ...r, eventSource: "aws:dynamodb", awsRegion: "ap-northeast-2" })),
      };
      try {
        if (crashes > 0) {
          crashes--;
          throw new Error("injected crash: the invocation died before the handler ran");
        }
        const result = (await options.handler(event, lambdaContext(options.functionName, 30_000))) as {
          batchItemFailures?: Array<{ itemIdentifier: string }>;
        } | null;
        const ids = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        // Lambda goes on from the lowest failed sequence number: the records after it are delivered again too.
        const first = pending.findIndex((r) => ids.has(r.dynamodb?.SequenceNumber ?? ""));
        pending = first < 0 ? [] : pending.slice(first);
      } catch (error) {
        options.onError?.(error);
        // bisectBatchOnFunctionError: each half is retried on its own, so one bad record cannot hold the rest.
        if (pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await invoke(pending.slice(0, half));
          await invoke(pending.slice(half));
          return;
        }
      }
    }
    failed.push(...pending);
  };

  const pollOnce = async (): Promise<number> => {
    arn ??= await api.streamArn(options.tableName);
    if (!arn) return 0;
    for (const shard of await api.shards(arn)) {
      if (!iterators.has(shard.ShardId))
        iterators.set(shard.ShardId, (await api.iterator(arn, shard.ShardId)) ?? null);
    }
    let seen = 0;
    for (const [shardId, iterator] of iterators) {
      if (!iterator) continue;
      let page: Awaited<ReturnType<typeof api.records>>;
      try {
        page = await api.records(iterator);
      } catch (error) {
        // DynamoDB Local can call an iterator taken on an empty shard trimmed once other tables' records move
        // its sequence on: take a new one just after the last record handed on (from the start if none was).
        if (!/TrimmedDataAccess|ExpiredIterator/.test(String(error))) throw error;
        iterators.set(shardId, (await api.iterator(arn, shardId, lastSeen.get(shardId))) ?? null);
        seen++; // not idle: look again at once
        continue;
      }
      const { records, next } = page;
      iterators.set(shardId, next ?? null);
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) lastSeen.set(shardId, last);
      seen += records.length;
      const kept = records.filter(isOutboxInsert);
      for (let i = 0; i < kept.length; i += options.batchSize)
        await invoke(kept.slice(i, i + options.batchSize));
    }
    return seen;
  };

  const run = async () => {
    while (running && !closed) {
      try {
        const seen = await pollOnce();
        idleRounds = seen === 0 ? idleRounds + 1 : 0;
      } catch (error) {
        options.onError?.(error);
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
    }
  };
  loop = run();

  return {
    failed,
    crashNext(invocations) {
      crashes = invocations;
    },
    async stop() {
      running = false;
      await loop;
    },
    start() {
      if (running || closed) return;
      running = true;
      loop = run();
    },
    async drain(timeoutMs = 15_000) {
      // Two empty polls in a row: everything written before the call was read and handed on.
      const deadline = Date.now() + timeoutMs;
      idleRounds = 0;
      while (idleRounds < 2) {
        if (Date.now() > deadline) throw new Error("the stream was not drained in time");
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      closed = true;
      running = false;
      await loop;
    },
  };
}
