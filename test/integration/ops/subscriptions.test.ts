/**
 * The ops CLI on subscriptions, in-process against the real local parts: the
 * handlers, the SQS stand-in and its charge worker, DynamoDB Local and the
 * iamport sandbox.
 */
import { describe, expect, test } from "vitest";
import { newClaim } from "../../../lib/billing/rules/charge-attempt-machine.js";
import { parseConfig } from "../../../lib/config.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { useStack } from "../../support/stack.js";
import { chargesOf, issueKey, subscribe, subscribed, view } from "../billing/support.js";
import { kstByIntl, ops } from "./support.js";

const ctx = useStack();

type Entry = { at: string; time_kst: string; kind: string; what: string; by: string };

describe("subscriptions", () => {
  test("the timeline of a subscription lists its creation, the charge attempt and its outcome, in order", async () => {
    const t = ctx();
    const { id } = await subscribed(t);

    const res = await ops(t, ["timeline", id, "--json"]);
    // A charge's merchant_uid names the same subscription.
    const byCharge = await ops(t, ["timeline", `${id}_1_1`, "--json"]);

    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.aggregate).toEqual({ kind: "subscription", id, status: "active" });
    const entries: Entry[] = doc.entries;
    const at = (pattern: RegExp) => entries.findIndex((e) => pattern.test(`${e.kind} ${e.what} | ${e.by}`));
    const created = at(/^transition v1 new → active.*\| merchant API$/);
    const claimed = at(
      new RegExp(`^iamport charge 1#1 \\(${id}_1_1\\) claimed and sent: 9,900 KRW \\| worker$`),
    );
    const paid = at(
      new RegExp(
        `^iamport charge 1#1 \\(${id}_1_1\\) paid: imp_\\w+, paid at iamport [-\\d: ]+KST \\| (worker|webhook)$`,
      ),
    );
    const settled = at(/^transition v2 active \(cycle 1#1\): .*\| (worker|webhook)$/);
    expect(
      [created, claimed, paid, settled].every((i) => i >= 0),
      JSON.stringify(entries, null, 1),
    ).toBe(true);
    expect(created).toBeLessThan(claimed);
    expect(claimed).toBeLessThan(paid);
    expect(entries.some((e) => e.kind === "notification" && e.by === "webhook")).toBe(true);
    for (const e of entries) expect(e.time_kst).toBe(kstByIntl(e.at));
    expect(JSON.parse(byCharge.stdout).entries).toEqual(entries);
  });

  test("a claim whose worker died: needs-attention lists it, reconcile finishes it (paid once), and it is gone", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const created = await subscribe(t, {
      customer_uid: customerUid,
      start_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = created.body.id as string;
    // As if a worker claimed cycle 1 ten minutes ago and crashed before calling iamport.
    const { subscriptions } = buildContainer(parseConfig(t.stack.env));
    const sub = await subscriptions.get(id);
    const stale = newClaim(
      {
        subscriptionId: id,
        cycle: 1,
        attempt: 1,
        merchantUid: `${id}_1_1`,
        customerUid,
        amount: 9_900,
        name: "Pro plan",
      },
      new Date(Date.now() - 10 * 60_000),
      120_000,
    );
    expect(sub && (await subscriptions.claim(sub, stale)).claimed).toBe(true);

    const listed = await ops(t, ["needs-attention", "--older-than", "5", "--json"]);
    const reconciled = await ops(t, ["reconcile", id, "--json"]);
    const after = await ops(t, ["needs-attention", "--older-than", "5", "--json"]);

    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).items).toContainEqual(
      expect.objectContaining({ kind: "charge_claim_lapsed", id }),
    );
    expect(reconciled.code, reconciled.stderr).toBe(0);
    const doc = JSON.parse(reconciled.stdout);
    expect(doc.steps).toEqual([expect.stringMatching(/^charge 1#1: done: /)]);
    expect(doc.changes).toContainEqual({ what: "charge 1#1", before: "claimed", after: "paid" });
    const attempt = (await view(t, id)).cycles[0].attempts[0];
    // The dead claim counts as a send; sent once more under the same merchant_uid, charged once.
    expect(attempt).toMatchObject({ status: "paid", sends: 2, merchant_uid: `${id}_1_1` });
    expect(chargesOf(t, customerUid)).toHaveLength(1);
    expect(JSON.parse(after.stdout).items.some((i: { id: string }) => i.id === id)).toBe(false);
  });
});
