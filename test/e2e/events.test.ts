/**
 * Domain events on the demo pages, in Chromium against the real local stack:
 * the publisher reads DynamoDB Local's stream as Lambda would and puts each
 * event on the in-memory bus; the order page, the subscription page and the
 * sandbox panel list what that bus received, each event once, and catch up
 * with a change the person just made without a reload.
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { hasChromium, noChromiumReason, payByCardPc, subscribeInBrowser, useE2e } from "./support/e2e.js";

/** The rows the page's events table shows, newest first: [type, version, id, the aggregate's id on the panel]. */
async function listed(page: Page, selector = "#events tbody tr"): Promise<string[][]> {
  return page.locator(selector).evaluateAll((rows) =>
    rows.map((row) => {
      const cells = new Map(
        Array.from(row.querySelectorAll("td"), (td) => [td.dataset.label ?? "", td.textContent ?? ""]),
      );
      return ["Type", "Version", "Id", "Of"].map((label) => cells.get(label) ?? "");
    }),
  );
}

describe.skipIf(!hasChromium)(
  `domain events on the pages${hasChromium ? "" : ` (${noChromiumReason})`}`,
  () => {
    const ctx = useE2e();

    /** The events the bus holds for `aggregate` once the stream is drained: what the page must show. */
    async function published(aggregate?: string) {
      await ctx().stack.stream.drain();
      return ctx().stack.events.events(aggregate);
    }

    test("an order's page lists order.paid, then each refund made from the page as it lands, each once", async () => {
      const e2e = ctx();
      const { page: shop, merchantUid } = await payByCardPc(e2e, { quantity: 2 });
      // Straight back from the window, the result page shows paid before the publisher has put the event.
      await shop.locator("#events tr[data-type='order.paid']").waitFor();
      await shop.close();

      const page = await e2e.page();
      await page.goto(`${e2e.base}/shop/order.html?merchant_uid=${merchantUid}`);
      await page.locator("#order-view[data-status='paid']").waitFor();
      await page.locator("#events tr[data-type='order.paid']").waitFor();

      await page.getByRole("radio", { name: "Part of it" }).check();
      await page.getByLabel("Amount to refund (원)").fill("5000");
      await page.getByLabel("Reason (the buyer sees it)").fill("One mug arrived chipped");
      await page.getByRole("button", { name: "Refund", exact: true }).click();
      await page.locator("#order-view[data-status='partially_refunded']").waitFor();
      // No reload: the page itself waits (bounded) for the publisher to put the refund's event.
      await page.locator("#events tr[data-type='order.partially_refunded']").waitFor();

      await page.getByLabel("Reason (the buyer sees it)").fill("Order returned");
      await page.getByRole("button", { name: "Refund", exact: true }).click();
      await page.locator("#order-view[data-status='refunded']").waitFor();
      await page.locator("#events tr[data-type='order.refunded']").waitFor();

      const bus = await published(merchantUid);
      expect(bus.map((e) => e.type)).toEqual(["order.paid", "order.partially_refunded", "order.refunded"]);
      const rows = await listed(page);
      // Newest first, each once, with the version and id the bus received.
      expect(rows.map(([type, version, id]) => [type, version, id])).toEqual(
        [...bus].reverse().map((e) => [e.type, `v${e.aggregate.version}`, e.id]),
      );
      expect(new Set(rows.map(([, , id]) => id)).size).toBe(rows.length);
      const versions = bus.map((e) => e.aggregate.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      await e2e.screenshot(page, "order-events");
      await page.close();
    });

    test("a subscription's page lists subscription.created and its charges; a renewal run from the page adds one", async () => {
      const e2e = ctx();
      const { page, id } = await subscribeInBrowser(e2e);
      await page.locator("#events tr[data-type='subscription.charged']").waitFor();
      expect((await listed(page)).map(([type]) => type)).toEqual([
        "subscription.charged",
        "subscription.created",
      ]);

      await page.getByRole("button", { name: "Run the dispatcher at the next charge date" }).click();
      await page.locator("#sub-view[data-paid-cycles='2'][data-charging='false']").waitFor();
      await expect.poll(() => page.locator("#events tr[data-type='subscription.charged']").count()).toBe(2);

      const bus = await published(id);
      expect(bus.map((e) => e.type)).toEqual([
        "subscription.created",
        "subscription.charged",
        "subscription.charged",
      ]);
      const rows = await listed(page);
      expect(rows.map(([type, version, eventId]) => [type, version, eventId])).toEqual(
        [...bus].reverse().map((e) => [e.type, `v${e.aggregate.version}`, e.id]),
      );
      expect(new Set(bus.map((e) => e.aggregate.version)).size).toBe(3);
      await e2e.screenshot(page, "subscription-events");
      await page.close();
    });

    test("the sandbox panel lists the latest events of every order and subscription, newest first, each once", async () => {
      const e2e = ctx();
      const { page: shop, merchantUid } = await payByCardPc(e2e);
      await shop.close();
      const bus = await published();
      expect(bus.at(-1)).toMatchObject({ type: "order.paid", aggregate: { id: merchantUid } });

      const panel = await e2e.page();
      await panel.goto(`${e2e.base}/shop/sandbox.html`);
      await panel.locator("#panel[data-loaded]").waitFor();
      await panel.locator("#events-panel #events tbody tr").first().waitFor();

      const rows = await listed(panel, "#events-panel #events tbody tr");
      // Every event of this file's stack, the latest 30 at most (the panel's limit), newest first.
      expect(rows.map(([type, version, id, of]) => [type, version, id, of])).toEqual(
        bus
          .slice(-30)
          .reverse()
          .map((e) => [e.type, `v${e.aggregate.version}`, e.id, e.aggregate.id]),
      );
      expect(rows[0]).toEqual(["order.paid", expect.any(String), expect.any(String), merchantUid]);
      await e2e.screenshot(panel, "sandbox-panel-events");
      await panel.close();
    });
  },
);
