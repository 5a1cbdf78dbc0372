/** The publisher's stream event in serverless.yml (batch size, retries), for the local stream source. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./serverless-routes.js";

export function publisherStreamSettings(): { batchSize: number; maximumRetryAttempts: number } {
  const yml = parse(readFileSync(resolve(repoRoot, "serverless.yml"), "utf8")) as {
    functions: Record<
      string,
      { events?: Array<{ stream?: { batchSize?: number; maximumRetryAttempts?: number } }> }
    >;
  };
  const stream = yml.functions.publishEvents?.events?.find((e) => e.stream)?.stream;
  if (!stream) throw new Error("serverless.yml: publishEvents has no stream event");
  return { batchSize: stream.batchSize ?? 100, maximumRetryAttempts: stream.maximumRetryAttempts ?? 0 };
}
