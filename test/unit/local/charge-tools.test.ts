import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  BadRequestError,
  type ChargeTools,
  chargeToolsFallback,
  dispatchInstant,
} from "../../../local/charge-tools.js";

const NOW = Date.parse("2026-01-31T00:00:00.000Z");

describe("dispatchInstant", () => {
  test("ahead_seconds counts from now; at is an instant with a zone", () => {
    expect(dispatchInstant({ ahead_seconds: 86_400 }, NOW).toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(dispatchInstant({ at: "2026-02-28T09:00:00+09:00" }, NOW).toISOString()).toBe(
      "2026-02-28T00:00:00.000Z",
    );
  });

  test.each([
    [{}, "either"],
    [{ at: "2026-02-01T00:00:00Z", ahead_seconds: 1 }, "either"],
    [{ at: "2026-02-01" }, "with a zone"],
    [{ at: "soon+09:00" }, "with a zone"],
    [{ ahead_seconds: -1 }, "0 or more"],
    [{ ahead_seconds: "60" }, "0 or more"],
    [{ ahead_seconds: 801 * 86_400 }, "at most 800 days"],
    [{ ahead_seconds: 1, days: 2 }, "unknown field(s): days"],
    [[1], "JSON object"],
    [5, "JSON object"],
  ])("refuses %j", (body, message) => {
    expect(() => dispatchInstant(body, NOW)).toThrow(BadRequestError);
    expect(() => dispatchInstant(body, NOW)).toThrow(message);
  });
});

describe("the /__local billing routes", () => {
  const runs: Array<{ at: string; waitMs: number | undefined }> = [];
  const tools: ChargeTools = {
    dispatchAt: async ({ at, waitMs }) => {
      runs.push({ at: at.toISOString(), waitMs });
      return {
        at: at.toISOString(),
        ahead_seconds: 0,
        summary: { queued: 1, resolving: 0, ended: 0, unqueued: 0, noticed: 0 },
        queue_idle: true,
        ms: 1,
      };
    },
    queues: () => [{ name: "ChargeQueue", consumers: ["chargeSubscription"], messages: [] }],
  };
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const fallback = chargeToolsFallback(() => tools);
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (!(await fallback(req, res, Buffer.concat(chunks)))) res.writeHead(404).end("not found");
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
  const post = (body: string, type = "application/json") =>
    fetch(`${base}/__local/dispatch-charges`, { method: "POST", headers: { "content-type": type }, body });

  test("runs the dispatcher at the asked instant and answers its record", async () => {
    const res = await post('{"at":"2026-03-01T00:00:00Z","wait_ms":500}');

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ summary: { queued: 1 }, queue_idle: true });
    expect(runs.at(-1)).toEqual({ at: "2026-03-01T00:00:00.000Z", waitMs: 500 });
  });

  test("refuses another content type (no CORS preflight for other sites), bad JSON and bad fields", async () => {
    const form = await post("ahead_seconds=1", "application/x-www-form-urlencoded");
    const broken = await post("{");
    const bad = await post('{"ahead_seconds":-5}');

    expect([form.status, broken.status, bad.status]).toEqual([415, 400, 400]);
    expect(await broken.json()).toEqual({ error: "bad_request", message: "the body is not JSON" });
    expect((await bad.json()).message).toContain("0 or more");
  });

  test("lists the queues; other methods and paths are not its business", async () => {
    const queues = await fetch(`${base}/__local/queues`);
    const get = await fetch(`${base}/__local/dispatch-charges`);
    const other = await fetch(`${base}/__local/elsewhere`);

    expect(await queues.json()).toEqual({
      queues: [{ name: "ChargeQueue", consumers: ["chargeSubscription"], messages: [] }],
    });
    expect([get.status, other.status]).toEqual([404, 404]);
  });
});
