import { describe, expect, it } from "vitest";
import {
  createIamportClient,
  IamportApiError,
  type IamportClientOptions,
  IamportNotFoundError,
  IamportOutcomeUnknownError,
  IamportResponseShapeError,
  IamportUnauthorizedError,
  IamportUnavailableError,
} from "../../../lib/iamport/index.js";
import { createFakeIamport, envelope, type Handler, hang, paymentFixture } from "./fake-iamport.js";

function setup(routes: Record<string, Handler>, overrides: Partial<IamportClientOptions> = {}) {
  const fake = createFakeIamport({ "POST /users/getToken": () => fake.issueToken(), ...routes });
  const sleeps: number[] = [];
  let credentialCalls = 0;
  const client = createIamportClient({
    baseUrl: "https://iamport.test",
    credentials: async () => {
      credentialCalls += 1;
      return { impKey: "key", impSecret: "secret" };
    },
    fetch: fake.fetch,
    timeoutMs: 20,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { client, fake, sleeps, credentialCalls: () => credentialCalls };
}

const PAYMENT = "/payments/imp_100";

describe("iamport client: requests", () => {
  it("reads secrets lazily, sends a Bearer token, include_sandbox=true and the Tier header", async () => {
    const t = setup({ [`GET ${PAYMENT}`]: () => envelope(paymentFixture()) }, { tier: "T01" });
    expect(t.credentialCalls()).toBe(0);

    const payment = await t.client.getPayment("imp_100");

    expect(payment.status).toBe("paid");
    expect(t.credentialCalls()).toBe(1);
    expect(t.fake.requests[0]?.body).toEqual({ imp_key: "key", imp_secret: "secret" });
    const read = t.fake.requests[1];
    expect(read?.headers.get("authorization")).toBe("Bearer token_1");
    expect(read?.headers.get("tier")).toBe("T01");
    expect(read?.query.get("include_sandbox")).toBe("true");
  });

  it("warmUp reads the credentials and fetches the token once; the call after it reuses both", async () => {
    const t = setup({ [`GET ${PAYMENT}`]: () => envelope(paymentFixture()) });

    const warming = t.client.warmUp();
    // Started at once (a cold start reads them while the order is read), not on the first call.
    await Promise.all([warming, t.client.getPayment("imp_100")]);

    expect(t.credentialCalls()).toBe(1);
    expect(t.fake.requests.map((r) => r.path)).toEqual(["/users/getToken", PAYMENT]);
  });

  it("a warmUp that fails (every retry) leaves the next call to fetch the token itself", async () => {
    let tokenCalls = 0;
    const t = setup({
      "POST /users/getToken": () =>
        ++tokenCalls <= 3 ? new Response("down", { status: 503 }) : t.fake.issueToken(),
      [`GET ${PAYMENT}`]: () => envelope(paymentFixture()),
    });
    await expect(t.client.warmUp()).rejects.toThrow();
    expect((await t.client.getPayment("imp_100")).status).toBe("paid");
  });

  it("maps camelCase input to iamport's snake_case body for cancel", async () => {
    const t = setup({ "POST /payments/cancel": () => envelope(paymentFixture({ cancel_amount: 300 })) });

    await t.client.cancelPayment({ impUid: "imp_100", amount: 300, checksum: 1000, taxFree: 0, reason: "r" });

    expect(t.fake.requests[1]?.body).toEqual({
      imp_uid: "imp_100",
      amount: 300,
      checksum: 1000,
      tax_free: 0,
      reason: "r",
    });
  });

  it("shares one getToken among 10 concurrent calls and reuses it after", async () => {
    const t = setup({ [`GET ${PAYMENT}`]: () => envelope(paymentFixture()) });

    await Promise.all(Array.from({ length: 10 }, () => t.client.getPayment("imp_100")));
    await t.client.getPayment("imp_100");

    expect(t.fake.count("POST", "/users/getToken")).toBe(1);
    expect(t.fake.count("GET", PAYMENT)).toBe(11);
  });
});

describe("iamport client: 401", () => {
  it("refreshes the token once and retries once", async () => {
    const t = setup({
      [`GET ${PAYMENT}`]: (req) =>
        req.headers.get("authorization") === "Bearer token_1"
          ? envelope(null, { code: -1, message: "Unauthorized", status: 401 })
          : envelope(paymentFixture()),
    });

    const payment = await t.client.getPayment("imp_100");

    expect(payment.imp_uid).toBe("imp_100");
    expect(t.fake.count("POST", "/users/getToken")).toBe(2);
    expect(t.fake.count("GET", PAYMENT)).toBe(2);
  });

  it("refreshes exactly once when 10 concurrent requests hit 401", async () => {
    const t = setup({
      [`GET ${PAYMENT}`]: (req) =>
        req.headers.get("authorization") === "Bearer token_1"
          ? envelope(null, { code: -1, status: 401 })
          : envelope(paymentFixture()),
    });

    await Promise.all(Array.from({ length: 10 }, () => t.client.getPayment("imp_100")));

    expect(t.fake.count("POST", "/users/getToken")).toBe(2);
  });

  it("gives up with IamportUnauthorizedError when the fresh token is refused too, even for a write", async () => {
    const t = setup({ "POST /payments/cancel": () => envelope(null, { code: -1, status: 401 }) });

    await expect(t.client.cancelPayment({ impUid: "imp_100" })).rejects.toBeInstanceOf(
      IamportUnauthorizedError,
    );
    expect(t.fake.count("POST", "/payments/cancel")).toBe(2);
  });

  it("reports bad credentials as IamportUnauthorizedError and reads them again next time", async () => {
    const t = setup({ "POST /users/getToken": () => envelope(null, { code: -1, status: 401 }) });

    await expect(t.client.getPayment("imp_100")).rejects.toBeInstanceOf(IamportUnauthorizedError);
    await expect(t.client.getPayment("imp_100")).rejects.toBeInstanceOf(IamportUnauthorizedError);
    expect(t.credentialCalls()).toBe(2);
  });
});

describe("iamport client: failures", () => {
  it("retries a read on 5xx with growing backoff, then throws IamportUnavailableError", async () => {
    const t = setup(
      { [`GET ${PAYMENT}`]: () => envelope(null, { code: -1, status: 503 }) },
      { random: () => 1 },
    );

    await expect(t.client.getPayment("imp_100")).rejects.toBeInstanceOf(IamportUnavailableError);
    expect(t.fake.count("GET", PAYMENT)).toBe(3);
    expect(t.sleeps).toEqual([100, 200]);
  });

  it("retries a read that timed out and returns the later answer", async () => {
    let calls = 0;
    const t = setup({
      [`GET ${PAYMENT}`]: (_req, signal) => (++calls === 1 ? hang(signal) : envelope(paymentFixture())),
    });

    expect((await t.client.getPayment("imp_100")).imp_uid).toBe("imp_100");
    expect(calls).toBe(2);
  });

  it("never resends a write that timed out: IamportOutcomeUnknownError after one request", async () => {
    const t = setup({ "POST /payments/cancel": (_req, signal) => hang(signal) });

    const error = await t.client.cancelPayment({ impUid: "imp_100" }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IamportOutcomeUnknownError);
    expect(t.fake.count("POST", "/payments/cancel")).toBe(1);
  });

  it("treats a 5xx on a write as outcome unknown, without retrying", async () => {
    const t = setup({ "POST /subscribe/payments/again": () => envelope(null, { code: -1, status: 502 }) });

    await expect(
      t.client.chargeBillingKey({ customerUid: "c1", merchantUid: "m1", amount: 1000, name: "plan" }),
    ).rejects.toBeInstanceOf(IamportOutcomeUnknownError);
    expect(t.fake.count("POST", "/subscribe/payments/again")).toBe(1);
  });

  it("reports a refused connection on a write as unavailable: it never reached iamport", async () => {
    const t = setup({
      "POST /payments/cancel": () => {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
        });
      },
    });

    await expect(t.client.cancelPayment({ impUid: "imp_100" })).rejects.toBeInstanceOf(
      IamportUnavailableError,
    );
    expect(t.fake.count("POST", "/payments/cancel")).toBe(1);
  });

  it("turns HTTP 200 with code 1 into IamportApiError carrying iamport's message", async () => {
    const message = "취소할 결제건이 존재하지 않습니다.";
    const t = setup({ "POST /payments/cancel": () => envelope(null, { code: 1, message }) });

    const error = await t.client.cancelPayment({ impUid: "imp_x" }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IamportApiError);
    expect(error).toMatchObject({ message, httpStatus: 200, code: 1, route: "POST /payments/cancel" });
  });

  it("maps 404 to IamportNotFoundError on get, and to null on find", async () => {
    const notFound = () =>
      envelope(null, { code: -1, message: "존재하지 않는 결제정보입니다.", status: 404 });
    const t = setup({ [`GET ${PAYMENT}`]: notFound, "GET /payments/find/order_1": notFound });

    await expect(t.client.getPayment("imp_100")).rejects.toBeInstanceOf(IamportNotFoundError);
    expect(await t.client.findPayment("order_1")).toBeNull();
    expect(t.fake.count("GET", PAYMENT)).toBe(1); // a 404 is an answer, not retried
  });
});

