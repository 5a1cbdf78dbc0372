/**
 * Subscriptions in Chromium against the real local stack: a card registered
 * in KICC's billing-key window (the sandbox's), the first cycle charged by the
 * real queue consumer, a renewal declined and paid again with a new card, and
 * a cancel at period end. The renewal is reached the way a person reaches it
 * in the demo: the sandbox panel runs the dispatcher with its clock ahead.
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

type Attempt = { customer_uid: string; status: string; decline: string | null; merchant_uid: string };

describe.skipIf(!hasChromium)(
  `subscriptions in Chromium${hasChromium ? "" : ` (${noChromiumReason})`}`,
  () => {
    const ctx = useE2e();
    /** The sandbox's `again` charges of one billing key. */
    const chargesOf = (customerUid: string) =>
      (ctx().stack.sandbox?.control.payments() ?? []).filter(
        (p) => p.customer_uid === customerUid && p.customer_uid_usage === "payment",
      );

    test("register a card in the window and subscribe: the first cycle is charged and shown paid", async () => {
      const e2e = ctx();

      const { page, id, customerUid } = await subscribeInBrowser(e2e, {
        plan: /^Single origin/,
        beforeRegister: (shop) => e2e.screenshot(shop, "subscribe"),
      });

      expect(await page.locator("#banner").textContent()).toMatch(
        /^Active: paid through .* KST\. Next charge/,
      );
      expect(await page.locator("#next-charge").textContent()).toMatch(/ KST$/);
      expect(await page.locator(".cycle[data-cycle='1']").getAttribute("data-status")).toBe("paid");
      const sub = await e2e.subscription(id);
      expect(sub).toMatchObject({
        status: "active",
        plan: { name: "Single origin 2 x 200 g", amount: 24_000, interval: "month" },
        buyer: { name: "홍길동", tel: "010-1234-5678" },
        paid_cycles: 1,
        current_cycle: 2,
      });
      expect(sub.cycles[0].attempts).toEqual([
        expect.objectContaining({ status: "paid", merchant_uid: `${id}_1_1`, customer_uid: customerUid }),
      ]);
      expect(await page.locator(".cycle[data-cycle='1'] td code").first().textContent()).toBe(`${id}_1_1`);
      expect(chargesOf(customerUid)).toEqual([
        expect.objectContaining({
          status: "paid",
          amount: 24_000,
          merchant_uid: `${id}_1_1`,
          pg_id: "T5102002",
        }),
      ]);
      await e2e.screenshot(page, "subscription-paid");
      await page.close();
    });

    test("a declined renewal shows past due; a new card from the window pays it", async () => {
      const e2e = ctx();
      const { page, id, customerUid } = await subscribeInBrowser(e2e);

      // The sandbox panel: decline this key's charges, then run the dispatcher a month ahead.
      const panel = await e2e.page();
      await panel.goto(`${e2e.base}/shop/sandbox.html`);
      await panel.locator("#panel[data-loaded]").waitFor();
      await panel.getByLabel("Billing key (customer_uid)").fill(customerUid);
      await panel.getByLabel("Decline reason").selectOption("insufficient_balance");
      await panel.getByRole("button", { name: "Add decline" }).click();
      await panel
        .getByRole("status")
        .filter({ hasText: `Decline added for ${customerUid}` })
        .waitFor();
      await panel.getByLabel("Days ahead").fill("32");
      await panel.getByRole("button", { name: "Run dispatch-charges ahead" }).click();
      await panel.getByRole("status").filter({ hasText: "Ran dispatch-charges 32 days ahead" }).waitFor();
      const record = JSON.parse((await panel.locator("#dispatch-result pre").textContent()) ?? "{}");
      expect(record).toMatchObject({ queue_idle: true, summary: { unqueued: 0 } });
      expect(record.summary.queued).toBeGreaterThanOrEqual(1);
      // Nothing left in the charge queue, and the declined charge links to its subscription.
      await expect
        .poll(() => panel.locator("#queues").textContent())
        .toContain("ChargeQueue (→ chargeSubscription): 0");
      await expect.poll(() => panel.locator("#declines").textContent()).toContain(customerUid);
      await e2e.screenshot(panel, "subscription-panel");

      await page.bringToFront();
      await page.reload();
      await waitForSubscription(page, "past_due");
      expect(await page.locator("#banner").textContent()).toMatch(
        /^Past due: \[8326\] 잔액부족\. Retrying .* KST/,
      );
      expect(await page.locator(".cycle[data-cycle='2']").getAttribute("data-status")).toBe("failed");
      await e2e.screenshot(page, "subscription-past-due");

      // Switch card: a new billing key from the window (another test card), retried at once.
      await page.getByRole("button", { name: "Switch card" }).click();
      const billingWindow = paymentWindow(page);
      await billingWindow.getByLabel("Test card").selectOption({ index: 1 });
      await billingWindow.getByRole("button", { name: "Issue billing key" }).click();
      await waitForSubscription(page, "active", { paidCycles: "2" });

      const sub = await e2e.subscription(id);
      const newCard = sub.customer_uid as string;
      expect(newCard).not.toBe(customerUid);
      expect(sub).toMatchObject({ status: "active", current_cycle: 3, dunning: null });
      expect(sub.cycles[1].attempts.map((a: Attempt) => [a.customer_uid, a.status, a.decline])).toEqual([
        [customerUid, "declined", "soft"],
        [newCard, "paid", null],
      ]);
      expect(chargesOf(customerUid).map((p) => p.status)).toEqual(["paid", "failed"]);
      expect(chargesOf(newCard)).toEqual([
        expect.objectContaining({ status: "paid", merchant_uid: `${id}_2_2`, card_code: "381" }),
      ]);
      // The old card's key is deleted at iamport once nothing charges it.
      expect(e2e.stack.sandbox?.control.billingKeys().map((k) => k.customer_uid)).not.toContain(customerUid);
      expect(await page.locator("#action-status").textContent()).toContain("Card switched");
      expect(await page.locator("#sub-card").textContent()).toBe(newCard);
      await e2e.screenshot(page, "subscription-card-switched");
      e2e.stack.sandbox?.control.clearDeclines();
      await panel.close();
      await page.close();
    });

    test("cancel at period end: active until the paid period ends, then canceled without a charge", async () => {
      const e2e = ctx();
      const { page, id, customerUid } = await subscribeInBrowser(e2e);

      await page.getByLabel("Reason (optional)").fill("Moving abroad");
      await page.getByRole("button", { name: "Cancel at period end" }).click();
      await waitForSubscription(page, "active", { cancelAtPeriodEnd: "true" });

      expect(await page.locator("#banner").textContent()).toMatch(
        /^Ends when the paid period ends \(.* KST\)\. Nothing more is charged\.$/,
      );
      expect(await page.getByRole("button", { name: "Cancel at period end" }).isDisabled()).toBe(true);
      const sub = await e2e.subscription(id);
      expect(sub).toMatchObject({
        status: "active",
        cancel_at_period_end: true,
        cancel_reason: "Moving abroad",
      });
      await e2e.screenshot(page, "subscription-cancel-at-period-end");

      // The page's sandbox shortcut: the dispatcher at the end of the paid period ends it.
      await page.getByRole("button", { name: "Run the dispatcher at the next charge date" }).click();
      await waitForSubscription(page, "canceled");
      const ended = await e2e.subscription(id);
      expect(ended.history.at(-1)).toMatchObject({ from: "active", to: "canceled", source: "dispatcher" });
      expect(chargesOf(customerUid)).toHaveLength(1);
      expect(await page.locator("#dispatch-result pre").textContent()).toContain('"ended"');
      await e2e.screenshot(page, "subscription-ended");
      await page.close();
    });

    test("a fixed billing day: nothing charged until that day; paused and resumed, then charged by the dispatcher", async () => {
      const e2e = ctx();
      const page = await e2e.page();
      await page.goto(`${e2e.base}/shop/subscribe.html`);
      await page.locator("form[data-ready='true']").waitFor();
      const today = Number(
        new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Seoul", day: "numeric" }).format(new Date()),
      );
      const day = (today % 28) + 1;
      await page.getByRole("radio", { name: /^Bill on a fixed day/ }).check();
      await page.getByLabel("Day of the month", { exact: true }).selectOption(String(day));
      await page.getByRole("button", { name: "Register a card and subscribe" }).click();
      await paymentWindow(page).getByRole("button", { name: "Issue billing key" }).click();
      await page.waitForURL(/\/shop\/subscription\.html\?id=sub_/);
      const id = await waitForSubscription(page, "active", { paidCycles: "0" });
      expect(await page.locator("#banner").textContent()).toMatch(
        /^Active: the first charge .* is due .* KST\.$/,
      );
      expect(await page.locator(".cycle[data-cycle='1']").getAttribute("data-status")).toBe("scheduled");

      await page.getByRole("button", { name: "Pause" }).click();
      await waitForSubscription(page, "paused");
      expect(
        await page.getByRole("button", { name: "Run the dispatcher at the next charge date" }).isDisabled(),
      ).toBe(true);
      await page.getByRole("button", { name: "Resume" }).click();
      await waitForSubscription(page, "active", { paidCycles: "0" });
      await page.getByRole("button", { name: "Run the dispatcher at the next charge date" }).click();
      await waitForSubscription(page, "active", { paidCycles: "1" });

      const sub = await e2e.subscription(id);
      expect(sub.billing.anchor_day).toBe(day);
      expect(sub.skipped_cycles).toBe(0);
      expect(
        sub.history.map((event: { to: string; source: string }) => `${event.to}:${event.source}`),
      ).toEqual(["active:api", "paused:api", "active:api", "active:charge"]);
      await e2e.screenshot(page, "subscription-billing-day");
      await page.close();
    });

    test("an API refusal is shown with its JSON", async () => {
      const e2e = ctx();
      const page = await e2e.page();
      await page.goto(`${e2e.base}/shop/subscribe.html`);
      await page.locator("form[data-ready='true']").waitFor();
      await page.getByLabel("Phone number").fill("not a phone");
      await page.getByRole("button", { name: "Register a card and subscribe" }).click();

      const error = page.getByRole("alert");
      await error.getByText("The card registration could not start.").waitFor();
      expect(await error.locator("pre").textContent()).toMatch(/^HTTP 400\n\{/);
      expect(await error.locator("li").first().textContent()).toMatch(/^buyer_tel: /);
      expect(await page.getByLabel("Phone number").getAttribute("aria-invalid")).toBe("true");
      await page.close();
    });
  },
);
