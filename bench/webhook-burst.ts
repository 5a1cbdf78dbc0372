/**
 * A webhook burst: P card payments paid in the sandbox, then N notifications
 * for them (every payment once, the rest duplicates of random payments),
 * shuffled, each a webhook (`POST /webhooks/iamport`) or, one in five, the
 * buyer's mobile redirect (`GET /payments/complete/mobile`), sent with a
 * bounded concurrency through the API stand-in to the real handlers, against
 * DynamoDB Local and the sandbox. Reports throughput and latency percentiles;
 * fails loudly on any error (a webhook not 200, a redirect not a 302 to a
 * `paid` result) and unless every order ends paid with exactly one paid
 * transition.
 *
 *   npx tsx bench/webhook-burst.ts [--payments 3500] [--notifications 5000] [--concurrency 32]
 */
import { startDynamoDbLocal } from "../local/dynamodb/dynamodb-local.js";
import { LOCAL_API_KEY, startStack } from "../local/stack.js";

/** One in this many notifications is the mobile redirect instead of a webhook. */
const REDIRECT_EVERY = 5;

async function pool<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

export async function benchWebhookBurst(
  options: { payments?: number; notifications?: number; concurrency?: number } = {},
): Promise<string> {
  const payments = options.payments ?? 3500;
  const total = Math.max(options.notifications ?? 5000, payments);
  const concurrency = options.concurrency ?? 32;
  const ddb = await startDynamoDbLocal();
  const stack = await startStack({
    dynamoEndpoint: ddb.endpoint,
    env: { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent" },
    // The sandbox's own webhooks go nowhere: the bench sends every notification, so their count is known.
    sandbox: { webhookUrl: "http://127.0.0.1:9/unused" },
  });
  const api = stack.apiUrl;
  const headers = { "content-type": "application/json", "x-api-key": LOCAL_API_KEY };
  try {
    stack.sandbox?.control.setWebhookFault({ kind: "drop" });
    const paid: Array<{ merchantUid: string; impUid: string }> = [];
    await pool(
      Array.from({ length: payments }, (_, i) => i),
      concurrency,
      async (i) => {
        const res = await fetch(`${api}/orders`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            name: `burst ${i}`,
            amount: 1000 + i,
            pay_method: "card",
            buyer_tel: "010-0000-0000",
          }),
        });
        const order = (await res.json()) as { merchant_uid: string; request_pay: Record<string, unknown> };
        if (res.status !== 201)
          throw new Error(`POST /orders answered ${res.status}: ${JSON.stringify(order)}`);
        const rsp = stack.sandbox?.control.pay({ ...order.request_pay, outcome: "approve" } as never);
        if (!rsp?.imp_uid) throw new Error(`the sandbox did not pay ${order.merchant_uid}`);
        paid.push({ merchantUid: order.merchant_uid, impUid: rsp.imp_uid });
      },
    );

    // Every payment once, then duplicates of random payments; shuffled so duplicates race the first.
    const notes = [
      ...paid,
      ...Array.from({ length: total - payments }, () => paid[Math.floor(Math.random() * paid.length)]!),
    ].map((p, i) => ({ ...p, redirect: i % REDIRECT_EVERY === 0 }));
    for (let i = notes.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [notes[i], notes[j]] = [notes[j]!, notes[i]!];
    }

    const latencies: number[] = [];
    const errors: string[] = [];
    const started = performance.now();
    await pool(notes, concurrency, async (note) => {
      const t0 = performance.now();
      const res = note.redirect
        ? await fetch(
            `${api}/payments/complete/mobile?imp_uid=${note.impUid}&merchant_uid=${note.merchantUid}`,
            {
              redirect: "manual",
            },
          )
        : await fetch(`${api}/webhooks/iamport`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ imp_uid: note.impUid, merchant_uid: note.merchantUid, status: "paid" }),
          });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      const status = note.redirect
        ? new URL(res.headers.get("location") ?? "", api).searchParams.get("status")
        : null;
      if (note.redirect ? res.status !== 302 || status !== "paid" : res.status !== 200)
        errors.push(
          `${note.redirect ? "redirect" : "webhook"} ${note.merchantUid}: ${res.status} ${status ?? ""}`,
        );
    });
    const seconds = (performance.now() - started) / 1000;

    const wrong: string[] = [];
    await pool(paid, concurrency, async ({ merchantUid }) => {
      const order = (await fetch(`${api}/orders/${merchantUid}`, { headers }).then((r) => r.json())) as {
        status: string;
        history: Array<{ to: string }>;
      };
      const transitions = order.history.filter((e) => e.to === "paid").length;
      if (order.status !== "paid" || transitions !== 1)
        wrong.push(`${merchantUid}: ${order.status}, ${transitions} paid transitions`);
    });
    if (errors.length || wrong.length)
      throw new Error(
        `webhook burst broke a promise: ${errors.length} errors (${errors.slice(0, 5).join("; ")}), ` +
          `${wrong.length} orders not paid exactly once (${wrong.slice(0, 5).join("; ")})`,
      );

    const sorted = [...latencies].sort((a, b) => a - b);
    const redirects = notes.filter((n) => n.redirect).length;
    return [
      `Webhook burst (node ${process.version}; ${total} notifications for ${payments} paid orders, ` +
        `${total - payments} duplicates (${Math.round((100 * (total - payments)) / total)} %), ${redirects} of them mobile redirects, shuffled, ${concurrency} at a time)`,
      "",
      "| notifications | time | throughput | p50 | p99 | errors | orders paid exactly once |",
      "|---|---|---|---|---|---|---|",
      `| ${total} | ${seconds.toFixed(1)} s | ${(total / seconds).toFixed(0)}/s | ${pct(sorted, 50).toFixed(0)} ms | ${pct(sorted, 99).toFixed(0)} ms | 0 | ${payments} of ${payments} |`,
    ].join("\n");
  } finally {
    await stack.close();
    await ddb.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => Number(process.argv[process.argv.indexOf(name) + 1]) || undefined;
  console.log(
    await benchWebhookBurst({
      payments: arg("--payments"),
      notifications: arg("--notifications"),
      concurrency: arg("--concurrency"),
    } as never),
  );
}
