/**
 * CORS through the real handlers: the status route and the PC callback answer
 * it for the result pages' origins; merchant routes never do.
 */
import { describe, expect, test } from "vitest";
import { useStack } from "../../support/stack.js";

const ctx = useStack();

describe("CORS on the deployed routes", () => {
  test("the status route and the callback's preflight answer a result-page origin; a merchant route does not", async () => {
    const t = ctx();
    const origin = t.stack.apiUrl;
    const order = await t.createOrder();
    const merchantUid = order.body.merchant_uid as string;

    const status = await t.api(`/orders/${merchantUid}/status`, { key: null, headers: { origin } });
    const preflight = await t.api("/payments/complete", {
      method: "OPTIONS",
      key: null,
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    const merchant = await t.api(`/orders/${merchantUid}`, { headers: { origin } });
    const stranger = await t.api(`/orders/${merchantUid}/status`, {
      key: null,
      headers: { origin: "https://evil.example" },
    });

    expect(status.status).toBe(200);
    expect(status.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("POST");
    expect(merchant.status).toBe(200);
    expect(merchant.headers.get("access-control-allow-origin")).toBeNull();
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
  });
});
