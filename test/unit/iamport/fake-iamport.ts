/**
 * A scripted stand-in for `fetch`, for unit tests only: each route answers from a
 * handler the test writes, and every request is recorded for assertions.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type Handler = (req: RecordedRequest, signal: AbortSignal) => Response | Promise<Response>;

export function envelope(
  response: unknown,
  init: { code?: number; message?: string | null; status?: number } = {},
) {
  return new Response(JSON.stringify({ code: init.code ?? 0, message: init.message ?? null, response }), {
    status: init.status ?? 200,
    headers: { "content-type": "application/json" },
  });
}

/** Never answers; rejects like undici when the per-attempt timeout aborts it. */
export function hang(signal: AbortSignal): Promise<Response> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

export function paymentFixture(overrides: Record<string, unknown> = {}) {
  return {
    imp_uid: "imp_100",
    merchant_uid: "order_1",
    amount: 1000,
    cancel_amount: 0,
    currency: "KRW",
    status: "paid",
    sandbox: false,
    pay_method: "card",
    pg_provider: "kicc",
    pg_id: null,
    card_type: null,
    paid_at: 1_700_000_000,
    failed_at: 0,
    cancelled_at: 0,
    cancel_history: [],
    ...overrides,
  };
}

/** A fake iamport: `routes` keyed by `"METHOD /path"` (path without query). */
export function createFakeIamport(routes: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  let tokenSeq = 0;
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const headers = new Headers(init?.headers);
    const req: RecordedRequest = {
      method: init?.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    };
    requests.push(req);
    const handler = routes[`${req.method} ${req.path}`];
    if (!handler) return envelope(null, { code: -1, message: "no route", status: 404 });
    return handler(req, init?.signal ?? new AbortController().signal);
  };
  return {
    fetch: fetchFn as typeof fetch,
    requests,
    count: (method: string, path: string) =>
      requests.filter((r) => r.method === method && r.path === path).length,
    /** Default getToken handler: a new token per call, valid 30 min by the server's clock. */
    issueToken: (serverNowSec = 1_700_000_000): Response => {
      tokenSeq += 1;
      return envelope({
        access_token: `token_${tokenSeq}`,
        now: serverNowSec,
        expired_at: serverNowSec + 1800,
      });
    },
  };
}
