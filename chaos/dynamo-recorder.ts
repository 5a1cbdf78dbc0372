/**
 * A pass-through proxy in front of DynamoDB Local that records every request
 * by operation: give its endpoint to the stack as DYNAMODB_ENDPOINT. The
 * fuzzer asks it whether a case wrote (a write that took effect: PutItem,
 * UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems answered 200; a
 * refused conditional write changed nothing), instead of scanning the table
 * around every case, which made a long run quadratic. Tests pin round trips
 * with it (deterministic; a transaction is one).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
/** Set-up calls (the table's creation), not the code's round trips. */
const SETUP = new Set(["CreateTable", "DescribeTable", "UpdateTimeToLive"]);

export interface DynamoRecorder {
  endpoint: string;
  /** Operations since the last reset, in order of arrival (e.g. `["GetItem", "TransactWriteItems"]`). */
  calls(): string[];
  /** The same, each with the sort-key kinds it touched (e.g. `TransactWriteItems ORDER,NOTE`), for reading a failure. */
  detailed(): string[];
  /** Writes that took effect since the recorder started (not reset by `reset`). */
  writes(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startDynamoRecorder(target: string): Promise<DynamoRecorder> {
  const upstream = new URL(target);
  let calls: Array<{ operation: string; kinds: string }> = [];
  let writes = 0;
  const server = http.createServer((req, res) => {
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (SETUP.has(operation)) return;
      const text = Buffer.concat(chunks).toString("utf8");
      const kinds = [...new Set([...text.matchAll(/"SK":\{"S":"([A-Z_]+)/g)].map((m) => m[1]))].join(",");
      calls.push({ operation, kinds });
    });
    const forward = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        // Counted when the answer's head arrives, before the caller can see it.
        if (answer.statusCode === 200 && WRITES.has(operation)) writes++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // The SDK sees a broken connection and retries, as it would with DynamoDB itself.
    forward.on("error", (error) => res.destroy(error));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls.map((c) => c.operation),
    detailed: () => calls.map((c) => `${c.operation} ${c.kinds}`.trim()),
    writes: () => writes,
    reset: () => {
      calls = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
