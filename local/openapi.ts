/**
 * The OpenAPI 3.1 document of this project's HTTP API, generated from the
 * same zod schemas the handlers parse with. Served by the local stack at
 * /openapi.json; `npm run openapi` writes docs/openapi.json; a test checks
 * that its routes are exactly those in serverless.yml, less the ones that are
 * no operation: the CORS preflight and the `$default` route (a 405 or 404 for
 * whatever no route matches, functions/unmatched-route.ts).
 */
import { toJSONSchema } from "zod/mini";
import type { $ZodType } from "zod/v4/core";
import {
  billingKeyResponseSchema,
  subscriptionBodySchema,
  switchCardResponseSchema,
} from "../lib/billing/api-responses.js";
import {
  cancelSubscriptionBodySchema,
  changePlanBodySchema,
  createBillingKeyBodySchema,
  createSubscriptionBodySchema,
  subscriptionIdPathSchema,
  switchCardBodySchema,
} from "../lib/billing/api-schemas.js";
import { errorBodySchema } from "../lib/http/error-body.js";
import { createOrderRequestSchema } from "../lib/kicc/create-order-request.js";
import {
  createOrderResponseSchema,
  merchantOrderBodySchema,
  publicStatusBodySchema,
  refundResponseSchema,
  webhookResponseSchema,
} from "../lib/orders/api-responses.js";
import {
  completeMobileQuerySchema,
  completePaymentBodySchema,
  iamportWebhookBodySchema,
  merchantUidPathSchema,
  refundOrderBodySchema,
} from "../lib/orders/api-schemas.js";
import {
  billingKeyExample,
  createOrderExample,
  orderExample,
  refundExample,
  statusExample,
  subscriptionExample,
  switchCardExample,
  webhookExample,
} from "./openapi-examples.js";

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
  /**
   * Per status: a 2xx is a {@link Body} (its JSON schema and an example), a 302 its
   * description; an error a description (its body is always `Error`), or with the
   * `error` codes it answers ({@link refusal}).
   */
  responses: Record<string, string | Body | Refusal>;
}

/** The named response bodies: components of the document, so a generated client gets a type for each. */
export const RESPONSE_BODIES = {
  CreateOrderResult: createOrderResponseSchema,
  Order: merchantOrderBodySchema,
  OrderStatus: publicStatusBodySchema,
  RefundResult: refundResponseSchema,
  BillingKeyRequest: billingKeyResponseSchema,
  Subscription: subscriptionBodySchema,
  CardSwitchResult: switchCardResponseSchema,
  WebhookResult: webhookResponseSchema,
  Error: errorBodySchema,
} satisfies Record<string, Schema>;
type BodyName = keyof typeof RESPONSE_BODIES;

interface Body {
  description: string;
  body: BodyName;
  example: unknown;
  headers?: Record<string, string>;
}
interface Refusal {
  description: string;
  codes: string[];
}

const body = (
  description: string,
  name: BodyName,
  example: unknown,
  headers?: Record<string, string>,
): Body => ({
  description,
  body: name,
  example,
  ...(headers ? { headers } : {}),
});
/** An error status and the `error` codes it answers with on this route. */
const refusal = (description: string, ...codes: string[]): Refusal => ({ description, codes });
const REPLAYED = {
  "idempotent-replayed": "`true`: the stored answer of an earlier request with this Idempotency-Key",
};

