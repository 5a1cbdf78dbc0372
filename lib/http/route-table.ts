/**
 * Every HTTP API route, by method and path: the one list the `$default` route
 * (functions/unmatched-route.ts) reads to tell a known path asked with another
 * method (405 with `Allow`) from a path nothing routes (404). A test holds it
 * equal to serverless.yml's httpApi events, so the two cannot drift.
 */

/** A route of the HTTP API, as serverless.yml's `httpApi: { method, path }` names it. */
export interface RouteEntry {
  method: "GET" | "POST" | "OPTIONS";
  /** API Gateway's path template: `{name}` stands for one whole segment. */
  path: string;
  /** Browser-called (lib/http/cors.ts): refusals on this path answer CORS for the result origins too. */
  cors?: true;
}

export const ROUTE_TABLE: readonly RouteEntry[] = [
  { method: "POST", path: "/orders" },
  { method: "GET", path: "/orders/{merchant_uid}" },
  { method: "GET", path: "/orders/{merchant_uid}/status", cors: true },
  { method: "POST", path: "/orders/{merchant_uid}/refunds" },
  { method: "POST", path: "/payments/complete", cors: true },
  { method: "OPTIONS", path: "/payments/complete", cors: true },
  { method: "GET", path: "/payments/complete/mobile" },
  { method: "POST", path: "/webhooks/iamport" },
  { method: "POST", path: "/billing-keys" },
  { method: "POST", path: "/subscriptions" },
  { method: "GET", path: "/subscriptions/{id}" },
  { method: "POST", path: "/subscriptions/{id}/cancel" },
  { method: "POST", path: "/subscriptions/{id}/pause" },
  { method: "POST", path: "/subscriptions/{id}/resume" },
  { method: "POST", path: "/subscriptions/{id}/plan" },
  { method: "POST", path: "/subscriptions/{id}/card" },
];

/** Whether `path` (as requested, e.g. `/orders/m-1/status`) fits the template (`/orders/{merchant_uid}/status`). */
export function pathFits(template: string, path: string): boolean {
  const want = template.split("/");
  const got = path.split("/");
  // A parameter is one non-empty segment, as API Gateway matches `{name}` (never `/`, never empty).
  return (
    want.length === got.length &&
    want.every((part, i) => (/^\{\w+\}$/.test(part) ? (got[i] ?? "") !== "" : part === got[i]))
  );
}

/** The routes whose template `path` fits; empty when no route has this path under any method. */
export function routesOf(path: string, table: readonly RouteEntry[] = ROUTE_TABLE): RouteEntry[] {
  return table.filter((route) => pathFits(route.path, path));
}
