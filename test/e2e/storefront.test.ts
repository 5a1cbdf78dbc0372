/**
 * The demo storefront in Chromium against the real local stack: what a
 * merchant's developer sees after `npm start`, paying and refunding.
 */
import { describe, expect, test } from "vitest";
import {
  hasChromium,
  hasRoute,
  noChromiumReason,
  payByCardPc,
  paymentWindow,
  startCheckout,
  useE2e,
  waitForOrderStatus,
} from "./support/e2e.js";

const refundRoute = hasRoute("POST", "/orders/{merchant_uid}/refunds");

describe.skipIf(!hasChromium)(`storefront in Chromium${hasChromium ? "" : ` (${noChromiumReason})`}`, () => {
  const ctx = useE2e();

  test("a card payment in PC mode: the callback's imp_uid is verified and the order shows paid", async () => {
    const e2e = ctx();

    const { page, merchantUid } = await payByCardPc(e2e, {
      // Direct call to one card company: the window opens straight on 신한.
      beforePay: async (shop) => {
        await shop.getByLabel("Open one card company's window directly").check();
        await shop.getByLabel("Card company", { exact: true }).selectOption("366");
        await e2e.screenshot(shop, "storefront");
      },
    });

    expect(await page.locator("#banner").textContent()).toContain("Payment complete");
    const order = await e2e.order(merchantUid);
    expect(order).toMatchObject({ status: "paid", amount: 12_000, pay_method: "card" });
    expect(order.history.map((event: { to: string }) => event.to)).toEqual(["pending", "paid"]);
    expect(order.request_pay.card).toEqual({ direct: { code: "366", quota: 0 } });
    expect(e2e.sandboxPayments(merchantUid)).toEqual([
      expect.objectContaining({ status: "paid", amount: 12_000, card_code: "366" }),
    ]);
    await e2e.screenshot(page, "card-pc");
    await page.close();
  });

  test("the same in mobile redirect mode: the browser comes back through /payments/complete/mobile", async () => {
    const e2e = ctx();
    const page = await startCheckout(e2e, { method: "card", mode: "mobile" });

    // The whole page goes to the sandbox's window, then back by m_redirect_url.
    await page.waitForURL(/\/__sandbox\/window\//);
    await paymentWindow(page, "mobile").getByRole("button", { name: "Approve" }).click();
    const merchantUid = await waitForOrderStatus(page, "paid");

    const url = new URL(page.url());
    expect(url.pathname).toBe("/shop/result.html");
    expect(url.searchParams.get("status")).toBe("paid");
    const order = await e2e.order(merchantUid);
    expect(order.status).toBe("paid");
    expect(order.history.find((event: { to: string }) => event.to === "paid").source).toMatch(
      /redirect|webhook/,
    );
    await e2e.screenshot(page, "card-mobile");
    await page.close();
  });

  test("a forged amount is refused before any money moves; the order stays unpaid", async () => {
    const e2e = ctx();

    // The page sets request_pay.amount to 100 after the server pre-registered 12,000.
    const page = await startCheckout(e2e, { method: "card", mode: "pc", tamper: true });
    const merchantUid = await waitForOrderStatus(page, "pending");

    // The SDK's refusal is not shown: the page words the server's reason code, never text from the address.
    expect(await page.locator("#banner").textContent()).toBe(
      "Not paid: no payment was made (the payment window refused the request or was closed).",
    );
    expect((await e2e.order(merchantUid)).status).toBe("pending");
    expect(e2e.sandboxPayments(merchantUid)).toEqual([]);
    await e2e.screenshot(page, "forged-amount");
    await page.close();
  });

  test("a virtual account is issued, the deposit is simulated, and the webhook makes the order paid", async () => {
    const e2e = ctx();
    const page = await startCheckout(e2e, { method: "vbank", mode: "pc" });

    await paymentWindow(page).getByRole("button", { name: "Issue virtual account" }).click();
    const merchantUid = await waitForOrderStatus(page, "awaiting_deposit");
    expect(await page.locator("#vbank-number").textContent()).toMatch(/\d/);
    await page.getByRole("button", { name: "Simulate the deposit (sandbox)" }).click();
    await page.locator("#order-view[data-status='paid']").waitFor();

    const order = await e2e.order(merchantUid);
    expect(order.status).toBe("paid");
    expect(order.history.map((event: { to: string }) => event.to)).toEqual([
      "pending",
      "awaiting_deposit",
      "paid",
    ]);
    // Only iamport's webhook can tell about a deposit: no browser is there when the money arrives.
    expect(order.history.at(-1).source).toBe("webhook");
    await e2e.screenshot(page, "vbank-deposit");
    await page.close();
  });

  test.skipIf(!refundRoute)(
    `a partial refund from the order page${refundRoute ? "" : " (skipped: POST /orders/{merchant_uid}/refunds is not in serverless.yml yet)"}`,
    async () => {
      const e2e = ctx();
      const { page, merchantUid } = await payByCardPc(e2e, { quantity: 2 });

      await page.getByRole("radio", { name: "Part of it" }).check();
      await page.getByLabel("Amount to refund (원)").fill("5000");
      await page.getByLabel("Reason (the buyer sees it)").fill("One mug arrived chipped");
      await page.getByRole("button", { name: "Refund", exact: true }).click();
      await page.locator("#order-view[data-status='partially_refunded']").waitFor();

      const order = await e2e.order(merchantUid);
      expect(order).toMatchObject({ status: "partially_refunded", refunded_amount: 5_000 });
      expect(await page.locator("#refundable").textContent()).toBe("19,000원");
      expect(e2e.sandboxPayments(merchantUid)[0]).toMatchObject({ cancel_amount: 5_000 });
      await e2e.screenshot(page, "partial-refund");
      await page.close();
    },
  );
});
