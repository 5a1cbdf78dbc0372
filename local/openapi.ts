/**
 * The OpenAPI 3.1 document of this project's HTTP API, generated from the
 * same zod schemas the handlers parse with. Served by the local stack at
 * /openapi.json; `npm run openapi` writes docs/openapi.json; a test checks
 * that its routes are exactly those in serverless.yml.
 */
import { toJSONSchema } from "zod/mini";
import type { $ZodType } from "zod/v4/core";
import { createOrderRequestSchema } from "../lib/kicc/create-order-request.js";
import {
  completeMobileQuerySchema,
  completePaymentBodySchema,
  iamportWebhookBodySchema,
  merchantUidPathSchema,
  refundOrderBodySchema,
} from "../lib/orders/api-schemas.js";

type Schema = $ZodType;

interface RouteDoc {
  method: "get" | "post";
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  apiKey?: boolean;
  path_?: Schema;
  query?: Schema;
  body?: Schema;
  /** The body may also be form-urlencoded (iamport's webhook setting). */
  form?: boolean;
  headers?: Array<{ name: string; required: boolean; description: string }>;
  responses: Record<string, string>;
}

const common = {
  "400": "Invalid input: `{ error: 'invalid_request', issues: [{ field, reason }] }`; nothing was written",
};

export const ROUTE_DOCS: RouteDoc[] = [
  {
    method: "post",
    path: "/orders",
    operationId: "createOrder",
    summary: "Create an order and get the IMP.request_pay params for KICC",
    description:
      "Validates the KICC rules, stores the order as pending and pre-registers its amount with iamport " +
      "(POST /payments/prepare) so a tampered amount is refused before the window opens. A retry with the same " +
      "body returns the same order (200). kiccProducts amounts are not compared with the order amount (KICC does not).",
    apiKey: true,
    body: createOrderRequestSchema,
    headers: [
      {
        name: "Idempotency-Key",
        required: false,
        description: "Names the order when the body has no merchant_uid, so a retry finds it again",
      },
    ],
    responses: {
      "201": "Created: `{ merchant_uid, status, request_pay, order }`",
      "200": "The same request again: the existing order",
      ...common,
      "401": "Missing or wrong x-api-key",
      "409": "merchant_uid taken by a different order, or iamport holds another amount for it",
      "503": "iamport could not pre-register the amount now; retry the same request",
    },
  },
  {
    method: "get",
    path: "/orders/{merchant_uid}",
    operationId: "getOrder",
    summary: "An order with its verified state, refunds and history",
    apiKey: true,
    path_: merchantUidPathSchema,
    responses: { "200": "The order", ...common, "401": "Missing or wrong x-api-key", "404": "No such order" },
  },
  {
    method: "get",
    path: "/orders/{merchant_uid}/status",
    operationId: "getOrderStatus",
    summary: "Public status for the merchant's result page (no personal data)",
    path_: merchantUidPathSchema,
    responses: { "200": "`{ merchant_uid, status, amount, vbank? }`", ...common, "404": "No such order" },
  },
  {
    method: "post",
    path: "/orders/{merchant_uid}/refunds",
    operationId: "refundOrder",
    summary: "Refund all or part of a paid order",
    description:
      "Sends checksum (the refundable balance we hold), tax_free where the order had a tax-free part, and the " +
      "refund account for virtual accounts. The order's refund state comes from iamport's cancel_amount and " +
      "cancel_history.",
    apiKey: true,
    path_: merchantUidPathSchema,
    body: refundOrderBodySchema,
    headers: [
      {
        name: "Idempotency-Key",
        required: true,
        description: "Unique per refund; a retry with it refunds once",
      },
    ],
    responses: {
      "200": "The refund and the order after it (also for a replay of the same Idempotency-Key)",
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such order",
      "409":
        "Not refundable now, over the balance, key reused with another body, or iamport's balance differs",
      "503": "iamport unavailable or the outcome is not known yet; retry with the same Idempotency-Key",
    },
  },
  {
    method: "post",
    path: "/payments/complete",
    operationId: "completePayment",
    summary: "PC callback: verify a payment with iamport and apply it to its order",
    body: completePaymentBodySchema,
    responses: {
      "200": "The order's verified status",
      ...common,
      "404": "No such order",
      "503": "iamport unavailable; retry",
    },
  },
  {
    method: "get",
    path: "/payments/complete/mobile",
    operationId: "completePaymentMobile",
    summary: "m_redirect_url: verify, then redirect the buyer to the result page",
    query: completeMobileQuerySchema,
    responses: {
      "302": "To the order's result page (configured origins only) with merchant_uid and status",
      ...common,
    },
  },
  {
    method: "post",
    path: "/webhooks/iamport",
    operationId: "iamportWebhook",
    summary: "iamport V1 webhook (JSON or form): a hint, verified by re-reading the payment",
    body: iamportWebhookBodySchema,
    form: true,
    responses: {
      "200": "`{ outcome, status }`: done, or nothing to do",
      ...common,
      "503": "iamport unavailable; iamport's retry will come back",
    },
  },
];

function jsonSchema(schema: Schema): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return rest;
}

function parameters(schema: Schema | undefined, where: "path" | "query") {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    schema: property,
  }));
}

export function buildOpenApi(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTE_DOCS) {
    const error = { $ref: "#/components/schemas/Error" };
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.apiKey ? { security: [{ apiKey: [] }] } : { security: [] }),
      parameters: [
        ...parameters(route.path_, "path"),
        ...parameters(route.query, "query"),
        ...(route.headers ?? []).map((h) => ({
          name: h.name,
          in: "header",
          required: h.required,
          description: h.description,
          schema: { type: "string", maxLength: 128 },
        })),
      ],
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([code, description]) => [
          code,
          Number(code) >= 400
            ? { description, content: { "application/json": { schema: error } } }
            : { description },
        ]),
      ),
    };
    if (route.body) {
      const schema = jsonSchema(route.body);
      operation.requestBody = {
        required: true,
        content: {
          "application/json": { schema },
          ...(route.form ? { "application/x-www-form-urlencoded": { schema } } : {}),
        },
      };
    }
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "KICC payments on iamport",
      version: "1.0.0",
      description:
        "Merchant API, completion doors and webhook of the KICC/iamport serverless payment functions.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "x-api-key" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error", "message"],
          properties: {
            error: { type: "string" },
            message: { type: "string" },
            issues: {
              type: "array",
              items: {
                type: "object",
                required: ["field", "reason"],
                properties: { field: { type: "string" }, reason: { type: "string" } },
              },
            },
          },
        },
      },
    },
    paths,
  };
}

/** The routes the document describes, as `METHOD /path`. */
export function documentedRoutes(doc = buildOpenApi()): string[] {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
}
