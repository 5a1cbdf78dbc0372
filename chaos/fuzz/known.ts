/** A paid order and a subscription that exist, so fuzzed ids sometimes name real ones. */
import type { Stack } from "../../local/stack.js";

export async function knownEntities(stack: Stack): Promise<{ merchantUid: string; subscriptionId: string }> {
  const api = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": stack.apiKey, ...headers },
      body: JSON.stringify(body),
    });
    return (await res.json()) as {
      request_pay: Record<string, unknown>;
      merchant_uid?: string;
      customer_uid?: string;
      id?: string;
    };
  };
  const control = stack.sandbox?.control;
  if (!control) throw new Error("the fuzzer needs the sandbox");
  const order = await api(
    "/orders",
    {
      name: "Fuzz mug",
      amount: 12_000,
      pay_method: "card",
      buyer_name: "홍길동",
      buyer_tel: "010-1234-5678",
    },
    { "idempotency-key": "fuzz-known-order" },
  );
  control.pay({ ...order.request_pay, outcome: "approve" } as never);
  await control.flushWebhooks();
  const key = await api("/billing-keys", { buyer_name: "홍길동", buyer_tel: "010-1234-5678" });
  control.pay({ ...key.request_pay, outcome: "approve" } as never);
  const sub = await api(
    "/subscriptions",
    { customer_uid: key.customer_uid, plan: { name: "Pro", amount: 9_900, interval: "month" } },
    { "idempotency-key": "fuzz-known-subscription" },
  );
  // Let every background effect of the set-up finish (the first charge, its webhook and that webhook's
  // iamport read): a late one would be counted against a fuzzed case.
  await stack.sqs.idle();
  await control.flushWebhooks();
  await stack.sqs.idle();
  await control.flushWebhooks();
  return { merchantUid: order.merchant_uid as string, subscriptionId: sub.id as string };
}
