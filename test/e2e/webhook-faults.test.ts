/**
 * The sandbox panel's fault switches with the storefront: a person drops one
 * webhook and duplicates the next, pays by virtual account, and the order
 * still ends right (the browser's callback covers the dropped one; the
 * duplicate deposit notice changes nothing the second time).
 */
import { describe, expect, test } from "vitest";
import {
  hasChromium,
  noChromiumReason,
  paymentWindow,
  startCheckout,
  useE2e,
  waitForOrderStatus,
} from "./support/e2e.js";

describe.skipIf(!hasChromium)(
  `sandbox panel in Chromium${hasChromium ? "" : ` (${noChromiumReason})`}`,
  () => {
    const ctx = useE2e();

    test("a dropped and a duplicated webhook: the order still ends paid, once", async () => {
      const e2e = ctx();
      const panel = await e2e.page();
      await panel.goto(`${e2e.base}/shop/sandbox.html`);
      await panel.locator("#panel[data-loaded]").waitFor();
      // The next webhook (vbank issued) is dropped, the one after (deposit) sent twice.
      for (const kind of ["drop", "duplicate"]) {
        await panel.getByLabel("What happens").selectOption(kind);
        await panel.getByLabel("To the next … webhooks").fill("1");
        await panel.getByRole("button", { name: "Add webhook fault" }).click();
        await panel
          .getByRole("status")
          .filter({ hasText: `Webhook fault added: ${kind}` })
          .waitFor();
      }

      const shop = await startCheckout(e2e, { method: "vbank", mode: "pc" });
      await paymentWindow(shop).getByRole("button", { name: "Issue virtual account" }).click();
      const merchantUid = await waitForOrderStatus(shop, "awaiting_deposit");
      await panel.bringToFront();
      await panel.getByRole("button", { name: "Refresh", exact: true }).click();
      await panel.getByRole("button", { name: `Simulate deposit for ${merchantUid}` }).click();
      // Two tabs: the one a person looks at is in front (Chromium throttles background tabs).
      await shop.bringToFront();
      await shop.reload();
      await shop.locator("#order-view[data-status='paid']").waitFor();
      await e2e.stack.sandbox?.control.flushWebhooks();

      const deliveries = (e2e.stack.sandbox?.control.webhooks() ?? []).filter(
        (d) => d.body.merchant_uid === merchantUid,
      );
      expect(deliveries.map((d) => [d.body.status, d.fault, d.status ?? d.error])).toEqual([
        ["ready", "drop", "dropped by sandbox fault"],
        ["paid", "duplicate", 200],
        ["paid", "duplicate", 200],
      ]);
      const order = await e2e.order(merchantUid);
      expect(order.status).toBe("paid");
      // The dropped notice was covered by the browser's callback; the duplicate applied once.
      expect(
        order.history.map((event: { to: string; source: string }) => `${event.to}:${event.source}`),
      ).toEqual(["pending:api", "awaiting_deposit:callback", "paid:webhook"]);
      await panel.bringToFront();
      await panel.getByRole("button", { name: "Refresh", exact: true }).click();
      await panel.locator("#webhooks-table").getByText(merchantUid).first().waitFor();
      await e2e.screenshot(panel, "webhook-faults-panel");
      await e2e.screenshot(shop, "webhook-faults-order");
    });

    test("the panel runs a scheduled function from serverless.yml on demand", async () => {
      const e2e = ctx();
      const jobs = e2e.scheduler.jobs();
      if (jobs.length === 0) return; // nothing scheduled in serverless.yml yet
      const name = jobs[0]?.functionName ?? "";
      const panel = await e2e.page();
      await panel.goto(`${e2e.base}/shop/sandbox.html`);
      await panel.locator("#panel[data-loaded]").waitFor();

      await panel.getByRole("button", { name: `Run ${name} now` }).click();
      await panel
        .getByRole("status")
        .filter({ hasText: `Ran ${name}` })
        .waitFor();

      const record = JSON.parse((await panel.locator("#job-result pre").textContent()) ?? "{}");
      expect(record).toMatchObject({ trigger: "manual", ok: true });
      expect(e2e.scheduler.jobs()[0]?.lastRun).toMatchObject({ ok: true });
    });
  },
);
