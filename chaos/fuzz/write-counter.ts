/**
 * A pass-through proxy in front of DynamoDB Local that counts the writes that
 * took effect (PutItem, UpdateItem, DeleteItem, BatchWriteItem and
 * TransactWriteItems answered 200), so the fuzzer can tell whether a case
 * wrote without scanning the table before and after it: a Scan costs as much
 * as the table is big, which made a long run quadratic. A conditional write
 * that was refused (400) changed nothing and is not counted.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);

export interface WriteCounter {
  /** Give this to the stack instead of DynamoDB Local's own endpoint. */
  endpoint: string;
  /** Writes that took effect so far. */
  writes(): number;
  close(): Promise<void>;
}

export async function startWriteCounter(target: string): Promise<WriteCounter> {
  const upstream = new URL(target);
  let writes = 0;
  const server = createServer((req, res) => {
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    const forward = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (answer.statusCode === 200 && WRITES.has(operation)) writes++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      // The SDK sees a broken connection and retries, as it would with DynamoDB itself.
      res.destroy(error);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    writes: () => writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
