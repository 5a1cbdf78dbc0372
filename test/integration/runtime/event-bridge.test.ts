/**
 * PutEvents as one signed request (lib/runtime/event-bridge.ts). The stand-in
 * is a real HTTP server on 127.0.0.1 that checks what EventBridge checks: the
 * target, the JSON content type, and a SigV4 signature for service `events`
 * in the region, recomputed from the request it received; it answers as
 * EventBridge does, an entry refused with an ErrorCode in place of an EventId.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import type { BusEntry } from "../../../lib/events/event-bus.js";
import { createEventBridgeBus, EventBridgeError } from "../../../lib/runtime/event-bridge.js";
import { signatureOk as signedFor, testCredentials } from "../../support/sigv4-check.js";

const credentials = testCredentials;
let server: Server;
let endpoint: string;
let received: Array<{ target: string; contentType: string; signatureOk: boolean; body: any }> = [];
/** DetailTypes the stand-in refuses (as a throttled or failed entry). */
let refuse = new Set<string>();
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body = JSON.parse(text);
      const call = {
        target: String(req.headers["x-amz-target"]),
        contentType: String(req.headers["content-type"]),
        signatureOk: await signedFor("events", req, text),
        body,
      };
      received.push(call);
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (!call.signatureOk) {
        res
          .writeHead(400)
          .end(JSON.stringify({ __type: "InvalidSignatureException", message: "bad signature" }));
        return;
      }
      if (status !== 200) {
        res
          .writeHead(status)
          .end(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }));
        return;
      }
      const entries = (body.Entries as Array<{ DetailType: string }>).map((e, i) =>
        refuse.has(e.DetailType)
          ? { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }
          : { EventId: `id-${i}` },
      );
      res.end(
        JSON.stringify({
          FailedEntryCount: entries.filter((e) => "ErrorCode" in e).length,
          Entries: entries,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
  refuse = new Set();
  status = 200;
});

const bus = () =>
  createEventBridgeBus({
    region: "ap-northeast-2",
    busName: "kicc-payments-test-events",
    endpoint,
    credentials: async () => credentials,
  });
const entry = (detailType: string): BusEntry => ({
  source: "kicc-iamport.test",
  detailType,
  detail: JSON.stringify({ id: "evt_1", type: detailType }),
  time: "2026-12-01T03:00:00.000Z",
});

test("one signed PutEvents on the named bus: Source, DetailType, Detail, and Time in epoch seconds", async () => {
  const answer = await bus().put([entry("order.paid"), entry("order.refunded")]);

  expect(answer).toEqual({ failed: [] });
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({
    target: "AWSEvents.PutEvents",
    contentType: "application/x-amz-json-1.1",
    signatureOk: true,
  });
  expect(received[0]?.body.Entries).toEqual([
    {
      EventBusName: "kicc-payments-test-events",
      Source: "kicc-iamport.test",
      DetailType: "order.paid",
      Detail: JSON.stringify({ id: "evt_1", type: "order.paid" }),
      Time: Date.parse("2026-12-01T03:00:00.000Z") / 1000,
    },
    expect.objectContaining({ DetailType: "order.refunded" }),
  ]);
});

test("entries answered with an ErrorCode come back as their indexes, with the code; the call itself succeeded", async () => {
  refuse = new Set(["order.refunded"]);

  const answer = await bus().put([entry("order.paid"), entry("order.refunded"), entry("vbank.issued")]);

  expect(answer).toEqual({ failed: [1], errorCodes: { 1: "ThrottlingException" } });
});

test("a refused call (throttled as a whole) is an error, and more than 10 entries are refused before any call", async () => {
  status = 400;

  await expect(bus().put([entry("order.paid")])).rejects.toThrow(/ThrottlingException/);
  await expect(bus().put(Array.from({ length: 11 }, () => entry("order.paid")))).rejects.toBeInstanceOf(
    EventBridgeError,
  );
  expect(received).toHaveLength(1);
});
