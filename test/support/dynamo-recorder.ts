/**
 * A recording proxy in front of DynamoDB Local: every request the handlers
 * send, by operation (TransactWriteItems counted once: one round trip). Give
 * its endpoint to the stack as DYNAMODB_ENDPOINT. Round trips are
 * deterministic, so tests can pin them.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface DynamoRecorder {
  endpoint: string;
  /** Operations since the last reset, in order (e.g. `["GetItem", "TransactWriteItems"]`). */
  calls(): string[];
  /** The same, each with the sort-key kinds it touched (e.g. `TransactWriteItems ORDER,NOTE`), for reading a failure. */
  detailed(): string[];
  reset(): void;
  close(): Promise<void>;
}

export async function startDynamoRecorder(target: string): Promise<DynamoRecorder> {
  const upstream = new URL(target);
  let calls: Array<{ operation: string; kinds: string }> = [];
  const server = http.createServer((req, res) => {
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (operation === "CreateTable" || operation === "DescribeTable" || operation === "UpdateTimeToLive")
        return;
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
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => res.destroy(error));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls.map((c) => c.operation),
    detailed: () => calls.map((c) => `${c.operation} ${c.kinds}`.trim()),
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