describe("iamport client: response shapes", () => {
  it("tolerates unknown fields and unknown status values", async () => {
    const t = setup({
      [`GET ${PAYMENT}`]: () =>
        envelope(paymentFixture({ status: "partial_cancelled", brand_new_field: { x: 1 } })),
    });

    const payment = await t.client.getPayment("imp_100");

    expect(payment.status).toBe("partial_cancelled");
    expect(payment).not.toHaveProperty("brand_new_field");
  });

  it("throws IamportResponseShapeError naming the missing required field", async () => {
    const { amount: _omit, ...withoutAmount } = paymentFixture();
    const t = setup({ [`GET ${PAYMENT}`]: () => envelope(withoutAmount) });

    const error = await t.client.getPayment("imp_100").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IamportResponseShapeError);
    expect((error as IamportResponseShapeError).issues.map((i) => i.path.join("."))).toContain("amount");
  });

  it("returns a declined charge (code 0, status failed) instead of throwing", async () => {
    const t = setup({
      "POST /subscribe/payments/again": () =>
        envelope(paymentFixture({ status: "failed", fail_reason: "한도초과", customer_uid: "c1" })),
    });

    const payment = await t.client.chargeBillingKey({
      customerUid: "c1",
      merchantUid: "m1",
      amount: 1000,
      name: "p",
    });

    expect(payment).toMatchObject({ status: "failed", fail_reason: "한도초과" });
  });
});