const common = {
  "400": "Invalid input: `{ error: 'invalid_request', issues: [{ field, reason }] }`; nothing was written",
  "500": "Unexpected failure (logged with its stack); the body says nothing more",
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
      "201": body(
        "Created: hand `request_pay` to IMP.request_pay as it is",
        "CreateOrderResult",
        createOrderExample,
      ),
      "200": body("The same request again: the existing order", "CreateOrderResult", createOrderExample),
      ...common,
      "401": "Missing or wrong x-api-key",
      "409": refusal(
        "merchant_uid taken by a different order, or iamport holds another amount for it",
        "merchant_uid_taken",
        "prepared_amount_conflict",
      ),
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
    responses: {
      "200": body("The order", "Order", orderExample),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such order",
    },
  },
  {
    method: "get",
    path: "/orders/{merchant_uid}/status",
    operationId: "getOrderStatus",
    summary: "Public status for the merchant's result page (no personal data)",
    path_: merchantUidPathSchema,
    responses: {
      "200": body(
        "The order's status; `vbank` (where to pay in) only while awaiting_deposit",
        "OrderStatus",
        statusExample,
      ),
      ...common,
      "404": "No such order",
    },
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
      "201": body(
        "Refunded: the refund as iamport recorded it and the order after it",
        "RefundResult",
        refundExample,
      ),
      "200": body(
        "A replay of the same Idempotency-Key: the stored answer, nothing refunded again",
        "RefundResult",
        refundExample,
        REPLAYED,
      ),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such order",
      "409": refusal(
        "Not refundable now, key reused with another body, another refund in progress, or iamport's balance differs",
        "order_not_refundable",
        "idempotency_key_reused",
        "refund_in_progress",
        "balance_mismatch",
        "refund_refused",
        "phone_refund_month_passed",
      ),
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
      "200": body("The order's verified status", "OrderStatus", {
        merchant_uid: "order-20261201-0001",
        status: "paid",
        amount: 12000,
      }),
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
      "302":
        "To the order's result page (configured origins only) with merchant_uid, our verified status and a reason " +
        "code (verified, no_payment, refused, unknown_order, verification_pending); message only when iamport's own " +
        "record carries a fail_reason, never the window's error_msg",
      ...common,
    },
  },
  {
    method: "post",
    path: "/billing-keys",
    operationId: "createBillingKey",
    summary: "Get the IMP.request_pay params that issue a KICC billing key in the window",
    description:
      "KICC issues billing keys only in its window, through the MID approved for non-authenticated payments " +
      '(`pg: "kicc.<KICC_BILLING_MID>"`), card only, and charges nothing there (amount is only shown). ' +
      "customer_uid is given or generated; one per customer and card. A customer_uid that already names a " +
      "verified key is refused: issuing again would re-point it and leave the old key unrevocable.",
    apiKey: true,
    body: createBillingKeyBodySchema,
    responses: {
      "201": body("Hand `request_pay` to IMP.request_pay as it is", "BillingKeyRequest", billingKeyExample),
      ...common,
      "401": "Missing or wrong x-api-key",
      "409": refusal("customer_uid already names a verified billing key", "customer_uid_taken"),
      "501": "KICC_BILLING_MID is not configured (`setting` names it)",
    },
  },
  {
    method: "post",
    path: "/subscriptions",
    operationId: "createSubscription",
    summary: "Subscribe a verified billing key to a plan; the first cycle is charged now or at start_at",
    description:
      "The key is verified with GET /subscribe/customers/{customer_uid} (exists, KICC, our billing MID, not a " +
      "test channel in live mode). Cycles fall on anchor_day in Asia/Seoul (a shorter month bills on its last " +
      "day and the plan comes back to the anchor the month after). Without start_at and with anchor_day, the " +
      "subscription starts on the next anchor date.",
    apiKey: true,
    body: createSubscriptionBodySchema,
    headers: [
      {
        name: "Idempotency-Key",
        required: true,
        description: "Names the subscription: a retry with the same key and body gets the same one",
      },
    ],
    responses: {
      "201": body("The subscription", "Subscription", subscriptionExample),
      "200": body(
        "The same request again: the existing subscription",
        "Subscription",
        subscriptionExample,
        REPLAYED,
      ),
      ...common,
      "401": "Missing or wrong x-api-key",
      "409": refusal(
        "Idempotency-Key used for a different request, or the key is being deleted",
        "idempotency_key_reused",
        "billing_key_deleting",
      ),
      "503": "iamport could not be asked about the billing key; retry with the same Idempotency-Key",
    },
  },
  {
    method: "get",
    path: "/subscriptions/{id}",
    operationId: "getSubscription",
    summary: "A subscription with its cycles, every charge attempt and its history",
    apiKey: true,
    path_: subscriptionIdPathSchema,
    responses: {
      "200": body("The subscription", "Subscription", subscriptionExample),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such subscription",
    },
  },
  {
    method: "post",
    path: "/subscriptions/{id}/cancel",
    operationId: "cancelSubscription",
    summary: 'Cancel now, or at the end of the paid period (`{ at: "now" | "period_end" }`)',
    apiKey: true,
    path_: subscriptionIdPathSchema,
    body: cancelSubscriptionBodySchema,
    responses: {
      "200": body("The subscription (unchanged when already canceled)", "Subscription", {
        ...subscriptionExample,
        status: "canceled",
        next_charge_at: null,
        canceled_at: "2026-12-10T01:00:00.000Z",
        cancel_reason: "customer asked",
      }),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such subscription",
      "409": refusal(
        "Refused in this state, or the subscription kept changing meanwhile",
        "invalid_state",
        "subscription_busy",
      ),
    },
  },
  {
    method: "post",
    path: "/subscriptions/{id}/pause",
    operationId: "pauseSubscription",
    summary: "Stop charging an active subscription",
    apiKey: true,
    path_: subscriptionIdPathSchema,
    responses: {
      "200": body("The subscription", "Subscription", {
        ...subscriptionExample,
        status: "paused",
        next_charge_at: null,
        paused_at: "2026-12-10T01:00:00.000Z",
      }),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such subscription",
      "409": refusal("Not active", "invalid_state", "subscription_busy"),
    },
  },
  {
    method: "post",
    path: "/subscriptions/{id}/resume",
    operationId: "resumeSubscription",
    summary: "Resume billing on the anchor calendar; cycles dated inside the pause are skipped",
    apiKey: true,
    path_: subscriptionIdPathSchema,
    responses: {
      "200": body("The subscription", "Subscription", subscriptionExample),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such subscription",
      "409": refusal("Not paused", "invalid_state", "subscription_busy"),
    },
  },
  {
    method: "post",
    path: "/subscriptions/{id}/plan",
    operationId: "changeSubscriptionPlan",
    summary: "Change the plan's amount and name from the next cycle, or now (no proration)",
    description:
      "next_cycle: the first cycle not yet due is charged at the new plan (when the cycle the subscription " +
      "waits on is already due, being charged, retried or owed, it keeps the old plan and the new one is " +
      "pending_plan from the cycle after it). now: the next attempt of the cycle waited on is charged at the " +
      "new plan. Never prorated: nothing is charged or refunded for the running period. Allowed while past_due, " +
      "unpaid or paused; refused when canceled or ending at period end. The interval cannot change.",
    apiKey: true,
    path_: subscriptionIdPathSchema,
    body: changePlanBodySchema,
    headers: [
      {
        name: "Idempotency-Key",
        required: true,
        description:
          "Unique per plan change; a retry with it is never applied again, even after a later change",
      },
    ],
    responses: {
      "200": body("The subscription after the change", "Subscription", {
        ...subscriptionExample,
        pending_plan: { name: "Basic", amount: 4900, from_cycle: 2 },
      }),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such subscription",
      "409": refusal(
        "Canceled or ending at period end, or the key was used with another body",
        "invalid_state",
        "idempotency_key_reused",
        "subscription_busy",
      ),
    },
  },
  {
    method: "post",
    path: "/subscriptions/{id}/card",
    operationId: "switchSubscriptionCard",
    summary: "Switch to a new verified billing key; a past_due subscription is retried at once with it",
    description:
      "The old key is deleted at iamport (DELETE /subscribe/customers/{customer_uid}) after the switch is saved, " +
      "unless another subscription still charges it; `card_switch.old_card.key` says what happened.",
    apiKey: true,
    path_: subscriptionIdPathSchema,
    body: switchCardBodySchema,
    responses: {
      "200": body(
        "The subscription and `card_switch: { changed, retry_queued, old_card }`",
        "CardSwitchResult",
        switchCardExample,
      ),
      ...common,
      "401": "Missing or wrong x-api-key",
      "404": "No such subscription",
      "409": refusal(
        "Canceled, or the new key is being deleted",
        "invalid_state",
        "billing_key_deleting",
        "subscription_busy",
      ),
      "503": "iamport could not be asked about the new key; retry",
    },
  },
  {
    method: "post",
    path: "/webhooks/iamport",
    operationId: "iamportWebhook",
    summary: "iamport V1 webhook (JSON or form): a hint, verified by re-reading the payment",
    description:
      "A subscription charge's merchant_uid (`sub_<id>_<cycle>_<attempt>`) is routed to billing, which applies " +
      "the re-read payment to that charge attempt; any other to the order.",
    body: iamportWebhookBodySchema,
    form: true,
    responses: {
      "200": body("Done, or nothing to do: `{ kind, outcome, status }`", "WebhookResult", webhookExample),
      ...common,
      "403":
        "The caller's address is not one of webhookSourceIps (only when that parameter is set); nothing was read or written",
      "503": "iamport unavailable; iamport's retry will come back",
    },
  },
];

