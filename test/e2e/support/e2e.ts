/**
 * The browser tests' harness: the real local stack (API stand-in with the real
 * handlers, the sandbox, a fresh DynamoDB Local table) serving the storefront
 * exactly as `npm start` does, and Debian's Chromium driven by playwright-core.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { type DevStack, startDevStack } from "../../../local/dev-stack.js";
import type { Scheduler } from "../../../local/scheduler.js";
import { readServerlessFunctions, repoRoot } from "../../../local/serverless-routes.js";
import type { Stack } from "../../../local/stack.js";
import type { PaymentView } from "../../../sandbox/index.js";

/** CI installs Debian's Chromium here (`apt-get install chromium`); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(chromiumPath);
export const noChromiumReason = `skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

const artifacts = resolve(repoRoot, "test-artifacts", "e2e");
if (!hasChromium) console.warn(`browser tests ${noChromiumReason}`);

/** Whether serverless.yml routes `method path` yet (a route another change is adding). */
export function hasRoute(method: string, path: string): boolean {
  return readServerlessFunctions().some((fn) =>
    fn.routes.some((r) => r.method === method && r.path === path),
  );
}

export interface E2e {
  stack: Stack;
  scheduler: Scheduler;
  /** The storefront's origin (the API's), e.g. http://127.0.0.1:41234. */
  base: string;
  context: BrowserContext;
  page(): Promise<Page>;
  /** GET /orders/{merchant_uid} with the merchant key: the verified state. */
  order(merchantUid: string): Promise<any>;
  /** GET /subscriptions/{id} with the merchant key: cycles, attempts, history. */
  subscription(id: string): Promise<any>;
  /** The sandbox's payments for one order. */
  sandboxPayments(merchantUid: string): PaymentView[];
  screenshot(page: Page, name: string): Promise<void>;
}

/** One stack and one browser for the test file (handlers read config once per process). */
export function useE2e(): () => E2e {
  let current: E2e | undefined;
  let devStack: DevStack | undefined;
  let profile: string | undefined;
  /** Uncaught errors in any page: a storefront that throws fails the test that saw it. */
  const pageErrors: string[] = [];
  beforeAll(async () => {
    const dev = await startDevStack({
      dynamoEndpoint: inject("dynamoEndpoint"),
      env: { IAMPORT_TIMEOUT_MS: "2000" },
      timers: false,
      // A charge the consumer hands back comes again in a second, not after serverless.yml's six minutes.
      sqsVisibilityTimeoutMs: 1000,
    });
    devStack = dev;
    const { stack, scheduler } = dev;
    profile = await mkdtemp(join(tmpdir(), "e2e-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1100, height: 900 },
      locale: "en-US",
      timeout: 30_000,
    });
    context.setDefaultTimeout(10_000);
    await mkdir(artifacts, { recursive: true });
    current = {
      stack,
      scheduler,
      base: stack.apiUrl,
      context,
      async page() {
        const page = await context.newPage();
        page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
        return page;
      },
      async order(merchantUid) {
        const res = await fetch(`${stack.apiUrl}/orders/${encodeURIComponent(merchantUid)}`, {
          headers: { "x-api-key": stack.apiKey },
        });
        return res.json();
      },
      async subscription(id) {
        const res = await fetch(`${stack.apiUrl}/subscriptions/${encodeURIComponent(id)}`, {
          headers: { "x-api-key": stack.apiKey },
        });
        return res.json();
      },
      sandboxPayments: (merchantUid) =>
        (stack.sandbox?.control.payments() ?? []).filter((p) => p.merchant_uid === merchantUid),
      async screenshot(page, name) {
        await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
      },
    };
  });
  afterEach(() => {
    const errors = pageErrors.splice(0);
    if (errors.length) throw new Error(`the pages threw:\n${errors.join("\n")}`);
  });
  afterAll(async () => {
    await current?.context.close();
    await devStack?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });
  return () => {
    if (!current) throw new Error("e2e stack not started");
    return current;
  };
}

