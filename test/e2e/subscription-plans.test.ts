/**
 * The demo's plan change and free trial in Chromium against the real local
 * stack: a trial started from the subscribe page charges nothing and shows
 * when it ends; a plan change from the subscription page applies to the next
 * cycle, which the sandbox panel's dispatcher (its clock ahead) then charges
 * at the new amount.
 */
import { describe, expect, test } from "vitest";
import {
  hasChromium,
  noChromiumReason,
  paymentWindow,
  subscribeInBrowser,
  useE2e,
  waitForSubscription,
} from "./support/e2e.js";

describe.skipIf(!hasChromium)(
  `plan changes and trials in Chromium${hasChromium ? "" : ` (${noChromiumReason})`}`,
  () => {
    const ctx = useE2e();
    const chargesOf = (customerUid: string) =>
      (ctx().stack.sandbox?.control.payments() ?? []).filter(
        (p) => p.customer_uid === customerUid && p.customer_uid_usage === "payment",
      );

    test("a 14-day free trial: the card is registered, nothing is charged, the page says when the trial ends", async () => {
      const e2e = ctx();
      const page = await e2e.page();
      await page.goto(`${e2e.base}/shop/subscribe.html`);
      await page.locator("form[data-ready='true']").waitFor();

      await page.getByRole("radio", { name: /^Free trial/ }).check();
      await page.getByLabel("Trial days").fill("14");
      expect(await page.locator("#summary").textContent()).toMatch(/after a 14-day free trial$/);
      await page.getByRole("button", { name: "Register a card and subscribe" }).click();
      await paymentWindow(page).getByRole("button", { name: "Issue billing key" }).click();
      await page.waitForURL(/\/shop\/subscription\.html\?id=sub_/);
      const id = await waitForSubscription(page, "active", { paidCycles: "0" });

      const sub = await e2e.subscription(id);
      expect(sub).toMatchObject({ status: "active", paid_cycles: 0, trial: { days: 14, noticed_at: null } });
      expect(await page.locator("#banner").textContent()).toMatch(
        /^Free trial until .* KST: the first charge/,
      );
      expect(await page.locator("#trial").textContent()).toMatch(/^14 days, ends .* KST; ending notice due /);
      expect(chargesOf(sub.customer_uid)).toEqual([]);
      await e2e.screenshot(page, "subscription-trial");
      await page.close();
    });

    test("change the plan from the next cycle: the page shows it, and the renewal charges the new amount", async () => {
      const e2e = ctx();
      const { page, id, customerUid } = await subscribeInBrowser(e2e, { plan: /^House blend 500 g/ });

      await page.getByLabel("New plan name").fill("House blend 1 kg");
      await page.getByLabel("New amount (KRW per cycle)").fill("33000");
      await page.getByRole("radio", { name: "From the next cycle" }).check();
      await page.getByRole("button", { name: "Change plan" }).click();
      await expect.poll(() => page.locator("#plan-name").textContent()).toBe("House blend 1 kg");
      expect(await page.locator("#action-status").textContent()).toContain("Change plan: done");
      expect(await page.locator("#plan-amount").textContent()).toMatch(/33,000/);
      const changed = await e2e.subscription(id);
      expect(changed.history.at(-1)).toMatchObject({
        plan_change: {
          from: { amount: 18_900 },
          to: { name: "House blend 1 kg", amount: 33_000 },
          from_cycle: 2,
        },
      });
      await e2e.screenshot(page, "subscription-plan-changed");

      // The renewal, the way a person reaches it: the sandbox panel runs the dispatcher a month ahead.
      const panel = await e2e.page();
      await panel.goto(`${e2e.base}/shop/sandbox.html`);
      await panel.locator("#panel[data-loaded]").waitFor();
      await panel.getByLabel("Days ahead").fill("32");
      await panel.getByRole("button", { name: "Run dispatch-charges ahead" }).click();
      await panel.getByRole("status").filter({ hasText: "Ran dispatch-charges 32 days ahead" }).waitFor();
      await page.bringToFront();
      await page.reload();
      await waitForSubscription(page, "active", { paidCycles: "2" });

      expect(chargesOf(customerUid).map((p) => [p.merchant_uid, p.status, p.amount])).toEqual([
        [`${id}_1_1`, "paid", 18_900],
        [`${id}_2_1`, "paid", 33_000],
      ]);
      await panel.close();
      await page.close();
    });
  },
);
