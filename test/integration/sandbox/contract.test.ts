import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams } from "./helpers.js";
import {
  check,
  type Definitions,
  PAGED_DESPITE_DOCUMENT,
  pagedResponse,
  type Schema,
} from "./schema-check.js";

/** The official V1 OpenAPI document lives beside the repo (../shared), never inside it. */
const DOC_PATH = fileURLToPath(
  new URL("../../../../shared/reference/iamport-v1.openapi.json", import.meta.url),
);
const haveDoc = existsSync(DOC_PATH);
if (!haveDoc)
  console.warn(`contract test skipped: OpenAPI document not found at ../shared/reference (${DOC_PATH})`);

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { schema?: Schema }> }>>;
  definitions: Definitions;
}

describe.skipIf(!haveDoc)("sandbox contract: responses match the official iamport V1 OpenAPI schemas", () => {
  let doc: Doc;
  let sandbox: Sandbox;
  let api: Api;
  let ids: { card: string; vbank: string; cancelled: string };

  beforeAll(async () => {
    doc = JSON.parse(readFileSync(DOC_PATH, "utf8")) as Doc;
    sandbox = await startSandbox();
    api = new Api(sandbox);
    await api.login();
    const c = sandbox.control;
    c.pay({ ...cardParams("ct-key", 0), pg: "kicc.T5102002", customer_uid: "ct-cust", outcome: "approve" });
    ids = {
      card: c.pay({ ...cardParams("ct-card"), custom_data: { a: 1 }, outcome: "approve" }).imp_uid as string,
      vbank: c.pay({ ...cardParams("ct-vbank"), pay_method: "vbank", outcome: "approve" }).imp_uid as string,
      cancelled: c.pay({ ...cardParams("ct-cancel"), outcome: "approve" }).imp_uid as string,
    };
    c.pay({ ...cardParams("ct-failed"), outcome: { decline: "lost_card" } });
    c.pay({
      ...cardParams("ct-key-s", 0),
      pg: "kicc.T5102002",
      customer_uid: "ct-sched",
      outcome: "approve",
    });
  });
  afterAll(() => sandbox?.close());

  /** The 200/207 schema the document declares for a route; CustomerResponse where it only names it. */
  function responseSchema(path: string, method: string, status: string): Schema {
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
    const schema = op.responses[status]?.schema;
    if (schema) return schema;
    if (path.startsWith("/subscribe/customers/")) return { $ref: "#/definitions/CustomerResponse" };
    throw new Error(`no ${status} schema for ${method} ${path}`);
  }

  /** The paged shape iamport answers where the document declares an array (see schema-check). */
  function pagedSchema(path: string, method: string): Schema {
    const probe = { code: 0, message: null, response: {} };
    // Once the document stops declaring an array here, the override should go.
    expect(check(responseSchema(path, method, "200"), probe, doc.definitions), path).not.toEqual([]);
    return pagedResponse(PAGED_DESPITE_DOCUMENT[path] as string);
  }

  const cases: Array<[string, string, string, () => Promise<{ status: number; body: unknown }>]> = [
    [
      "/users/getToken",
      "post",
      "200",
      () =>
        new Api(sandbox).post("/users/getToken", { imp_key: "sandbox_key", imp_secret: "sandbox_secret" }),
    ],
    ["/payments/{imp_uid}", "get", "200", () => api.get(`/payments/${ids.card}`)],
    ["/payments/{imp_uid}", "get", "200", () => api.get(`/payments/${ids.vbank}`)],
    ["/payments/find/{merchant_uid}/{payment_status}", "get", "200", () => api.get("/payments/find/ct-card")],
    [
      "/payments/find/{merchant_uid}/{payment_status}",
      "get",
      "200",
      () => api.get("/payments/find/ct-failed/failed"),
    ],
    [
      "/payments/findAll/{merchant_uid}/{payment_status}",
      "get",
      "200",
      () => api.get("/payments/findAll/ct-card"),
    ],
    ["/payments", "get", "200", () => api.get(`/payments?imp_uid[]=${ids.card}&imp_uid[]=${ids.vbank}`)],
    ["/payments", "get", "207", () => api.get(`/payments?imp_uid[]=${ids.card}&imp_uid[]=imp_missing`)],
    ["/payments/status/{payment_status}", "get", "200", () => api.get("/payments/status/all?limit=100")],
    [
      "/payments/prepare",
      "post",
      "200",
      () => api.post("/payments/prepare", { merchant_uid: "ct-prep", amount: 1000 }),
    ],
    [
      "/payments/prepare",
      "put",
      "200",
      () => api.call("PUT", "/payments/prepare", { merchant_uid: "ct-prep", amount: 2000, currency: "KRW" }),
    ],
    ["/payments/prepare/{merchant_uid}", "get", "200", () => api.get("/payments/prepare/ct-prep")],
    [
      "/payments/cancel",
      "post",
      "200",
      () => api.post("/payments/cancel", { imp_uid: ids.cancelled, amount: 1000, reason: "계약" }),
    ],
    ["/subscribe/customers/{customer_uid}", "get", "200", () => api.get("/subscribe/customers/ct-cust")],
    [
      "/subscribe/payments/again",
      "post",
      "200",
      () =>
        api.post("/subscribe/payments/again", {
          customer_uid: "ct-cust",
          merchant_uid: "ct-again",
          amount: 900,
          name: "n",
        }),
    ],
    [
      "/subscribe/payments/schedule",
      "post",
      "200",
      () => {
        const now = sandbox.control.now();
        return api.post("/subscribe/payments/schedule", {
          customer_uid: "ct-sched",
          schedules: [
            { merchant_uid: "ct-s1", schedule_at: now + 3600, amount: 900, name: "n", custom_data: { a: 1 } },
            { merchant_uid: "ct-s2", schedule_at: now + 60, amount: 900 },
            { merchant_uid: "ct-s3", schedule_at: now + 7200, amount: 900 },
          ],
        });
      },
    ],
    [
      "/subscribe/payments/schedule/{merchant_uid}",
      "get",
      "200",
      () => api.get("/subscribe/payments/schedule/ct-s1"),
    ],
    [
      "/subscribe/payments/unschedule",
      "post",
      "200",
      () => api.post("/subscribe/payments/unschedule", { customer_uid: "ct-sched", merchant_uid: ["ct-s3"] }),
    ],
    [
      "/subscribe/payments/schedule/{merchant_uid}",
      "get",
      "200",
      () => {
        sandbox.control.advanceClock(120); // ct-s2 executes: imp_uid, executed_at, payment_status set
        return api.get("/subscribe/payments/schedule/ct-s2");
      },
    ],
    [
      "/subscribe/payments/schedule/customers/{customer_uid}",
      "get",
      "200",
      () => {
        const now = sandbox.control.now();
        return api.get(`/subscribe/payments/schedule/customers/ct-sched?from=${now - 600}&to=${now + 86400}`);
      },
    ],
    [
      "/subscribe/customers/{customer_uid}",
      "delete",
      "200",
      () => api.call("DELETE", "/subscribe/customers/ct-cust"),
    ],
  ];

  it.each(cases)("%s %s answers %s in the documented shape", async (path, method, status, call) => {
    const res = await call();
    expect(String(res.status)).toBe(status);
    const schema =
      path in PAGED_DESPITE_DOCUMENT ? pagedSchema(path, method) : responseSchema(path, method, status);
    const errors = check(schema, res.body, doc.definitions);
    const envelope = res.body as { code: unknown; message: unknown; response: unknown };
    expect(envelope.code).toBe(0);
    expect(envelope.response).not.toBeNull();
    expect(errors).toEqual([]);
  });

  it("the checker itself catches a wrong type and a missing required field", () => {
    const bad = {
      code: 0,
      message: null,
      response: { imp_uid: "x", merchant_uid: "y", amount: "100", currency: "KRW", status: "paid" },
    };
    const errors = check({ $ref: "#/definitions/PaymentResponse" }, bad, doc.definitions);
    expect(errors).toEqual(
      expect.arrayContaining([expect.stringContaining("amount"), expect.stringContaining("sandbox")]),
    );
  });

  it("error answers keep the envelope shape (code integer, message string, response null)", async () => {
    for (const res of [
      await api.get("/payments/imp_nope"),
      await api.post("/payments/cancel", { imp_uid: "imp_nope" }),
    ]) {
      const errors = check({ $ref: "#/definitions/ResponseAnnotation" }, res.body, doc.definitions);
      expect(errors).toEqual([]);
      expect(res.body).toMatchObject({ response: null });
    }
  });
});
