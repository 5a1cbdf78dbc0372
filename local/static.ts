/**
 * Serves the demo storefront (`demo/`) under `/shop/` beside the API, through
 * the API Gateway stand-in's fallback hook: same origin as the API, so the
 * pages call it without CORS, exactly as a merchant's own site would.
 */
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";
import type { Fallback } from "./api-gateway.js";
import { decodeStrict, parseTarget } from "./http-guard.js";
import { repoRoot } from "./serverless-routes.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** What the pages need to know about this stack; served as `/shop/config.json`. */
export interface ShopConfig {
  /** The merchant API key the demo uses (a real merchant keeps it on its server). */
  apiKey: string;
  /** `sandbox` (the local emulator) or `iamport` (real test credentials). */
  iamport: "sandbox" | "iamport";
  /** Where the `IMP` browser SDK comes from. */
  sdkUrl: string;
  /** The code the page passes to `IMP.init`. */
  merchantCode: string;
  /** The sandbox's base URL (control API under `/__sandbox`), or null with real iamport. */
  sandboxUrl: string | null;
}

export interface StaticOptions {
  /** URL prefix, with slashes on both ends. Default `/shop/`. */
  prefix?: string;
  /** Folder to serve. Default `demo/` in the repo. */
  root?: string;
  /** Read per request, so it may depend on things started after the server (the sandbox URL). */
  config: () => ShopConfig;
}

/** A fallback serving the storefront; `/` and `/shop` redirect to `/shop/`. */
export function staticFallback(options: StaticOptions): Fallback {
  const prefix = options.prefix ?? "/shop/";
  const root = resolve(options.root ?? resolve(repoRoot, "demo"));
  return async (req, res) => {
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return false;
    const path = pathOf(req);
    if (path === "/" || path === prefix.slice(0, -1)) {
      res.writeHead(302, { location: prefix }).end();
      return true;
    }
    if (!path.startsWith(prefix)) return false;
    if (path === `${prefix}config.json`) {
      send(req, res, 200, TYPES[".json"] as string, JSON.stringify(options.config()));
      return true;
    }
    const relative = path.slice(prefix.length) || "index.html";
    const file = resolve(root, relative.endsWith("/") ? `${relative}index.html` : relative);
    // No `..` escapes: the resolved file must stay inside the demo folder.
    if (file !== root && !file.startsWith(root + sep)) return false;
    // A file that vanishes or cannot be read between stat and read is a 404, never a crash.
    const content = await stat(file)
      .then((info) => (info.isFile() ? readFile(file) : null))
      .catch(() => null);
    if (!content) return false;
    send(req, res, 200, TYPES[extname(file)] ?? "application/octet-stream", content);
    return true;
  };
}

/** Tries each fallback in turn; the first that answers wins. */
export function chainFallbacks(...fallbacks: Fallback[]): Fallback {
  return async (req, res, body) => {
    for (const fallback of fallbacks) if (await fallback(req, res, body)) return true;
    return false;
  };
}

/** The request's decoded path; "" (which no page or tool matches) when it is malformed. */
export function pathOf(req: IncomingMessage): string {
  const url = parseTarget(req.url ?? "/");
  return (url && decodeStrict(url.pathname)) ?? "";
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
): void {
  res.writeHead(status, {
    "content-type": type,
    // The pages change while a developer edits them; never serve a stale copy.
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
