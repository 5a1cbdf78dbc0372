import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "vitest";
import {
  ConflictError,
  NotConfiguredError,
  NotFoundError,
  RetryLaterError,
  UnauthorizedError,
  ValidationError,
} from "../../../lib/errors.js";
import { errorResponse } from "../../../lib/http/error-response.js";
import { IamportApiError } from "../../../lib/iamport/errors.js";
import { createLogger } from "../../../lib/observability/logger.js";
import { buildOpenApi, documentedRoutes } from "../../../local/openapi.js";
import {
  isDefaultRoute,
  readServerlessFunctions,
  repoRoot,
  routeKey,
} from "../../../local/serverless-routes.js";
import { openApiValidator } from "../../support/openapi-validator.js";

test("the OpenAPI document describes exactly the HTTP routes in serverless.yml", () => {
  // Not operations of the API: a CORS preflight route (OPTIONS), and the $default route (whatever no
  // route matches, answered 405 or 404 by functions/unmatched-route.ts).
  const deployed = readServerlessFunctions().flatMap((fn) =>
    fn.routes.filter((r) => r.method !== "OPTIONS" && !isDefaultRoute(r)).map(routeKey),
  );

  expect(documentedRoutes().sort()).toEqual(deployed.sort());
});

test("docs/openapi.json is the current generated document (run `npm run openapi`)", () => {
  const committed = JSON.parse(readFileSync(resolve(repoRoot, "docs/openapi.json"), "utf8"));

  expect(committed).toEqual(buildOpenApi());
});

test("request bodies carry the validation rules of the zod schemas", () => {
  const doc = buildOpenApi() as any;
  const order = doc.paths["/orders"].post.requestBody.content["application/json"].schema;

  expect(order.required).toEqual(expect.arrayContaining(["name", "amount", "pay_method", "buyer_tel"]));
  expect(order.properties.amount.type).toBe("integer");
  expect(order.properties.pay_method.enum).toEqual(["card", "trans", "vbank", "phone"]);
  expect(order.additionalProperties).toBe(false);
  expect(doc.paths["/webhooks/iamport"].post.requestBody.content).toHaveProperty(
    "application/x-www-form-urlencoded",
  );
  expect(doc.paths["/orders/{merchant_uid}/refunds"].post.parameters).toContainEqual(
    expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }),
  );
});

test("every response has a body schema from zod (JSON for 2xx and errors) with an example that fits it", () => {
  const v = openApiValidator();
  const missing: string[] = [];
  const misfits: string[] = [];
  for (const [path, operations] of Object.entries(v.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        const json = response.content?.["application/json"];
        if (status === "302") {
          if (!response.headers?.location) missing.push(`${where}: location header`);
          continue;
        }
        if (!json) {
          missing.push(where);
          continue;
        }
        const problems = v.validateAt(
          ["paths", path, method, "responses", status, "content", "application/json", "schema"],
          json.example,
        );
        if (json.example === undefined) missing.push(`${where}: example`);
        else if (problems.length) misfits.push(`${where}: ${problems.join("; ")}`);
      }
    }
  }

  expect(missing).toEqual([]);
  expect(misfits).toEqual([]);
});

test("every error body errorResponse builds fits the document's Error schema", () => {
  const v = openApiValidator();
  const log = createLogger({ level: "silent" });
  const errors = [
    new ValidationError([{ field: "amount", reason: "must be greater than 0" }]),
    new UnauthorizedError(),
    new NotFoundError("order x"),
    new ConflictError("balance moved", "balance_mismatch", {
      refundable_at_iamport: 1,
      refundable_believed: 2,
    }),
    new NotConfiguredError("no billing MID", "KICC_BILLING_MID"),
    new RetryLaterError("iamport down"),
    new IamportApiError({
      httpStatus: 400,
      code: 1,
      iamportMessage: "refused",
      route: "POST /payments/cancel",
    }),
    new Error("a bug"),
  ];

  const misfits = errors.flatMap((error) => {
    const body = JSON.parse(errorResponse(error, log).body ?? "null");
    return v.validateAt(["components", "schemas", "Error"], body).map((p) => `${error.name}: ${p}`);
  });

  expect(misfits).toEqual([]);
});
