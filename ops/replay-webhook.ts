/**
 * `replay-webhook <merchant_uid> <imp_uid> [status]` or
 * `replay-webhook <merchant_uid> <NOTE# key>`: a stored notification (any
 * door's: webhook, callback, redirect) fed back through the webhook use case
 * (lib/webhooks/receive-iamport-webhook.ts). Safe to repeat: the use case
 * re-reads the payment at iamport and decides from its record alone, and the
 * note is stored once per (source, imp_uid, status).
 */
import { receiveIamportWebhook } from "../lib/webhooks/receive-iamport-webhook.js";
import { aggregateOf } from "./aggregate-id.js";
import type { OpsContext } from "./environment.js";
import { UsageError } from "./errors.js";
import { type CommandOutput, formatTable, kst } from "./output.js";

/** Notes read at most (an aggregate holds at most 50). */
const MAX_ITEMS = 1000;
const NOTE_TYPES = new Set(["notification", "subscription_notification"]);
/** Words a note stores when the door's status was not one of iamport's: not worth replaying as a status. */
const NOT_A_STATUS = new Set(["other", "unverified"]);

interface StoredNote {
  sk: string;
  source: string;
  impUid: string;
  status: string;
  receivedAt: string;
  body: Record<string, unknown>;
}

/** @throws UsageError when no such notification is stored */
export async function replayWebhook(
  ctx: OpsContext,
  id: string,
  noteOrImpUid: string,
  status?: string,
): Promise<CommandOutput> {
  const aggregate = aggregateOf(id);
  const read = await ctx.reads.partition(aggregate, MAX_ITEMS);
  if (!read.items.some((item) => item.sk === "ORDER" || item.sk === "SUB"))
    throw new UsageError(`no ${aggregate.kind} ${aggregate.id} in ${ctx.target}`);
  const notes = read.items
    .filter((item) => NOTE_TYPES.has(item.type))
    .map((item) => ({ sk: item.sk, ...(item.record as Omit<StoredNote, "sk">) }));
  const wanted = noteOrImpUid.startsWith("NOTE#")
    ? notes.filter((n) => n.sk === noteOrImpUid)
    : notes.filter((n) => n.impUid === noteOrImpUid && (status === undefined || n.status === status));
  // The webhook's own note first (it is what iamport sent), then the newest.
  const note = wanted.sort(
    (a, b) =>
      Number(b.source === "webhook") - Number(a.source === "webhook") ||
      b.receivedAt.localeCompare(a.receivedAt),
  )[0];
  if (!note)
    throw new UsageError(
      `no stored notification ${noteOrImpUid}${status ? ` (${status})` : ""} for ${aggregate.kind} ${aggregate.id}: timeline lists them`,
    );
  if (note.impUid === "-") throw new UsageError(`${note.sk} named no payment: nothing to look up at iamport`);
  // The webhook routes by merchant_uid: a charge's note keeps the charge's `sub_…` merchant_uid in its body.
  const merchantUid = typeof note.body.merchant_uid === "string" ? note.body.merchant_uid : aggregate.id;
  const replayStatus = status ?? (NOT_A_STATUS.has(note.status) ? undefined : note.status);
  const body = {
    imp_uid: note.impUid,
    merchant_uid: merchantUid,
    ...(replayStatus ? { status: replayStatus } : {}),
  };
  const result = await receiveIamportWebhook(
    { orders: ctx.container.verifyDeps, billing: ctx.container.chargeDeps },
    body,
  );
  const rows = [
    ["replayed", `${note.sk} (received ${kst(note.receivedAt)})`],
    ["as webhook", JSON.stringify(body)],
    ["outcome", `${result.kind}: ${result.outcome}`],
    ["status now", result.status ?? "-"],
  ];
  return {
    json: { note: note.sk, webhook: body, kind: result.kind, outcome: result.outcome, status: result.status },
    text: formatTable(["FIELD", "VALUE"], rows),
  };
}
