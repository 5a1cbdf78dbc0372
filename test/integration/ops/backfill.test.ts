/**
 * `ops backfill-audits` against the real local parts: a paid order and a
 * subscription's kept charge made through the API (DynamoDB Local, the
 * sandbox, the charge worker), then taken off GSI1 with a direct UpdateItem,
 * as the items older code wrote are. The audits' own reads
 * (`listHeldDue`, `pagesKeptDue`) do not see them until the command puts
 * them back, due now, writing nothing but `auditAfter` and the index entry.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { createDocumentClient } from "../../../lib/store/dynamo-client.js";
import type { TestStack } from "../../support/stack.js";
import { useStack } from "../../support/stack.js";
import { DAY, subscribed, tableItems } from "../billing/support.js";
import { paidOrder } from "../orders/refunds/support.js";
import { ops } from "./support.js";

const ctx = useStack();

type Key = { PK: string; SK: string };
type Row = {
  kind: "order" | "charge";
  id: string;
  subscriptionId: string | null;
  index: "HELD" | "KEPT";
  due: string | null;
  result: string;
};
type Doc = {
  dryRun: boolean;
  auditAfter: string;
  scanLimit: number;
  startAfter: Key | null;
  scanned: number;
  ordersIndexed: number;
  chargesIndexed: number;
  skipped: number;
  pastHorizon: number;
  truncated: boolean;
  nextStartAfter: Key | null;
  items: Row[];
};

const dbOf = (t: TestStack) =>
  createDocumentClient({ region: "ap-northeast-2", endpoint: t.stack.env.DYNAMODB_ENDPOINT ?? "" });

/** The merchant_uids of the orders the held-payment audit reads at `at`. */
async function heldDue(t: TestStack, at: Date): Promise<Set<string>> {
  const { orders } = buildContainer(parseConfig(t.stack.env));
  return new Set((await orders.listHeldDue(at, 1000)).map((o) => o.merchantUid));
}

/** The merchant_uids of the charges the kept-charge audit reads at `at`. */
async function keptDue(t: TestStack, at: Date): Promise<Set<string>> {
  const { subscriptions } = buildContainer(parseConfig(t.stack.env));
  const found = new Set<string>();
  for await (const page of subscriptions.pagesKeptDue(at, 100))
    for (const a of page) found.add(a.merchantUid);
  return found;
}

async function item(t: TestStack, key: Key): Promise<Record<string, unknown>> {
  const { Item } = await dbOf(t).send(new GetCommand({ TableName: t.stack.tableName, Key: key }));
  if (!Item) throw new Error(`no item ${key.PK} ${key.SK}`);
  return Item;
}

/** The table, in a comparable order. */
async function snapshot(t: TestStack) {
  return (await tableItems(t)).sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

const without = (record: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));

/**
 * A paid order and a subscription's first charge (kept), on the audits' indexes as today's code writes
 * them, then taken off GSI1 as older code left them: the audits no longer read them, however late.
 */
async function oldData(t: TestStack) {
  const { merchantUid } = await paidOrder(t);
  const { id } = await subscribed(t);
  const chargeUid = `${id}_1_1`;
  const orderKey = { PK: `ORDER#${merchantUid}`, SK: "ORDER" };
  const attemptKey = { PK: `SUB#${id}`, SK: "CHARGE#0001#01" };
  expect((await item(t, attemptKey)).status).toBe("paid");
  const later = new Date(Date.now() + 2 * DAY);
  expect((await heldDue(t, later)).has(merchantUid)).toBe(true);
  expect((await keptDue(t, later)).has(chargeUid)).toBe(true);
  for (const Key of [orderKey, attemptKey])
    await dbOf(t).send(
      new UpdateCommand({
        TableName: t.stack.tableName,
        Key,
        UpdateExpression: "REMOVE GSI1PK, GSI1SK",
        ConditionExpression: "attribute_exists(GSI1PK)",
      }),
    );
  expect((await heldDue(t, later)).has(merchantUid)).toBe(false);
  expect((await keptDue(t, later)).has(chargeUid)).toBe(false);
  return { merchantUid, subscriptionId: id, chargeUid, orderKey, attemptKey };
}

const json = (stdout: string) => JSON.parse(stdout) as Doc;

