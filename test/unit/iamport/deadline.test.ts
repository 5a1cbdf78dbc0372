/**
 * Time budgets: inside an invocation (lib/deadline.ts) no iamport call, its
 * token included, outlives the invocation's deadline: attempts are cut at it,
 * no retry starts that could not finish, and nothing is sent with no time left.
 */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { DEADLINE_MARGIN_MS, withInvocationDeadline } from "../../../lib/deadline.js";
import { createIamportClient, IamportUnavailableError } from "../../../lib/iamport/index.js";
import { createFakeIamport, envelope, hang, paymentFixture } from "./fake-iamport.js";

function setup(routes: Parameters<typeof createFakeIamport>[0]) {
  const fake = createFakeIamport({ "POST /users/getToken": () => fake.issueToken(), ...routes });
  const client = createIamportClient({
    baseUrl: "https://iamport.test",
    credentials: async () => ({ impKey: "key", impSecret: "secret" }),
    fetch: fake.fetch,
    // Per attempt, as deployed: three attempts of a read could take 15 s.
    timeoutMs: 5_000,
    readRetries: 2,
  });
  return { client, fake };
}

const invocation = (remainingMs: number) =>
  ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Pick<Context, "getRemainingTimeInMillis">;

describe("iamport calls inside an invocation's time budget", () => {
  it("a hanging read is cut at the deadline (less the margin), not after 3 × 5 s", async () => {
    const { client } = setup({ "GET /payments/imp_100": (_req, signal) => hang(signal) });
    const started = Date.now();

    const result = withInvocationDeadline(invocation(DEADLINE_MARGIN_MS + 800), () =>
      client.getPayment("imp_100"),
    );

    await expect(result).rejects.toBeInstanceOf(IamportUnavailableError);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(1_500);
  });

  it("a slow token fetch counts against the same budget", async () => {
    const { client, fake } = setup({
      "POST /users/getToken": (_req, signal) => hang(signal),
      "GET /payments/imp_100": () => envelope(paymentFixture()),
    });
    const started = Date.now();

    await expect(
      withInvocationDeadline(invocation(DEADLINE_MARGIN_MS + 600), () => client.getPayment("imp_100")),
    ).rejects.toBeInstanceOf(IamportUnavailableError);

    expect(Date.now() - started).toBeLessThan(1_300);
    expect(fake.requests.filter((r) => r.path === "/payments/imp_100")).toEqual([]);
  });

  it("with no time left a write is not sent at all, so its outcome is known (unavailable, not unknown)", async () => {
    const { client, fake } = setup({ "POST /payments/cancel": () => envelope(paymentFixture()) });

    await expect(
      withInvocationDeadline(invocation(DEADLINE_MARGIN_MS + 100), () =>
        client.cancelPayment({ impUid: "imp_100", amount: 1000, checksum: 1000, reason: "r" }),
      ),
    ).rejects.toBeInstanceOf(IamportUnavailableError);
    expect(fake.requests).toEqual([]);
  });

  it("outside an invocation nothing changes: a call may take its full timeout", async () => {
    const { client } = setup({ "GET /payments/imp_100": () => envelope(paymentFixture()) });

    await expect(client.getPayment("imp_100")).resolves.toMatchObject({ imp_uid: "imp_100" });
  });
});