describe("iamport client: edges", () => {
  it("reports a write answered with an unreadable body as outcome unknown, caused by the shape error", async () => {
    const t = setup({
      "POST /payments/cancel": () => new Response("<html>bad gateway page</html>", { status: 200 }),
    });

    const error = await t.client.cancelPayment({ impUid: "imp_100" }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IamportOutcomeUnknownError);
    expect((error as Error).cause).toBeInstanceOf(IamportResponseShapeError);
  });

  it("retries a read on 429 and reports a write's 429 as unavailable (refused, not executed)", async () => {
    let reads = 0;
    const t = setup({
      [`GET ${PAYMENT}`]: () =>
        ++reads === 1 ? envelope(null, { code: -1, status: 429 }) : envelope(paymentFixture()),
      "POST /payments/cancel": () => envelope(null, { code: -1, status: 429 }),
    });

    expect((await t.client.getPayment("imp_100")).imp_uid).toBe("imp_100");
    await expect(t.client.cancelPayment({ impUid: "imp_100" })).rejects.toBeInstanceOf(
      IamportUnavailableError,
    );
  });

  it("pages through findAll until iamport says there is no next page", async () => {
    const t = setup({
      "GET /payments/findAll/order_1": (req) =>
        req.query.get("page") === "1"
          ? envelope({ total: 2, previous: 0, next: 2, list: [paymentFixture({ imp_uid: "imp_a" })] })
          : envelope({ total: 2, previous: 1, next: 0, list: [paymentFixture({ imp_uid: "imp_b" })] }),
    });

    const all = await t.client.findAllPayments("order_1");

    expect(all.map((p) => p.imp_uid)).toEqual(["imp_a", "imp_b"]);
  });

  it("rejects invalid options at creation", () => {
    const base = {
      baseUrl: "https://iamport.test",
      credentials: async () => ({ impKey: "k", impSecret: "s" }),
    };

    expect(() => createIamportClient({ ...base, timeoutMs: 0 })).toThrow(TypeError);
    expect(() => createIamportClient({ ...base, readRetries: 100 })).toThrow(TypeError);
    expect(() => createIamportClient({ ...base, baseUrl: "iamport" })).toThrow(TypeError);
  });
});
