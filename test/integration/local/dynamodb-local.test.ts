/**
 * The DynamoDB Local launcher: loopback only, and a clear error without Java.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, inject, test } from "vitest";
import { JavaMissingError, startDynamoDbLocal } from "../../../local/dynamodb/dynamodb-local.js";

/** Local addresses of the listening TCP sockets on `port`, read from /proc (no traffic sent). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A")
      .map((cols) => cols[1]?.split(":")[0] ?? ""),
  );
}

/** 127.0.0.1 as /proc writes it: little-endian IPv4, or IPv4-mapped IPv6. */
const LOOPBACK = new Set(["0100007F", "0000000000000000FFFF00000100007F"]);

test.skipIf(process.platform !== "linux")(
  "the test run's DynamoDB Local listens on 127.0.0.1 only, never on every interface",
  () => {
    const port = Number(new URL(inject("dynamoEndpoint")).port);
    const addresses = listeners(port);

    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(LOOPBACK.has(address)).toBe(true);
  },
);

test("without Java on PATH the start fails with a message saying what to install", async () => {
  const path = process.env.PATH;
  process.env.PATH = mkdtempSync(join(tmpdir(), "no-java-"));
  try {
    const error = await startDynamoDbLocal().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JavaMissingError);
    expect((error as Error).message).toMatch(/Java 17 or newer.*apt-get install -y openjdk-17-jre-headless/s);
  } finally {
    process.env.PATH = path;
  }
});