/** The storefront's checkout, filled the way a person would. */
export interface Checkout {
  method?: "card" | "trans" | "vbank" | "phone";
  mode?: "pc" | "mobile";
  quantity?: number;
  tamper?: boolean;
  /** Runs on the filled form just before Pay (more options, a screenshot). */
  beforePay?: (page: Page) => Promise<void>;
}

/** Opens the shop, fills the form and presses Pay. Returns the page (the window is opening). */
export async function startCheckout(e2e: E2e, options: Checkout = {}): Promise<Page> {
  const page = await e2e.page();
  await page.goto(`${e2e.base}/shop/`);
  await page.locator("form[data-ready='true']").waitFor();
  if (options.quantity) await page.getByLabel("How many mugs").fill(String(options.quantity));
  const method = { card: "Card", trans: "Account transfer", vbank: "Virtual account", phone: "Phone bill" };
  await page.getByRole("radio", { name: method[options.method ?? "card"] }).check();
  await page.getByRole("radio", { name: options.mode === "mobile" ? /^Mobile/ : /^PC/ }).check();
  if (options.tamper) {
    await page.getByText("Try to break it").click();
    await page.getByLabel("Tamper with the amount in the browser before paying").check();
  }
  await options.beforePay?.(page);
  await page.getByRole("button", { name: /^Pay / }).click();
  return page;
}

/** The sandbox's payment window: an overlay iframe in PC mode, the whole page in mobile mode. */
export function paymentWindow(page: Page, mode: "pc" | "mobile" = "pc") {
  return mode === "pc" ? page.frameLocator("iframe[name='imp-sandbox-window']") : page;
}

/** Waits for the result/order page to show the verified order with `status`. */
export async function waitForOrderStatus(page: Page, status: string): Promise<string> {
  await page.waitForURL(/\/shop\/(result|order)\.html\?/);
  await page.locator(`#order-view[data-status='${status}']`).waitFor();
  return (await page.locator("#merchant-uid").textContent()) ?? "";
}

/** A PC card payment through the storefront, approved in the window. */
export async function payByCardPc(
  e2e: E2e,
  options: Checkout = {},
): Promise<{ page: Page; merchantUid: string }> {
  const page = await startCheckout(e2e, { method: "card", mode: "pc", ...options });
  await paymentWindow(page).getByRole("button", { name: "Approve" }).click();
  const merchantUid = await waitForOrderStatus(page, "paid");
  return { page, merchantUid };
}

/** Waits for the subscription page to show the subscription settled (nothing being charged) in `status`. */
export async function waitForSubscription(
  page: Page,
  status: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const attributes = Object.entries({ status, charging: "false", ...extra })
    .map(([name, value]) => `[data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}='${value}']`)
    .join("");
  await page.locator(`#sub-view${attributes}`).waitFor();
  return (await page.locator("#sub-id").textContent()) ?? "";
}

/**
 * The subscription page as a person uses it: pick a plan, register the card in
 * the billing-key window (PC overlay), and land on the new subscription's page
 * with its first cycle paid.
 */
export async function subscribeInBrowser(
  e2e: E2e,
  options: { plan?: RegExp; beforeRegister?: (page: Page) => Promise<void> } = {},
): Promise<{ page: Page; id: string; customerUid: string }> {
  const page = await e2e.page();
  await page.goto(`${e2e.base}/shop/subscribe.html`);
  await page.locator("form[data-ready='true']").waitFor();
  if (options.plan) await page.getByRole("radio", { name: options.plan }).check();
  await options.beforeRegister?.(page);
  await page.getByRole("button", { name: "Register a card and subscribe" }).click();
  await paymentWindow(page).getByRole("button", { name: "Issue billing key" }).click();
  await page.waitForURL(/\/shop\/subscription\.html\?id=sub_/);
  const id = await waitForSubscription(page, "active", { paidCycles: "1" });
  const customerUid = (await page.locator("#sub-card").textContent()) ?? "";
  return { page, id, customerUid };
}