function jsonSchema(schema: Schema, io: "input" | "output" = "input"): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = toJSONSchema(schema, {
    io,
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return rest;
}

const ERROR_CODES: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "source_not_allowed",
  404: "not_found",
  409: "conflict",
  500: "internal_error",
  501: "not_configured",
  502: "iamport_refused",
  503: "retry_later",
};

const header = (description: string) => ({ description, schema: { type: "string" } });

function responseObject(
  status: number,
  entry: string | Body | Refusal,
  field: string,
): Record<string, unknown> {
  const ref = (name: BodyName) => ({ $ref: `#/components/schemas/${name}` });
  if (typeof entry === "object" && "body" in entry) {
    return {
      description: entry.description,
      ...(entry.headers
        ? { headers: Object.fromEntries(Object.entries(entry.headers).map(([n, d]) => [n, header(d)])) }
        : {}),
      content: { "application/json": { schema: ref(entry.body), example: entry.example } },
    };
  }
  const description = typeof entry === "string" ? entry : entry.description;
  if (status < 400) {
    return status === 302
      ? { description, headers: { location: { ...header("The result page's URL"), required: true } } }
      : { description };
  }
  const codes = typeof entry === "string" ? [ERROR_CODES[status] ?? "error"] : entry.codes;
  const example: Record<string, unknown> = { error: codes[0], message: description };
  if (status === 400) {
    example.message = `${field}: must be a string`;
    example.issues = [{ field, reason: "must be a string" }];
  }
  if (status === 501) example.setting = "KICC_BILLING_MID";
  return {
    description: codes.length > 1 ? `${description}. \`error\`: ${codes.join(", ")}` : description,
    ...(status === 503 ? { headers: { "retry-after": header("Seconds to wait before retrying") } } : {}),
    content: { "application/json": { schema: ref("Error"), example } },
  };
}

/** A field of the route's input, for the example of its 400. */
function exampleField(route: RouteDoc): string {
  const first = (schema: Schema | undefined, prefix: string) => {
    if (!schema) return undefined;
    const name = Object.keys((jsonSchema(schema) as { properties?: object }).properties ?? {})[0];
    return name ? `${prefix}${name}` : undefined;
  };
  return first(route.body, "") ?? first(route.query, "query.") ?? first(route.path_, "path.") ?? "body";
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
        Object.entries({
          ...route.responses,
          ...(route.apiKey ? { "401": "Missing or wrong x-api-key" } : {}),
        }).map(([status, entry]) => [status, responseObject(Number(status), entry, exampleField(route))]),
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
      schemas: Object.fromEntries(
        Object.entries(RESPONSE_BODIES).map(([name, schema]) => [name, jsonSchema(schema, "output")]),
      ),
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
