/** Request bodies the soak sends, checked by the same zod schemas as the API's (a typo fails loudly). */
import { createBillingKeyBodySchema, createSubscriptionBodySchema } from "../../lib/billing/api-schemas.js";
import { createOrderRequestSchema } from "../../lib/kicc/create-order-request.js";

const PRODUCTS = [
  { orderNumber: "line-1", name: "Blue mug", quantity: 2, amount: 8_000 },
  { orderNumber: "line-2", name: "Saucer", quantity: 1, amount: 4_000 },
];

export function createOrderBody(input: {
  payMethod: "card" | "trans" | "vbank" | "phone";
  escrow: boolean;
  amount: number;
  index: number;
}) {
  return createOrderRequestSchema.parse({
    name: `Soak order ${input.index}`,
    amount: input.amount,
    pay_method: input.payMethod,
    buyer_name: "홍길동",
    buyer_email: "buyer@example.com",
    buyer_tel: "010-1234-5678",
    ...(input.payMethod === "phone" ? { digital: true } : {}),
    ...(input.escrow ? { escrow: true, kiccProducts: PRODUCTS } : {}),
  });
}

export const createBillingKeySchemaParse = (body: unknown) => createBillingKeyBodySchema.parse(body);
export const createSubscriptionBodyParse = (body: unknown) => createSubscriptionBodySchema.parse(body);
