/**
 * The webhook source allow-list (WEBHOOK_SOURCE_IPS, the webhookSourceIps
 * deploy parameter) through the real handler on the local stack, whose API
 * stand-in reports the socket's peer as `requestContext.http.sourceIp`. The
 * sandbox's webhooks come from 127.0.0.1, the address allowed here; a forged
 * one is sent from 127.0.0.2 (loopback too, a different source).
 */
import http from "node:http";
import { afterEach, beforeEach, describe, expect, type MockInstance, test, vi } from "vitest";
import { openApiValidator } from "../../support/openapi-validator.js";
import { type TestStack, useStack } from "../../support/stack.js";
import { tableItems } from "../billing/support.js";

const ctx = useStack({ env: { WEBHOOK_SOURCE_IPS: "127.0.0.1", LOG_LEVEL: "warn" } });

let stdout: MockInstance;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());
const logged = () =>
  stdout.mock.calls
    .flatMap(([chunk]) => String(chunk).split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** POST /webhooks/iamport from `localAddress`, as iamport (or someone else) would send it. */
function webhookFrom(t: TestStack, localAddress: string, body: Record<string, string>) {
  const url = new URL(`${t.stack.apiUrl}/webhooks/iamport`);
  return new Promise<{ status: number; body: any; headers: Headers }>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers });
        });
      },
    );
    req.on("error", reject);
    req.setHeader("content-type", "application/json");
    req.end(JSON.stringify(body));
  });
}

/** A pending order paid at iamport whose webhook never arrived. */
async function paidSilently(t: TestStack) {
  const control = t.stack.sandbox!.control;
  control.setWebhookFault({ kind: "drop" });
  const created = await t.createOrder();
  const paid = control.pay({ ...created.body.request_pay, outcome: "approve" });
  await control.flushWebhooks();
  control.clearWebhookFaults();
  return { merchant_uid: created.body.merchant_uid as string, imp_uid: paid.imp_uid as string };
}

const itemsOf = async (t: TestStack, merchantUid: string) =>
  (await tableItems(t)).filter((item) => String(item.PK).includes(merchantUid));

describe("webhook source allow-list", () => {
  test("iamport's address is admitted: the sandbox's webhook pays the order", async () => {
    const t = ctx();
    const created = await t.createOrder();
    t.stack.sandbox!.control.pay({ ...created.body.request_pay, outcome: "approve" });
    await t.stack.sandbox!.control.flushWebhooks();

    const order = await t.api(`/orders/${created.body.merchant_uid}`);

    expect(order.body.status).toBe("paid");
    expect(order.body.history.map((e: { source: string }) => e.source)).toEqual(["api", "webhook"]);
  });

  test("another address gets a JSON 403 and changes nothing, and it is not an alert; the same webhook from iamport's address pays", async () => {
    const t = ctx();
    const ids = await paidSilently(t);
    const before = await itemsOf(t, ids.merchant_uid);

    const refused = await webhookFrom(t, "127.0.0.2", { ...ids, status: "paid" });

    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: "source_not_allowed" });
    expect(openApiValidator().check("POST", "/webhooks/iamport", refused).problems).toEqual([]);
    expect(await itemsOf(t, ids.merchant_uid)).toEqual(before);
    expect((await t.api(`/orders/${ids.merchant_uid}`)).body.status).toBe("pending");
    const lines = logged();
    expect(lines).toContainEqual(
      expect.objectContaining({ message: "caller refused", source_ip: "127.0.0.2" }),
    );
    expect(lines.filter((line) => "alert" in line)).toEqual([]);

    const admitted = await webhookFrom(t, "127.0.0.1", { ...ids, status: "paid" });

    expect(admitted.status, JSON.stringify(admitted.body)).toBe(200);
    expect((await t.api(`/orders/${ids.merchant_uid}`)).body.status).toBe("paid");
  });
});
