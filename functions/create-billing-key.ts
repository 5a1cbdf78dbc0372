/** POST /billing-keys (API key): the IMP.request_pay params that issue a KICC billing key in the window. */
import type { BillingKeyResponse } from "../lib/billing/api-responses.js";
import { createBillingKeyBodySchema } from "../lib/billing/api-schemas.js";
import { createBillingKey } from "../lib/billing/use-cases/create-billing-key.js";
import { httpHandler } from "../lib/http/handler.js";
import { json } from "../lib/http/response.js";
import { readBody, validate } from "../lib/http/validate.js";
import { container } from "../lib/runtime/container.js";

export const handler = httpHandler(
  async (event) => {
    const body = validate(createBillingKeyBodySchema, readBody(event));
    const { customerUid, requestPay } = await createBillingKey(container().createBillingKeyDeps, body);
    return json(201, { customer_uid: customerUid, request_pay: requestPay } satisfies BillingKeyResponse);
  },
  { logger: () => container().logger, apiKeys: () => container().secrets.merchantApiKeys() },
);
