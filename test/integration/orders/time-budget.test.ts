/**
 * A door answers 503 with Retry-After before Lambda's timeout, never a Lambda
 * timeout: the real webhook and callback handlers, with iamport (the sandbox)
 * answering slower than the invocation has left, and the deployed per-attempt
 * timeout of 5 s (three read attempts could take 15 s).
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, test } from "vitest";
import { lambdaContext } from "../../../local/lambda-context.js";
import { useStack } from "../../support/stack.js";

const ctx = useStack({ env: { IAMPORT_TIMEOUT_MS: "5000" } });

function post(path: string, body: unknown): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    requestContext: { http: { method: "POST", path }, requestId: "r" },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

describe("time budgets at the doors", () => {
  test.each([
    ["webhook", "/webhooks/iamport", "../../../functions/iamport-webhook.js"],
    ["PC callback", "/payments/complete", "../../../functions/complete-payment.js"],
  ])(
    "%s: iamport slower than the invocation's time left → 503 with Retry-After in time",
    async (_door, path, module) => {
      const t = ctx();
      const order = await t.createOrder();
      const control = t.stack.sandbox!.control;
      const paid = control.pay({ ...order.body.request_pay, outcome: "approve" });
      control.addFault({ path: "/payments/:imp_uid", kind: "latency", ms: 20_000 });
      control.addFault({ path: "/payments/find/:merchant_uid", kind: "latency", ms: 20_000 });
      const { handler } = await import(module);
      const budgetMs = 4_000;
      const started = Date.now();

      const res = await handler(
        post(path, { imp_uid: paid.imp_uid, merchant_uid: order.body.merchant_uid, status: "paid" }),
        lambdaContext("door", budgetMs),
      );
      control.clearFaults();

      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(budgetMs);
    },
  );
});
