/**
 * Where the mobile completion sends the buyer: the order's own result page if
 * its origin is allowed, else the default. Never an arbitrary URL from the
 * query string (no open redirect).
 */
import type { Order } from "./order.js";

export function resultUrlFor(input: {
  order: Order | null;
  merchantUid: string;
  errorMessage?: string;
  defaultUrl: string;
  allowedOrigins: readonly string[];
}): string {
  const candidate = input.order?.resultUrl;
  const base =
    candidate && input.allowedOrigins.includes(new URL(candidate).origin) ? candidate : input.defaultUrl;
  const url = new URL(base);
  url.searchParams.set("merchant_uid", input.merchantUid);
  url.searchParams.set("status", input.order?.status ?? "unknown");
  if (input.errorMessage && input.order?.status !== "paid")
    url.searchParams.set("message", input.errorMessage.slice(0, 200));
  return url.toString();
}
