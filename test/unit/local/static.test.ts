import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Scheduler } from "../../../local/scheduler.js";
import { schedulerFallback, UnknownJobError } from "../../../local/scheduler.js";
import { chainFallbacks, staticFallback } from "../../../local/static.js";

const config = {
  apiKey: "local-dev-key",
  iamport: "sandbox" as const,
  sdkUrl: "http://127.0.0.1:7701/v1/iamport.js",
  merchantCode: "imp00000000",
  sandboxUrl: "http://127.0.0.1:7701",
};
const scheduler: Scheduler = {
  jobs: () => [],
  run: async (name) => {
    if (name !== "reconcile") throw new UnknownJobError(`no scheduled function named ${name}`);
    return { trigger: "manual", startedAt: "2026-01-01T00:00:00.000Z", ms: 1, ok: true };
  },
  stop: () => undefined,
};

describe("the storefront and /__local fallbacks", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const fallback = chainFallbacks(
      staticFallback({ config: () => config }),
      schedulerFallback(() => scheduler),
    );
    server = createServer(async (req, res) => {
      if (!(await fallback(req, res, Buffer.alloc(0)))) res.writeHead(404).end("not found");
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  test("serves the pages with their types and the stack's config", async () => {
    const page = await fetch(`${base}/shop/`);
    const script = await fetch(`${base}/shop/shop.js`);
    const json = await fetch(`${base}/shop/config.json`);

    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("<title>");
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await json.json()).toEqual(config);
  });

  test("/ and /shop redirect to /shop/", async () => {
    for (const path of ["/", "/shop"]) {
      const res = await fetch(`${base}${path}`, { redirect: "manual" });
      expect([res.status, res.headers.get("location")]).toEqual([302, "/shop/"]);
    }
  });

  test.each(["/shop/..%2fpackage.json", "/shop/%2e%2e/%2e%2e/package.json", "/shop/nope.html", "/shop/%00"])(
    "%s is not served",
    async (path) => {
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    },
  );

  test("POST /__local/run/<name> needs JSON (no cross-site form can trigger it) and names unknown jobs", async () => {
    const run = (name: string, type = "application/json") =>
      fetch(`${base}/__local/run/${name}`, { method: "POST", headers: { "content-type": type }, body: "{}" });

    expect((await run("reconcile")).status).toBe(200);
    expect((await run("reconcile", "text/plain")).status).toBe(415);
    expect((await run("dispatchCharges")).status).toBe(404);
  });
});