describe("backfill-audits", () => {
  test("what today's code wrote is on the indexes already: the whole table read, nothing to index", async () => {
    const t = ctx();
    await paidOrder(t);
    await subscribed(t);
    const table = await snapshot(t);

    const run = await ops(t, ["backfill-audits", "--json"]);

    expect(run.code, run.stderr).toBe(0);
    expect(json(run.stdout)).toMatchObject({
      dryRun: false,
      scanned: table.length,
      ordersIndexed: 0,
      chargesIndexed: 0,
      skipped: 0,
      pastHorizon: 0,
      truncated: false,
      nextStartAfter: null,
      items: [],
    });
    expect(await snapshot(t)).toEqual(table);
  });

  test("an order holding money and a kept charge left off GSI1: indexed and due now, only auditAfter and the entry written; a second run indexes nothing", async () => {
    const t = ctx();
    const old = await oldData(t);
    const before = await snapshot(t);
    const started = new Date().toISOString();

    const run = await ops(t, ["backfill-audits", "--json"]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const doc = json(run.stdout);
    expect(doc).toMatchObject({
      dryRun: false,
      scanned: before.length,
      ordersIndexed: 1,
      chargesIndexed: 1,
      skipped: 0,
      pastHorizon: 0,
      truncated: false,
      nextStartAfter: null,
    });
    expect(doc.auditAfter >= started && doc.auditAfter <= new Date().toISOString()).toBe(true);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect([...doc.items].sort(byId)).toEqual(
      [
        { kind: "order", id: old.merchantUid, subscriptionId: null, index: "HELD" },
        { kind: "charge", id: old.chargeUid, subscriptionId: old.subscriptionId, index: "KEPT" },
      ]
        .map((r) => ({ ...r, due: doc.auditAfter, result: "indexed" }))
        .sort(byId),
    );
    // Due at once: the next reconciler run reads both at iamport.
    const now = new Date();
    expect((await heldDue(t, now)).has(old.merchantUid)).toBe(true);
    expect((await keptDue(t, now)).has(old.chargeUid)).toBe(true);
    const order = await item(t, old.orderKey);
    const attempt = await item(t, old.attemptKey);
    expect(order).toMatchObject({ auditAfter: doc.auditAfter, GSI1SK: doc.auditAfter });
    expect(String(order.GSI1PK)).toMatch(/^HELD#[0-3]$/);
    expect(attempt).toMatchObject({ auditAfter: doc.auditAfter, GSI1SK: doc.auditAfter });
    expect(String(attempt.GSI1PK)).toMatch(/^KEPT#[0-3]$/);
    // No version, history or event: every other item as it was, these two but for the audit's attributes.
    const after = await snapshot(t);
    const audit = ["auditAfter", "GSI1PK", "GSI1SK"];
    expect(after.map((i) => without(i, audit))).toEqual(before.map((i) => without(i, audit)));
    const touched = (i: Record<string, unknown>) =>
      [old.orderKey.PK, old.attemptKey.PK].includes(String(i.PK)) &&
      ["ORDER", old.attemptKey.SK].includes(String(i.SK));
    expect(after.filter((i) => !touched(i))).toEqual(before.filter((i) => !touched(i)));

    const again = await ops(t, ["backfill-audits", "--json"]);

    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout)).toMatchObject({
      scanned: after.length,
      ordersIndexed: 0,
      chargesIndexed: 0,
      skipped: 0,
      truncated: false,
      items: [],
    });
    expect(await snapshot(t)).toEqual(after);
  });

  test("--dry-run lists what it would index and writes nothing; the run after indexes exactly that", async () => {
    const t = ctx();
    const old = await oldData(t);
    const before = await snapshot(t);

    const text = await ops(t, ["backfill-audits", "--dry-run"]);
    const dry = await ops(t, ["backfill-audits", "--dry-run", "--json"]);

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("backfill-audits, dry run (nothing written)");
    expect(text.stdout).toMatch(/orders to index \(HELD#\)\s+1\n/);
    expect(text.stdout).toMatch(/charges to index \(KEPT#\)\s+1\n/);
    expect(text.stdout).toMatch(/truncated by --scan-limit\s+no\n/);
    expect(text.stdout).toMatch(
      new RegExp(`order\\s+${old.merchantUid}\\s+-\\s+HELD\\s+[-\\d: ]+ KST\\s+would_index`),
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `charge\\s+${old.chargeUid}\\s+${old.subscriptionId}\\s+KEPT\\s+[-\\d: ]+ KST\\s+would_index`,
      ),
    );
    expect(text.stdout).toContain("complete: the whole table was read");
    expect(dry.code, dry.stderr).toBe(0);
    const listed = json(dry.stdout);
    expect(listed).toMatchObject({ dryRun: true, ordersIndexed: 1, chargesIndexed: 1, truncated: false });
    expect(await snapshot(t)).toEqual(before);
    const later = new Date(Date.now() + 2 * DAY);
    expect((await heldDue(t, later)).has(old.merchantUid)).toBe(false);
    expect((await keptDue(t, later)).has(old.chargeUid)).toBe(false);

    const run = json((await ops(t, ["backfill-audits", "--json"])).stdout);

    expect(run.items.map((r) => [r.kind, r.id, r.result])).toEqual(
      listed.items.map((r) => [r.kind, r.id, "indexed"]),
    );
    expect((await heldDue(t, later)).has(old.merchantUid)).toBe(true);
    expect((await keptDue(t, later)).has(old.chargeUid)).toBe(true);
  });

  test("a --scan-limit smaller than the table: truncated, with the key to go on from; following --start-after reads every item once and indexes both", async () => {
    const t = ctx();
    const old = await oldData(t);
    const total = (await tableItems(t)).length;
    expect(total).toBeGreaterThan(10);

    const cutText = await ops(t, ["backfill-audits", "--scan-limit", "1", "--dry-run"]);
    const cutJson = json(
      (await ops(t, ["backfill-audits", "--scan-limit", "1", "--dry-run", "--json"])).stdout,
    );

    expect(cutText.code, cutText.stderr).toBe(0);
    expect(cutText.stdout).toMatch(/items scanned\s+1\n/);
    expect(cutText.stdout).toMatch(/truncated by --scan-limit\s+yes\n/);
    const printed = /\ntruncated: run again with --start-after '([^']+)'\n$/.exec(cutText.stdout)?.[1];
    expect(printed, cutText.stdout).toBeDefined();
    expect(cutJson).toMatchObject({ scanned: 1, truncated: true });
    expect(JSON.parse(printed as string)).toEqual(cutJson.nextStartAfter);
    expect(Object.keys(cutJson.nextStartAfter ?? {}).sort()).toEqual(["PK", "SK"]);

    const limit = 4;
    let next: Key | null = null;
    let scanned = 0;
    let runs = 0;
    const indexed: string[] = [];
    do {
      const argv: string[] = ["backfill-audits", "--scan-limit", String(limit), "--json"];
      if (next) argv.push("--start-after", JSON.stringify(next));
      const run = await ops(t, argv);
      expect(run.code, run.stderr).toBe(0);
      const doc = json(run.stdout);
      expect(doc.scanned).toBeLessThanOrEqual(limit);
      expect(doc.startAfter).toEqual(next);
      expect(doc.truncated).toBe(doc.nextStartAfter !== null);
      scanned += doc.scanned;
      indexed.push(...doc.items.filter((r) => r.result === "indexed").map((r) => r.id));
      next = doc.nextStartAfter;
      runs++;
    } while (next && runs <= total);

    expect(next).toBeNull();
    expect(runs).toBeGreaterThanOrEqual(Math.ceil(total / limit));
    expect(scanned).toBe(total);
    expect(indexed.sort()).toEqual([old.merchantUid, old.chargeUid].sort());
    const now = new Date();
    expect((await heldDue(t, now)).has(old.merchantUid)).toBe(true);
    expect((await keptDue(t, now)).has(old.chargeUid)).toBe(true);
  });

  test("bad input exits 2 with one line on stderr, nothing on stdout, and nothing written", async () => {
    const t = ctx();
    const old = await oldData(t);
    const table = await snapshot(t);
    const cases: Array<[string[], RegExp]> = [
      [["--scan-limit", "0"], /--scan-limit must be a whole number from 1 to 1000000/],
      [["--scan-limit", "ten"], /--scan-limit must be a whole number/],
      [["--start-after", "{PK:ORDER#x"], /--start-after must be the JSON key a truncated run printed/],
      [["--start-after", '{"PK":"ORDER#x"}'], /--start-after must be the JSON key/],
      [["--start-after", '["ORDER#x","ORDER"]'], /--start-after must be the JSON key/],
      [["--start-after", '{"PK":1,"SK":"ORDER"}'], /--start-after must be the JSON key/],
      [
        ["--start-after", '{"PK":"ORDER#x","SK":"ORDER","GSI1PK":"HELD#0"}'],
        /--start-after must be the JSON key/,
      ],
      [["--start-after"], /--start-after/],
      [["everything"], /backfill-audits: unexpected argument "everything"/],
      [["--limit", "5"], /backfill-audits does not take --limit/],
      [["--from", "2026-12-01T00:00:00Z"], /backfill-audits does not take --from/],
    ];
    for (const [argv, message] of cases) {
      const run = await ops(t, ["backfill-audits", ...argv, "--json"]);
      expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^ops: [^\n]+\n$/);
      expect(run.stderr).toMatch(message);
    }
    expect(await snapshot(t)).toEqual(table);
    const later = new Date(Date.now() + 2 * DAY);
    expect((await heldDue(t, later)).has(old.merchantUid)).toBe(false);
    // The table is left as the next test expects it: everything indexed.
    expect(json((await ops(t, ["backfill-audits", "--json"])).stdout)).toMatchObject({
      ordersIndexed: 1,
      chargesIndexed: 1,
    });
  });
});
