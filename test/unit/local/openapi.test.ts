import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "vitest";
import { buildOpenApi, documentedRoutes } from "../../../local/openapi.js";
import { readServerlessFunctions, repoRoot } from "../../../local/serverless-routes.js";

test("the OpenAPI document describes exactly the HTTP routes in serverless.yml", () => {
  // A CORS preflight route (OPTIONS) is not an operation of the API.
  const deployed = readServerlessFunctions().flatMap((fn) =>
    fn.routes.filter((r) => r.method !== "OPTIONS").map((r) => `${r.method} ${r.path}`),
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
