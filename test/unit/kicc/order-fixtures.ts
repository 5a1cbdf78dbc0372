/**
 * Valid `POST /orders` bodies to vary one field at a time, and a helper that
 * reduces a refusal to what the merchant sees: each issue's path and message.
 */
import { createOrderRequestSchema } from "../../../lib/kicc/index.js";

/** A valid card order: the smallest body the API accepts. */
export const cardOrder = {
  name: "Cotton tee",
  amount: 1000,
  pay_method: "card",
  buyer_tel: "010-1234-5678",
} as const;

/** A valid escrow order (escrow needs buyer details and products). */
export const escrowOrder = {
  name: "Desk lamp",
  amount: 64_000,
  pay_method: "vbank",
  escrow: true,
  buyer_name: "홍길동",
  buyer_email: "buyer@example.com",
  buyer_tel: "01012345678",
  kiccProducts: [{ orderNumber: "P-1", name: "Desk lamp", quantity: 1, amount: 64_000 }],
} as const;

/** Path and message of each issue; `[]` when the body is accepted. */
export function issuesOf(body: unknown): Array<{ path: PropertyKey[]; message: string }> {
  const result = createOrderRequestSchema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
}

/** Whether the body is accepted. */
export function accepts(body: unknown): boolean {
  return createOrderRequestSchema.safeParse(body).success;
}
