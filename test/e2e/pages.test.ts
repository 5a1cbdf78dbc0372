/**
 * What a person sees on the demo pages, in Chromium against the real local
 * stack: a subscription whose first charge was declined is not called
 * subscribed-and-charged, times are KST everywhere (also inside the history's
 * reasons), a forged order shows what went back to the buyer, the result page
 * shows only what the server verified, the sandbox panel's tables fit, and no
 * page asks for a file that is not there.
 */
import { describe, expect, onTestFinished, test } from "vitest";
import { hasChromium, noChromiumReason, paymentWindow, useE2e, waitForSubscription } from "./support/e2e.js";

/** A UTC ISO instant as the API sends it (`2026-12-02T15:00:00.000Z`). */
const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z/;

describe.skipIf(!hasChromium)(`what a person sees${hasChromium ? "" : ` (${noChromiumReason})`}`, () => {
  const ctx = useE2e();

  /** Creates a card order through the API and pays `amount` for it in the sandbox, as a tampered window would. */
  async function forgedOrder(amount: number) {
    const e2e = ctx();
    const res = await fetch(`${e2e.base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": e2e.stack.apiKey },
      body: JSON.stringify({
        merchant_uid: `forged-${Date.now()}`,
        name: "Blue mug",
        amount: 12_000,
        pay_method: "card",
        buyer_name: "홍길동",
        buyer_tel: "010-1234-5678",
      }),
    });
    const created = (await res.json()) as { merchant_uid: string; request_pay: Record<string, unknown> };
    const control = e2e.stack.sandbox!.control;
    const rsp = control.pay({ ...created.request_pay, amount, bypassPrepare: true, outcome: "approve" });
    await control.flushWebhooks();
    const verified = await fetch(`${e2e.base}/payments/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ imp_uid: rsp.imp_uid, merchant_uid: created.merchant_uid }),
    });
    expect(((await verified.json()) as { status: string }).status).toBe("forged");
    return created.merchant_uid;
  }

  test("a forged order shows the full amount refunded to the buyer, not 0원", async () => {
    const e2e = ctx();
    const merchantUid = await forgedOrder(100);
    expect(await e2e.order(merchantUid)).toMatchObject({ status: "forged", refunded_amount: 100 });

    const page = await e2e.page();
    await page.goto(`${e2e.base}/shop/order.html?merchant_uid=${merchantUid}`);
    await page.locator("#order-view[data-status='forged']").waitFor();

    expect(await page.locator("#refunded").textContent()).toBe("100원");
    expect(await page.locator("#banner").textContent()).toContain("refunded in full");
    await e2e.screenshot(page, "forged-order");
    await page.close();
  });

  test("the result page never shows text from its address", async () => {
    const e2e = ctx();
    const merchantUid = await forgedOrder(100);
    const page = await e2e.page();
    const planted = "Your card was blocked. Call 02-000-0000 to get your refund";

    await page.goto(
      `${e2e.base}/shop/result.html?merchant_uid=${merchantUid}&status=paid&reason=verified&message=${encodeURIComponent(planted)}`,
    );
    await page.locator("#order-view[data-status='forged']").waitFor();

    expect(await page.locator("body").textContent()).not.toContain("02-000-0000");
    await page.close();
  });

  test("a subscription whose first charge is declined says past due, never 'Your card is charged'; its times are KST", async () => {
    const e2e = ctx();
    const control = e2e.stack.sandbox!.control;
    const page = await e2e.page();
    await page.goto(`${e2e.base}/shop/subscribe.html`);
    await page.locator("form[data-ready='true']").waitFor();
    // Once the card is registered (the window would refuse a key whose charges decline), every charge of
    // that billing key is declined (잔액부족, a soft decline: retried later); then the page subscribes.
    await page.route("**/subscriptions", async (route) => {
      const { customer_uid: customerUid } = route.request().postDataJSON() as { customer_uid: string };
      control.addDecline({ customer_uid: customerUid, reason: "insufficient_balance" });
      await route.continue();
    });
    await page.getByRole("button", { name: "Register a card and subscribe" }).click();
    const billingWindow = paymentWindow(page);
    try {
      await billingWindow.getByRole("button", { name: "Issue billing key" }).click();
      await page.waitForURL(/\/shop\/subscription\.html\?id=sub_/);
      await waitForSubscription(page, "past_due");
    } finally {
      control.clearDeclines();
    }

    const said = (await page.locator("#action-status").textContent()) ?? "";
    expect(said).not.toContain("Your card is charged");
    expect(said).toMatch(/first charge was declined/);
    expect(await page.locator("#banner").textContent()).toMatch(/^Past due: .*잔액부족/);
    // The API's history reasons carry UTC instants ("retry 1 of 3 at …Z"); the page shows KST.
    const id = (await page.locator("#sub-id").textContent()) ?? "";
    const reasons = (await e2e.subscription(id)).history.map((event: { reason: string }) => event.reason);
    expect(reasons.some((reason: string) => ISO_INSTANT.test(reason))).toBe(true);
    const history = (await page.locator("#history-h + * ").textContent()) ?? "";
    expect(history).not.toMatch(ISO_INSTANT);
    expect(history).toMatch(/retry 1 of \d+ at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} KST/);
    expect(await page.locator("main").textContent()).not.toMatch(ISO_INSTANT);
    await e2e.screenshot(page, "subscription-first-charge-declined");
    await page.close();
  });

  test("a card the window refuses to register: the page says why, with no stray 'null'", async () => {
    const e2e = ctx();
    const control = e2e.stack.sandbox!.control;
    const page = await e2e.page();
    await page.goto(`${e2e.base}/shop/subscribe.html`);
    await page.locator("form[data-ready='true']").waitFor();
    await page.getByRole("button", { name: "Register a card and subscribe" }).click();
    const billingWindow = paymentWindow(page);
    const [cardCode] = (await billingWindow.getByLabel("Test card").inputValue()).split(":");
    control.addDecline({ card_code: cardCode, reason: "insufficient_balance" });
    try {
      await billingWindow.getByRole("button", { name: "Issue billing key" }).click();
      await page.getByText("The card was not registered").waitFor();
    } finally {
      control.clearDeclines();
    }

    const said = (await page.getByRole("alert").first().textContent()) ?? "";
    expect(said).toContain("The card was not registered: [8326]");
    expect(said).not.toContain("null");
    await page.close();
  });

  test("the sandbox panel's payments table fits its page: nothing is cut off on the right", async () => {
    const e2e = ctx();
    await forgedOrder(100);
    // A virtual account waiting for its deposit: the widest row (bank, number, deadline, a button).
    const res = await fetch(`${e2e.base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": e2e.stack.apiKey },
      body: JSON.stringify({
        merchant_uid: `vbank-${Date.now()}`,
        name: "Blue mug",
        amount: 12_000,
        pay_method: "vbank",
        buyer_name: "홍길동",
        buyer_tel: "010-1234-5678",
      }),
    });
    const created = (await res.json()) as { request_pay: Record<string, unknown> };
    e2e.stack.sandbox!.control.pay({ ...created.request_pay, outcome: "approve" });
    const page = await e2e.page();
    await page.goto(`${e2e.base}/shop/sandbox.html`);
    await page.locator("#panel[data-loaded]").waitFor();
    await page.locator("#payments-table").waitFor();

    // A laptop, a small window, a phone: every column is on screen without scrolling the table sideways.
    for (const width of [1100, 800, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const fit = await page.evaluate(() => {
        const table = document.getElementById("payments-table") as HTMLElement;
        const wrap = table.parentElement as HTMLElement;
        const cells = Array.from(table.querySelectorAll("td"));
        return {
          table: table.scrollWidth,
          wrap: wrap.clientWidth,
          pageScroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          // A cell whose content runs past its own right edge is cut off too.
          overflowing: cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1).length,
        };
      });
      expect(fit, `at ${width} px`).toMatchObject({ pageScroll: 0, overflowing: 0 });
      expect(fit.table, `at ${width} px`).toBeLessThanOrEqual(fit.wrap);
      await e2e.screenshot(page, `sandbox-panel-payments-${width}`);
    }
    await page.close();
  });

  test("the sandbox panel sets a behaviour mode, the sandbox behaves so, and the defaults come back", async () => {
    const e2e = ctx();
    const control = e2e.stack.sandbox!.control;
    // The stack is shared by this file's tests: whatever happens here, they get the defaults back.
    onTestFinished(() => {
      control.resetModes();
    });
    const page = await e2e.page();
    await page.goto(`${e2e.base}/shop/sandbox.html`);
    await page.locator("#panel[data-loaded]").waitFor();
    const select = page.locator('#modes select[name="partialCancel"]');
    await select.waitFor();
    expect(await select.inputValue()).toBe("stays-paid");

    await select.selectOption("cancelled");
    await page.locator('#modes-form button[type="submit"]').click();
    await expect.poll(() => control.modes().partialCancel).toBe("cancelled");
    // What the sandbox does in that mode: a partly cancelled payment reads `cancelled`.
    const created = (await (
      await fetch(`${e2e.base}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": e2e.stack.apiKey },
        body: JSON.stringify({ name: "Mug", amount: 12_000, pay_method: "card", buyer_tel: "010-1234-5678" }),
      })
    ).json()) as { merchant_uid: string; request_pay: Record<string, unknown> };
    control.pay({ ...created.request_pay, outcome: "approve" });
    await control.flushWebhooks();
    const refund = await fetch(`${e2e.base}/orders/${created.merchant_uid}/refunds`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": e2e.stack.apiKey,
        "idempotency-key": "panel-mode",
      },
      body: JSON.stringify({ amount: 2_000, reason: "panel mode" }),
    });
    expect(refund.status).toBe(201);
    const payment = control.payments().find((p) => p.merchant_uid === created.merchant_uid);
    expect(payment).toMatchObject({ status: "cancelled", cancel_amount: 2_000 });
    expect(await e2e.order(created.merchant_uid)).toMatchObject({
      status: "partially_refunded",
      refunded_amount: 2_000,
    });
    await e2e.screenshot(page, "sandbox-panel-modes");

    await page.locator("#reset-modes").click();
    await expect.poll(() => control.modes().partialCancel).toBe("stays-paid");
    await page.close();
  });

  test("no page asks for a file that is not there: each names its icon, and the icon is served", async () => {
    const e2e = ctx();
    const missing: string[] = [];
    const icons = new Set<string>();
    for (const path of [
      "",
      "order.html",
      "result.html",
      "subscribe.html",
      "subscription.html",
      "sandbox.html",
    ]) {
      const page = await e2e.page();
      page.on("response", (response) => {
        if (response.status() >= 400) missing.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${e2e.base}/shop/${path}`);
      await page.waitForLoadState("networkidle");
      // Headless Chromium never fetches an icon itself; a page without one makes a browser ask for /favicon.ico.
      const icon = await page.evaluate(
        () => (document.querySelector("link[rel~='icon']") as HTMLLinkElement | null)?.href ?? null,
      );
      expect(icon, `/shop/${path} names no icon`).not.toBeNull();
      icons.add(icon as string);
      await page.close();
    }

    expect(missing).toEqual([]);
    for (const icon of icons) {
      const res = await fetch(icon);
      expect(res.status, icon).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^image\//);
    }
  });
});
