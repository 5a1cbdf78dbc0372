import type { WebhookEvent } from "./types.js";

export interface PostResult {
  status?: number;
  error?: string;
}

/** One POST to a merchant webhook, JSON or form as the console setting says, with a hard timeout. */
export async function postWebhook(
  url: string,
  event: WebhookEvent,
  format: "json" | "form",
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PostResult> {
  const body =
    format === "json"
      ? JSON.stringify(event)
      : new URLSearchParams(Object.entries(event).map(([k, v]) => [k, String(v)])).toString();
  const contentType = format === "json" ? "application/json" : "application/x-www-form-urlencoded";
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": contentType, "user-agent": "iamport-sandbox-webhook" },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    // Drain the body so the connection is released.
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  } catch (err) {
    return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}
