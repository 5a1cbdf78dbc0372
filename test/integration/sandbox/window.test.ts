import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { delimiter, join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../../sandbox/index.js";

/** A Chromium on PATH (or CHROMIUM_PATH); the browser tests skip without one. */
function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}
const executablePath = findChromium();

describe("sandbox SDK script and window routes (HTTP)", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it("serves /v1/iamport.js as JavaScript defining window.IMP", async () => {
    const res = await fetch(`${sandbox.url}/v1/iamport.js`);
    expect(res.headers.get("content-type")).toContain("javascript");
    const text = await res.text();
    expect(text).toContain("window.IMP = IMP");
    expect(text).toContain("request_pay");
  });

  it("refuses a bad merchant code or bad params without opening a window", async () => {
    const open = (body: unknown) =>
      fetch(`${sandbox.url}/__sandbox/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ rsp?: { success: boolean; imp_uid: null }; url?: string }>);
    const badCode = await open({
      merchant_code: "imp_wrong",
      params: { merchant_uid: "o1", amount: 1, buyer_tel: "1" },
    });
    expect(badCode.rsp).toMatchObject({ success: false, imp_uid: null });
    const badParams = await open({
      merchant_code: "imp00000000",
      params: { merchant_uid: "o1", amount: "1" },
    });
    expect(badParams.rsp).toMatchObject({ success: false, imp_uid: null });
    const ok = await open({
      merchant_code: "imp00000000",
      params: { merchant_uid: "o1", amount: 1000, buyer_tel: "1" },
    });
    expect(ok.url).toMatch(/\/__sandbox\/window\/[0-9a-f]+$/);
    const page = await (await fetch(ok.url as string)).text();
    for (const label of ["Approve", "Decline", "Close window"]) expect(page).toContain(`>${label}</button>`);
  });
});

describe.skipIf(!executablePath)("sandbox payment window in a browser", () => {
  let sandbox: Sandbox;
  let shop: Server;
  let shopUrl: string;
  let browser: Browser;
  beforeAll(async () => {
    sandbox = await startSandbox();
    // The merchant page lives on its own origin, as a real shop would.
    shop = createServer((req, res) => {
      const mobile = (req.url ?? "").includes("mobile=1");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><meta charset="utf-8"><script src="${sandbox.url}/v1/iamport.js"></script>
<script>${mobile ? 'IMP.sandbox = { mode: "mobile" };' : ""}IMP.init("imp00000000");
window.pay = function (params) { return new Promise(function (resolve) { IMP.request_pay(params, resolve); }); };</script>`);
    });
    await new Promise<void>((r) => shop.listen(0, "127.0.0.1", r));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => shop.close(() => r()));
    await sandbox.close();
  });

  const params = (merchantUid: string, extra: Record<string, unknown> = {}) => ({
    pg: "kicc",
    pay_method: "card",
    merchant_uid: merchantUid,
    amount: 15_000,
    name: "브라우저 주문",
    buyer_tel: "010-0000-0000",
    ...extra,
  });

  it("PC: the overlay window approves and the callback gets the rsp the real SDK sends", async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/`);
    const result = page.evaluate(
      (p) => (window as unknown as { pay: (p: unknown) => Promise<unknown> }).pay(p),
      params("o-pc", { buyer_addr: "서울시 중구", buyer_postcode: "04524" }),
    );
    const frame = page.frameLocator("iframe[name=imp-sandbox-window]");
    await frame.getByRole("button", { name: "Approve" }).click({ timeout: 10_000 });
    expect(await result).toMatchObject({
      success: true,
      imp_success: true,
      merchant_uid: "o-pc",
      status: "paid",
      paid_amount: 15_000,
      buyer_addr: "서울시 중구",
      buyer_postcode: "04524",
      pg_type: "payment",
      pg_provider: "kicc",
      emb_pg_provider: null,
    });
    expect(await page.locator("#imp-sandbox-overlay").count()).toBe(0);
    await page.close();
  });

  it("IMP.certification answers that KICC payments do not provide it; IMP.close closes an open window", async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/`);
    const certification = await page.evaluate(
      () =>
        new Promise((resolve) =>
          (
            window as unknown as { IMP: { certification: (p: unknown, cb: unknown) => void } }
          ).IMP.certification({ merchant_uid: "cert-1" }, resolve),
        ),
    );
    // IMP.close() gives no callback, so this evaluate never resolves: ignore its rejection at close.
    page
      .evaluate(
        (p) => (window as unknown as { pay: (p: unknown) => Promise<unknown> }).pay(p),
        params("o-pc-closed-by-page"),
      )
      .catch(() => undefined);
    await page.locator("#imp-sandbox-overlay").waitFor({ timeout: 10_000 });
    await page.evaluate(() => (window as unknown as { IMP: { close: () => void } }).IMP.close());

    expect(certification).toMatchObject({
      success: false,
      imp_success: false,
      imp_uid: null,
      pg_type: "certification",
    });
    expect((certification as { error_msg: string }).error_msg).toContain("본인인증");
    expect(await page.locator("#imp-sandbox-overlay").count()).toBe(0);
    await page.close();
  });

  it("PC: closing the window reports a failure to the callback", async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/`);
    const result = page.evaluate(
      (p) => (window as unknown as { pay: (p: unknown) => Promise<unknown> }).pay(p),
      params("o-pc-close"),
    );
    await page
      .frameLocator("iframe[name=imp-sandbox-window]")
      .getByRole("button", { name: "Close window" })
      .click();
    expect(await result).toMatchObject({ success: false, error_code: "F400" });
    await page.close();
  });

  it("mobile: redirects to m_redirect_url with the result, keeping its query params", async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/?mobile=1`);
    const redirect = `${shopUrl}/done?order=42`;
    // The page navigates away, so this evaluate never resolves: ignore its rejection.
    page
      .evaluate(
        (p) => (window as unknown as { pay: (p: unknown) => Promise<unknown> }).pay(p),
        params("o-mobile", { pay_method: "vbank", m_redirect_url: redirect }),
      )
      .catch(() => undefined);
    await page.getByRole("button", { name: "Issue virtual account" }).click({ timeout: 10_000 });
    await page.waitForURL(/\/done\?/, { timeout: 10_000 });
    const url = new URL(page.url());
    expect(url.searchParams.get("order")).toBe("42");
    expect(url.searchParams.get("merchant_uid")).toBe("o-mobile");
    // As older SDKs did; a server must not trust it (it re-reads the payment).
    expect(url.searchParams.get("imp_success")).toBe("true");
    const impUid = url.searchParams.get("imp_uid") as string;
    expect(sandbox.control.payment(impUid)).toMatchObject({
      status: "ready",
      channel: "mobile",
      pay_method: "vbank",
    });
    await page.close();
  });

  it("mobile: a decline redirects with error_code and error_msg", async () => {
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/?mobile=1`);
    page
      .evaluate(
        (p) => (window as unknown as { pay: (p: unknown) => Promise<unknown> }).pay(p),
        params("o-mobile-dec", { m_redirect_url: `${shopUrl}/done` }),
      )
      .catch(() => undefined);
    await page.getByLabel("Decline reason").selectOption("lost_card");
    await page.getByRole("button", { name: "Decline" }).click({ timeout: 10_000 });
    await page.waitForURL(/\/done\?/, { timeout: 10_000 });
    const url = new URL(page.url());
    expect(url.searchParams.get("error_msg")).toContain("분실");
    await page.close();
  });
});
